// `zooci test`: run models against their reference data in sandboxed workers.
#include <unistd.h>

#include <iostream>
#include <thread>

#include "cli/cli.h"
#include "testrun/testrun.h"

namespace zooci {
namespace {

struct TestFlags {
  std::vector<std::string> paths;
  std::string data_dir;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int threads = 0;  // intra-op threads per worker; 0 = cores / jobs
  double rtol = Tolerance{}.rtol;
  double atol = Tolerance{}.atol;
  std::vector<std::string> tolerance_overrides;
  std::string expect_fail;
  std::string format = "text";
  std::string output;
  SandboxFlags sandbox;
  bool verbose = false;
};

// Typed options from the flags; every flag error is reported here, before anything runs.
Result<TestOptions> BuildOptions(const TestFlags& flags) {
  TestOptions options;
  options.tolerance.global = {flags.rtol, flags.atol};
  if (flags.rtol < 0 || flags.atol < 0) return Error("--rtol and --atol must be non-negative");
  for (const std::string& text : flags.tolerance_overrides) {
    ZC_ASSIGN_OR_RETURN(auto override_entry,
                        ParseToleranceOverride(text).WithContext("--tolerance"));
    options.tolerance.per_output[override_entry.first] = override_entry.second;
  }
  options.jobs = flags.jobs;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.session.intra_op_threads =
      flags.threads > 0 ? flags.threads : std::max(1, cores / flags.jobs);
  if (!flags.expect_fail.empty()) {
    ZC_ASSIGN_OR_RETURN(options.expect_fail, ReadExpectFail(flags.expect_fail));
  }
  return options;
}

// A one-line progress display on stderr when it is a terminal.
ProgressCallback TerminalProgress() {
  if (!isatty(STDERR_FILENO)) return nullptr;
  return [](const CaseResult& result, int done, int total) {
    std::string line = "[" + std::to_string(done) + "/" + std::to_string(total) + "] " + result.id;
    if (line.size() > 78) line = line.substr(0, 75) + "...";
    std::cerr << "\r\033[K" << line << (done == total ? "\r\033[K" : "") << std::flush;
  };
}

int RunTest(const TestFlags& flags) {
  auto options = BuildOptions(flags);
  if (!options.ok()) {
    std::cerr << "zooci test: " << options.error().message() << "\n";
    return kExitUsage;
  }
  std::optional<fs::path> data_dir;
  if (!flags.data_dir.empty()) data_dir = fs::path(flags.data_dir);
  std::vector<fs::path> paths(flags.paths.begin(), flags.paths.end());
  // Short runs, many of them: each worker holds the next case in its queue (testrun's runner
  // keeps two cases in flight per job). A worker starts on its first request, so a run of fewer
  // cases than jobs starts fewer workers.
  auto sandbox = MakeWorkerSandbox(flags.sandbox, flags.jobs, /*requests_per_worker=*/2);
  // The first worker starts and loads its runtime while the cases are discovered.
  std::thread warm_up;
  if (sandbox.ok()) warm_up = std::thread([&] { (void)sandbox->executor->BackendDescription(); });
  auto discovery = DiscoverCases(paths, data_dir);
  if (warm_up.joinable()) warm_up.join();
  if (!discovery.ok()) {
    std::cerr << "zooci test: " << discovery.error().message() << "\n";
    return kExitUsage;
  }
  if (!sandbox.ok()) {
    std::cerr << "zooci test: " << sandbox.error().message() << "\n";
    return kExitUsage;
  }
  Executor& executor = *sandbox->executor;

  bool json_stdout = flags.format == "json" && flags.output.empty();
  TestReport report = RunTestCases(discovery->cases, executor, *options,
                                   json_stdout ? nullptr : TerminalProgress());
  std::string json = json_stdout || !flags.output.empty() ? FormatJsonReport(report) : "";
  if (!flags.output.empty()) {
    Status written = WriteFileAtomic(flags.output, json);
    if (!written.ok()) {
      std::cerr << "zooci test: --output: " << written.error().message() << "\n";
      return kExitUsage;
    }
  }
  std::cout << (json_stdout ? json : FormatTextReport(report, flags.verbose)) << std::flush;
  return report.summary.failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace

CommandSpec TestCommand() {
  return {"test", "Run models against their reference data (test_data_set_N)", [](CLI::App& app) {
            auto flags = std::make_shared<TestFlags>();
            app.add_option("paths", flags->paths,
                           "Model directories, model files, .tar.gz model archives, or trees of "
                           "model directories")
                ->required();
            app.add_option("--data", flags->data_dir,
                           "Directory holding test_data_set_N for a model file");
            app.add_option("-j,--jobs", flags->jobs,
                           "Cases run in parallel (default: number of cores)")
                ->check(CLI::Range(1, 256));
            app.add_option("--threads", flags->threads,
                           "Runtime intra-op threads per worker (default: cores / jobs)")
                ->check(CLI::Range(0, 256));
            app.add_option("--rtol", flags->rtol, "Relative tolerance for floating-point outputs")
                ->capture_default_str();
            app.add_option("--atol", flags->atol, "Absolute tolerance for floating-point outputs")
                ->capture_default_str();
            app.add_option("--tolerance", flags->tolerance_overrides,
                           "Per-output tolerance NAME=RTOL,ATOL (repeatable)");
            app.add_option("--expect-fail", flags->expect_fail,
                           "File of cases known to fail: '<case path> <reason>' per line");
            app.add_option("--format", flags->format, "Output format")
                ->check(CLI::IsMember({"text", "json"}));
            app.add_option("-o,--output", flags->output, "Also write the JSON report to this file");
            AddSandboxFlags(app, &flags->sandbox);
            AddRuntimeFlag(app, &flags->sandbox);
            app.add_flag("-v,--verbose", flags->verbose, "List every case, not only failures");
            return CommandHandler([flags] { return RunTest(*flags); });
          }};
}

}  // namespace zooci
