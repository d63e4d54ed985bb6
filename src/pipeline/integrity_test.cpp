// The integrity step on a folder with a real model: the model table, the zoo's naming, the hub
// manifest and symlinks, each defect one declining reason that names its file (and line).
#include <gtest/gtest.h>

#include "pipeline/internal.h"
#include "testing/testing.h"

namespace zooci::pipeline_internal {
namespace {

using testing::ScratchDir;
using testing::WriteTestFile;

class IntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir("integrity");
    root_ = dir_->path() / "zoo";
    WriteTestFile(root_ / "README.md", "# Zoo\n[M](validated/m)\n");
    model_ = root_ / "validated/m/model/m-13.onnx";
    WriteTestFile(model_, testing::IdentityModel(ElemType::kFloat, 13));
    folder_ = ModelFolder{root_, "validated/m", root_ / "validated/m", {model_}, {}};
    Result<std::string> sha = Sha256File(model_);
    ASSERT_TRUE(sha.ok());
    entry_.model = "M";
    entry_.model_path = "validated/m/model/m-13.onnx";
    entry_.opset_version = 13;
    entry_.model_sha = *sha;
    entry_.model_bytes = fs::file_size(model_);
    manifest_ = {entry_};
  }

  StepResult Review(const std::string& table_row) {
    WriteTestFile(folder_.dir / "README.md",
                  "# M\n## Model\n|Model|Download|Opset version|\n|-|-|-|\n" + table_row + "\n");
    store_ = std::make_unique<ReadmeStore>(root_);
    hasher_ = std::make_unique<FileHasher>(dir_->path() / "hashes");
    StepContext context;
    context.folder = &folder_;
    context.options = &options_;
    context.config = &config_;
    context.manifest = &manifest_;
    context.manifest_present = true;
    context.hasher = hasher_.get();
    context.readmes = store_.get();
    return CheckIntegrity(context);
  }

  static std::vector<std::string> Declining(const StepResult& step) {
    std::vector<std::string> messages;
    for (const Reason& reason : step.reasons) {
      if (reason.level == ReasonLevel::kDecline) messages.push_back(reason.file + ": " + reason.message);
    }
    return messages;
  }

  std::unique_ptr<TempDir> dir_;
  fs::path root_, model_;
  ModelFolder folder_;
  ManifestEntry entry_;
  std::vector<ManifestEntry> manifest_;
  ValidateOptions options_;
  ZooConfig config_;
  std::unique_ptr<ReadmeStore> store_;
  std::unique_ptr<FileHasher> hasher_;
};

TEST_F(IntegrityTest, ConsistentFolderPasses) {
  StepResult step = Review("|M|[1 KB](model/m-13.onnx)|13|");
  EXPECT_EQ(step.status, StepStatus::kPass) << ::testing::PrintToString(Declining(step));
  EXPECT_EQ(step.summary, "1 model file, 1 model table row");
}

TEST_F(IntegrityTest, TableOpsetThatIsNotTheModelsDeclinesWithItsLine) {
  StepResult step = Review("|M|[1 KB](model/m-13.onnx)|12|");
  ASSERT_EQ(step.status, StepStatus::kFail);
  std::vector<std::string> declining = Declining(step);
  ASSERT_FALSE(declining.empty());
  EXPECT_NE(declining[0].find("the model table says opset 12 but m-13.onnx imports ai.onnx opset 13"),
            std::string::npos)
      << declining[0];
  bool on_line_5 = false;
  for (const Reason& reason : step.reasons) on_line_5 |= reason.line == 5;
  EXPECT_TRUE(on_line_5);
}

TEST_F(IntegrityTest, TableLinkToAMissingFileDeclines) {
  StepResult step = Review("|M|[1 KB](model/m-13.onnx)|13|\n|M2|[1 KB](model/gone-13.onnx)|13|");
  std::vector<std::string> declining = Declining(step);
  ASSERT_EQ(declining.size(), 1u) << ::testing::PrintToString(declining);
  EXPECT_NE(declining[0].find("model/gone-13.onnx, which does not exist"), std::string::npos);
}

TEST_F(IntegrityTest, StaleOrMissingManifestEntryDeclines) {
  manifest_[0].model_sha = std::string(64, '0');
  StepResult step = Review("|M|[1 KB](model/m-13.onnx)|13|");
  std::vector<std::string> declining = Declining(step);
  ASSERT_EQ(declining.size(), 1u) << ::testing::PrintToString(declining);
  EXPECT_NE(declining[0].find("ONNX_HUB_MANIFEST.json is stale for validated/m/model/m-13.onnx"),
            std::string::npos);
  manifest_.clear();
  declining = Declining(Review("|M|[1 KB](model/m-13.onnx)|13|"));
  ASSERT_EQ(declining.size(), 1u);
  EXPECT_NE(declining[0].find("has no entry for validated/m/model/m-13.onnx"), std::string::npos);
}

// A manifest entry naming an archive outside the repository is never read.
TEST_F(IntegrityTest, ManifestArchiveOutsideTheRepositoryIsNotRead) {
  WriteTestFile(dir_->path() / "outside.tar.gz", "secret bytes");
  manifest_[0].model_with_data_path = "../outside.tar.gz";
  manifest_[0].model_with_data_sha = std::string(64, '0');
  StepResult step = Review("|M|[1 KB](model/m-13.onnx)|13|");
  std::vector<std::string> declining = Declining(step);
  ASSERT_EQ(declining.size(), 1u) << ::testing::PrintToString(declining);
  EXPECT_EQ(declining[0].find("stale"), std::string::npos) << declining[0];
  EXPECT_NE(declining[0].find("names ../outside.tar.gz for validated/m/model/m-13.onnx, which is "
                              "not a file of the repository"),
            std::string::npos)
      << declining[0];
}

TEST_F(IntegrityTest, SymlinkLeavingTheRepositoryDeclinesWithoutReadingIt) {
  WriteTestFile(dir_->path() / "target.txt", "root:x:0:0:content\n");
  fs::create_directory_symlink(dir_->path(), folder_.dir / "data");
  fs::create_symlink(dir_->path() / "target.txt", folder_.dir / "labels.txt");
  fs::create_symlink("model/m-13.onnx", folder_.dir / "inside.onnx");  // stays inside: fine
  StepResult step = Review("|M|[1 KB](model/m-13.onnx)|13|");
  std::vector<std::string> declining = Declining(step);
  ASSERT_EQ(declining.size(), 2u) << ::testing::PrintToString(declining);
  for (const std::string& message : declining) {
    EXPECT_NE(message.find("leaves the repository"), std::string::npos) << message;
    EXPECT_EQ(message.find("root:x"), std::string::npos) << message;  // named, never read
  }
}

// The real zoo has accepted folders whose files do not carry the opset: a warning, not a decline.
TEST_F(IntegrityTest, NameWithoutTheOpsetIsAWarning) {
  fs::path renamed = folder_.dir / "model/m.onnx";
  fs::rename(model_, renamed);
  folder_.models = {renamed};
  manifest_[0].model_path = "validated/m/model/m.onnx";
  StepResult step = Review("|M|[1 KB](model/m.onnx)|13|");
  EXPECT_TRUE(Declining(step).empty()) << ::testing::PrintToString(Declining(step));
  ASSERT_EQ(step.reasons.size(), 1u);
  EXPECT_EQ(step.reasons[0].level, ReasonLevel::kWarning);
  EXPECT_NE(step.reasons[0].message.find("m.onnx does not follow the zoo's <name>-<opset>.onnx naming"),
            std::string::npos);
}

}  // namespace
}  // namespace zooci::pipeline_internal
