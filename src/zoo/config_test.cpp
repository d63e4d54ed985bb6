// zooci-zoo.yaml: defaults, every key, strict errors with file, line and key path, task lookup.
#include <set>

#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

using testing::ScratchDir;
using testing::WriteTestFile;

Result<ZooConfig> Load(const std::string& text) {
  static std::unique_ptr<TempDir> dir;
  dir = ScratchDir("zoo-config");
  WriteTestFile(dir->path() / kZooConfigFile, text);
  return LoadZooConfig(dir->path());
}

TEST(ZooConfigTest, AbsentFileGivesEveryDefault) {
  auto dir = ScratchDir("zoo-config");
  auto config = LoadZooConfig(dir->path());
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->file.empty());
  for (const ArtifactInfo& info : AllArtifacts()) {
    EXPECT_EQ(config->Level(info.id), ArtifactLevel::kRequired) << info.key;
  }
  EXPECT_TRUE(config->licenses.empty());
  EXPECT_EQ(config->BaselineFor("image-classification"), nullptr);
  // The eight items of the proposal are all covered.
  std::set<int> items;
  for (const ArtifactInfo& info : AllArtifacts()) items.insert(info.proposal_item);
  EXPECT_EQ(items, (std::set<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(ZooConfigTest, EveryKey) {
  auto config = Load(
      "repository: onnx/models\n"
      "artifacts:\n"
      "  contributors: recommended\n"
      "  use-cases: off\n"
      "licenses: [Apache-2.0, MIT]\n"
      "baselines:\n"
      "  image-classification:\n"
      "    min_top1_percent: 70\n"
      "    max_p50_ms: 25.5\n"
      "tasks:\n"
      "  validated/vision/body_analysis: face-recognition\n");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->repository, "onnx/models");
  EXPECT_EQ(config->Level(Artifact::kContributors), ArtifactLevel::kRecommended);
  EXPECT_EQ(config->Level(Artifact::kUseCases), ArtifactLevel::kOff);
  EXPECT_EQ(config->Level(Artifact::kReadme), ArtifactLevel::kRequired);
  EXPECT_EQ(config->licenses, (std::vector<std::string>{"Apache-2.0", "MIT"}));
  EXPECT_EQ(config->licenses_line, 5);
  const TaskBaseline* baseline = config->BaselineFor("image-classification");
  ASSERT_NE(baseline, nullptr);
  EXPECT_EQ(baseline->line, 7);
  EXPECT_EQ(baseline->min_top1_percent, 70);
  EXPECT_EQ(baseline->max_p50_ms, 25.5);
  EXPECT_FALSE(baseline->min_top5_percent.has_value());
  EXPECT_EQ(config->TaskOf("validated/vision/body_analysis/arcface"), "face-recognition");
  EXPECT_EQ(config->TaskOf("validated/vision/classification/resnet"), "image-classification");
  EXPECT_EQ(config->TaskOf("validated/text/machine_comprehension/t5"), "");
}

TEST(ZooConfigTest, ErrorsNameLineKeyAndValidChoices) {
  auto unknown = Load("artifacts:\n  readme: required\n  notebooks: required\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("zooci-zoo.yaml:3: artifacts.notebooks: unknown key"),
            std::string::npos)
      << unknown.error().message();
  EXPECT_NE(unknown.error().message().find("inference-notebook"), std::string::npos);
  auto level = Load("artifacts:\n  readme: maybe\n");
  ASSERT_FALSE(level.ok());
  EXPECT_NE(level.error().message().find("expected required, recommended or off"),
            std::string::npos);
  auto percent = Load("baselines:\n  image-classification:\n    min_top1_percent: 170\n");
  ASSERT_FALSE(percent.ok());
  EXPECT_NE(percent.error().message().find("percentage"), std::string::npos);
  auto miou = Load("baselines:\n  semantic-segmentation:\n    min_miou_percent: 101\n");
  ASSERT_FALSE(miou.ok());
  EXPECT_NE(miou.error().message().find("min_miou_percent: a minimum is a percentage"),
            std::string::npos) << miou.error().message();
  // A detector has no top-1: another task's figure is an error listing this task's.
  auto other = Load("baselines:\n  object-detection:\n    min_top1_percent: 50\n");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message().find(
                "unknown key (valid: min_map_percent, min_map50_percent, max_p50_ms, max_p90_ms)"),
            std::string::npos) << other.error().message();
  auto task = Load("baselines:\n  image-clasification:\n    min_top1_percent: 50\n");
  ASSERT_FALSE(task.ok());
  EXPECT_NE(task.error().message().find("baselines.image-clasification: unknown task (valid: "
                                        "image-classification, object-detection, "
                                        "semantic-segmentation)"),
            std::string::npos) << task.error().message();
  auto both = Load(
      "baselines:\n  object-detection:\n    min_map_percent: 30\n    min_map50_percent: 50\n"
      "  semantic-segmentation:\n    min_miou_percent: 40\n    min_pixel_accuracy_percent: 90\n");
  ASSERT_TRUE(both.ok()) << both.error().message();
  EXPECT_EQ(both->BaselineFor("object-detection")->min_map_percent, 30);
  EXPECT_EQ(both->BaselineFor("object-detection")->min_map50_percent, 50);
  EXPECT_EQ(both->BaselineFor("semantic-segmentation")->min_miou_percent, 40);
  EXPECT_EQ(both->BaselineFor("semantic-segmentation")->min_pixel_accuracy_percent, 90);
  EXPECT_FALSE(Load("repository: models\n").ok());
  EXPECT_FALSE(Load("licenses: MIT\n").ok());
  EXPECT_FALSE(Load("top: [unclosed\n").ok());
  EXPECT_FALSE(Load("repository: a/b\nrepository: c/d\n").ok());
}

