// `zooci bench`: latency percentiles, throughput and memory of one model, measured in a
// sandboxed worker, with validity rules and an optional baseline.
#include <unistd.h>

#include <iostream>
#include <thread>

#include "bench/bench.h"
#include "cli/cli.h"

namespace zooci {
namespace {

struct BenchFlags {
  std::string model;
  std::string scenario = "single-stream";
  int batch = 1;
  int concurrency = 0;  // 0: 1 for single-stream, cores for offline
  BenchPlan plan;
  std::vector<std::string> dims;
  uint64_t seed = 1;
  bool generate_inputs = false;
  int intra_op_threads = 0;
  int inter_op_threads = 0;
  std::string optimization = "all";
  std::string baseline;
  double tolerance = 0.05;
  std::string format = "text";
  std::string output;
  std::string histogram;
  SandboxFlags sandbox;
};

// The model file: MODEL itself, or the single .onnx file of a model directory.
Result<fs::path> ResolveModel(const std::string& text) {
  fs::path path(text);
  std::error_code error;
  if (fs::is_regular_file(path, error)) return path;
  if (!fs::is_directory(path, error)) return Error(text + ": no such file or directory");
  std::vector<fs::path> models;
  for (const auto& entry : fs::directory_iterator(path, error)) {
    if (entry.path().extension() == ".onnx") models.push_back(entry.path());
  }
  if (models.size() != 1) {
    return Error(text + ": expected one .onnx model in the directory, found " +
                 std::to_string(models.size()));
  }
  return models.front();
}

Result<BenchOptions> BuildOptions(const BenchFlags& flags) {
  BenchOptions options;
  ZC_ASSIGN_OR_RETURN(options.scenario, ParseScenario(flags.scenario));
  options.plan = flags.plan;
  if (options.plan.max_duration_ms < options.plan.min_duration_ms) {
    return Error("--max-duration-ms must be at least --min-duration-ms");
  }
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.plan.concurrency = flags.concurrency > 0                    ? flags.concurrency
                             : options.scenario == Scenario::kOffline ? cores
                                                                      : 1;
  if (options.scenario == Scenario::kSingleStream && options.plan.concurrency != 1) {
    return Error(
        "--concurrency applies to the offline scenario; single-stream issues one query "
        "at a time");
  }
  options.batch = flags.batch;
  for (const std::string& text : flags.dims) {
    auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Error("--dim " + text + ": expected NAME=VALUE (NAME a dim_param or input[index])");
    }
    ZC_ASSIGN_OR_RETURN(int64_t value, ParseInt(text.substr(equals + 1), "--dim " + text));
    if (value < 1) return Error("--dim " + text + ": the value must be positive");
    options.dims[text.substr(0, equals)] = value;
  }
  options.seed = flags.seed;
  options.use_test_data = !flags.generate_inputs;
  options.session.intra_op_threads = flags.intra_op_threads;
  options.session.inter_op_threads = flags.inter_op_threads;
  static const std::map<std::string, GraphOptimization> kLevels = {
      {"disabled", GraphOptimization::kDisabled},
      {"basic", GraphOptimization::kBasic},
      {"extended", GraphOptimization::kExtended},
      {"all", GraphOptimization::kAll}};
  options.session.optimization = kLevels.at(flags.optimization);
  return options;
}

int RunBench(const BenchFlags& flags) {
  auto fail_usage = [](const Error& error) {
    std::cerr << "zooci bench: " << error.message() << "\n";
    return kExitUsage;
  };
  auto options = BuildOptions(flags);
  if (!options.ok()) return fail_usage(options.error());
  auto model = ResolveModel(flags.model);
  if (!model.ok()) return fail_usage(model.error());
  std::optional<Baseline> baseline;
  if (!flags.baseline.empty()) {
    auto read = ReadBaseline(flags.baseline);
    if (!read.ok()) return fail_usage(read.error().WithContext("--baseline"));
    baseline = std::move(*read);
  }
  auto inputs = PrepareBenchInputs(*model, *options);
  if (!inputs.ok()) return fail_usage(inputs.error().WithContext(model->string()));
  auto sandbox = MakeWorkerSandbox(flags.sandbox, 1);
  if (!sandbox.ok()) return fail_usage(sandbox.error());

  if (isatty(STDERR_FILENO)) {
    std::cerr << "zooci bench: measuring " << model->string() << " for at least "
              << FormatDouble(options->plan.min_duration_ms / 1000.0, 3) << " s and "
              << options->plan.min_queries << " queries..." << std::flush;
  }
  auto result = RunBenchmark(*sandbox->executor, *model, *inputs, *options);
  if (isatty(STDERR_FILENO)) std::cerr << "\r\033[K" << std::flush;
  if (!result.ok()) {
    std::cerr << "zooci bench: " << model->string() << ": " << result.error().message() << "\n";
    return kExitFailed;
  }
  std::optional<BaselineVerdict> verdict;
  if (baseline.has_value()) verdict = JudgeBaseline(*result, *baseline, flags.tolerance);
  const BaselineVerdict* verdict_ptr = verdict.has_value() ? &*verdict : nullptr;
  std::string text = flags.format == "json" ? FormatBenchJson(*result, verdict_ptr)
                                            : FormatBenchText(*result, verdict_ptr);
  if (!flags.histogram.empty()) {
    Status written = WriteFileAtomic(
        flags.histogram,
        LatencyHistogramSvg(result->latencies_ms, model->filename().string() + " — " +
                                                      ScenarioName(result->scenario) + ", batch " +
                                                      std::to_string(result->batch)));
    if (!written.ok()) return fail_usage(written.error().WithContext("--histogram"));
  }
  if (Status emitted = EmitReport(text, flags.output); !emitted.ok()) {
    return fail_usage(emitted.error());
  }
  bool regression = verdict.has_value() && verdict->regression;
  return result->valid && !regression ? kExitOk : kExitFailed;
}

}  // namespace

