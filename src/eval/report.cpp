// Text and JSON views of an eval result (detection's own parts: detection_report.cpp).
#include <nlohmann/json.hpp>

#include <cmath>

#include "eval/eval.h"
#include "eval/eval_internal.h"

namespace zooci {
namespace {

std::string Percent(double value) {
  return FormatNumber(value, 2) + "%";
}

std::string ClassificationText(const EvalResult& result) {
  const ClassificationMetrics& metrics = result.metrics;
  std::string text;
  text += "  top-1:          " + Percent(metrics.top1_percent) + " (" +
          std::to_string(metrics.top1_correct) + " of " + std::to_string(metrics.total) + ")\n";
  text += "  top-" + std::to_string(metrics.top_k) + ":          " + Percent(metrics.topk_percent) +
          " (" + std::to_string(metrics.topk_correct) + " of " + std::to_string(metrics.total) +
          ")\n";
  std::string per_class;
  for (size_t label = 0; label < metrics.class_names.size(); ++label) {
    if (metrics.per_class_total[label] == 0) continue;
    double percent = 100.0 * static_cast<double>(metrics.per_class_correct[label]) /
                     static_cast<double>(metrics.per_class_total[label]);
    per_class += (per_class.empty() ? "" : ", ") + metrics.class_names[label] + " " +
                 FormatDouble(percent, 3) + "%";
  }
  text += "  per class:      " + per_class + "\n";
  double busy = result.decode_preprocess_s + result.inference_s;
  double decode_share = busy > 0 ? 100 * result.decode_preprocess_s / busy : 0;
  text += "  throughput:     " + std::to_string(std::llround(result.images_per_s)) +
          " images/s (batch " + std::to_string(result.batch_size) + "); decode+preprocess " +
          FormatDouble(decode_share, 3) + "% of busy time, inference " +
          FormatDouble(100 - decode_share, 3) + "%\n";
  return text;
}

}  // namespace

std::string FormatEvalText(const EvalResult& result) {
  std::string text = result.model + ": " + result.task + " on " + result.runtime + "\n";
  text += "  dataset:        " + result.dataset_description + "\n";
  text += "  preprocessing:  " + JoinStrings(result.preprocessing, " -> ") + "\n";
  if (result.task == TaskName(EvalTask::kObjectDetection)) {
    text += eval_internal::DetectionText(result);
  } else if (result.task == TaskName(EvalTask::kSemanticSegmentation)) {
    text += eval_internal::SegmentationText(result);
  } else {
    text += ClassificationText(result);
  }
  for (const ClaimCheck& claim : result.claims) {
    text += "  claim:          " + claim.metric + " claimed " + Percent(claim.claimed_percent) +
            " (" + claim.source + "), measured " + Percent(claim.measured_percent) + ", at most " +
            FormatNumber(claim.tolerance_pp, 3) +
            " pp below the claim allowed: " + (claim.passed ? "met" : "NOT MET") + "\n";
  }
  if (result.claims.empty()) {
    text += "  verdict:        no claim to check\n";
  } else {
    text += std::string("  verdict:        ") + (result.passed ? "PASS" : "FAIL") + "\n";
  }
  return text;
}

std::string FormatEvalJson(const EvalResult& result) {
  using json = nlohmann::json;
  const ClassificationMetrics& metrics = result.metrics;
  json per_class = json::array();
  for (size_t label = 0; label < metrics.class_names.size(); ++label) {
    per_class.push_back({{"class", metrics.class_names[label]},
                         {"total", metrics.per_class_total[label]},
                         {"correct", metrics.per_class_correct[label]}});
  }
  json claims = json::array();
  for (const ClaimCheck& claim : result.claims) {
    claims.push_back({{"metric", claim.metric},
                      {"claimed_percent", claim.claimed_percent},
                      {"measured_percent", claim.measured_percent},
                      {"tolerance_pp", claim.tolerance_pp},
                      {"source", claim.source},
                      {"line", claim.line},
                      {"passed", claim.passed}});
  }
  if (result.task == TaskName(EvalTask::kObjectDetection)) {
    return eval_internal::DetectionJson(result, std::move(claims))
               .dump(2, ' ', false, json::error_handler_t::replace) +
           "\n";
  }
  if (result.task == TaskName(EvalTask::kSemanticSegmentation)) {
    return eval_internal::SegmentationJson(result, std::move(claims))
               .dump(2, ' ', false, json::error_handler_t::replace) +
           "\n";
  }
  json report = {
      {"model", result.model},
      {"task", result.task},
      {"runtime", result.runtime},
      {"dataset", result.dataset_description},
      {"preprocessing", result.preprocessing},
      {"batch_size", result.batch_size},
      {"total", metrics.total},
      {"top1_correct", metrics.top1_correct},
      {"top1_percent", metrics.top1_percent},
      {"top_k", metrics.top_k},
      {"topk_correct", metrics.topk_correct},
      {"topk_percent", metrics.topk_percent},
      {"per_class", per_class},
      {"confusion", metrics.confusion},
      {"other_predictions", metrics.other_predictions},
      {"timing",
       {{"wall_s", result.wall_s},
        {"images_per_s", result.images_per_s},
        {"decode_preprocess_s", result.decode_preprocess_s},
        {"inference_s", result.inference_s},
        {"session_create_ms", result.session_create_ms}}},
      {"claims", claims},
      {"verdict", result.claims.empty() ? "no claim" : (result.passed ? "pass" : "fail")},
  };
  return report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace zooci
