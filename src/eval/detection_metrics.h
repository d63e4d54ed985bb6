// COCO-style object detection metrics (bounding boxes): the twelve numbers COCO's evaluation
// prints (AP over IoU 0.50:0.05:0.95, AP@.5, AP@.75, AP by object size, AR at 1/10/100
// detections per image, AR by size), per-class AP and recall. Pure functions.
//
// The rules are COCO's, reproduced exactly (docs/detection.md lists them with their reasons):
//   - per image and category, detections are ranked by score (ties keep their input order), the
//     best 100 kept; each is matched greedily, best first, to the unmatched ground truth box
//     with the highest IoU at or above the threshold (a later box wins a tie), preferring boxes
//     that count over ignored ones;
//   - a crowd region (iscrowd) is never a ground truth to find: a detection matched to it is
//     ignored (neither true nor false positive), and it can absorb any number of detections; its
//     IoU with a detection is intersection / detection area;
//   - for an area range, ground truth outside it is ignored like a crowd region, and so is an
//     unmatched detection whose box area (w*h) is outside it;
//   - precision is made monotone from the right and read at the 101 recall points 0, .01, .., 1
//     (the first detection reaching each recall; 0 past the last recall reached);
//   - a category without ground truth (in the area range) is left out of every mean (-1 in COCO),
//     a category with ground truth but no detection counts with AP 0.
// Means are taken with numpy's pairwise summation, so the figures equal a numpy implementation's
// to the last bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/base.h"

namespace zooci {

// COCO's box: left, top, width, height, in pixels of the original image.
struct BoxXywh {
  double x = 0, y = 0, width = 0, height = 0;
};

struct DetectionCategory {
  int64_t id = 0;  // the dataset's category id (COCO: 1..90 with gaps)
  std::string name;
};

struct GroundTruthBox {
  int64_t image_id = 0;
  int64_t category_id = 0;
  BoxXywh box;
  double area = 0;  // COCO's "area" (of the segment, in COCO's files); the box's when not given
  bool crowd = false;
};

// What a dataset states: its images, categories and boxes (in file order: the order decides
// COCO's ties, as in the annotation file).
struct DetectionGroundTruth {
  std::vector<int64_t> image_ids;
  std::vector<DetectionCategory> categories;
  std::vector<GroundTruthBox> boxes;
};

struct DetectedBox {
  int64_t image_id = 0;
  int64_t category_id = 0;
  BoxXywh box;
  double score = 0;
};

// Values are fractions in [0, 1], or -1 where COCO's is undefined (no ground truth in the range).
struct CocoSummary {
  double ap = -1, ap50 = -1, ap75 = -1;  // area all, 100 detections per image
  double ap_small = -1, ap_medium = -1, ap_large = -1;
  double ar1 = -1, ar10 = -1, ar100 = -1;  // area all, 1/10/100 detections per image
  double ar_small = -1, ar_medium = -1, ar_large = -1;
};

struct ClassDetectionMetrics {
  int64_t category_id = 0;
  std::string name;
  int64_t ground_truths = 0;  // boxes that count (not crowd)
  int64_t crowd_regions = 0;
  int64_t detections = 0;  // of this category, before the per-image cut to 100
  // Area all, 100 detections per image; -1 without ground truth.
  double ap = -1, ap50 = -1, ap75 = -1;
  double recall = -1;  // mean over the ten IoU thresholds
};

struct DetectionMetrics {
  CocoSummary summary;
  std::vector<ClassDetectionMetrics> per_class;  // by category id
  int64_t images = 0;
  int64_t ground_truths = 0;  // not crowd
  int64_t crowd_regions = 0;
  int64_t detections = 0;        // evaluated (of a known category)
  int64_t other_detections = 0;  // of a category the dataset does not have: not evaluated
  int max_detections_per_image = 100;
};

// Evaluates `detections` against `truth`. Errors: a detection or box on an image that is not in
// truth.image_ids, a box of an unknown category, a repeated image or category id, non-finite
// numbers. Detections of unknown categories are counted in `other_detections`, not evaluated (as
// COCO's evaluation does).
Result<DetectionMetrics> EvaluateDetections(const DetectionGroundTruth& truth,
                                            const std::vector<DetectedBox>& detections);

// COCO's box IoU (double precision): intersection over union, or over the detection's area when
// `crowd`. 0 when the boxes do not overlap.
double CocoIou(const BoxXywh& detection, const BoxXywh& truth, bool crowd);

// numpy's pairwise summation (as np.sum/np.mean on a contiguous float64 array) of `values`.
double PairwiseSum(const double* values, size_t count);

}  // namespace zooci
