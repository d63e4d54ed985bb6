// The baseline step: the zoo's minimum acceptable performance for the folder's task
// (zooci-zoo.yaml `baselines`), against what the eval and bench steps measured. A figure that was
// not measured leaves the model INCOMPLETE rather than passing it.
#include "eval/scenario.h"
#include "pipeline/internal.h"

namespace zooci::pipeline_internal {
namespace {

const StepResult* StepNamed(const std::vector<StepResult>& steps, const std::string& name) {
  for (const StepResult& step : steps) {
    if (step.name == name) return &step;
  }
  return nullptr;
}

}  // namespace

std::string TaskOfFolder(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  std::error_code error;
  if (fs::exists(folder.dir / "zooci.yaml", error)) {
    if (auto scenario = LoadScenario(folder.dir); scenario.ok()) return TaskName(scenario->task);
  }
  return context.config->TaskOf(folder.relative);
}

std::optional<StepResult> RunBaselineStep(const StepContext& context,
                                          const std::vector<StepResult>& steps) {
  std::string task = TaskOfFolder(context);
  const TaskBaseline* baseline = task.empty() ? nullptr : context.config->BaselineFor(task);
  if (baseline == nullptr) return std::nullopt;
  StepResult step;
  step.name = "baseline";
  const std::string config_file = kZooConfigFile;
  const std::string policy = "the zoo's " + task + " baseline (" + config_file + ":" +
                             std::to_string(baseline->line) + ")";
  auto add = [&](std::string message, ReasonLevel level) {
    step.reasons.push_back(
        MakeReason("baseline", std::move(message), context.folder->relative, 0, level));
  };
  

  const StepResult* eval = StepNamed(steps, "eval");
  StepDetails eval_details = eval ? ParseStepDetails(eval->details_json) : StepDetails{};
  const struct {
    const std::optional<double>& minimum;
    const std::optional<double>& measured;
    const char* metric;
  } accuracy[] = {
      {baseline->min_top1_percent, eval_details.top1_percent, "top-1 accuracy"},
      {baseline->min_top5_percent, eval_details.topk_percent, "top-5 accuracy"},
      {baseline->min_map_percent, eval_details.map_percent, "mAP@[.5:.95]"},
      {baseline->min_map50_percent, eval_details.map50_percent, "mAP@0.5"},
      {baseline->min_miou_percent, eval_details.miou_percent, "mIoU"},
      {baseline->min_pixel_accuracy_percent, eval_details.pixel_accuracy_percent,
       "pixel accuracy"}};
  for (const auto& [minimum, measured, metric] : accuracy) {
    if (!minimum) continue;
    if (!measured) {
      add(std::string(metric) + " was not measured (" +
              (eval ? eval->summary : std::string("no eval step")) + "), so " + policy +
              " of at least " + FormatNumber(*minimum) + "% is unverified: add a zooci.yaml "
              "eval scenario",
          ReasonLevel::kUnverified);
    } else if (*measured < *minimum) {
      add(std::string(metric) + " " + FormatNumber(*measured) + "% is below " + policy +
              ", at least " + FormatNumber(*minimum) + "%",
          ReasonLevel::kDecline);
    }
  }

  const StepResult* bench = StepNamed(steps, "bench");
  StepDetails bench_details = bench ? ParseStepDetails(bench->details_json) : StepDetails{};
  const struct {
    const std::optional<double>& maximum;
    const std::optional<double>& measured;
    const char* metric;
  } latency[] = {{baseline->max_p50_ms, bench_details.p50_ms, "p50"},
                 {baseline->max_p90_ms, bench_details.p90_ms, "p90"}};
  for (const auto& [maximum, measured, metric] : latency) {
    if (!maximum) continue;
    if (!measured || bench_details.bench_result != "VALID") {
      add(std::string(metric) + " latency was not measured validly (" +
              (bench ? bench->summary : std::string("no bench step")) + "), so " + policy +
              " of at most " + FormatNumber(*maximum) + " ms is unverified",
          ReasonLevel::kUnverified);
    } else if (*measured > *maximum) {
      add(std::string(metric) + " latency " + FormatNumber(*measured) +
              " ms on the CI's reference worker (one intra-op thread) is above " + policy +
              ", at most " + FormatNumber(*maximum) + " ms",
          ReasonLevel::kDecline);
    }
  }
  bool failed = false;
  for (const Reason& reason : step.reasons) failed = failed || !reason.unverified();
  Conclude(step, failed ? "below the " + task + " baseline"
                        : step.reasons.empty() ? "meets the " + task + " baseline"
                                               : "not verified against the " + task + " baseline");
  return step;
}

}  // namespace zooci::pipeline_internal
