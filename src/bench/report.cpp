// Text and JSON views of a benchmark result.
#include <nlohmann/json.hpp>

#include <cmath>

#include "bench/bench.h"

namespace zooci {
namespace {

using json = nlohmann::json;

std::string OptimizationName(GraphOptimization optimization) {
  switch (optimization) {
    case GraphOptimization::kDisabled:
      return "disabled";
    case GraphOptimization::kBasic:
      return "basic";
    case GraphOptimization::kExtended:
      return "extended";
    case GraphOptimization::kAll:
      return "all";
  }
  return "all";
}

std::string Mib(uint64_t bytes) {
  return FormatDouble(static_cast<double>(bytes) / (1024.0 * 1024.0), 4) + " MiB";
}

// Rates without exponents: "844073" rather than "8.441e+05".
std::string Rate(double per_second) {
  return per_second >= 1000 ? std::to_string(std::llround(per_second))
                            : FormatDouble(per_second, 4);
}

std::string Ms(double ms) {
  return FormatDouble(ms, 4);
}

json CiJson(const ConfidenceInterval& ci) {
  return {{"low", ci.low}, {"high", ci.high}, {"level", ci.level}};
}

}  // namespace

std::string FormatBenchText(const BenchResult& result, const BaselineVerdict* verdict) {
  const LatencySummary& latency = result.latency_ms;
  std::string text = result.model + ": " + result.runtime + ", " + result.session_description.device +
                     ", " + ScenarioName(result.scenario) + ", batch " +
                     std::to_string(result.batch);
  if (result.scenario == Scenario::kOffline) {
    text += ", concurrency " + std::to_string(result.concurrency);
  }
  text += "\n  inputs:     " + result.input_source;
  if (!result.input_shapes.empty()) text += ": " + JoinStrings(result.input_shapes, ", ");
  if (!result.resolved_dims.empty()) {
    text += "\n  free dims:  " + JoinStrings(result.resolved_dims, ", ");
  }
  text += "\n  settings:   " + result.session_description.settings;
  text += "\n  load:       session created in " + Ms(result.session_create_ms) + " ms";
  std::vector<std::string> warmups;
  for (double ms : result.warmup_ms) warmups.push_back(Ms(ms));
  text += "\n  warm-up:    " + std::to_string(result.warmup_ms.size()) + " runs" +
          (warmups.empty() ? "" : ": " + JoinStrings(warmups, ", ") + " ms");
  text += "\n  latency:    " + std::to_string(latency.count) + " queries, ms: mean " +
          Ms(latency.mean) + " (stdev " + Ms(latency.stdev) + ", cv " +
          FormatDouble(latency.cv * 100, 3) + "%)";
  text += "\n              min " + Ms(latency.min) + "  p50 " + Ms(latency.p50) + "  p90 " +
          Ms(latency.p90) + "  p95 " + Ms(latency.p95) + "  p99 " + Ms(latency.p99) + "  p99.9 " +
          Ms(latency.p999) + "  max " + Ms(latency.max);
  text += "\n              median 95% CI [" + Ms(latency.median_ci.low) + ", " +
          Ms(latency.median_ci.high) + "]; percentiles interpolated linearly";
  text += "\n  throughput: " + Rate(result.queries_per_s) + " queries/s, " +
          Rate(result.samples_per_s) + " samples/s over " + FormatDouble(result.measured_s, 3) +
          " s";
  text += "\n  memory:     peak RSS " + Mib(result.rss_after_load_bytes) + " through load, " +
          Mib(result.rss_peak_runs_bytes) + " during runs" +
          (result.rss_split ? "" : " (could not reset the peak: includes load)");
  text += "\n  result:     " +
          std::string(result.valid ? "VALID" : "INVALID: " + result.invalid_reason);
  if (result.valid && !result.unstable_reason.empty()) text += ", " + result.unstable_reason;
  if (verdict != nullptr) {
    text += "\n  baseline:   " + ChangeName(verdict->change) +
            (verdict->regression ? " (REGRESSION)" : "");
    for (const std::string& reason : verdict->reasons) text += "\n              " + reason;
  }
  return text + "\n";
}

std::string FormatBenchJson(const BenchResult& result, const BaselineVerdict* verdict,
                            bool with_samples) {
  const LatencySummary& latency = result.latency_ms;
  json report = {
      {"model", result.model},
      {"runtime", result.runtime},
      {"execution_provider", result.session_description.device},
      {"scenario", ScenarioName(result.scenario)},
      {"batch", result.batch},
      {"concurrency", result.concurrency},
      {"session",
       {{"intra_op_threads", result.session.intra_op_threads},
        {"inter_op_threads", result.session.inter_op_threads},
        {"graph_optimization", OptimizationName(result.session.optimization)},
        {"description", result.session_description.settings}}},
      {"plan",
       {{"warmup_runs", result.plan.warmup_runs},
        {"min_duration_ms", result.plan.min_duration_ms},
        {"min_queries", result.plan.min_queries},
        {"max_duration_ms", result.plan.max_duration_ms},
        {"max_queries", result.plan.max_queries}}},
      {"inputs",
       {{"source", result.input_source},
        {"shapes", result.input_shapes},
        {"free_dims", result.resolved_dims}}},
      {"session_create_ms", result.session_create_ms},
      {"warmup_ms", result.warmup_ms},
      {"latency_ms",
       {{"count", latency.count},
        {"mean", latency.mean},
        {"stdev", latency.stdev},
        {"cv", latency.cv},
        {"min", latency.min},
        {"p50", latency.p50},
        {"p90", latency.p90},
        {"p95", latency.p95},
        {"p99", latency.p99},
        {"p999", latency.p999},
        {"max", latency.max},
        {"median_ci", CiJson(latency.median_ci)},
        {"mean_ci", CiJson(latency.mean_ci)},
        {"percentiles", "linear interpolation between closest ranks (numpy 'linear')"}}},
      {"queries", result.queries},
      {"measured_s", result.measured_s},
      {"queries_per_s", result.queries_per_s},
      {"samples_per_s", result.samples_per_s},
      {"memory",
       {{"rss_after_load_bytes", result.rss_after_load_bytes},
        {"rss_peak_runs_bytes", result.rss_peak_runs_bytes},
        {"split", result.rss_split}}},
      {"result", result.valid ? "VALID" : "INVALID"},
      {"invalid_reason", result.invalid_reason},
      {"unstable_reason", result.unstable_reason},
  };
  if (with_samples) report["samples_ms"] = result.latencies_ms;
  if (verdict != nullptr) {
    report["baseline"] = {{"change", ChangeName(verdict->change)},
                          {"regression", verdict->regression},
                          {"reasons", verdict->reasons}};
  }
  return report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace zooci
