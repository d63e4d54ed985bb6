// Semantic segmentation's metrics against hand-computed cases (ignored pixels, a class never
// predicted, a class absent from the ground truth), and the per-pixel comparison: the sampling
// of the scores, the mapping through the preprocessing's geometry, both compare_at modes.
#include <gtest/gtest.h>

#include "eval/segmentation_metrics.h"

namespace zooci {
namespace {

// One image's scores from a label map: score 1 for the map's class, 0 elsewhere.
std::vector<float> OneHot(const std::vector<int>& labels, int64_t classes) {
  const auto plane = static_cast<int64_t>(labels.size());
  std::vector<float> scores(static_cast<size_t>(classes * plane), 0.0F);
  for (int64_t pixel = 0; pixel < plane; ++pixel) scores[labels[pixel] * plane + pixel] = 1.0F;
  return scores;
}

TEST(SegmentationMetricsTest, HandComputedIouAccuracyAndMeans) {
  // Classes: background, circle, square, triangle. Rows: ground truth; columns: prediction.
  //   background: 50 pixels, 45 right, 5 predicted circle
  //   circle:     20 pixels, 15 right, 5 predicted background
  //   square:     10 pixels, never predicted: 10 predicted circle
  //   triangle:   absent from the ground truth and never predicted
  const std::vector<int64_t> confusion = {45, 5,  0, 0,  //
                                          5,  15, 0, 0,  //
                                          0,  10, 0, 0,  //
                                          0,  0,  0, 0};
  auto metrics =
      ComputeSegmentationMetrics(confusion, {"background", "circle", "square", "triangle"});
  ASSERT_TRUE(metrics.ok()) << metrics.error().message();
  ASSERT_EQ(metrics->per_class.size(), 4u);
  // background: TP 45, FP 5, FN 5 -> 45 / 55.
  EXPECT_DOUBLE_EQ(metrics->per_class[0].iou, 45.0 / 55);
  // circle: TP 15, FP 5 + 10, FN 5 -> 15 / 35.
  EXPECT_DOUBLE_EQ(metrics->per_class[1].iou, 15.0 / 35);
  EXPECT_EQ(metrics->per_class[1].predicted_pixels, 30);
  // square: never predicted: IoU 0, counted in the mean.
  EXPECT_EQ(metrics->per_class[2].iou, 0);
  EXPECT_EQ(metrics->per_class[2].accuracy, 0);
  // triangle: neither in the ground truth nor predicted: undefined, left out of the means.
  EXPECT_EQ(metrics->per_class[3].iou, -1);
  EXPECT_EQ(metrics->per_class[3].accuracy, -1);
  EXPECT_EQ(metrics->miou_classes, 3);
  EXPECT_DOUBLE_EQ(metrics->miou_percent, 100 * ((45.0 / 55 + 15.0 / 35 + 0) / 3));
  EXPECT_EQ(metrics->evaluated_pixels, 80);
  EXPECT_DOUBLE_EQ(metrics->pixel_accuracy_percent, 100 * (60.0 / 80));
  EXPECT_DOUBLE_EQ(metrics->mean_accuracy_percent, 100 * ((45.0 / 50 + 15.0 / 20 + 0) / 3));
}

TEST(SegmentationMetricsTest, PerfectPredictionScoresOneHundredEverywhere) {
  // A 3x4 image, classes 0..2 (class 2 absent from both mask and prediction), scores equal to
  // the mask: every defined figure is exactly 100 %, the absent class is left out of the means.
  const LabelMask mask{{0, 0, 1, 1,  //
                        0, 1, 1, 1,  //
                        0, 0, 0, 1},
                       3,
                       4};
  const std::vector<float> scores = OneHot(mask.labels, 3);
  ScoreMap map{scores.data(), 3, 3, 4};
  ConfusionOptions options;
  options.input_height = 3;
  options.input_width = 4;
  std::vector<int64_t> confusion(9, 0);
  int64_t ignored = 0;
  ASSERT_TRUE(
      AccumulateConfusion(map, mask, ImageGeometry{4, 3}, options, &confusion, &ignored).ok());
  EXPECT_EQ(ignored, 0);
  EXPECT_EQ(confusion, (std::vector<int64_t>{6, 0, 0,  //
                                             0, 6, 0,  //
                                             0, 0, 0}));
  auto metrics = ComputeSegmentationMetrics(confusion, {"background", "a", "b"});
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->per_class[0].iou, 1.0);
  EXPECT_EQ(metrics->per_class[1].iou, 1.0);
  EXPECT_EQ(metrics->per_class[2].iou, -1);
  EXPECT_EQ(metrics->miou_classes, 2);
  EXPECT_EQ(metrics->miou_percent, 100.0);
  EXPECT_EQ(metrics->pixel_accuracy_percent, 100.0);
  EXPECT_EQ(metrics->mean_accuracy_percent, 100.0);
}

TEST(SegmentationMetricsTest, ClassPredictedButAbsentFromTheGroundTruthHasIouZero) {
  // background 10 pixels, 8 right, 2 predicted as "car", which the masks never contain.
  auto metrics = ComputeSegmentationMetrics({8, 2, 0, 0}, {"background", "car"});
  ASSERT_TRUE(metrics.ok());
  EXPECT_DOUBLE_EQ(metrics->per_class[0].iou, 0.8);
  EXPECT_EQ(metrics->per_class[1].iou, 0);        // a false alarm: in the union, IoU 0
  EXPECT_EQ(metrics->per_class[1].accuracy, -1);  // no ground truth: no accuracy
  EXPECT_EQ(metrics->miou_classes, 2);
  EXPECT_DOUBLE_EQ(metrics->miou_percent, 40);
  EXPECT_DOUBLE_EQ(metrics->mean_accuracy_percent, 80);
}

TEST(SegmentationMetricsTest, NothingEvaluatedOrAWrongSizeIsAnError) {
  EXPECT_FALSE(ComputeSegmentationMetrics({0, 0, 0, 0}, {"a", "b"}).ok());
  EXPECT_FALSE(ComputeSegmentationMetrics({1, 0, 0}, {"a", "b"}).ok());
}

TEST(SegmentationMetricsTest, IgnoredPixelsAreNotCountedAnywhere) {
  // A 4x2 image, classes 0..2, ignore_index 255: the two ignored pixels are predicted wrong and
  // would change every figure if counted.
  const LabelMask mask{{0, 0, 255, 1,  //
                        2, 255, 1, 1},
                       2,
                       4};
  const std::vector<float> scores = OneHot({0, 0, 1, 1,  //
                                            2, 0, 1, 0},
                                           3);
  ScoreMap map{scores.data(), 3, 2, 4};
  ConfusionOptions options;
  options.input_height = 2;
  options.input_width = 4;
  std::vector<int64_t> confusion(9, 0);
  int64_t ignored = 0;
  ASSERT_TRUE(
      AccumulateConfusion(map, mask, ImageGeometry{4, 2}, options, &confusion, &ignored).ok());
  EXPECT_EQ(ignored, 2);
  EXPECT_EQ(confusion, (std::vector<int64_t>{2, 0, 0,  //
                                             1, 2, 0,  //
                                             0, 0, 1}));
  auto metrics = ComputeSegmentationMetrics(confusion, {"a", "b", "c"});
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->evaluated_pixels, 6);
  EXPECT_DOUBLE_EQ(metrics->pixel_accuracy_percent, 100 * (5.0 / 6));
  EXPECT_DOUBLE_EQ(metrics->per_class[0].iou, 2.0 / 3);  // TP 2, FP 1
  EXPECT_DOUBLE_EQ(metrics->per_class[1].iou, 2.0 / 3);  // TP 2, FN 1
  EXPECT_DOUBLE_EQ(metrics->per_class[2].iou, 1.0);
}

