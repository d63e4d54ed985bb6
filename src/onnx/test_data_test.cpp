#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "onnx/onnx_io.h"
#include "testing/testing.h"

namespace zooci {
namespace {

class FindDataSetsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::ScratchDir("test_data_test"); }

  const fs::path& root() const { return dir_->path(); }

  // Creates `root/set_name/file` for each file (directories as needed).
  fs::path MakeSet(const std::string& set_name, const std::vector<std::string>& files) {
    fs::path set_dir = root() / set_name;
    fs::create_directories(set_dir);
    for (const std::string& file : files) std::ofstream(set_dir / file) << file;
    return set_dir;
  }

  std::unique_ptr<TempDir> dir_;
};

std::vector<std::string> Names(const std::vector<DataSet>& data_sets) {
  std::vector<std::string> names;
  for (const DataSet& data_set : data_sets) names.push_back(data_set.name);
  return names;
}

std::vector<std::string> FileNames(const std::vector<fs::path>& paths) {
  std::vector<std::string> names;
  for (const fs::path& path : paths) names.push_back(path.filename().string());
  return names;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(FindDataSetsTest, SetsAreInNumericOrder) {
  for (const char* name :
       {"test_data_set_10", "test_data_set_2", "test_data_set_0", "test_data_set_1"}) {
    MakeSet(name, {"input_0.pb", "output_0.pb"});
  }
  auto data_sets = FindDataSets(root());
  ASSERT_TRUE(data_sets.ok()) << data_sets.error().message();
  EXPECT_EQ(Names(*data_sets), (std::vector<std::string>{"test_data_set_0", "test_data_set_1",
                                                         "test_data_set_2", "test_data_set_10"}));
}

TEST_F(FindDataSetsTest, ReportsDirectoryAndFullFilePaths) {
  fs::path set_dir = MakeSet("test_data_set_0", {"input_0.pb", "output_0.pb"});
  auto data_sets = FindDataSets(root());
  ASSERT_TRUE(data_sets.ok()) << data_sets.error().message();
  ASSERT_EQ(data_sets->size(), 1u);
  const DataSet& data_set = data_sets->front();
  EXPECT_EQ(data_set.dir, set_dir);
  EXPECT_EQ(data_set.inputs, std::vector<fs::path>{set_dir / "input_0.pb"});
  EXPECT_EQ(data_set.outputs, std::vector<fs::path>{set_dir / "output_0.pb"});
}

TEST_F(FindDataSetsTest, InputsAndOutputsAreInNumericOrder) {
  std::vector<std::string> files;
  for (int index = 11; index >= 0; --index)
    files.push_back("input_" + std::to_string(index) + ".pb");
  for (int index = 2; index >= 0; --index)
    files.push_back("output_" + std::to_string(index) + ".pb");
  MakeSet("test_data_set_0", files);
  auto data_sets = FindDataSets(root());
  ASSERT_TRUE(data_sets.ok()) << data_sets.error().message();
  ASSERT_EQ(data_sets->size(), 1u);
  std::vector<std::string> expected_inputs;
  for (int index = 0; index < 12; ++index)
    expected_inputs.push_back("input_" + std::to_string(index) + ".pb");
  EXPECT_EQ(FileNames(data_sets->front().inputs), expected_inputs);
  EXPECT_EQ(FileNames(data_sets->front().outputs),
            (std::vector<std::string>{"output_0.pb", "output_1.pb", "output_2.pb"}));
}

TEST_F(FindDataSetsTest, GapInInputsIsAnError) {
  MakeSet("test_data_set_0", {"input_0.pb", "output_0.pb"});
  MakeSet("test_data_set_1", {"input_0.pb", "input_2.pb", "output_0.pb"});
  auto data_sets = FindDataSets(root());
  ASSERT_FALSE(data_sets.ok());
  const std::string& message = data_sets.error().message();
  EXPECT_TRUE(Contains(message, "test_data_set_1")) << message;
  EXPECT_TRUE(Contains(message, "input_2.pb present but input_1.pb missing")) << message;
}

TEST_F(FindDataSetsTest, MissingFirstInputIsAnError) {
  MakeSet("test_data_set_0", {"input_1.pb", "output_0.pb"});
  auto data_sets = FindDataSets(root());
  ASSERT_FALSE(data_sets.ok());
  EXPECT_TRUE(Contains(data_sets.error().message(), "input_1.pb present but input_0.pb missing"))
      << data_sets.error().message();
}

TEST_F(FindDataSetsTest, GapInOutputsIsAnError) {
  MakeSet("test_data_set_0", {"input_0.pb", "output_0.pb", "output_3.pb"});
  auto data_sets = FindDataSets(root());
  ASSERT_FALSE(data_sets.ok());
  EXPECT_TRUE(Contains(data_sets.error().message(), "output_3.pb present but output_1.pb missing"))
      << data_sets.error().message();
}

TEST_F(FindDataSetsTest, SetWithoutOutputsIsAnError) {
  MakeSet("test_data_set_0", {"input_0.pb", "input_1.pb"});
  auto data_sets = FindDataSets(root());
  ASSERT_FALSE(data_sets.ok());
  const std::string& message = data_sets.error().message();
  EXPECT_TRUE(Contains(message, "test_data_set_0")) << message;
  EXPECT_TRUE(Contains(message, "no output_0.pb")) << message;
}

TEST_F(FindDataSetsTest, SetWithoutInputsIsAllowed) {
  MakeSet("test_data_set_0", {"output_0.pb"});
  auto data_sets = FindDataSets(root());
  ASSERT_TRUE(data_sets.ok()) << data_sets.error().message();
  ASSERT_EQ(data_sets->size(), 1u);
  EXPECT_TRUE(data_sets->front().inputs.empty());
  EXPECT_EQ(data_sets->front().outputs.size(), 1u);
}

TEST_F(FindDataSetsTest, NonNumberedFilesAreIgnored) {
  fs::path set_dir =
      MakeSet("test_data_set_0",
              {"input_0.pb", "output_0.pb", "README.md", "input_a.pb", "input_.pb",
               "input_0.pb.bak", "input_1.txt", "output_x.pb", "my_input_1.pb", "input_-1.pb"});
  fs::create_directories(set_dir / "nested");
  auto data_sets = FindDataSets(root());
  ASSERT_TRUE(data_sets.ok()) << data_sets.error().message();
  ASSERT_EQ(data_sets->size(), 1u);
  EXPECT_EQ(FileNames(data_sets->front().inputs), std::vector<std::string>{"input_0.pb"});
  EXPECT_EQ(FileNames(data_sets->front().outputs), std::vector<std::string>{"output_0.pb"});
}

TEST_F(FindDataSetsTest, NonNumberedDirectoriesAndFilesBesideSetsAreIgnored) {
  MakeSet("test_data_set_0", {"input_0.pb", "output_0.pb"});
  MakeSet("test_data_set_x", {"input_0.pb"});  // no outputs: would fail if it were read
  MakeSet("test_data_set_", {"input_0.pb"});
  MakeSet("other_dir", {"input_0.pb"});
  std::ofstream(root() / "model.onnx") << "model";
  std::ofstream(root() / "test_data_set_1") << "a file, not a directory";
  auto data_sets = FindDataSets(root());
  ASSERT_TRUE(data_sets.ok()) << data_sets.error().message();
  EXPECT_EQ(Names(*data_sets), std::vector<std::string>{"test_data_set_0"});
}

TEST_F(FindDataSetsTest, EmptyDirectoryHasNoSets) {
  auto data_sets = FindDataSets(root());
  ASSERT_TRUE(data_sets.ok()) << data_sets.error().message();
  EXPECT_TRUE(data_sets->empty());
}

TEST_F(FindDataSetsTest, MissingDirectoryIsAnErrorNamingIt) {
  fs::path missing = root() / "no_such_model_dir";
  auto data_sets = FindDataSets(missing);
  ASSERT_FALSE(data_sets.ok());
  EXPECT_TRUE(Contains(data_sets.error().message(), missing.string()))
      << data_sets.error().message();
}

}  // namespace
}  // namespace zooci
