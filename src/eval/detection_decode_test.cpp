// Decoding detector outputs: each declared layout against boxes worked out by hand.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "eval/detection_decode.h"
#include "testing/testing.h"

namespace zooci {
namespace {

using testing::FloatTensor;
using testing::Int64Tensor;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Value Named(Tensor tensor, const std::string& name) {
  tensor.name = name;
  Value value = Value::FromTensor(std::move(tensor));
  value.name = name;
  return value;
}

DetectionOutputSpec BoxesSpec() {
  DetectionOutputSpec spec;
  spec.boxes_output = "boxes";
  spec.scores_output = "scores";
  spec.labels_output = "labels";
  return spec;
}

// An image of 50x40 (WxH) shown to the model at twice the size, 4 pixels from the left.
ImageGeometry Geometry() {
  return ImageGeometry{50, 40, 2, 2, 4, 0};
}

DecodedImage Decode(const DetectionOutputSpec& spec, const std::vector<Value>& outputs,
                    int64_t row = 0, const ImageGeometry& geometry = Geometry()) {
  EXPECT_TRUE(CheckDetectionOutputs(spec, outputs, spec.batch_axis ? 2 : 1).ok());
  auto image = DecodeDetections(spec, outputs, row, 80, 108, geometry);
  EXPECT_TRUE(image.ok()) << image.error().message();
  return image.ok() ? *image : DecodedImage{};
}

void ExpectBox(const DecodedBox& box, int64_t label, double score, BoxXywh xywh) {
  EXPECT_EQ(box.label, label);
  EXPECT_DOUBLE_EQ(box.score, score);
  EXPECT_DOUBLE_EQ(box.box.x, xywh.x);
  EXPECT_DOUBLE_EQ(box.box.y, xywh.y);
  EXPECT_DOUBLE_EQ(box.box.width, xywh.width);
  EXPECT_DOUBLE_EQ(box.box.height, xywh.height);
}

TEST(DetectionDecodeTest, BoxesWithBatchAxisMapBackThroughTheGeometry) {
  // Image 1 of a batch of 2: two boxes in input pixels (xyxy), the better second.
  std::vector<Value> outputs = {Named(FloatTensor("", {2, 2, 4},
                                                  {0, 0, 0, 0, 0, 0, 0, 0,  //
                                                   14, 10, 34, 30, 24, 20, 44, 60}),
                                      "boxes"),
                                Named(FloatTensor("", {2, 2}, {0, 0, 0.5f, 0.75f}), "scores"),
                                Named(Int64Tensor("", {2, 2}, {0, 0, 3, 7}), "labels")};
  DecodedImage image = Decode(BoxesSpec(), outputs, 1);
  ASSERT_EQ(image.boxes.size(), 2u);
  ExpectBox(image.boxes[0], 7, 0.75, {10, 10, 10, 20});  // ((24-4)/2, 20/2) .. ((44-4)/2, 60/2)
  ExpectBox(image.boxes[1], 3, 0.5, {5, 5, 10, 10});
}

TEST(DetectionDecodeTest, CoordinateOrdersAndNormalizedBoxes) {
  DetectionOutputSpec spec = BoxesSpec();
  spec.batch_axis = false;
  spec.normalized = true;  // input 80x108 (HxW)
  spec.clip = false;
  spec.coordinates = BoxCoordinates::kYxyx;
  ImageGeometry identity{108, 80};
  std::vector<Value> outputs = {Named(FloatTensor("", {1, 4}, {0.25f, 0.5f, 0.75f, 1.0f}), "boxes"),
                                Named(FloatTensor("", {1}, {0.9f}), "scores"),
                                Named(FloatTensor("", {1}, {2.0f}), "labels")};  // float labels
  ExpectBox(Decode(spec, outputs, 0, identity).boxes.at(0), 2, 0.9f, {54, 20, 54, 40});
  spec.coordinates = BoxCoordinates::kCxcywh;
  ExpectBox(Decode(spec, outputs, 0, identity).boxes.at(0), 2, 0.9f, {-13.5, 0, 81, 80});
  spec.clip = true;
  spec.coordinates = BoxCoordinates::kXywh;  // x 27, y 40, w 81 (to 108), h 80 (to 80)
  ExpectBox(Decode(spec, outputs, 0, identity).boxes.at(0), 2, 0.9f, {27, 40, 81, 40});
}

TEST(DetectionDecodeTest, CountThresholdAndLimit) {
  DetectionOutputSpec spec = BoxesSpec();
  spec.count_output = "count";
  spec.score_threshold = 0.3;
  spec.max_detections = 1;
  std::vector<Value> outputs = {
      Named(FloatTensor("", {2, 3, 4}, std::vector<float>(24, 10)), "boxes"),
      Named(FloatTensor("", {2, 3}, {0.2f, 0.4f, 0.9f, 0.35f, 0.5f, 0.99f}), "scores"),
      Named(FloatTensor("", {2, 3}, {1, 1, 1, 1, 1, 1}), "labels"),
      Named(FloatTensor("", {2}, {2, 2}), "count")};
  // Image 0: entries 0 and 1 only (count 2); 0.2 is under the threshold; limit 1.
  DecodedImage first = Decode(spec, outputs, 0);
  ASSERT_EQ(first.boxes.size(), 1u);
  EXPECT_FLOAT_EQ(static_cast<float>(first.boxes[0].score), 0.4f);
  DecodedImage second = Decode(spec, outputs, 1);
  ASSERT_EQ(second.boxes.size(), 1u);
  EXPECT_FLOAT_EQ(static_cast<float>(second.boxes[0].score), 0.5f);  // 0.99 is past the count
}

TEST(DetectionDecodeTest, NonMaximumSuppressionPerClass) {
  DetectionOutputSpec spec = BoxesSpec();
  spec.batch_axis = false;
  spec.nms_iou = 0.5;
  // A [0,0,10,10]; B [1,0,11,10] overlaps A with IoU 90/110; C the same as B, another class;
  // D [5,0,15,10] overlaps A with IoU 50/150 (kept).
  std::vector<Value> outputs = {
      Named(FloatTensor("", {4, 4}, {0, 0, 10, 10, 1, 0, 11, 10, 1, 0, 11, 10, 5, 0, 15, 10}),
            "boxes"),
      Named(FloatTensor("", {4}, {0.9f, 0.8f, 0.7f, 0.6f}), "scores"),
      Named(Int64Tensor("", {4}, {1, 1, 2, 1}), "labels")};
  ImageGeometry identity{100, 100};
  DecodedImage image = Decode(spec, outputs, 0, identity);
  ASSERT_EQ(image.boxes.size(), 3u);
  EXPECT_EQ(image.boxes[1].label, 2);
  EXPECT_EQ(image.boxes[2].box.x, 5);
  spec.class_agnostic_nms = true;
  EXPECT_EQ(Decode(spec, outputs, 0, identity).boxes.size(), 2u);
  EXPECT_DOUBLE_EQ(
      XyxyIou(std::vector<double>{0, 0, 10, 10}.data(), std::vector<double>{5, 0, 15, 10}.data()),
      50.0 / 150);
}

// A 2x2 grid, stride 8, one anchor (12x6), two classes. Cell (row 1, column 0) is confident:
// tx = ty = 0 (centre at the cell's middle), tw = ln 2, th = 0, objectness logit large.
TEST(DetectionDecodeTest, YoloGridChannelsFirstAndLast) {
  DetectionOutputSpec spec;
  spec.format = DetectionFormat::kYolo;
  spec.heads = {{"grid", 8, {{12, 6}}}};
  spec.score_threshold = 0.5;
  spec.nms_iou = 0.5;
  const float big = 30;
  // channels_first [1, 7, 2, 2]: channel k holds cells (0,0),(0,1),(1,0),(1,1).
  std::vector<float> first(28, -big);
  auto set = [&](int k, int cell, float value) { first[k * 4 + cell] = value; };
  for (int k = 0; k < 4; ++k) set(k, 2, 0);
  set(2, 2, std::log(2.0f));
  set(4, 2, big);  // objectness
  set(5, 2, -big);
  set(6, 2, big);  // class 1
  std::vector<Value> outputs = {Named(FloatTensor("", {1, 7, 2, 2}, first), "grid")};
  ImageGeometry identity{16, 16};
  EXPECT_TRUE(CheckDetectionOutputs(spec, outputs, 1).ok());
  auto image = DecodeDetections(spec, outputs, 0, 16, 16, identity);
  ASSERT_TRUE(image.ok()) << image.error().message();
  ASSERT_EQ(image->boxes.size(), 1u);
  const DecodedBox& box = image->boxes[0];
  EXPECT_EQ(box.label, 1);
  EXPECT_NEAR(box.score, 1, 1e-9);
  // Centre (4, 12), 24 x 6: [-8, 9, 16, 15] before clipping to the 16x16 image.
  spec.clip = false;
  auto unclipped = DecodeDetections(spec, outputs, 0, 16, 16, identity);
  ASSERT_TRUE(unclipped.ok());
  EXPECT_NEAR(unclipped->boxes[0].box.x, -8, 1e-4);
  EXPECT_NEAR(unclipped->boxes[0].box.y, 9, 1e-4);
  EXPECT_NEAR(unclipped->boxes[0].box.width, 24, 1e-4);
  EXPECT_NEAR(unclipped->boxes[0].box.height, 6, 1e-4);
  EXPECT_NEAR(box.box.x, 0, 1e-9);  // clipped at the left edge
  EXPECT_NEAR(box.box.width, 16, 1e-4);

  // The same grid as channels_last [1, 2, 2, 7].
  std::vector<float> last(28);
  for (int k = 0; k < 7; ++k) {
    for (int cell = 0; cell < 4; ++cell) last[cell * 7 + k] = first[k * 4 + cell];
  }
  spec.channels_last = true;
  std::vector<Value> nhwc = {Named(FloatTensor("", {1, 2, 2, 7}, last), "grid")};
  auto same = DecodeDetections(spec, nhwc, 0, 16, 16, identity);
  ASSERT_TRUE(same.ok()) << same.error().message();
  ASSERT_EQ(same->boxes.size(), 1u);
  EXPECT_EQ(same->boxes[0].box.x, unclipped->boxes[0].box.x);
  EXPECT_EQ(same->boxes[0].box.height, unclipped->boxes[0].box.height);
}

TEST(DetectionDecodeTest, YoloSoftmaxAndMultiLabel) {
  DetectionOutputSpec spec;
  spec.format = DetectionFormat::kYolo;
  spec.heads = {{"grid", 4, {{4, 4}}}};
  spec.nms_iou = 0.5;
  // One cell; objectness logit 0 (0.5); class logits 0 and ln 3: softmax 1/4 and 3/4.
  std::vector<Value> outputs = {
      Named(FloatTensor("", {1, 7, 1, 1}, {0, 0, 0, 0, 0, 0, std::log(3.0f)}), "grid")};
  spec.class_scores = ClassScores::kSoftmax;
  ImageGeometry identity{4, 4};
  auto image = DecodeDetections(spec, outputs, 0, 4, 4, identity);
  ASSERT_TRUE(image.ok());
  ASSERT_EQ(image->boxes.size(), 1u);
  EXPECT_EQ(image->boxes[0].label, 1);
  EXPECT_NEAR(image->boxes[0].score, 0.375, 1e-7);
  spec.multi_label = true;
  auto both = DecodeDetections(spec, outputs, 0, 4, 4, identity);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->boxes.size(), 2u);  // one per class, same box: different classes, no NMS
  EXPECT_NEAR(both->boxes[1].score, 0.125, 1e-7);
}

TEST(DetectionDecodeTest, NonFiniteCandidatesAreDroppedAndCounted) {
  DetectionOutputSpec spec = BoxesSpec();
  spec.batch_axis = false;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<Value> outputs = {Named(FloatTensor("", {2, 4}, {0, 0, 1, 1, 0, nan, 1, 1}), "boxes"),
                                Named(FloatTensor("", {2}, {nan, 0.5f}), "scores"),
                                Named(Int64Tensor("", {2}, {0, 0}), "labels")};
  DecodedImage image = Decode(spec, outputs, 0, ImageGeometry{10, 10});
  EXPECT_EQ(image.boxes.size(), 0u);
  EXPECT_EQ(image.non_finite, 2);
}

TEST(DetectionDecodeTest, OutputsThatDoNotFitAreClearErrors) {
  DetectionOutputSpec spec = BoxesSpec();
  std::vector<Value> outputs = {Named(FloatTensor("", {2, 3, 5}, std::vector<float>(30)), "boxes"),
                                Named(FloatTensor("", {2, 3}, std::vector<float>(6)), "scores")};
  Status missing = CheckDetectionOutputs(spec, outputs, 2);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(
      Contains(missing.error().message(), "no output 'labels' (outputs: 'boxes', 'scores')"))
      << missing.error().message();
  outputs.push_back(Named(Int64Tensor("", {2, 3}, std::vector<int64_t>(6)), "labels"));
  Status shape = CheckDetectionOutputs(spec, outputs, 2);
  ASSERT_FALSE(shape.ok());
  EXPECT_TRUE(Contains(shape.error().message(), "has shape [2,3,5]; expected [2,K,4]"))
      << shape.error().message();

  DetectionOutputSpec yolo;
  yolo.format = DetectionFormat::kYolo;
  yolo.heads = {{"grid", 8, {{1, 1}, {2, 2}}}};
  std::vector<Value> grid = {Named(FloatTensor("", {1, 13, 2, 2}, std::vector<float>(52)), "grid")};
  Status channels = CheckDetectionOutputs(yolo, grid, 1);
  ASSERT_FALSE(channels.ok());
  EXPECT_TRUE(Contains(channels.error().message(), "with A = 2 anchors"))
      << channels.error().message();
}

}  // namespace
}  // namespace zooci
