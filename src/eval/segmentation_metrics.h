// Semantic segmentation's per-pixel comparison and metrics (docs/segmentation.md). The worker
// turns each image's [C, h, w] class scores into a prediction per evaluated pixel and adds it to
// a C x C confusion matrix (AccumulateConfusion); only that matrix crosses the process boundary.
// The parent sums the matrices and derives every figure from the total
// (ComputeSegmentationMetrics). Both are pure functions: no I/O, no OpenCV.
#pragma once

#include <string>
#include <vector>

#include "base/base.h"
#include "eval/preprocess.h"
#include "eval/scenario.h"

namespace zooci {

// One image's class scores: `classes` planes of height x width floats (row-major), borrowed.
struct ScoreMap {
  const float* data = nullptr;  // [classes, height, width] scores
  int64_t classes = 0, height = 0, width = 0;
  // Instead of `data`: the [height, width] class indices of an `output.kind: labels` model, each
  // in [0, classes). Always sampled nearest (indices cannot be interpolated).
  const int32_t* labels = nullptr;
};

// One image's ground truth: the class index of each pixel (row-major), at the original size.
struct LabelMask {
  std::vector<int32_t> labels;
  int64_t height = 0, width = 0;
};

// The best class (the lowest index on a tie) at (u, v), a continuous position in the score map's
// pixels (pixel edges: the map spans [0, width] x [0, height]). Nearest takes the pixel
// containing the point; bilinear interpolates the four nearest pixel centres in double precision
// (half-pixel centres, borders clamped: as OpenCV's and PyTorch's bilinear resize without
// align_corners).
int64_t BestClassAt(const ScoreMap& scores, double u, double v, Upsample upsample);

struct ConfusionOptions {
  SegmentationCompare compare_at = SegmentationCompare::kOriginal;
  Upsample upsample = Upsample::kBilinear;
  int64_t ignore_index = 255;
  int64_t input_height = 0, input_width = 0;  // the model input's spatial size
};

// Adds one image to `confusion` (classes x classes, row = ground truth, column = prediction) and
// counts the pixels not evaluated in `ignored` (ignore_index; with compare_at input, also the
// padding and whatever the crop cut off).
//   original: each mask pixel's centre (x + 0.5, y + 0.5) goes through `geometry` to the model
//     input, then to the score map by the input-to-output scale, where it is sampled.
//   input: each pixel of the model input's grid takes the mask value under its centre mapped
//     back through the geometry's inverse (nearest); the scores are sampled at the same centre.
// A mask value that is neither ignore_index nor a class index is an error naming the pixel.
Status AccumulateConfusion(const ScoreMap& scores, const LabelMask& mask,
                           const ImageGeometry& geometry, const ConfusionOptions& options,
                           std::vector<int64_t>* confusion, int64_t* ignored);

struct ClassSegmentationMetrics {
  std::string name;
  int64_t ground_truth_pixels = 0;  // the class in the masks
  int64_t predicted_pixels = 0;     // the class predicted (evaluated pixels only)
  int64_t true_positives = 0;
  double iou = -1;       // TP / (TP + FP + FN); -1 when the class is neither in gt nor predicted
  double accuracy = -1;  // TP / ground-truth pixels; -1 when the class is absent from the masks
};

struct SegmentationMetrics {
  int64_t images = 0;
  int64_t evaluated_pixels = 0;
  int64_t ignored_pixels = 0;
  std::vector<int64_t> confusion;  // classes x classes, row = ground truth, column = prediction
  std::vector<ClassSegmentationMetrics> per_class;
  // Means over the classes for which each figure is defined, summed in class order.
  double miou_percent = 0;            // mean IoU over classes in the masks or the predictions
  int64_t miou_classes = 0;           // how many classes that mean is over
  double pixel_accuracy_percent = 0;  // correct pixels / evaluated pixels
  double mean_accuracy_percent = 0;   // mean per-class accuracy over classes in the masks
};

// The metrics of a summed confusion matrix (class_names.size() squared entries). An empty
// matrix (nothing evaluated) is an error: every figure would be undefined.
Result<SegmentationMetrics> ComputeSegmentationMetrics(const std::vector<int64_t>& confusion,
                                                       const std::vector<std::string>& class_names);

}  // namespace zooci
