// `zooci difftest`: generated models on several runtimes against the reference interpreter.
#include <unistd.h>

#include <iostream>

#include "cli/cli.h"
#include "difftest/difftest.h"

namespace zooci {
namespace {

struct DifftestFlags {
  uint64_t seed = 1;
  std::vector<std::string> ops;
  std::vector<std::string> runtimes = {"ort", "opencv", "reference"};
  double time_budget_s = 600;
  int cases_per_op = 0;
  int graphs_per_round = 2;
  int max_cases_per_class = 2;
  bool no_minimise = false;
  std::string out_dir;
  std::string format = "text";
  std::string output;
  std::string markdown;
  SandboxFlags sandbox;
};

DifftestProgress TerminalProgress() {
  if (!isatty(STDERR_FILENO)) return nullptr;
  auto disagreements = std::make_shared<int>(0);
  return [disagreements](const CaseOutcome& outcome, int done, int total, double budget_fraction) {
    for (const RuntimeResult& result : outcome.results) {
      if (result.verdict == DiffVerdict::kDisagree) ++*disagreements;
    }
    constexpr int kWidth = 30;
    // The further of case count and time budget: whichever ends the run.
    double fraction = std::max(budget_fraction, total > 0 ? double(done) / total : 0.0);
    int filled = std::min(kWidth, static_cast<int>(fraction * kWidth));
    std::string line = "[" + std::string(static_cast<size_t>(filled), '#') +
                       std::string(static_cast<size_t>(kWidth - filled), ' ') + "] " +
                       std::to_string(done) + (total > 0 ? "/" + std::to_string(total) : "") + " " +
                       outcome.id + ", " + std::to_string(*disagreements) + " disagreements";
    if (line.size() > 78) line = line.substr(0, 75) + "...";
    std::cerr << "\r\033[K" << line << std::flush;
  };
}

int RunDifftestCommand(const DifftestFlags& flags) {
  DifftestOptions options;
  options.generate.seed = flags.seed;
  options.generate.ops = flags.ops;
  options.generate.cases_per_op = flags.cases_per_op;
  options.generate.graphs_per_round = flags.graphs_per_round;
  options.runtimes = flags.runtimes;
  options.time_budget_s = flags.time_budget_s;
  options.minimise = !flags.no_minimise;
  options.max_cases_per_class = flags.max_cases_per_class;
  options.out_dir = flags.out_dir;
  bool json_stdout = flags.format == "json" && flags.output.empty();
  DifftestProgress progress = json_stdout ? nullptr : TerminalProgress();
  auto report = RunDifftest(options, RuntimeSandboxFactory(flags.sandbox, /*workers=*/1), progress);
  if (progress) std::cerr << "\r\033[K" << std::flush;
  if (!report.ok()) {
    std::cerr << "zooci difftest: " << report.error().message() << "\n";
    return kExitUsage;
  }
  if (!flags.markdown.empty()) {
    Status written = WriteFileAtomic(flags.markdown, FormatDifftestMarkdown(*report));
    if (!written.ok()) {
      std::cerr << "zooci difftest: --markdown: " << written.error().message() << "\n";
      return kExitUsage;
    }
  }
  if (!flags.output.empty()) {
    Status written = WriteFileAtomic(flags.output, FormatDifftestJson(*report));
    if (!written.ok()) {
      std::cerr << "zooci difftest: --output: " << written.error().message() << "\n";
      return kExitUsage;
    }
  }
  std::cout << (json_stdout ? FormatDifftestJson(*report) : FormatDifftestText(*report))
            << std::flush;
  // A crash is a finding like a disagreement (a timeout or running out of memory counts too).
  return report->disagreements == 0 && report->crashes == 0 && report->generator_bugs == 0
             ? kExitOk
             : kExitFailed;
}

}  // namespace

CommandSpec DifftestCommand() {
  return {"difftest",
          "Generate models from the operator schemas and compare runtimes with the reference",
          [](CLI::App& app) {
            auto flags = std::make_shared<DifftestFlags>();
            flags->sandbox.timeout_ms = 20000;
            flags->sandbox.memory_limit_mb = 4096;
            app.add_option("--seed", flags->seed, "Seed: the same seed generates the same models")
                ->capture_default_str();
            app.add_option("--ops", flags->ops, "Operators to generate (default: all generated)")
                ->delimiter(',');
            app.add_option("--runtimes", flags->runtimes,
                           "Runtimes to run, reference (the oracle) included")
                ->delimiter(',')
                ->check(CLI::IsMember(RuntimeNames()))
                ->capture_default_str();
            app.add_option("--time-budget", flags->time_budget_s,
                           "Seconds after which no new case or minimisation starts")
                ->check(CLI::Range(0.0, 86400.0))
                ->capture_default_str();
            app.add_option("--cases-per-op", flags->cases_per_op,
                           "Variants generated per operator (0: until the time budget)")
                ->check(CLI::Range(0, 100000))
                ->capture_default_str();
            app.add_option("--graphs-per-round", flags->graphs_per_round,
                           "Random multi-node graphs per round of operator variants")
                ->check(CLI::Range(0, 1000))
                ->capture_default_str();
            app.add_option("--max-cases-per-class", flags->max_cases_per_class,
                           "Disagreements minimised and written per operator and runtime")
                ->check(CLI::Range(0, 1000))
                ->capture_default_str();
            app.add_flag("--no-minimise", flags->no_minimise,
                         "Write disagreements as generated, without minimising them");
            app.add_option("--out", flags->out_dir,
                           "Directory for replayable cases (DIR/cases/<op>_<runtime>_<n>/)");
            app.add_option("--format", flags->format, "Output format")
                ->check(CLI::IsMember({"text", "json"}));
            app.add_option("-o,--output", flags->output, "Also write the JSON report to this file");
            app.add_option("--markdown", flags->markdown,
                           "Write the Markdown report (per-operator table) to this file");
            AddSandboxFlags(app, &flags->sandbox);
            return CommandHandler([flags] { return RunDifftestCommand(*flags); });
          }};
}

}  // namespace zooci
