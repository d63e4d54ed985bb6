// Detection's part of the eval report: COCO's figures, per class, and where the time went.
#include <cmath>

#include "eval/eval_internal.h"

namespace zooci::eval_internal {
namespace {

using json = nlohmann::json;

// A COCO figure (a fraction, -1 when undefined) in percent, "-" when undefined.
std::string CocoPercent(double fraction) {
  return fraction < 0 ? std::string("-") : FormatNumber(100 * fraction, 2) + "%";
}

}  // namespace

std::string DetectionText(const EvalResult& result) {
  const DetectionMetrics& m = result.detection;
  const CocoSummary& s = m.summary;
  std::string text;
  text += "  mAP@[.5:.95]:   " + CocoPercent(s.ap) + " (COCO: 101-point, at most " +
          std::to_string(m.max_detections_per_image) + " detections per image)\n";
  text += "  mAP@0.5:        " + CocoPercent(s.ap50) + "\n";
  text += "  mAP@0.75:       " + CocoPercent(s.ap75) + "\n";
  text += "  by size:        small " + CocoPercent(s.ap_small) + ", medium " +
          CocoPercent(s.ap_medium) + ", large " + CocoPercent(s.ap_large) + "\n";
  text += "  recall:         AR@1 " + CocoPercent(s.ar1) + ", AR@10 " + CocoPercent(s.ar10) +
          ", AR@100 " + CocoPercent(s.ar100) + "; small " + CocoPercent(s.ar_small) + ", medium " +
          CocoPercent(s.ar_medium) + ", large " + CocoPercent(s.ar_large) + "\n";
  text += "  per class:\n";
  for (const ClassDetectionMetrics& row : m.per_class) {
    text += "    " + row.name + ": AP " + CocoPercent(row.ap) + ", AP50 " + CocoPercent(row.ap50) +
            ", AP75 " + CocoPercent(row.ap75) + ", recall " + CocoPercent(row.recall) + " (" +
            std::to_string(row.ground_truths) + " boxes, " + std::to_string(row.detections) +
            " detections)\n";
  }
  text += "  detections:     " + std::to_string(m.detections) + " evaluated on " +
          std::to_string(m.images) + " images with " + std::to_string(m.ground_truths) + " boxes";
  if (m.crowd_regions > 0) text += " and " + std::to_string(m.crowd_regions) + " crowd regions";
  if (result.unmapped_detections > 0) {
    text +=
        "; " + std::to_string(result.unmapped_detections) + " with a label mapped to no category";
  }
  if (result.non_finite_outputs > 0) {
    text += "; " + std::to_string(result.non_finite_outputs) + " dropped for NaN/infinite numbers";
  }
  text += "\n";
  const double busy =
      result.decode_preprocess_s + result.inference_s + result.postprocess_s + result.matching_s;
  auto share = [&](double seconds) {
    return FormatDouble(busy > 0 ? 100 * seconds / busy : 0, 3) + "%";
  };
  text += "  throughput:     " + std::to_string(std::llround(result.images_per_s)) +
          " images/s (batch " + std::to_string(result.batch_size) +
          "); of busy time: decode+preprocess " + share(result.decode_preprocess_s) +
          ", inference " + share(result.inference_s) + ", box decoding+NMS " +
          share(result.postprocess_s) + ", matching " + share(result.matching_s) + "\n";
  return text;
}

json DetectionJson(const EvalResult& result, json claims) {
  const DetectionMetrics& m = result.detection;
  const CocoSummary& s = m.summary;
  json per_class = json::array();
  for (const ClassDetectionMetrics& row : m.per_class) {
    per_class.push_back({{"category_id", row.category_id},
                         {"class", row.name},
                         {"ground_truths", row.ground_truths},
                         {"crowd_regions", row.crowd_regions},
                         {"detections", row.detections},
                         {"ap", row.ap},
                         {"ap50", row.ap50},
                         {"ap75", row.ap75},
                         {"recall", row.recall}});
  }
  auto percent = [](double fraction) {
    return fraction < 0 ? json(nullptr) : json(100 * fraction);
  };
  return {
      {"model", result.model},
      {"task", result.task},
      {"runtime", result.runtime},
      {"dataset", result.dataset_description},
      {"preprocessing", result.preprocessing},
      {"batch_size", result.batch_size},
      {"map_percent", percent(s.ap)},
      {"map50_percent", percent(s.ap50)},
      {"map75_percent", percent(s.ap75)},
      {"coco",
       {{"ap", s.ap},
        {"ap50", s.ap50},
        {"ap75", s.ap75},
        {"ap_small", s.ap_small},
        {"ap_medium", s.ap_medium},
        {"ap_large", s.ap_large},
        {"ar1", s.ar1},
        {"ar10", s.ar10},
        {"ar100", s.ar100},
        {"ar_small", s.ar_small},
        {"ar_medium", s.ar_medium},
        {"ar_large", s.ar_large}}},
      {"per_class", per_class},
      {"images", m.images},
      {"ground_truths", m.ground_truths},
      {"crowd_regions", m.crowd_regions},
      {"detections", m.detections},
      {"other_detections", m.other_detections},
      {"unmapped_detections", result.unmapped_detections},
      {"non_finite_outputs", result.non_finite_outputs},
      {"timing",
       {{"wall_s", result.wall_s},
        {"images_per_s", result.images_per_s},
        {"decode_preprocess_s", result.decode_preprocess_s},
        {"inference_s", result.inference_s},
        {"postprocess_s", result.postprocess_s},
        {"matching_s", result.matching_s},
        {"session_create_ms", result.session_create_ms}}},
      {"claims", std::move(claims)},
      {"verdict", result.claims.empty() ? "no claim" : (result.passed ? "pass" : "fail")},
  };
}

}  // namespace zooci::eval_internal
