// The model steps: check, test (the .tar.gz test data), eval (when zooci.yaml declares a
// scenario) and bench (reported; judged when bench-baseline.json declares thresholds). Each is
// cached by its inputs.
#include <cmath>

#include "bench/bench.h"
#include "check/check.h"
#include "eval/eval.h"
#include "pipeline/internal.h"
#include "testrun/testrun.h"

namespace zooci::pipeline_internal {
namespace {

using json = nlohmann::json;

// Runs `compute` unless the cache has a result for the same inputs and configuration.
template <typename Compute>
StepResult Cached(const StepContext& context, const std::string& step, const std::string& config,
                  const std::vector<fs::path>& inputs, Compute compute) {
  StepCache cache(context.options->cache_dir, context.hasher);
  std::string versions = context.options->zooci_version + "|" + context.runtime;
  std::optional<std::string> key = cache.Key(step, versions, config, inputs);
  if (key) {
    if (std::optional<StepResult> hit = cache.Load(*key)) return *hit;
  }
  StepResult result = compute();
  if (key) cache.Store(*key, result);
  return result;
}

// Model files that are real models (not LFS pointers).
std::vector<fs::path> RealModels(const ModelFolder& folder) {
  std::vector<fs::path> models;
  for (const fs::path& model : folder.models) {
    if (!ReadLfsPointer(model).has_value()) models.push_back(model);
  }
  return models;
}

StepResult Skipped(const std::string& name, const std::string& why, bool declines,
                   const std::string& file = {}) {
  StepResult step;
  step.name = name;
  step.status = declines ? StepStatus::kFail : StepStatus::kSkipped;
  step.summary = "skipped: " + why;
  if (declines) step.reasons.push_back(MakeReason(name, "skipped: " + why, file));
  return step;
}

}  // namespace

StepResult RunCheckStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  std::vector<fs::path> models = RealModels(folder);
  if (models.empty()) return Skipped("check", "no model file to check", true, folder.relative);
  return Cached(context, "check", "profile=zoo", models, [&] {
    StepResult step;
    step.name = "check";
    CheckOptions options;
    options.profile = Profile::kZoo;
    int errors = 0, warnings = 0, infos = 0;
    for (const fs::path& model : models) {
      ModelReport report = CheckModelFile(model, options);
      std::string relative = RelativeTo(folder.root, model);
      for (const Diagnostic& diagnostic : report.diagnostics) {
        bool error = diagnostic.severity == Severity::kError;
        errors += error;
        warnings += diagnostic.severity == Severity::kWarning;
        infos += diagnostic.severity == Severity::kInfo;
        if (diagnostic.severity == Severity::kInfo) continue;
        Reason reason =
            MakeReason("check",
                       RuleCode(diagnostic.rule) + " " +
                           std::string(GetRule(diagnostic.rule).name) + ": " + diagnostic.message,
                       relative, 0, error ? ReasonLevel::kDecline : ReasonLevel::kWarning);
        if (diagnostic.location.node_index >= 0) reason.node = diagnostic.location.Describe();
        step.reasons.push_back(std::move(reason));
      }
    }
    step.details_json = json{{"errors", errors}, {"warnings", warnings}, {"infos", infos}}.dump();
    Conclude(step, std::to_string(errors) + " errors, " + std::to_string(warnings) + " warnings");
    return step;
  });
}

StepResult RunTestStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  std::vector<fs::path> archives;
  for (const fs::path& archive : folder.archives) {
    if (!ReadLfsPointer(archive).has_value()) archives.push_back(archive);
  }
  if (archives.empty()) {
    return Skipped("test",
                   "no test data (.tar.gz with test_data_set_N); a submission must "
                   "provide it",
                   true, folder.relative);
  }
  return Cached(context, "test", "rtol=1e-3,atol=1e-5", archives, [&] {
    StepResult step;
    step.name = "test";
    auto discovery = DiscoverCases(archives, std::nullopt);
    if (!discovery.ok()) {
      step.reasons.push_back(MakeReason("test", discovery.error().message(),
                                        RelativeTo(folder.root, archives.front())));
      Conclude(step, "the test data cannot be read");
      return step;
    }
    TestOptions options;
    options.session.intra_op_threads = 1;
    TestReport report = RunTestCases(discovery->cases, *context.executor, options);
    json cases = json::array();
    for (const CaseResult& result : report.cases) {
      cases.push_back({{"id", result.id},
                       {"status", CaseStatusName(result.status)},
                       {"message", result.message}});
      if (result.status != CaseStatus::kPass) {
        step.reasons.push_back(MakeReason(
            "test",
            "test case " + result.id + ": " + CaseStatusName(result.status) + ": " + result.message,
            RelativeTo(folder.root, archives.front())));
      }
    }
    step.details_json = json{
        {"passed", report.summary.passed},
        {"failed", report.summary.failed},
        {"cases", cases}}.dump();
    Conclude(step, std::to_string(report.summary.passed) + " of " +
                       std::to_string(report.cases.size()) + " cases passed");
    return step;
  });
}

