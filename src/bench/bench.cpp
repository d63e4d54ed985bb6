// Running a benchmark through the executor, validity, and comparison with a baseline.
#include "bench/bench.h"

#include <nlohmann/json.hpp>

namespace zooci {
namespace {

using json = nlohmann::json;

double Ms(int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

std::string InvalidReason(const BenchResult& result) {
  const BenchPlan& plan = result.plan;
  bool enough_queries = result.queries >= plan.min_queries;
  bool long_enough = result.measured_s * 1000 >= static_cast<double>(plan.min_duration_ms);
  if (enough_queries && long_enough) return "";
  std::string reason = "stopped after " + std::to_string(result.queries) + " queries in " +
                       FormatDouble(result.measured_s, 3) + " s";
  if (!enough_queries)
    reason += "; the minimum is " + std::to_string(plan.min_queries) + " queries";
  if (!long_enough) {
    reason += "; the minimum duration is " + FormatDouble(plan.min_duration_ms / 1000.0, 3) + " s";
  }
  bool hit_max_queries = plan.max_queries > 0 && result.queries >= plan.max_queries;
  reason += hit_max_queries ? " (--max-queries reached)" : " (--max-duration-ms reached)";
  return reason;
}

}  // namespace

std::string UnstableReason(const LatencySummary& latency) {
  if (!(latency.cv > kUnstableCv)) return "";
  return "unstable: coefficient of variation " + FormatDouble(latency.cv * 100, 3) +
         " % (stdev " + FormatDouble(latency.stdev, 4) + " ms over a mean of " +
         FormatDouble(latency.mean, 4) +
         " ms); the machine was busy or a few runs stalled, so these figures say little. Rerun "
         "on an idle machine or for longer";
}

std::string ScenarioName(Scenario scenario) {
  return scenario == Scenario::kOffline ? "offline" : "single-stream";
}

Result<Scenario> ParseScenario(std::string_view text) {
  if (text == "single-stream") return Scenario::kSingleStream;
  if (text == "offline") return Scenario::kOffline;
  return Error("unknown scenario '" + std::string(text) + "' (single-stream or offline)");
}

Result<BenchResult> RunBenchmark(Executor& executor, const fs::path& model,
                                 const BenchInputs& inputs, const BenchOptions& options) {
  BenchResult result;
  result.model = model.string();
  result.scenario = options.scenario;
  result.batch = options.batch;
  result.plan = options.plan;
  if (options.scenario == Scenario::kSingleStream) result.plan.concurrency = 1;
  result.concurrency = result.plan.concurrency;
  result.session = options.session;
  result.input_source = inputs.source;
  result.resolved_dims = inputs.resolved_dims;
  result.input_shapes = inputs.input_shapes;
  auto runtime = executor.BackendDescription();
  result.runtime = runtime.ok() ? *runtime : "unknown runtime";

  RunRequest request;
  request.model_path = model;
  request.session = options.session;
  request.data_sets = inputs.data_sets;
  request.bench = result.plan;
  RunOutcome outcome = executor.Run(request);
  if (outcome.status != RunStatus::kOk) {
    return Error(RunStatusName(outcome.status) + ": " + outcome.message);
  }
  const BenchMeasurement& measured = outcome.bench;
  result.session_create_ms = Ms(outcome.session_create_ns);
  for (int64_t ns : measured.warmup_ns) result.warmup_ms.push_back(Ms(ns));
  for (int64_t ns : measured.latency_ns) result.latencies_ms.push_back(Ms(ns));
  result.latency_ms = Summarize(result.latencies_ms);
  result.queries = static_cast<int64_t>(measured.latency_ns.size());
  result.measured_s = static_cast<double>(measured.measured_wall_ns) / 1e9;
  if (result.measured_s > 0) {
    result.queries_per_s = static_cast<double>(result.queries) / result.measured_s;
    result.samples_per_s = result.queries_per_s * result.batch;
  }
  result.rss_after_load_bytes = measured.rss_after_load_bytes;
  result.rss_peak_runs_bytes = measured.rss_peak_runs_bytes;
  result.rss_split = measured.rss_split;
  result.session_description = measured.session;
  result.invalid_reason = InvalidReason(result);
  result.valid = result.invalid_reason.empty();
  result.unstable_reason = UnstableReason(result.latency_ms);
  return result;
}

Result<Baseline> ReadBaseline(const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, uint64_t{64} << 20));
  Baseline baseline;
  try {
    json data = json::parse(text);
    if (!data.is_object()) return Error(path.string() + ": not a JSON object");
    if (data.contains("latency_ms")) {
      const json& latency = data.at("latency_ms");
      LatencySummary summary;
      summary.count = latency.at("count").get<int64_t>();
      summary.p50 = latency.at("p50").get<double>();
      summary.p90 = latency.value("p90", summary.p50);
      summary.mean = latency.value("mean", summary.p50);
      summary.median_ci.low = latency.at("median_ci").at("low").get<double>();
      summary.median_ci.high = latency.at("median_ci").at("high").get<double>();
      baseline.latency_ms = summary;
      if (data.contains("samples_per_s")) baseline.samples_per_s = data.at("samples_per_s");
      baseline.described =
          path.string() + " (earlier result: p50 " + FormatDouble(summary.p50, 4) + " ms)";
      return baseline;
    }
    static const std::vector<std::string> kKeys = {"max_p50_ms", "max_p90_ms", "max_p99_ms",
                                                   "min_throughput"};
    for (const auto& [key, value] : data.items()) {
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        return Error(path.string() + ": unknown key '" + key + "' (expected an earlier result, " +
                     "or thresholds " + JoinStrings(kKeys, ", ") + ")");
      }
      if (!value.is_number() || value.get<double>() <= 0) {
        return Error(path.string() + ": " + key + " must be a positive number");
      }
    }
    if (data.empty()) return Error(path.string() + ": no thresholds");
    auto get = [&](const char* key) -> std::optional<double> {
      if (!data.contains(key)) return std::nullopt;
      return data.at(key).get<double>();
    };
    baseline.max_p50_ms = get("max_p50_ms");
    baseline.max_p90_ms = get("max_p90_ms");
    baseline.max_p99_ms = get("max_p99_ms");
    baseline.min_throughput = get("min_throughput");
    baseline.described = path.string() + " (thresholds)";
    return baseline;
  } catch (const json::exception& error) {
    return Error(path.string() + ": " + error.what());
  }
}

