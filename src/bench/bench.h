// bench: performance measurement a reviewer can trust. Inputs from the model's test data or
// generated with a seed; runs inside the sandboxed worker (runtime/); statistics with spread and
// confidence intervals (stats.h); LoadGen-style validity; comparison with a baseline.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/stats.h"
#include "runtime/runtime.h"

namespace zooci {

enum class Scenario { kSingleStream, kOffline };
std::string ScenarioName(Scenario scenario);  // "single-stream", "offline"
Result<Scenario> ParseScenario(std::string_view text);

struct BenchOptions {
  Scenario scenario = Scenario::kSingleStream;
  BenchPlan plan;  // concurrency is forced to 1 for single-stream
  int batch = 1;   // sets a free leading dimension; test data is tiled along it
  // Free dimensions: by dim_param name ("N") or by "input[index]" ("x[0]").
  std::map<std::string, int64_t> dims;
  uint64_t seed = 1;
  bool use_test_data = true;  // false: always generate inputs
  SessionConfig session;
};

// Inputs ready for the worker, and how they were obtained.
struct BenchInputs {
  std::vector<RunDataSet> data_sets;
  std::string source;  // "test data (3 sets)" or "generated, seed 1"
  // Every free dimension and the value it got: "N=1 (batch)", "seq=128 (--dim)".
  std::vector<std::string> resolved_dims;
  std::vector<std::string> input_shapes;  // "x: float[1,3,224,224]"
};

// Finds test_data_set_N beside `model` (unless disabled) or generates inputs from the model's
// declared types. An unresolved free dimension is an error naming the input, index and name.
Result<BenchInputs> PrepareBenchInputs(const fs::path& model, const BenchOptions& options);

struct BenchResult {
  std::string model;
  std::string runtime;  // "onnxruntime 1.30.0"
  // How the runtime ran the session, in its own terms (Backend::DescribeSession): the device or
  // execution provider, and the settings that applied.
  SessionDescription session_description;
  Scenario scenario = Scenario::kSingleStream;
  int batch = 1;
  int concurrency = 1;
  SessionConfig session;
  BenchPlan plan;
  std::string input_source;
  std::vector<std::string> resolved_dims, input_shapes;

  double session_create_ms = 0;
  std::vector<double> warmup_ms;
  LatencySummary latency_ms;
  std::vector<double> latencies_ms;  // every measured query (for histograms; not in JSON)
  int64_t queries = 0;
  double measured_s = 0;
  double queries_per_s = 0;
  double samples_per_s = 0;  // queries_per_s * batch
  uint64_t rss_after_load_bytes = 0;
  uint64_t rss_peak_runs_bytes = 0;
  bool rss_split = false;

  bool valid = false;
  std::string invalid_reason;  // empty when valid
  // Non-empty when the run is valid but its coefficient of variation exceeds kUnstableCv: the
  // figures are reported, with this comment beside them, never as a plain VALID.
  std::string unstable_reason;
};

// A coefficient of variation above this (100 %: the standard deviation exceeds the mean) marks a
// valid run as unstable. Steady CPU inference stays under ~20 %; hundreds of percent means the
// machine was busy or the run was dominated by a few stalls.
inline constexpr double kUnstableCv = 1.0;

// The comment for a valid run whose cv exceeds kUnstableCv ("unstable: coefficient of variation
// ..."), or "" when the run is steady enough.
std::string UnstableReason(const LatencySummary& latency);

// Runs the benchmark in `executor` (a sandboxed worker). A model that fails to load, crashes,
// times out or runs out of memory is an error naming what happened.
Result<BenchResult> RunBenchmark(Executor& executor, const fs::path& model,
                                 const BenchInputs& inputs, const BenchOptions& options);

// ---- Baselines ---------------------------------------------------------------------------------

// Either an earlier result (its latency summary and throughput) or declared thresholds.
struct Baseline {
  std::optional<LatencySummary> latency_ms;  // from an earlier JSON result
  std::optional<double> samples_per_s;
  std::string described;  // "baseline.json (p50 4.1 ms)"
  std::optional<double> max_p50_ms, max_p90_ms, max_p99_ms, min_throughput;
};
// Reads a JSON file: an earlier `zooci bench --format json` result, or an object with any of
// max_p50_ms, max_p90_ms, max_p99_ms, min_throughput (samples/s). Unknown keys are errors.
Result<Baseline> ReadBaseline(const fs::path& path);

struct BaselineVerdict {
  Change change = Change::kNoSignificantChange;
  bool regression = false;  // a significant slowdown beyond tolerance, or a threshold missed
  std::vector<std::string> reasons;
};
BaselineVerdict JudgeBaseline(const BenchResult& result, const Baseline& baseline,
                              double tolerance);

std::string FormatBenchText(const BenchResult& result, const BaselineVerdict* verdict);
// `with_samples` adds "samples_ms": every measured latency (for histograms elsewhere).
std::string FormatBenchJson(const BenchResult& result, const BaselineVerdict* verdict,
                            bool with_samples = false);

}  // namespace zooci
