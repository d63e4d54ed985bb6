// Semantic segmentation's sampling, confusion matrix and metrics (segmentation_metrics.h).
#include "eval/segmentation_metrics.h"

#include <algorithm>
#include <cmath>

namespace zooci {

int64_t BestClassAt(const ScoreMap& scores, double u, double v, Upsample upsample) {
  const int64_t plane = scores.height * scores.width;
  int64_t best = 0;
  if (upsample == Upsample::kNearest || scores.labels != nullptr) {
    const auto col = std::clamp<int64_t>(static_cast<int64_t>(std::floor(u)), 0, scores.width - 1);
    const auto row = std::clamp<int64_t>(static_cast<int64_t>(std::floor(v)), 0, scores.height - 1);
    if (scores.labels != nullptr) return scores.labels[row * scores.width + col];
    const float* at = scores.data + row * scores.width + col;
    float best_score = at[0];
    for (int64_t cls = 1; cls < scores.classes; ++cls) {
      if (at[cls * plane] > best_score) {
        best_score = at[cls * plane];
        best = cls;
      }
    }
    return best;
  }
  const double px = std::clamp(u - 0.5, 0.0, static_cast<double>(scores.width - 1));
  const double py = std::clamp(v - 0.5, 0.0, static_cast<double>(scores.height - 1));
  const auto x0 = static_cast<int64_t>(std::floor(px));
  const auto y0 = static_cast<int64_t>(std::floor(py));
  const int64_t x1 = std::min(x0 + 1, scores.width - 1), y1 = std::min(y0 + 1, scores.height - 1);
  const double fx = px - static_cast<double>(x0), fy = py - static_cast<double>(y0);
  double best_score = 0;
  for (int64_t cls = 0; cls < scores.classes; ++cls) {
    const float* map = scores.data + cls * plane;
    const double top = (1 - fx) * map[y0 * scores.width + x0] + fx * map[y0 * scores.width + x1];
    const double bottom = (1 - fx) * map[y1 * scores.width + x0] + fx * map[y1 * scores.width + x1];
    const double score = (1 - fy) * top + fy * bottom;
    if (cls == 0 || score > best_score) {
      best_score = score;
      best = cls;
    }
  }
  return best;
}

Status AccumulateConfusion(const ScoreMap& scores, const LabelMask& mask,
                           const ImageGeometry& geometry, const ConfusionOptions& options,
                           std::vector<int64_t>* confusion, int64_t* ignored) {
  const int64_t classes = scores.classes;
  if (classes <= 0 || scores.height <= 0 || scores.width <= 0 || options.input_height <= 0 ||
      options.input_width <= 0) {
    return Error("empty score map or model input");
  }
  if (static_cast<int64_t>(confusion->size()) != classes * classes) {
    return Error("the confusion matrix is not " + std::to_string(classes) + " x " +
                 std::to_string(classes));
  }
  // Model input pixels -> score map pixels.
  const double to_output_x = static_cast<double>(scores.width) / options.input_width;
  const double to_output_y = static_cast<double>(scores.height) / options.input_height;
  auto add = [&](int64_t truth, double u, double v, int64_t x, int64_t y) -> Status {
    if (truth == options.ignore_index) {
      ++*ignored;
      return OkStatus();
    }
    if (truth < 0 || truth >= classes) {
      return Error("mask value " + std::to_string(truth) + " at (x " + std::to_string(x) + ", y " +
                   std::to_string(y) + ") is neither a class index below " +
                   std::to_string(classes) + " nor ignore_index " +
                   std::to_string(options.ignore_index));
    }
    (*confusion)[truth * classes + BestClassAt(scores, u, v, options.upsample)] += 1;
    return OkStatus();
  };
  if (options.compare_at == SegmentationCompare::kOriginal) {
    for (int64_t y = 0; y < mask.height; ++y) {
      const double v =
          (geometry.scale_y * (static_cast<double>(y) + 0.5) + geometry.offset_y) * to_output_y;
      for (int64_t x = 0; x < mask.width; ++x) {
        const double u =
            (geometry.scale_x * (static_cast<double>(x) + 0.5) + geometry.offset_x) * to_output_x;
        ZC_RETURN_IF_ERROR(add(mask.labels[y * mask.width + x], u, v, x, y));
      }
    }
    return OkStatus();
  }
  for (int64_t row = 0; row < options.input_height; ++row) {
    const double y = (static_cast<double>(row) + 0.5 - geometry.offset_y) / geometry.scale_y;
    for (int64_t col = 0; col < options.input_width; ++col) {
      const double x = (static_cast<double>(col) + 0.5 - geometry.offset_x) / geometry.scale_x;
      if (!(x >= 0 && y >= 0 && x < static_cast<double>(mask.width) &&
            y < static_cast<double>(mask.height))) {
        ++*ignored;  // padding: no ground truth there
        continue;
      }
      const auto mask_x = static_cast<int64_t>(x), mask_y = static_cast<int64_t>(y);
      ZC_RETURN_IF_ERROR(add(mask.labels[mask_y * mask.width + mask_x],
                             (static_cast<double>(col) + 0.5) * to_output_x,
                             (static_cast<double>(row) + 0.5) * to_output_y, mask_x, mask_y));
    }
  }
  // Mask pixels no input pixel samples (a crop cut them off, or the input is smaller) are
  // not evaluated: compare_at input measures what the model was shown.
  return OkStatus();
}

Result<SegmentationMetrics> ComputeSegmentationMetrics(
    const std::vector<int64_t>& confusion, const std::vector<std::string>& class_names) {
  const auto classes = static_cast<int64_t>(class_names.size());
  if (static_cast<int64_t>(confusion.size()) != classes * classes) {
    return Error("a confusion matrix of " + std::to_string(confusion.size()) + " entries for " +
                 std::to_string(classes) + " classes");
  }
  SegmentationMetrics metrics;
  metrics.confusion = confusion;
  int64_t correct = 0;
  for (int64_t truth = 0; truth < classes; ++truth) {
    ClassSegmentationMetrics row;
    row.name = class_names[truth];
    row.true_positives = confusion[truth * classes + truth];
    for (int64_t other = 0; other < classes; ++other) {
      row.ground_truth_pixels += confusion[truth * classes + other];
      row.predicted_pixels += confusion[other * classes + truth];
    }
    metrics.evaluated_pixels += row.ground_truth_pixels;
    correct += row.true_positives;
    metrics.per_class.push_back(std::move(row));
  }
  if (metrics.evaluated_pixels == 0) {
    return Error("no pixel was evaluated (every mask pixel is ignore_index): mIoU is undefined");
  }
  double iou_sum = 0, accuracy_sum = 0;
  int64_t accuracy_classes = 0;
  for (ClassSegmentationMetrics& row : metrics.per_class) {
    const int64_t union_pixels =
        row.ground_truth_pixels + row.predicted_pixels - row.true_positives;
    if (union_pixels > 0) {
      row.iou = static_cast<double>(row.true_positives) / static_cast<double>(union_pixels);
      iou_sum += row.iou;
      ++metrics.miou_classes;
    }
    if (row.ground_truth_pixels > 0) {
      row.accuracy =
          static_cast<double>(row.true_positives) / static_cast<double>(row.ground_truth_pixels);
      accuracy_sum += row.accuracy;
      ++accuracy_classes;
    }
  }
  metrics.miou_percent = 100 * (iou_sum / static_cast<double>(metrics.miou_classes));
  metrics.pixel_accuracy_percent =
      100 * (static_cast<double>(correct) / static_cast<double>(metrics.evaluated_pixels));
  metrics.mean_accuracy_percent = 100 * (accuracy_sum / static_cast<double>(accuracy_classes));
  return metrics;
}

}  // namespace zooci
