// object-detection scenarios: the dataset formats, both output formats, claims, and the errors a
// person can act on.
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

// A model folder with model.onnx, images/, annotations.json, classes.txt and README.md.
class DetectionScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("detection_scenario_test");
    ASSERT_TRUE(dir.ok()) << dir.error().message();
    dir_ = std::make_unique<TempDir>(std::move(dir).value());
    for (const char* name :
         {"model.onnx", "annotations.json", "classes.txt", "names.txt", "README.md"}) {
      std::ofstream(folder() / name) << "x";
    }
    fs::create_directories(folder() / "images");
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
    "task: object-detection\n"
    "dataset: {format: coco, path: images, annotations: annotations.json}\n"
    "preprocessing:\n"
    "  - decode: color\n"
    "  - letterbox: {size: [96, 128]}\n";

const char* const kYolo =
    "output:\n"
    "  format: yolo\n"
    "  heads:\n"
    "    - {name: grid, stride: 8, anchors: [[10, 13], [16, 30]]}\n"
    "  nms_iou: 0.45\n";

TEST_F(DetectionScenarioTest, LoadsAYoloScenario) {
  auto scenario = Load(std::string(kHead) + kYolo +
                       "  grid_layout: channels_last\n"
                       "  class_scores: softmax\n"
                       "  multi_label: true\n"
                       "  score_threshold: 0.001\n"
                       "  max_detections: 300\n"
                       "  label_map: contiguous\n"
                       "  label_offset: 1\n"
                       "claims: {map: 36.5, map50: 55.1}\n");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->task, EvalTask::kObjectDetection);
  EXPECT_EQ(scenario->dataset.format, DatasetFormat::kCoco);
  EXPECT_EQ(scenario->dataset.annotations, folder() / "annotations.json");
  const PreprocessStep& letterbox = scenario->preprocessing[1];
  EXPECT_EQ(letterbox.kind, PreprocessKind::kLetterbox);
  EXPECT_EQ(letterbox.height, 96);
  EXPECT_EQ(letterbox.width, 128);
  EXPECT_EQ(letterbox.fill, std::vector<double>{114});
  EXPECT_EQ(letterbox.Describe(), "letterbox(size=[96,128], color=[114], bilinear)");
  const DetectionOutputSpec& out = scenario->detection;
  EXPECT_EQ(out.format, DetectionFormat::kYolo);
  ASSERT_EQ(out.heads.size(), 1u);
  EXPECT_EQ(out.heads[0].output, "grid");
  EXPECT_EQ(out.heads[0].stride, 8);
  EXPECT_EQ(out.heads[0].anchors, (std::vector<std::pair<double, double>>{{10, 13}, {16, 30}}));
  EXPECT_TRUE(out.channels_last);
  EXPECT_EQ(out.class_scores, ClassScores::kSoftmax);
  EXPECT_TRUE(out.multi_label);
  EXPECT_EQ(out.score_threshold, 0.001);
  EXPECT_EQ(out.nms_iou, 0.45);
  EXPECT_EQ(out.max_detections, 300);
  EXPECT_EQ(out.label_offset, 1);
  ASSERT_EQ(scenario->claims.metrics.size(), 2u);
  EXPECT_EQ(scenario->claims.metrics[0].metric, "mAP");
  EXPECT_EQ(scenario->claims.metrics[0].percent, 36.5);
  EXPECT_EQ(scenario->claims.metrics[1].metric, "mAP@0.5");
  EXPECT_EQ(scenario->claims.metrics[1].line, 18);
}

TEST_F(DetectionScenarioTest, LoadsABoxesScenarioWithTheBoxesDataset) {
  auto scenario = Load(
      "task: object-detection\n"
      "dataset: {format: boxes, path: images, labels: classes.txt}\n"
      "preprocessing: [decode: color]\n"
      "output:\n"
      "  format: boxes\n"
      "  boxes: detection_boxes\n"
      "  scores: detection_scores\n"
      "  labels: detection_classes\n"
      "  count: num_detections\n"
      "  coordinates: yxyx\n"
      "  normalized: true\n"
      "  label_map: category_id\n"
      "claims:\n"
      "  readme: {file: README.md, column: mAP, metric: map50}\n");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->dataset.format, DatasetFormat::kBoxes);
  EXPECT_EQ(scenario->dataset.annotations, folder() / "images");  // default: beside the images
  const DetectionOutputSpec& out = scenario->detection;
  EXPECT_EQ(out.format, DetectionFormat::kBoxes);
  EXPECT_EQ(out.count_output, "num_detections");
  EXPECT_EQ(out.coordinates, BoxCoordinates::kYxyx);
  EXPECT_TRUE(out.normalized);
  EXPECT_TRUE(out.batch_axis);
  EXPECT_EQ(out.nms_iou, -1);  // none unless asked
  EXPECT_EQ(out.label_map, LabelMap::kCategoryId);
  ASSERT_TRUE(scenario->claims.readme.has_value());
  EXPECT_EQ(scenario->claims.readme->metric, "mAP@0.5");
}

