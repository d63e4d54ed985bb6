// semantic-segmentation scenarios: the masks dataset, the output section, claims, and the other
// tasks' keys refused with the valid list.
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "eval/scenario.h"

namespace zooci {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A model folder with model.onnx, images/, masks/, classes.txt and README.md.
class SegmentationScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("segmentation_scenario_test");
    ASSERT_TRUE(dir.ok()) << dir.error().message();
    dir_ = std::make_unique<TempDir>(std::move(dir).value());
    for (const char* name : {"model.onnx", "classes.txt", "README.md"}) {
      std::ofstream(folder() / name) << "x";
    }
    fs::create_directories(folder() / "images");
    fs::create_directories(folder() / "masks");
    fs::create_directories(folder() / "labels");
  }

  const fs::path& folder() const { return dir_->path(); }

  Result<EvalScenario> Load(const std::string& yaml) {
    std::ofstream(folder() / "zooci.yaml") << yaml;
    return LoadScenario(folder());
  }
  std::string LoadError(const std::string& yaml) {
    Result<EvalScenario> scenario = Load(yaml);
    EXPECT_FALSE(scenario.ok()) << yaml;
    return scenario.ok() ? "" : scenario.error().message();
  }

  std::unique_ptr<TempDir> dir_;
};

const char* const kHead =
    "task: semantic-segmentation\n"
    "preprocessing:\n"
    "  - decode: color\n"
    "  - letterbox: {size: [96, 96]}\n"
    "  - scale: 0.00392156862745098\n";

TEST_F(SegmentationScenarioTest, DefaultsAndTheMasksBesideTheImages) {
  auto scenario = Load(std::string(kHead) +
                       "dataset: {format: masks, path: images, labels: classes.txt}\n"
                       "claims: {miou: 71.5, pixel_accuracy: 93}\n");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->task, EvalTask::kSemanticSegmentation);
  EXPECT_EQ(scenario->dataset.format, DatasetFormat::kMasks);
  EXPECT_EQ(scenario->dataset.annotations, folder() / "masks");
  EXPECT_EQ(scenario->dataset.ignore_index, 255);
  EXPECT_EQ(scenario->segmentation.compare_at, SegmentationCompare::kOriginal);
  EXPECT_EQ(scenario->segmentation.upsample, Upsample::kBilinear);
  ASSERT_EQ(scenario->claims.metrics.size(), 2u);
  EXPECT_EQ(scenario->claims.metrics[0].metric, "mIoU");
  EXPECT_EQ(scenario->claims.metrics[0].percent, 71.5);
  EXPECT_EQ(scenario->claims.metrics[1].metric, "pixel accuracy");
  EXPECT_STREQ(TaskName(scenario->task), "semantic-segmentation");
}

TEST_F(SegmentationScenarioTest, EveryKeyGiven) {
  auto scenario = Load(std::string(kHead) +
                       "dataset: {format: masks, path: images, annotations: labels, labels: "
                       "classes.txt, ignore_index: 0, limit: 5}\n"
                       "output: {name: out, kind: probabilities, compare_at: input, upsample: "
                       "nearest}\n"
                       "claims: {readme: {file: README.md, column: mIoU, metric: miou}}\n");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->dataset.annotations, folder() / "labels");
  EXPECT_EQ(scenario->dataset.ignore_index, 0);
  EXPECT_EQ(scenario->dataset.limit, 5);
  EXPECT_EQ(scenario->segmentation.name, "out");
  EXPECT_EQ(scenario->segmentation.kind, "probabilities");
  EXPECT_EQ(scenario->segmentation.compare_at, SegmentationCompare::kInput);
  EXPECT_EQ(scenario->segmentation.upsample, Upsample::kNearest);
  ASSERT_TRUE(scenario->claims.readme.has_value());
  EXPECT_EQ(scenario->claims.readme->metric, "mIoU");
}

TEST_F(SegmentationScenarioTest, LabelsOutputsAreSampledNearest) {
  const std::string dataset = "dataset: {format: masks, path: images, labels: classes.txt}\n";
  auto scenario = Load(std::string(kHead) + dataset + "output: {name: idx, kind: labels}\n");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->segmentation.kind, "labels");
  EXPECT_EQ(scenario->segmentation.upsample, Upsample::kNearest);  // the default for indices
  std::string error =
      LoadError(std::string(kHead) + dataset + "output: {kind: labels, upsample: bilinear}\n");
  EXPECT_TRUE(Contains(error, "output.upsample")) << error;
  EXPECT_TRUE(Contains(error, "class indices cannot be interpolated")) << error;
  error = LoadError(std::string(kHead) + dataset + "output: {kind: argmax}\n");
  EXPECT_TRUE(Contains(error, "logits, probabilities, labels")) << error;
}

TEST_F(SegmentationScenarioTest, OtherTasksKeysAreRefusedWithTheValidList) {
  const std::string dataset = "dataset: {format: masks, path: images, labels: classes.txt}\n";
  std::string error = LoadError(std::string(kHead) + dataset + "output: {top_k: 5}\n");
  EXPECT_TRUE(Contains(error, "top_k")) << error;
  EXPECT_TRUE(Contains(error, "name, kind, compare_at, upsample")) << error;
  error = LoadError(std::string(kHead) + dataset + "output: {format: yolo}\n");
  EXPECT_TRUE(Contains(error, "'format'")) << error;
  error = LoadError(std::string(kHead) + dataset + "claims: {map: 50}\n");
  EXPECT_TRUE(Contains(error, "miou, pixel_accuracy, readme")) << error;
  error = LoadError(std::string(kHead) + dataset + "claims: {top1: 50}\n");
  EXPECT_TRUE(Contains(error, "miou, pixel_accuracy, readme")) << error;
  error = LoadError(std::string(kHead) +
                    "dataset: {format: coco, path: images, annotations: classes.txt}\n");
  EXPECT_TRUE(Contains(error, "masks")) << error;
  error = LoadError(std::string(kHead) + dataset +
                    "claims: {readme: {file: README.md, column: mIoU, metric: map}}\n");
  EXPECT_TRUE(Contains(error, "miou, pixel_accuracy")) << error;
  // ignore_index belongs to the masks format only.
  error = LoadError(
      "task: image-classification\n"
      "dataset: {format: imagefolder, path: images, ignore_index: 255}\n"
      "preprocessing: [{decode: color}]\n");
  EXPECT_TRUE(Contains(error, "'ignore_index' applies to masks only")) << error;
}

TEST_F(SegmentationScenarioTest, MissingLabelsOrMasksFolderAndDoubleClaimsAreErrors) {
  std::string error = LoadError(std::string(kHead) + "dataset: {format: masks, path: images}\n");
  EXPECT_TRUE(Contains(error, "missing required key 'labels'")) << error;
  fs::remove(folder() / "masks");
  error = LoadError(std::string(kHead) +
                    "dataset: {format: masks, path: images, labels: classes.txt}\n");
  EXPECT_TRUE(Contains(error, "no masks folder")) << error;
  fs::create_directories(folder() / "masks");
  error = LoadError(std::string(kHead) +
                    "dataset: {format: masks, path: images, labels: classes.txt}\n"
                    "claims: {miou: 70, readme: {file: README.md, column: mIoU}}\n");
  EXPECT_TRUE(Contains(error, "both claim mIoU")) << error;
  error = LoadError(std::string(kHead) +
                    "dataset: {format: masks, path: images, labels: classes.txt}\n"
                    "output: {compare_at: model}\n");
  EXPECT_TRUE(Contains(error, "original, input")) << error;
}

}  // namespace
}  // namespace zooci