TEST(SegmentationMetricsTest, MaskValueOutsideTheClassesIsAnErrorNamingThePixel) {
  const LabelMask mask{{0, 7}, 1, 2};
  const std::vector<float> scores = OneHot({0, 1}, 2);
  ScoreMap map{scores.data(), 2, 1, 2};
  ConfusionOptions options;
  options.input_height = 1;
  options.input_width = 2;
  std::vector<int64_t> confusion(4, 0);
  int64_t ignored = 0;
  Status status =
      AccumulateConfusion(map, mask, ImageGeometry{2, 1}, options, &confusion, &ignored);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("mask value 7 at (x 1, y 0)"), std::string::npos)
      << status.error().message();
}

TEST(SegmentationMetricsTest, BilinearSamplingInterpolatesScoresBeforeTheArgmax) {
  // Two classes on a 1x2 map: class 0 scores [1, 0], class 1 scores [0, 0.9]. Between the two
  // pixel centres (u 0.5 and 1.5) class 0 wins left of u = 0.5 + 1/1.9 and class 1 right of it;
  // nearest sampling switches at the pixel edge u = 1.
  const std::vector<float> scores = {1.0F, 0.0F, 0.0F, 0.9F};
  ScoreMap map{scores.data(), 2, 1, 2};
  EXPECT_EQ(BestClassAt(map, 0.5, 0.5, Upsample::kBilinear), 0);
  EXPECT_EQ(BestClassAt(map, 1.5, 0.5, Upsample::kBilinear), 1);
  EXPECT_EQ(BestClassAt(map, 0.5 + 1 / 1.9 - 0.01, 0.5, Upsample::kBilinear), 0);
  EXPECT_EQ(BestClassAt(map, 0.5 + 1 / 1.9 + 0.01, 0.5, Upsample::kBilinear), 1);
  EXPECT_EQ(BestClassAt(map, -3, 0.5, Upsample::kBilinear), 0);  // clamped at the border
  EXPECT_EQ(BestClassAt(map, 0.99, 0.5, Upsample::kNearest), 0);
  EXPECT_EQ(BestClassAt(map, 1.01, 0.5, Upsample::kNearest), 1);
  // A tie goes to the lowest class index.
  const std::vector<float> tie = {0.5F, 0.5F};
  EXPECT_EQ(BestClassAt(ScoreMap{tie.data(), 2, 1, 1}, 0.5, 0.5, Upsample::kNearest), 0);
  EXPECT_EQ(BestClassAt(ScoreMap{tie.data(), 2, 1, 1}, 0.5, 0.5, Upsample::kBilinear), 0);
}