TEST_F(DetectionScenarioTest, ErrorsNameTheKeyAndTheFix) {
  const std::string yolo(kYolo);
  // The task decides the dataset formats, the output keys and the claims.
  EXPECT_TRUE(Contains(LoadError("task: object-detection\n"
                                 "dataset: {format: imagefolder, path: images}\n"
                                 "preprocessing: [decode: color]\n" +
                                 yolo),
                       "dataset.format: bad value 'imagefolder' (valid: coco, boxes)"));
  EXPECT_TRUE(Contains(LoadError(std::string(kHead)), "missing required key 'output'"));
  EXPECT_TRUE(Contains(LoadError(std::string(kHead) + yolo + "claims: {top1: 50}\n"),
                       "claims: unknown key 'top1' (valid: map, map50, map75, readme)"));
  EXPECT_TRUE(Contains(LoadError("task: object-detection\n"
                                 "dataset: {format: coco, path: images}\n"
                                 "preprocessing: [decode: color]\n" +
                                 yolo),
                       "missing required key 'annotations' (required for coco)"));
  EXPECT_TRUE(Contains(LoadError("task: object-detection\n"
                                 "dataset: {format: boxes, path: images}\n"
                                 "preprocessing: [decode: color]\n" +
                                 yolo),
                       "missing required key 'labels' (required for boxes)"));
  // Keys of the other output format, and yolo without NMS.
  EXPECT_TRUE(Contains(LoadError(std::string(kHead) + yolo + "  boxes: b\n"),
                       "output: 'boxes' does not apply to format yolo"));
  EXPECT_TRUE(
      Contains(LoadError(std::string(kHead) + "output: {format: yolo, heads: [{name: g, stride: 8, "
                                              "anchors: [[1, 1]]}]}\n"),
               "missing required key 'nms_iou'"));
  EXPECT_TRUE(
      Contains(LoadError(std::string(kHead) + "output: {format: boxes, boxes: b, scores: s}\n"),
               "missing required key 'labels'"));
  EXPECT_TRUE(Contains(LoadError(std::string(kHead) +
                                 "output: {format: yolo, nms_iou: 0.5, heads: [{name: g, stride: "
                                 "8, anchors: [[1, -1]]}]}\n"),
                       "output.heads[0].anchors[0]: expected [width, height], both positive"));
  EXPECT_TRUE(Contains(LoadError(std::string(kHead) + yolo + "  nms_iou: 1.5\n"),
                       "duplicate key 'nms_iou'"));
  EXPECT_TRUE(Contains(
      LoadError(std::string(kHead) + "output: {format: boxes, boxes: b, scores: s, labels: l, "
                                     "nms_iou: 0}\n"),
      "output.nms_iou: must be within (0, 1]"));
  EXPECT_TRUE(Contains(LoadError(std::string(kHead) + yolo + "  label_map: names\n"),
                       "'label_names' goes with label_map names, and only with it"));
  EXPECT_TRUE(Contains(LoadError(std::string(kHead) + yolo +
                                 "claims:\n  map: 40\n  readme: "
                                 "{file: README.md, column: mAP}\n"),
                       "'readme' and a value in zooci.yaml both claim mAP"));
  EXPECT_TRUE(Contains(LoadError(std::string(kHead) + yolo +
                                 "  label_map: category_id\n"
                                 "  label_offset: 1\n"),
                       "'label_offset' does not apply to label_map category_id"));
  // A classification scenario does not take the detection keys.
  EXPECT_TRUE(Contains(LoadError("dataset: {format: imagefolder, path: images, annotations: x}\n"
                                 "preprocessing: [decode: color]\n"),
                       "'annotations' applies to coco, boxes and masks only"));
}

TEST_F(DetectionScenarioTest, LabelNamesFileStaysInsideTheFolder) {
  auto scenario =
      Load(std::string(kHead) + kYolo + "  label_map: names\n" + "  label_names: names.txt\n");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->detection.label_names, folder() / "names.txt");
  EXPECT_TRUE(Contains(LoadError(std::string(kHead) + kYolo + "  label_map: names\n" +
                                 "  label_names: ../names.txt\n"),
                       "leaves the model folder"));
}

}  // namespace
}  // namespace zooci
