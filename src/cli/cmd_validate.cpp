// `zooci validate`: review a model-zoo submission end to end and give a verdict with reasons.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "cli/cli.h"
#include "cli/version.h"
#include "report/report.h"

namespace zooci {
namespace {

struct ValidateFlags {
  std::string zoo;
  std::string changed_since;
  int jobs = 1;
  std::string format = "text";
  std::string output;
  std::string html;
  std::string cache_dir;
  bool no_cache = false;
  bool no_bench = false;
  bool fetch_lfs = false;
  int64_t bench_min_duration_ms = 1000;
  std::string runtimes;  // --runtimes: "" = the zoo's list, else ONNX Runtime alone
  SandboxFlags sandbox;
};

fs::path DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return fs::path(xdg) / "zooci";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return fs::path(home) / ".cache" / "zooci";
  return fs::temp_directory_path() / "zooci-cache";
}

// The zoo's path relative to the GitHub Actions workspace ($GITHUB_WORKSPACE, else the current
// directory) with a trailing '/', so annotations land on the repository's files; "" when the zoo is
// the workspace itself or lies outside it.
std::string WorkspacePrefix(const fs::path& zoo) {
  const char* workspace = std::getenv("GITHUB_WORKSPACE");
  std::error_code error;
  fs::path base = workspace != nullptr && *workspace != '\0' ? fs::path(workspace)
                                                              : fs::current_path(error);
  fs::path zoo_abs = fs::weakly_canonical(zoo, error);
  fs::path base_abs = fs::weakly_canonical(base, error);
  if (error || !IsWithin(base_abs, zoo_abs)) return "";
  std::string relative = zoo_abs.lexically_relative(base_abs).generic_string();
  return relative.empty() || relative == "." ? "" : relative + "/";
}

// With --format github, the Markdown report is also appended to $GITHUB_STEP_SUMMARY when the
// runner sets it (the job's summary page).
Status AppendStepSummary(const ValidateReport& report) {
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (summary == nullptr || *summary == '\0') return OkStatus();
  FILE* file = std::fopen(summary, "a");
  if (file == nullptr) {
    return Error(std::string("$GITHUB_STEP_SUMMARY (") + summary + "): " + std::strerror(errno));
  }
  const std::string markdown = FormatValidateMarkdown(report) + "\n";
  const bool written = std::fwrite(markdown.data(), 1, markdown.size(), file) == markdown.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) return Error(std::string("$GITHUB_STEP_SUMMARY (") + summary + "): write failed");
  return OkStatus();
}