BaselineVerdict JudgeBaseline(const BenchResult& result, const Baseline& baseline,
                              double tolerance) {
  BaselineVerdict verdict;
  if (baseline.latency_ms.has_value()) {
    Comparison comparison = CompareMedians(result.latency_ms, *baseline.latency_ms, tolerance);
    verdict.change = comparison.change;
    verdict.regression = comparison.change == Change::kSlower;
    verdict.reasons.push_back(comparison.reason);
  }
  auto threshold = [&](const std::optional<double>& limit, double value, const char* what,
                       bool at_most) {
    if (!limit.has_value()) return;
    bool ok = at_most ? value <= *limit : value >= *limit;
    verdict.reasons.push_back(std::string(what) + " " + FormatDouble(value, 4) +
                              (ok ? " meets " : " misses ") + (at_most ? "max " : "min ") +
                              FormatDouble(*limit, 4));
    if (!ok) verdict.regression = true;
  };
  threshold(baseline.max_p50_ms, result.latency_ms.p50, "p50 ms", true);
  threshold(baseline.max_p90_ms, result.latency_ms.p90, "p90 ms", true);
  threshold(baseline.max_p99_ms, result.latency_ms.p99, "p99 ms", true);
  threshold(baseline.min_throughput, result.samples_per_s, "throughput samples/s", false);
  if (!baseline.latency_ms.has_value()) {
    verdict.change = verdict.regression ? Change::kSlower : Change::kNoSignificantChange;
  }
  return verdict;
}

}  // namespace zooci
