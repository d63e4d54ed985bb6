// Segmentation's part of the eval report: mIoU, pixel accuracy, per class, and where the time
// went.
#include <cmath>

#include "eval/eval_internal.h"

namespace zooci::eval_internal {
namespace {

using json = nlohmann::json;

// A per-class fraction in percent, "-" when undefined (-1).
std::string ClassPercent(double fraction) {
  return fraction < 0 ? std::string("-") : FormatNumber(100 * fraction, 2) + "%";
}

}  // namespace

std::string SegmentationText(const EvalResult& result) {
  const SegmentationMetrics& m = result.segmentation;
  std::string text;
  text += "  mIoU:           " + FormatNumber(m.miou_percent, 2) + "% (mean over the " +
          std::to_string(m.miou_classes) + " classes in the masks or the predictions)\n";
  text += "  pixel accuracy: " + FormatNumber(m.pixel_accuracy_percent, 2) + "%\n";
  text += "  mean accuracy:  " + FormatNumber(m.mean_accuracy_percent, 2) + "%\n";
  text += "  per class:\n";
  for (const ClassSegmentationMetrics& row : m.per_class) {
    text += "    " + row.name + ": IoU " + ClassPercent(row.iou) + ", accuracy " +
            ClassPercent(row.accuracy) + " (" + std::to_string(row.ground_truth_pixels) +
            " pixels, " + std::to_string(row.predicted_pixels) + " predicted)\n";
  }
  text += "  pixels:         " + std::to_string(m.evaluated_pixels) + " evaluated on " +
          std::to_string(m.images) + " images, " + std::to_string(m.ignored_pixels) +
          " not evaluated (ignore_index or outside the image)\n";
  const double busy =
      result.decode_preprocess_s + result.inference_s + result.postprocess_s + result.matching_s;
  auto share = [&](double seconds) {
    return FormatDouble(busy > 0 ? 100 * seconds / busy : 0, 3) + "%";
  };
  text += "  throughput:     " + std::to_string(std::llround(result.images_per_s)) +
          " images/s (batch " + std::to_string(result.batch_size) +
          "); of busy time: decode+preprocess " + share(result.decode_preprocess_s) +
          ", inference " + share(result.inference_s) + ", mask decoding+comparison " +
          share(result.postprocess_s) + "\n";
  return text;
}

json SegmentationJson(const EvalResult& result, json claims) {
  const SegmentationMetrics& m = result.segmentation;
  json per_class = json::array();
  auto fraction = [](double value) { return value < 0 ? json(nullptr) : json(value); };
  for (size_t index = 0; index < m.per_class.size(); ++index) {
    const ClassSegmentationMetrics& row = m.per_class[index];
    per_class.push_back({{"class_index", index},
                         {"class", row.name},
                         {"iou", fraction(row.iou)},
                         {"accuracy", fraction(row.accuracy)},
                         {"ground_truth_pixels", row.ground_truth_pixels},
                         {"predicted_pixels", row.predicted_pixels},
                         {"true_positives", row.true_positives}});
  }
  json confusion = json::array();  // rows: ground truth; columns: prediction
  const size_t classes = m.per_class.size();
  for (size_t row = 0; row < classes; ++row) {
    confusion.push_back(std::vector<int64_t>(m.confusion.begin() + row * classes,
                                             m.confusion.begin() + (row + 1) * classes));
  }
  return {
      {"model", result.model},
      {"task", result.task},
      {"runtime", result.runtime},
      {"dataset", result.dataset_description},
      {"preprocessing", result.preprocessing},
      {"batch_size", result.batch_size},
      {"miou_percent", m.miou_percent},
      {"miou_classes", m.miou_classes},
      {"pixel_accuracy_percent", m.pixel_accuracy_percent},
      {"mean_accuracy_percent", m.mean_accuracy_percent},
      {"per_class", per_class},
      {"confusion", confusion},
      {"images", m.images},
      {"evaluated_pixels", m.evaluated_pixels},
      {"ignored_pixels", m.ignored_pixels},
      {"timing",
       {{"wall_s", result.wall_s},
        {"images_per_s", result.images_per_s},
        {"decode_preprocess_s", result.decode_preprocess_s},
        {"inference_s", result.inference_s},
        {"postprocess_s", result.postprocess_s},
        {"metrics_s", result.matching_s},
        {"session_create_ms", result.session_create_ms}}},
      {"claims", std::move(claims)},
      {"verdict", result.claims.empty() ? "no claim" : (result.passed ? "pass" : "fail")},
  };
}

}  // namespace zooci::eval_internal
