// `zooci check`: the ONNX compliance checker over model files and directories of models.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "check/check.h"
#include "cli/cli.h"
#include "cli/version.h"

namespace zooci {
namespace {

struct CheckFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string profile = "default";
  std::string fail_on = "error";
  std::string output;
  std::string explain;
  bool list_rules = false;
  int max_per_rule = CheckOptions{}.max_diagnostics_per_rule;
  int max_subgraph_depth = CheckOptions{}.max_subgraph_depth;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

// Model files named by `paths`: files as given, directories searched for *.onnx (sorted).
Result<std::vector<fs::path>> CollectModels(const std::vector<std::string>& paths) {
  std::vector<fs::path> models;
  for (const std::string& text : paths) {
    fs::path path(text);
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(
               path, fs::directory_options::skip_permission_denied, error);
           !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (it->is_regular_file(error) && it->path().extension() == ".onnx") {
          found.push_back(it->path());
        }
      }
      if (error) return Error(text + ": " + error.message());
      if (found.empty()) return Error(text + ": no .onnx files in this directory");
      std::sort(found.begin(), found.end());
      models.insert(models.end(), found.begin(), found.end());
    } else if (fs::exists(path, error)) {
      models.push_back(path);
    } else if (error && error != std::errc::no_such_file_or_directory) {
      // A symlink loop (ELOOP), a permission problem: say what it is, not "no such file".
      return Error(text + ": " +
                   (error == std::errc::too_many_symbolic_link_levels
                        ? std::string("a symbolic link loop (ELOOP)")
                        : error.message()));
    } else if (fs::is_symlink(fs::symlink_status(path, error))) {
      return Error(text + ": a symbolic link to a file that does not exist");
    } else {
      return Error(text + ": no such file or directory");
    }
  }
  return models;
}

int RunCheck(const CheckFlags& flags) {
  if (flags.list_rules) {
    std::cout << FormatRuleList();
    return kExitOk;
  }
  if (!flags.explain.empty()) {
    const Rule* rule = FindRule(flags.explain);
    if (rule == nullptr) {
      std::cerr << "zooci check: unknown rule '" << flags.explain
                << "' (see zooci check --list-rules)\n";
      return kExitUsage;
    }
    std::cout << ExplainRule(*rule);
    return kExitOk;
  }
  if (flags.paths.empty()) {
    std::cerr << "zooci check: no model given (zooci check MODEL...)\n";
    return kExitUsage;
  }
  CheckOptions options;
  auto profile = ParseProfile(flags.profile);
  if (!profile.ok()) {
    std::cerr << "zooci check: --profile: " << profile.error().message() << "\n";
    return kExitUsage;
  }
  options.profile = *profile;
  options.max_diagnostics_per_rule = flags.max_per_rule;
  options.max_subgraph_depth = flags.max_subgraph_depth;
  auto models = CollectModels(flags.paths);
  if (!models.ok()) {
    std::cerr << "zooci check: " << models.error().message() << "\n";
    return kExitUsage;
  }
  const bool progress = isatty(STDERR_FILENO) && models->size() > 1;
  std::vector<ModelReport> reports(models->size());
  // Models are independent: `jobs` threads take the next one; reports keep the input order.
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mutex;
  auto work = [&] {
    for (size_t index = next++; index < models->size(); index = next++) {
      reports[index] = CheckModelFile((*models)[index], options);
      const size_t finished = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        std::cerr << "\r\033[K[" << finished << "/" << models->size() << "] "
                  << (*models)[index].string() << std::flush;
      }
    }
  };
  const size_t jobs = std::min<size_t>(models->size(), static_cast<size_t>(std::max(1, flags.jobs)));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < jobs; ++i) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
  if (progress) std::cerr << "\r\033[K" << std::flush;
  std::string text = flags.format == "json"    ? FormatCheckJson(reports)
                     : flags.format == "sarif" ? FormatCheckSarif(reports, ZOOCI_VERSION)
                                               : FormatCheckText(reports);
  if (Status emitted = EmitReport(text, flags.output); !emitted.ok()) {
    std::cerr << "zooci check: " << emitted.error().message() << "\n";
    return kExitUsage;
  }
  Severity fail_on = flags.fail_on == "warning" ? Severity::kWarning : Severity::kError;
  return ReachesSeverity(reports, fail_on) ? kExitFailed : kExitOk;
}

}  // namespace

CommandSpec CheckCommand() {
  return {"check", "Check ONNX models for compliance: every problem, with rule IDs and hints",
          [](CLI::App& app) -> CommandHandler {
            auto flags = std::make_shared<CheckFlags>();
            app.add_option("models", flags->paths, "Model files, or directories of .onnx files");
            app.add_option("--format", flags->format, "Output format")
                ->check(CLI::IsMember({"text", "json", "sarif"}));
            app.add_option("--profile", flags->profile,
                           "Rule set: default, zoo (documentation and metadata a zoo expects), "
                           "strict (pedantic rules; warnings become errors)")
                ->check(CLI::IsMember({"default", "zoo", "strict"}));
            app.add_option("--fail-on", flags->fail_on,
                           "Exit 1 when a diagnostic reaches this severity")
                ->check(CLI::IsMember({"error", "warning"}));
            app.add_option("--output", flags->output, "Write the report to FILE instead of stdout");
            app.add_option("--explain", flags->explain,
                           "Explain a rule (ZC0203 or dangling-input) with examples");
            app.add_flag("--list-rules", flags->list_rules, "List every rule");
            app.add_option("--max-per-rule", flags->max_per_rule,
                           "Diagnostics shown per rule and model; the rest are counted in one "
                           "note (0: all)")
                ->check(CLI::Range(0, 1000000));
            app.add_option("--max-subgraph-depth", flags->max_subgraph_depth,
                           "Nesting of If/Loop/Scan bodies the checker follows; deeper bodies "
                           "are a limit of the checker, reported once (ZC0218)")
                ->check(CLI::Range(1, 1000));
            app.add_option("--jobs,-j", flags->jobs,
                           "Models checked at once (default: the number of cores)")
                ->check(CLI::Range(1, 256));
            return [flags] { return RunCheck(*flags); };
          }};
}

}  // namespace zooci