// A 2x4 original letterboxed into a 4x4 input (one padding row above and below), the scores at
// half the input's resolution (2x2): both comparison modes on hand-worked pixels.
TEST(SegmentationMetricsTest, GeometryMapsPixelsBothWays) {
  const LabelMask mask{{0, 0, 1, 1,  //
                        0, 0, 1, 1},
                       2,
                       4};
  // The 2x2 score map: left column class 0, right column class 1 (top row); bottom row all 1.
  const std::vector<float> scores = OneHot({0, 1,  //
                                            1, 1},
                                           2);
  ScoreMap map{scores.data(), 2, 2, 2};
  ImageGeometry geometry{4, 2};
  geometry.offset_y = 1;  // x_input = x, y_input = y + 1
  ConfusionOptions options;
  options.input_height = 4;
  options.input_width = 4;
  options.upsample = Upsample::kNearest;
  // original: mask row 0 (input y 1.5 -> score row 0.75 -> 0) is right; mask row 1 (input y
  // 2.5 -> score row 1.25 -> 1) predicts 1 everywhere: its two class-0 pixels are wrong.
  std::vector<int64_t> confusion(4, 0);
  int64_t ignored = 0;
  ASSERT_TRUE(AccumulateConfusion(map, mask, geometry, options, &confusion, &ignored).ok());
  EXPECT_EQ(confusion, (std::vector<int64_t>{2, 2, 0, 4}));
  EXPECT_EQ(ignored, 0);
  // input: 16 input pixels, the 8 of the padding rows ignored; rows 1 and 2 of the input are
  // the mask's rows 0 and 1, scored at score rows 0 and 1: the same decisions.
  options.compare_at = SegmentationCompare::kInput;
  std::fill(confusion.begin(), confusion.end(), 0);
  ignored = 0;
  ASSERT_TRUE(AccumulateConfusion(map, mask, geometry, options, &confusion, &ignored).ok());
  EXPECT_EQ(confusion, (std::vector<int64_t>{2, 2, 0, 4}));
  EXPECT_EQ(ignored, 8);
}

TEST(SegmentationMetricsTest, LabelOutputsAreReadAtTheNearestPixelWhateverTheSampling) {
  // A 1x2 label map [2, 0]: bilinear would be meaningless between two indices, so both samplings
  // take the index of the pixel containing the point.
  const std::vector<int32_t> labels = {2, 0};
  ScoreMap map{nullptr, 3, 1, 2, labels.data()};
  for (Upsample upsample : {Upsample::kNearest, Upsample::kBilinear}) {
    EXPECT_EQ(BestClassAt(map, 0.2, 0.5, upsample), 2);
    EXPECT_EQ(BestClassAt(map, 0.99, 0.5, upsample), 2);
    EXPECT_EQ(BestClassAt(map, 1.01, 0.5, upsample), 0);
    EXPECT_EQ(BestClassAt(map, 5.0, 0.5, upsample), 0);  // clamped at the border
  }
}

}  // namespace
}  // namespace zooci