CommandSpec BenchCommand() {
  return {
      "bench", "Measure a model's latency, throughput and memory in a sandboxed worker",
      [](CLI::App& app) -> CommandHandler {
        auto flags = std::make_shared<BenchFlags>();
        app.add_option("model", flags->model, "Model file, or a directory with one model")
            ->required();
        app.add_option("--scenario", flags->scenario,
                       "single-stream (one query at a time) or offline (throughput)")
            ->check(CLI::IsMember({"single-stream", "offline"}))
            ->capture_default_str();
        app.add_option("--batch", flags->batch, "Samples per query (the leading dimension)")
            ->check(CLI::Range(1, 1 << 20))
            ->capture_default_str();
        app.add_option("--concurrency", flags->concurrency,
                       "Queries in flight (offline; default: number of cores)")
            ->check(CLI::Range(1, 1024));
        app.add_option("--warmup", flags->plan.warmup_runs, "Warm-up runs, reported apart")
            ->check(CLI::Range(0, 1000000))
            ->capture_default_str();
        app.add_option("--min-duration-ms", flags->plan.min_duration_ms,
                       "Minimum measured time for a VALID result")
            ->check(CLI::Range(int64_t{0}, int64_t{86400000}))
            ->capture_default_str();
        app.add_option("--min-queries", flags->plan.min_queries,
                       "Minimum measured queries for a VALID result")
            ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
            ->capture_default_str();
        app.add_option("--max-duration-ms", flags->plan.max_duration_ms,
                       "Stop measuring here even below the minimums (INVALID then)")
            ->check(CLI::Range(int64_t{1}, int64_t{86400000}))
            ->capture_default_str();
        app.add_option("--max-queries", flags->plan.max_queries,
                       "Stop after this many queries (0 = no cap)")
            ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
            ->capture_default_str();
        app.add_option("--dim", flags->dims,
                       "Free dimension NAME=VALUE, NAME a dim_param or input[index] "
                       "(repeatable)");
        app.add_option("--seed", flags->seed, "Seed of generated inputs")->capture_default_str();
        app.add_flag("--generate-inputs", flags->generate_inputs,
                     "Generate inputs even when the model has test data");
        app.add_option("--threads", flags->intra_op_threads,
                       "Runtime intra-op threads (0 = runtime default)")
            ->check(CLI::Range(0, 1024));
        app.add_option("--inter-op-threads", flags->inter_op_threads,
                       "ONNX Runtime inter-op threads (0 = runtime default; OpenCV: unused)")
            ->check(CLI::Range(0, 1024));
        app.add_option("--optimization", flags->optimization, "Graph optimization level")
            ->check(CLI::IsMember({"disabled", "basic", "extended", "all"}))
            ->capture_default_str();
        app.add_option("--baseline", flags->baseline,
                       "Earlier JSON result, or JSON thresholds (max_p50_ms, max_p90_ms, "
                       "max_p99_ms, min_throughput)");
        app.add_option("--tolerance", flags->tolerance,
                       "Relative slowdown tolerated before a regression (0.05 = 5 %)")
            ->check(CLI::Range(0.0, 10.0))
            ->capture_default_str();
        app.add_option("--format", flags->format, "Output format")
            ->check(CLI::IsMember({"text", "json"}));
        app.add_option("-o,--output", flags->output, "Write the report to FILE");
        app.add_option("--histogram", flags->histogram, "Write a latency histogram (SVG)");
        AddSandboxFlags(app, &flags->sandbox);
        AddRuntimeFlag(app, &flags->sandbox);
        return [flags] { return RunBench(*flags); };
      }};
}

}  // namespace zooci
