// What several subcommands share: the worker sandbox and report output.
#include <iostream>

#include "cli/cli.h"

namespace zooci {

Result<WorkerSandbox> MakeWorkerSandbox(const SandboxFlags& flags, int workers,
                                        int requests_per_worker) {
  ZC_ASSIGN_OR_RETURN(TempDir logs, TempDir::Create("zooci-worker-logs"));
  ZC_ASSIGN_OR_RETURN(fs::path worker, flags.worker.empty() ? DefaultWorkerExecutable()
                                                            : Result<fs::path>(flags.worker));
  SandboxConfig config;
  config.worker_executable = worker;
  config.workers = workers;
  config.timeout_ms = flags.timeout_ms;
  config.memory_limit_bytes = static_cast<uint64_t>(flags.memory_limit_mb) << 20;
  config.log_dir = logs.path();
  config.backend = flags.runtime;
  config.requests_per_worker = requests_per_worker;
  ZC_ASSIGN_OR_RETURN(auto executor, MakeSandboxExecutor(config));
  return WorkerSandbox{std::move(logs), std::move(executor), BuildIdentity(worker)};
}

namespace {

// A sandbox's executor together with the directory its workers log into (removed after it).
class OwningExecutor final : public Executor {
 public:
  explicit OwningExecutor(WorkerSandbox sandbox) : sandbox_(std::move(sandbox)) {}
  JobOutcome RunJob(const JobRequest& request) override { return sandbox_.executor->RunJob(request); }
  RunOutcome Run(const RunRequest& request) override { return sandbox_.executor->Run(request); }
  Result<std::string> BackendDescription() override {
    return sandbox_.executor->BackendDescription();
  }

 private:
  WorkerSandbox sandbox_;
};

}  // namespace

std::function<Result<std::unique_ptr<Executor>>(const std::string& runtime)> RuntimeSandboxFactory(
    const SandboxFlags& flags, int workers) {
  return [flags, workers](const std::string& runtime) -> Result<std::unique_ptr<Executor>> {
    SandboxFlags runtime_flags = flags;
    runtime_flags.runtime = runtime;
    ZC_ASSIGN_OR_RETURN(WorkerSandbox sandbox, MakeWorkerSandbox(runtime_flags, workers));
    return std::unique_ptr<Executor>(new OwningExecutor(std::move(sandbox)));
  };
}

void AddSandboxFlags(CLI::App& app, SandboxFlags* flags) {
  app.add_option("--timeout-ms", flags->timeout_ms,
                 "Wall-time limit per model run, session creation included")
      ->check(CLI::Range(int64_t{1}, int64_t{86400000}))
      ->capture_default_str();
  app.add_option("--memory-limit-mb", flags->memory_limit_mb,
                 "Address-space limit per worker process (0 = none)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30))
      ->capture_default_str();
  app.add_option("--worker", flags->worker,
                 "Worker executable (default: zooci-worker beside zooci)")
      ->group("");
}

void AddRuntimeFlag(CLI::App& app, SandboxFlags* flags) {
  app.add_option("--runtime", flags->runtime,
                 "Runtime that runs the model: ort (ONNX Runtime), opencv (OpenCV DNN) or "
                 "reference (ZooCI's reference interpreter: slow, the oracle)")
      ->check(CLI::IsMember(RuntimeNames()))
      ->capture_default_str();
}

Status EmitReport(const std::string& text, const std::string& output_path) {
  if (output_path.empty()) {
    std::cout << text << std::flush;
    return OkStatus();
  }
  return WriteFileAtomic(output_path, text).WithContext("--output");
}

}  // namespace zooci
