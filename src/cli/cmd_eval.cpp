// `zooci eval`: verify a model's claimed accuracy or mAP on its dataset (zooci.yaml in the model
// folder).
#include <unistd.h>

#include <iostream>

#include "cli/cli.h"
#include "eval/eval.h"

namespace zooci {
namespace {

struct EvalFlags {
  std::string folder;
  std::string scenario_file;
  std::optional<double> tolerance;
  int threads = 0;
  int decode_threads = 0;
  std::string format = "text";
  std::string output;
  std::string confusion_svg;
  SandboxFlags sandbox;
};

EvalProgress TerminalProgress() {
  if (!isatty(STDERR_FILENO)) return nullptr;
  return [](int64_t done, int64_t total) {
    int width = 30;
    int filled = total > 0 ? static_cast<int>(width * done / total) : width;
    std::cerr << "\r\033[K[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
              << done << "/" << total << " images" << (done == total ? "\r\033[K" : "")
              << std::flush;
  };
}

int RunEvalCommand(const EvalFlags& flags) {
  auto usage = [](const Error& error) {
    std::cerr << "zooci eval: " << error.message() << "\n";
    return kExitUsage;
  };
  auto scenario = LoadScenario(flags.folder, flags.scenario_file);
  if (!scenario.ok()) return usage(scenario.error());
  if (!flags.confusion_svg.empty() && scenario->task != EvalTask::kImageClassification) {
    return usage(Error("--confusion-svg applies to image-classification; this scenario's task is " +
                       std::string(TaskName(scenario->task))));
  }
  auto sandbox = MakeWorkerSandbox(flags.sandbox, 1);
  if (!sandbox.ok()) return usage(sandbox.error());
  EvalOptions options;
  options.session.intra_op_threads = flags.threads;
  options.decode_threads = flags.decode_threads;
  options.tolerance_pp = flags.tolerance;
  auto result = RunEval(*sandbox->executor, *scenario, options, TerminalProgress());
  if (!result.ok()) return usage(result.error().WithContext(flags.folder));
  std::string text = flags.format == "json" ? FormatEvalJson(*result) : FormatEvalText(*result);
  if (!flags.confusion_svg.empty()) {
    Status written = WriteFileAtomic(
        flags.confusion_svg,
        ConfusionMatrixSvg(result->metrics, scenario->model.filename().string() + " confusion"));
    if (!written.ok()) return usage(written.error().WithContext("--confusion-svg"));
  }
  if (Status emitted = EmitReport(text, flags.output); !emitted.ok()) return usage(emitted.error());
  return result->passed ? kExitOk : kExitFailed;
}

}  // namespace

CommandSpec EvalCommand() {
  return {"eval", "Measure a model's accuracy or mAP on its dataset and check the claimed figure",
          [](CLI::App& app) -> CommandHandler {
            auto flags = std::make_shared<EvalFlags>();
            app.add_option("folder", flags->folder, "Model folder holding zooci.yaml")->required();
            app.add_option("--scenario", flags->scenario_file,
                           "Scenario file (default: FOLDER/zooci.yaml)");
            app.add_option("--tolerance", flags->tolerance,
                           "Percentage points below the claim that still pass (default: the "
                           "scenario's, else 0.5)")
                ->check(CLI::Range(0.0, 100.0));
            app.add_option("--threads", flags->threads,
                           "Runtime intra-op threads (0 = runtime default)")
                ->check(CLI::Range(0, 1024));
            app.add_option("--decode-threads", flags->decode_threads,
                           "Image decoding threads in the worker (0 = cores)")
                ->check(CLI::Range(0, 1024));
            app.add_option("--format", flags->format, "Output format")
                ->check(CLI::IsMember({"text", "json"}));
            app.add_option("-o,--output", flags->output, "Write the report to FILE");
            app.add_option("--confusion-svg", flags->confusion_svg,
                           "Write the confusion matrix as an SVG heatmap");
            AddSandboxFlags(app, &flags->sandbox);
            AddRuntimeFlag(app, &flags->sandbox);
            return [flags] { return RunEvalCommand(*flags); };
          }};
}

}  // namespace zooci
