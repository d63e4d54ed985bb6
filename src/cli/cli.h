// Private to the CLI: the subcommand table. Each subcommand lives in its own cmd_*.cpp and only
// wires modules together: it declares its flags, builds typed options, calls a module, prints.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace zooci {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the checked thing failed (a model, a case)
inline constexpr int kExitUsage = 2;   // bad flags, missing files, unreadable input
// validate: nothing declines, but something required could not be verified (INCOMPLETE).
inline constexpr int kExitIncomplete = 3;

using CommandHandler = std::function<int()>;

struct CommandSpec {
  const char* name;
  const char* help;
  // Declares the subcommand's flags on `app` and returns the handler that runs after parsing.
  std::function<CommandHandler(CLI::App& app)> attach;
};

const std::vector<CommandSpec>& Commands();

// Flags of every subcommand that runs models in sandboxed workers.
struct SandboxFlags {
  std::string worker;  // empty: zooci-worker beside zooci
  int64_t timeout_ms = 300000;
  int64_t memory_limit_mb = 8192;
  std::string runtime = "ort";  // the worker's --backend: one of RuntimeNames()
};
void AddSandboxFlags(CLI::App& app, SandboxFlags* flags);
// `--runtime ort|opencv`, for the subcommands that run one model step on a chosen runtime.
void AddRuntimeFlag(CLI::App& app, SandboxFlags* flags);

// A worker pool and the directory its workers log into (removed with it).
struct WorkerSandbox {
  TempDir logs;
  std::unique_ptr<Executor> executor;
  std::string build_id;  // BuildIdentity of zooci and the worker executable
};
// `requests_per_worker`: see SandboxConfig.
Result<WorkerSandbox> MakeWorkerSandbox(const SandboxFlags& flags, int workers,
                                        int requests_per_worker = 1);
// Makes, by runtime name, a sandbox of `workers` workers with `flags`' limits whose workers load
// that runtime; each executor owns its log directory. For the compatibility matrix's runtimes.
std::function<Result<std::unique_ptr<Executor>>(const std::string& runtime)> RuntimeSandboxFactory(
    const SandboxFlags& flags, int workers);

// Writes a report to `output_path` (atomically), or to stdout when it is empty.
Status EmitReport(const std::string& text, const std::string& output_path);

CommandSpec BenchCommand();
CommandSpec CheckCommand();
CommandSpec ConformanceCommand();
CommandSpec DifftestCommand();
CommandSpec EvalCommand();
CommandSpec ManifestCommand();
CommandSpec ServeCommand();
CommandSpec WorkerCommand();
CommandSpec ValidateCommand();
CommandSpec TestCommand();
CommandSpec VersionCommand();
// The text `zooci --version` prints.
std::string VersionText();

}  // namespace zooci