StepResult RunEvalStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  fs::path scenario_file = folder.dir / "zooci.yaml";
  if (!fs::exists(scenario_file)) {
    StepResult step =
        Skipped("eval", "no zooci.yaml scenario: accuracy claims are unverified", false);
    step.reasons.push_back(MakeReason("eval",
                                      "no zooci.yaml: the README's accuracy claims were "
                                      "not verified",
                                      folder.relative + "/zooci.yaml", 0, ReasonLevel::kWarning));
    return step;
  }
  auto scenario = LoadScenario(folder.dir);
  if (!scenario.ok()) {
    StepResult step;
    step.name = "eval";
    step.reasons.push_back(
        MakeReason("eval", scenario.error().message(), folder.relative + "/zooci.yaml"));
    Conclude(step, "the scenario is invalid");
    return step;
  }
  std::vector<fs::path> inputs = {scenario_file, scenario->model, folder.dir / "README.md"};
  if (auto dataset = LoadDataset(scenario->dataset); dataset.ok()) {
    for (const Sample& sample : dataset->samples) inputs.push_back(sample.path);
  }
  return Cached(context, "eval", "", inputs, [&] {
    StepResult step;
    step.name = "eval";
    auto result = RunEval(*context.executor, *scenario, EvalOptions{}, nullptr);
    if (!result.ok()) {
      step.reasons.push_back(
          MakeReason("eval", result.error().message(), folder.relative + "/zooci.yaml"));
      Conclude(step, "eval could not run");
      return step;
    }
    for (const ClaimCheck& claim : result->claims) {
      if (!claim.passed) {
        step.reasons.push_back(MakeReason(
            "eval",
            claim.metric + " accuracy is claimed " + FormatDouble(claim.claimed_percent, 4) +
                "% (" + claim.source + ") but measures " + FormatDouble(claim.measured_percent, 4) +
                "% (tolerance " + FormatDouble(claim.tolerance_pp, 3) + " pp)",
            folder.relative + "/README.md"));
      }
    }
    const ClassificationMetrics& metrics = result->metrics;
    step.details_json = FormatEvalJson(*result);  // what `zooci eval --format json` reports
    Conclude(step, "top-1 " + FormatDouble(metrics.top1_percent, 4) + "% (" +
                       std::to_string(metrics.top1_correct) + " of " +
                       std::to_string(metrics.total) + ")");
    return step;
  });
}

StepResult RunBenchStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  if (!context.options->run_bench) return Skipped("bench", "disabled (--no-bench)", false);
  std::vector<fs::path> models = RealModels(folder);
  if (models.empty()) return Skipped("bench", "no model file", false);
  fs::path model = models.front();
  fs::path baseline_file = folder.dir / "bench-baseline.json";
  std::vector<fs::path> inputs = {model};
  bool judged = fs::exists(baseline_file);
  if (judged) inputs.push_back(baseline_file);
  std::string config = "min_ms=" + std::to_string(context.options->bench_min_duration_ms) +
                       ",min_queries=" + std::to_string(context.options->bench_min_queries);
  return Cached(context, "bench", config, inputs, [&] {
    StepResult step;
    step.name = "bench";
    BenchOptions options;
    options.plan.min_duration_ms = context.options->bench_min_duration_ms;
    options.plan.min_queries = context.options->bench_min_queries;
    options.plan.max_duration_ms = std::max<int64_t>(60000, options.plan.min_duration_ms * 4);
    options.session.intra_op_threads = 1;
    options.use_test_data = false;  // test data lives in the archive; generated inputs suffice
    std::string relative = RelativeTo(folder.root, model);
    auto inputs_or = PrepareBenchInputs(model, options);
    if (!inputs_or.ok()) {
      step.reasons.push_back(MakeReason("bench", inputs_or.error().message(), relative, 0,
                                        ReasonLevel::kWarning));
      step.status = StepStatus::kSkipped;
      step.summary = "skipped: " + inputs_or.error().message();
      return step;
    }
    auto result = RunBenchmark(*context.executor, model, *inputs_or, options);
    if (!result.ok()) {
      step.reasons.push_back(MakeReason("bench", result.error().message(), relative));
      Conclude(step, "the benchmark could not run");
      return step;
    }
    if (!result->valid) {
      step.reasons.push_back(MakeReason("bench", "INVALID: " + result->invalid_reason, relative, 0,
                                        ReasonLevel::kWarning));
    }
    std::optional<BaselineVerdict> verdict;
    if (judged) {
      auto baseline = ReadBaseline(baseline_file);
      if (!baseline.ok()) {
        step.reasons.push_back(MakeReason("bench", baseline.error().message(),
                                          RelativeTo(folder.root, baseline_file)));
      } else {
        verdict = JudgeBaseline(*result, *baseline, 0.05);
        for (const std::string& reason : verdict->reasons) {
          step.reasons.push_back(MakeReason("bench", reason, RelativeTo(folder.root, baseline_file),
                                            0,
                                            verdict->regression ? ReasonLevel::kDecline
                                                                : ReasonLevel::kWarning));
        }
      }
    }
    // What `zooci bench --format json` reports, with (the first 4,000) samples for histograms.
    if (result->latencies_ms.size() > 4000) result->latencies_ms.resize(4000);
    step.details_json = FormatBenchJson(*result, verdict ? &*verdict : nullptr,
                                        /*with_samples=*/true);
    const LatencySummary& latency = result->latency_ms;
    Conclude(step, "p50 " + FormatDouble(latency.p50, 4) + " ms, p90 " +
                       FormatDouble(latency.p90, 4) + " ms, " +
                       std::to_string(std::llround(result->samples_per_s)) + " samples/s" +
                       (judged ? "" : " (reported; no baseline declared)"));
    return step;
  });
}

}  // namespace zooci::pipeline_internal