TEST(ZooConfigTest, RuntimesKeepTheFileOrderRolesAndLines) {
  auto config = Load("licenses: [MIT]\nruntimes:\n  ort: required\n  opencv: reported\n");
  ASSERT_TRUE(config.ok()) << config.error().message();
  ASSERT_EQ(config->runtimes.size(), 2u);
  EXPECT_EQ(config->runtimes[0].name, "ort");
  EXPECT_EQ(config->runtimes[0].role, RuntimeRole::kRequired);
  EXPECT_EQ(config->runtimes[0].line, 3);
  EXPECT_EQ(config->runtimes[1].name, "opencv");
  EXPECT_EQ(config->runtimes[1].role, RuntimeRole::kReported);
  EXPECT_EQ(config->runtimes[1].line, 4);
  // The order is the file's, not alphabetical.
  auto reversed = Load("runtimes:\n  opencv: required\n  ort: required\n");
  ASSERT_TRUE(reversed.ok());
  EXPECT_EQ(reversed->runtimes[0].name, "opencv");
  EXPECT_EQ(reversed->runtimes[0].role, RuntimeRole::kRequired);
  // Absent: not set (the review keeps its single runtime).
  auto absent = Load("licenses: [MIT]\n");
  ASSERT_TRUE(absent.ok());
  EXPECT_TRUE(absent->runtimes.empty());
}

// The complete format in docs/zoo-config.md is a file zooci reads, with every key it documents.
TEST(ZooConfigTest, TheDocumentedExampleParses) {
  auto doc = ReadFile(fs::path(ZOOCI_SOURCE_DIR) / "docs/zoo-config.md");
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  const size_t start = doc->find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const size_t end = doc->find("```\n", start + 8);
  ASSERT_NE(end, std::string::npos);
  auto config = Load(doc->substr(start + 8, end - start - 8));
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->repository, "onnx/models");
  ASSERT_EQ(config->runtimes.size(), 2u);
  EXPECT_EQ(config->runtimes[0].name, "ort");
  EXPECT_EQ(config->runtimes[1].name, "opencv");
  EXPECT_EQ(config->runtimes[1].role, RuntimeRole::kReported);
  EXPECT_FALSE(config->baselines.empty());
}

TEST(ZooConfigTest, RuntimeErrorsNameLineAndChoices) {
  auto role = Load("runtimes:\n  ort: required\n  opencv: optional\n");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.error().message().find(
                "zooci-zoo.yaml:3: runtimes.opencv: expected required or reported, got 'optional'"),
            std::string::npos)
      << role.error().message();
  auto list = Load("runtimes: [ort, opencv]\n");
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.error().message().find("runtimes: expected a mapping, got a list"),
            std::string::npos)
      << list.error().message();
  auto duplicate = Load("runtimes:\n  ort: required\n  ort: reported\n");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message().find("runtimes.ort: duplicate key"), std::string::npos);
  auto empty = Load("runtimes: {}\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("expected at least one runtime"), std::string::npos)
      << empty.error().message();
  auto name = Load("runtimes:\n  Open CV: required\n");
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.error().message().find("zooci-zoo.yaml:2: runtimes.Open CV: a runtime name"),
            std::string::npos)
      << name.error().message();
  auto unknown_top = Load("runtime:\n  ort: required\n");
  ASSERT_FALSE(unknown_top.ok());
  EXPECT_NE(unknown_top.error().message().find("runtimes"), std::string::npos);
}

}  // namespace
}  // namespace zooci