int RunValidate(const ValidateFlags& flags) {
  auto usage = [](const Error& error) {
    std::cerr << "zooci validate: " << error.message() << "\n";
    return kExitUsage;
  };
  ValidateOptions options;
  options.zoo = flags.zoo;
  options.changed_since = flags.changed_since;
  options.jobs = flags.jobs;
  options.run_bench = !flags.no_bench;
  options.fetch_lfs = flags.fetch_lfs;
  options.bench_min_duration_ms = flags.bench_min_duration_ms;
  options.zooci_version = ZOOCI_VERSION;
  options.executor_config = "timeout_ms=" + std::to_string(flags.sandbox.timeout_ms) +
                            ",memory_limit_mb=" + std::to_string(flags.sandbox.memory_limit_mb);
  if (!flags.no_cache) {
    options.cache_dir = flags.cache_dir.empty() ? DefaultCacheDir() : fs::path(flags.cache_dir);
  }
  if (!flags.runtimes.empty()) {
    auto runtimes = ParseRuntimesFlag(flags.runtimes);
    if (!runtimes.ok()) return usage(runtimes.error());
    options.runtimes = std::move(*runtimes);
  }
  auto sandbox = MakeWorkerSandbox(flags.sandbox, flags.jobs);
  if (!sandbox.ok()) return usage(sandbox.error());
  options.build_id = sandbox->build_id;
  options.runtime = flags.sandbox.runtime;
  // The matrix's other runtimes: a sandbox each, with the same limits.
  options.make_executor = RuntimeSandboxFactory(flags.sandbox, flags.jobs);
  ValidateProgress progress;
  if (isatty(STDERR_FILENO)) {
    progress = [](const ModelReview& review, int done, int total) {
      std::cerr << "\r\033[K[" << done << "/" << total << "] " << VerdictName(review.verdict) << " "
                << review.folder << (done == total ? "\r\033[K" : "") << std::flush;
    };
  }
  auto report = Validate(options, *sandbox->executor, progress);
  if (!report.ok()) return usage(report.error());
  std::string text = flags.format == "json"       ? FormatValidateJson(*report)
                     : flags.format == "markdown" ? FormatValidateMarkdown(*report)
                     : flags.format == "junit"    ? FormatValidateJunit(*report)
                     : flags.format == "github"
                         ? FormatValidateGithub(*report, WorkspacePrefix(flags.zoo))
                         : FormatValidateText(*report);
  if (flags.format == "github") {
    if (Status appended = AppendStepSummary(*report); !appended.ok()) {
      std::cerr << "zooci validate: " << appended.error().message() << "\n";
    }
  }
  // The finished review is never lost to a report file that cannot be written: it is printed
  // first, then the file error fails the run.
  if (Status emitted = EmitReport(text, flags.output); !emitted.ok()) {
    if (!flags.output.empty()) std::cout << text;
    return usage(emitted.error());
  }
  if (!flags.html.empty()) {
    Status written = WriteFileAtomic(flags.html, FormatValidateHtml(*report));
    if (!written.ok()) return usage(written.error().WithContext("--html"));
  }
  switch (report->verdict) {
    case Verdict::kAccept:
      return kExitOk;
    case Verdict::kIncomplete:
      return kExitIncomplete;
    case Verdict::kDecline:
      break;
  }
  return kExitFailed;
}

}  // namespace

CommandSpec ValidateCommand() {
  return {"validate",
          "Review the model folders of a zoo (or those changed since a git ref): ACCEPT or "
          "DECLINE with reasons",
          [](CLI::App& app) -> CommandHandler {
            auto flags = std::make_shared<ValidateFlags>();
            app.add_option("zoo", flags->zoo, "The zoo repository (a directory)")->required();
            app.add_option("--changed-since", flags->changed_since,
                           "Review only model folders changed between REF and HEAD (git)");
            app.add_option("-j,--jobs", flags->jobs, "Models reviewed in parallel")
                ->check(CLI::Range(1, 64))
                ->capture_default_str();
            app.add_option("--format", flags->format, "Output format")
                ->check(CLI::IsMember({"text", "json", "markdown", "junit", "github"}));
            app.add_option("-o,--output", flags->output, "Write the report to FILE");
            app.add_option("--html", flags->html, "Also write a self-contained HTML report");
            app.add_option("--cache-dir", flags->cache_dir,
                           "Step result cache (default: $XDG_CACHE_HOME/zooci)");
            app.add_flag("--no-cache", flags->no_cache, "Run every step again");
            app.add_flag("--no-bench", flags->no_bench, "Skip the bench step");
            app.add_flag("--fetch-lfs", flags->fetch_lfs,
                         "Fetch the Git LFS content of the reviewed folders' model files first "
                         "(git lfs, from the repository's own LFS remote)");
            app.add_option("--bench-min-duration-ms", flags->bench_min_duration_ms,
                           "Minimum measured time of the bench step per model")
                ->check(CLI::Range(int64_t{0}, int64_t{600000}))
                ->capture_default_str();
            app.add_option("--runtimes", flags->runtimes,
                           "Runtimes of the compatibility matrix, e.g. ort,opencv or "
                           "ort,opencv:required (default: the zoo's `runtimes` in "
                           "zooci-zoo.yaml, else ONNX Runtime alone and no matrix); a runtime "
                           "is required (can decline) or reported (never declines)");
            AddSandboxFlags(app, &flags->sandbox);
            return [flags] { return RunValidate(*flags); };
          }};
}

}  // namespace zooci
