// Hand-computed cases of COCO's rules. AP of a perfect ranking is 1/(1+eps) in COCO (precision
// is TP / (TP + FP + eps)), hence the tolerance.
#include <cmath>

#include <gtest/gtest.h>

#include "eval/detection_metrics.h"

namespace zooci {
namespace {

constexpr double kTol = 1e-12;

GroundTruthBox Truth(int64_t image, int64_t category, BoxXywh box, bool crowd = false) {
  return {image, category, box, box.width * box.height, crowd};
}

DetectedBox Det(int64_t image, int64_t category, BoxXywh box, double score) {
  return {image, category, box, score};
}

DetectionGroundTruth OneImage(std::vector<GroundTruthBox> boxes,
                              std::vector<DetectionCategory> categories = {{1, "cat"}}) {
  return {{7}, std::move(categories), std::move(boxes)};
}

DetectionMetrics Evaluate(const DetectionGroundTruth& truth, const std::vector<DetectedBox>& dets) {
  auto metrics = EvaluateDetections(truth, dets);
  EXPECT_TRUE(metrics.ok()) << metrics.error().message();
  return metrics.ok() ? *metrics : DetectionMetrics{};
}

TEST(CocoIouTest, UnionOrDetectionAreaForCrowd) {
  EXPECT_DOUBLE_EQ(CocoIou({0, 0, 10, 10}, {5, 0, 10, 10}, false), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(CocoIou({0, 0, 10, 10}, {5, 0, 10, 10}, true), 50.0 / 100.0);
  EXPECT_EQ(CocoIou({0, 0, 10, 10}, {10, 0, 10, 10}, false), 0);  // touching: no overlap
  EXPECT_EQ(CocoIou({0, 0, -5, 10}, {-10, 0, 20, 10}, false), 0);
}

TEST(DetectionMetricsTest, PerfectMatch) {
  DetectionMetrics m =
      Evaluate(OneImage({Truth(7, 1, {10, 10, 20, 20})}), {Det(7, 1, {10, 10, 20, 20}, 0.9)});
  EXPECT_NEAR(m.summary.ap, 1, kTol);
  EXPECT_NEAR(m.summary.ap50, 1, kTol);
  EXPECT_NEAR(m.summary.ap75, 1, kTol);
  EXPECT_NEAR(m.summary.ap_small, 1, kTol);  // area 400 < 32^2
  EXPECT_EQ(m.summary.ap_medium, -1);        // no ground truth of that size
  EXPECT_EQ(m.summary.ap_large, -1);
  EXPECT_EQ(m.summary.ar1, 1);
  EXPECT_EQ(m.summary.ar100, 1);
  ASSERT_EQ(m.per_class.size(), 1u);
  EXPECT_NEAR(m.per_class[0].ap, 1, kTol);
  EXPECT_EQ(m.per_class[0].recall, 1);
  EXPECT_EQ(m.ground_truths, 1);
  EXPECT_EQ(m.detections, 1);
}

// Ground truth [0,0,10,10]; B (score .9) overlaps it with IoU .72, A (score .8) exactly.
// Thresholds .50-.70: B is the true positive, A a duplicate (false positive): AP 1.
// Thresholds .75-.95: B misses, A matches second: precision .5 at recall 1: AP .5.
TEST(DetectionMetricsTest, DuplicateDetectionIsAFalsePositive) {
  DetectionMetrics m = Evaluate(OneImage({Truth(7, 1, {0, 0, 10, 10})}),
                                {Det(7, 1, {0, 0, 10, 10}, 0.8), Det(7, 1, {0, 0, 10, 7.2}, 0.9)});
  EXPECT_NEAR(m.summary.ap50, 1, kTol);
  EXPECT_NEAR(m.summary.ap75, 0.5, kTol);
  EXPECT_NEAR(m.summary.ap, 0.75, kTol);
  EXPECT_EQ(m.summary.ar100, 1);
  EXPECT_EQ(m.summary.ar1, 0.5);  // only B kept: found at five thresholds of ten
}

// A crowd region absorbs the detections inside it, any number of them, here ranked before the
// real box's: they are neither true nor false positives, and the region is not a box to find
// (recall 1 with the one real box found).
TEST(DetectionMetricsTest, DetectionsInACrowdRegionAreIgnored) {
  DetectionGroundTruth truth =
      OneImage({Truth(7, 1, {0, 0, 10, 10}), Truth(7, 1, {50, 50, 40, 40}, /*crowd=*/true)});
  std::vector<DetectedBox> dets = {Det(7, 1, {60, 60, 10, 10}, 0.95),
                                   Det(7, 1, {0, 0, 10, 10}, 0.9),
                                   Det(7, 1, {55, 55, 10, 10}, 0.92)};
  DetectionMetrics m = Evaluate(truth, dets);
  EXPECT_NEAR(m.summary.ap, 1, kTol);
  EXPECT_EQ(m.summary.ar100, 1);
  EXPECT_EQ(m.ground_truths, 1);
  EXPECT_EQ(m.crowd_regions, 1);
  EXPECT_EQ(m.per_class[0].crowd_regions, 1);

  // The same region as an ordinary box: IoU 100/1600, so the detections inside it are false
  // positives (ranks 1 and 2) and the region a box never found: precision 1/3 up to recall .5,
  // then nothing: AP 51 * (1/3) / 101.
  truth.boxes[1].crowd = false;
  DetectionMetrics plain = Evaluate(truth, dets);
  EXPECT_EQ(plain.ground_truths, 2);
  EXPECT_NEAR(plain.summary.ap, 51 * (1.0 / 3) / 101, kTol);
  EXPECT_EQ(plain.summary.ar100, 0.5);
}

// A class with ground truth and no detection counts with AP 0; a class without ground truth is
// left out of the mean even when it has detections.
TEST(DetectionMetricsTest, ClassNeverPredictedCountsAsZero) {
  DetectionGroundTruth truth =
      OneImage({Truth(7, 1, {0, 0, 10, 10}), Truth(7, 2, {40, 40, 50, 50})},
               {{1, "cat"}, {2, "dog"}, {3, "bird"}});
  DetectionMetrics m =
      Evaluate(truth, {Det(7, 1, {0, 0, 10, 10}, 0.9), Det(7, 3, {40, 40, 50, 50}, 0.8)});
  EXPECT_NEAR(m.summary.ap, 0.5, kTol);
  ASSERT_EQ(m.per_class.size(), 3u);
  EXPECT_NEAR(m.per_class[0].ap, 1, kTol);
  EXPECT_EQ(m.per_class[1].ap, 0);
  EXPECT_EQ(m.per_class[1].recall, 0);
  EXPECT_EQ(m.per_class[2].ap, -1);
  EXPECT_EQ(m.per_class[2].recall, -1);
  EXPECT_EQ(m.per_class[2].detections, 1);
  EXPECT_EQ(m.summary.ap_small, m.per_class[0].ap);  // dog is medium: small has cat only
  EXPECT_EQ(m.summary.ap_medium, 0);
}

// Two boxes; detections TP (.9), FP (.8), TP (.7): precision 1, .5, 2/3 at recall .5, .5, 1.
// Interpolated: 1 for the 51 recall points 0..0.50, 2/3 for the 50 points .51..1.
TEST(DetectionMetricsTest, HundredAndOnePointInterpolation) {
  DetectionGroundTruth truth =
      OneImage({Truth(7, 1, {0, 0, 10, 10}), Truth(7, 1, {50, 0, 10, 10})});
  DetectionMetrics m =
      Evaluate(truth, {Det(7, 1, {0, 0, 10, 10}, 0.9), Det(7, 1, {20, 20, 10, 10}, 0.8),
                       Det(7, 1, {50, 0, 10, 10}, 0.7)});
  EXPECT_NEAR(m.summary.ap, (51 * 1.0 + 50 * (2.0 / 3.0)) / 101, kTol);
  EXPECT_EQ(m.summary.ar10, 1);
  EXPECT_EQ(m.summary.ar1, 0.5);
}

// A large unmatched detection is a false positive for "all" but ignored for "small"; the small
// ground truth is ignored in the large range, which then has nothing to find (-1).
TEST(DetectionMetricsTest, AreaRangesIgnoreWhatIsOutside) {
  DetectionMetrics m =
      Evaluate(OneImage({Truth(7, 1, {0, 0, 10, 10})}),
               {Det(7, 1, {0, 0, 10, 10}, 0.9), Det(7, 1, {100, 100, 100, 100}, 0.95)});
  EXPECT_NEAR(m.summary.ap, 0.5, kTol);
  EXPECT_NEAR(m.summary.ap_small, 1, kTol);
  EXPECT_EQ(m.summary.ap_large, -1);
  EXPECT_EQ(m.summary.ar_large, -1);
}

TEST(DetectionMetricsTest, AtMostOneHundredDetectionsPerImage) {
  // 100 confident false positives before the true one: it is cut, recall 0.
  std::vector<DetectedBox> dets;
  for (int idx = 0; idx < 100; ++idx) dets.push_back(Det(7, 1, {200.0 + idx, 0, 5, 5}, 0.9));
  dets.push_back(Det(7, 1, {0, 0, 10, 10}, 0.5));
  DetectionMetrics m = Evaluate(OneImage({Truth(7, 1, {0, 0, 10, 10})}), dets);
  EXPECT_EQ(m.summary.ar100, 0);
  EXPECT_EQ(m.summary.ap, 0);
  EXPECT_EQ(m.detections, 101);
}

TEST(DetectionMetricsTest, RanksAcrossImagesByScore) {
  // Image 1: a false positive at .9; image 2: a true positive at .8 -> precision .5 at recall 1.
  DetectionGroundTruth truth{{2, 1}, {{1, "cat"}}, {Truth(2, 1, {0, 0, 10, 10})}};
  DetectionMetrics m =
      Evaluate(truth, {Det(1, 1, {0, 0, 10, 10}, 0.9), Det(2, 1, {0, 0, 10, 10}, 0.8)});
  EXPECT_NEAR(m.summary.ap, 0.5, kTol);
  EXPECT_EQ(m.images, 2);
}

TEST(DetectionMetricsTest, RejectsUnknownImagesAndCountsUnknownCategories) {
  DetectionGroundTruth truth = OneImage({Truth(7, 1, {0, 0, 10, 10})});
  auto unknown_image = EvaluateDetections(truth, {Det(8, 1, {0, 0, 1, 1}, 0.5)});
  ASSERT_FALSE(unknown_image.ok());
  EXPECT_NE(unknown_image.error().message().find("image 8"), std::string::npos);
  auto bad_truth = EvaluateDetections(OneImage({Truth(7, 5, {0, 0, 10, 10})}), {});
  EXPECT_FALSE(bad_truth.ok());
  auto nan = EvaluateDetections(truth, {Det(7, 1, {0, 0, 1, 1}, std::nan(""))});
  EXPECT_FALSE(nan.ok());
  DetectionMetrics m = Evaluate(truth, {Det(7, 9, {0, 0, 10, 10}, 0.5)});
  EXPECT_EQ(m.other_detections, 1);
  EXPECT_EQ(m.detections, 0);
  EXPECT_EQ(m.summary.ap, 0);
}

TEST(PairwiseSumTest, MatchesPlainSumOnExactValues) {
  std::vector<double> values(1000);
  for (size_t idx = 0; idx < values.size(); ++idx) values[idx] = static_cast<double>(idx);
  EXPECT_EQ(PairwiseSum(values.data(), values.size()), 999.0 * 1000 / 2);
  EXPECT_EQ(PairwiseSum(values.data(), 5), 10);
  EXPECT_EQ(PairwiseSum(values.data(), 0), 0);
}

}  // namespace
}  // namespace zooci
