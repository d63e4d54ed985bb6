// The model steps check, test (the .tar.gz test data) and bench (reported; judged when
// bench-baseline.json declares thresholds), and the helpers every model step shares. Each is
// cached by its inputs. The eval step is in eval_step.cpp.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "bench/bench.h"
#include "check/check.h"
#include "onnx/onnx_io.h"
#include "pipeline/readme_links.h"
#include "pipeline/internal.h"
#include "testrun/testrun.h"

namespace zooci::pipeline_internal {

using json = nlohmann::json;

std::vector<fs::path> WithContent(const std::vector<fs::path>& files, size_t* pointers) {
  std::vector<fs::path> real;
  *pointers = 0;
  for (const fs::path& file : files) {
    if (ReadLfsPointer(file).has_value()) {
      ++*pointers;
    } else {
      real.push_back(file);
    }
  }
  return real;
}

StepResult NotFetched(const StepContext& context, const std::string& name, size_t pointers) {
  StepResult step;
  step.name = name;
  step.status = StepStatus::kSkipped;
  step.summary = "not run: " + Plural(pointers, "model file") + " only in Git LFS";
  step.reasons.push_back(MakeReason(
      name,
      "not run: the content of " + Plural(pointers, "model file") +
          " is not in the checkout (Git LFS pointers); " +
          (context.options->fetch_lfs ? "git lfs could not fetch it (see integrity)"
                                      : "run with --fetch-lfs"),
      context.folder->relative, 0, ReasonLevel::kUnverified));
  return step;
}

StepResult Skipped(const std::string& name, const std::string& why, bool declines,
                   const std::string& file) {
  StepResult step;
  step.name = name;
  step.status = declines ? StepStatus::kFail : StepStatus::kSkipped;
  step.summary = "skipped: " + why;
  if (declines) step.reasons.push_back(MakeReason(name, "skipped: " + why, file));
  return step;
}

StepResult RunCheckStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  size_t pointers = 0;
  std::vector<fs::path> models = WithContent(folder.models, &pointers);
  if (pointers > 0) return NotFetched(context, "check", pointers);
  if (models.empty()) {
    return Skipped("check", "no .onnx model file in the folder", true, folder.relative);
  }
  std::vector<fs::path> inputs;
  for (const fs::path& model : models) {
    for (const fs::path& file : ModelAndExternalData(model, folder.root)) inputs.push_back(file);
  }
  return Cached(context, "check", "profile=zoo", inputs, [&] {
    StepResult step;
    step.name = "check";
    CheckOptions options;
    options.profile = Profile::kZoo;
    int errors = 0, warnings = 0, infos = 0;
    for (const fs::path& model : models) {
      ModelReport report = CheckModelFile(model, options);
      std::string relative = RelativeTo(folder.root, model);
      for (const Diagnostic& diagnostic : report.diagnostics) {
        bool error = diagnostic.severity == Severity::kError;
        errors += error;
        warnings += diagnostic.severity == Severity::kWarning;
        infos += diagnostic.severity == Severity::kInfo;
        if (diagnostic.severity == Severity::kInfo) continue;
        // Where in the model: a node goes into `node`; a tensor, graph or model field (the
        // initializer whose external data is wrong, ...) is named in the message.
        std::string where =
            diagnostic.location.node_index >= 0 ? "" : diagnostic.location.Describe();
        Reason reason = MakeReason(
            "check",
            RuleCode(diagnostic.rule) + " " + std::string(GetRule(diagnostic.rule).name) + ": " +
                (where.empty() ? "" : where + ": ") + diagnostic.message,
            relative, 0, error ? ReasonLevel::kDecline : ReasonLevel::kWarning);
        if (diagnostic.location.node_index >= 0) reason.node = diagnostic.location.Describe();
        step.reasons.push_back(std::move(reason));
      }
    }
    step.details_json = json{{"errors", errors}, {"warnings", warnings}, {"infos", infos}}.dump();
    Conclude(step, std::to_string(errors) + " errors, " + std::to_string(warnings) + " warnings");
    return step;
  });
}

namespace {

// `message` with `path` (and a trailing '/') removed: messages name files by their place in the
// repository or archive, never by a checkout's or a temporary directory's absolute path.
std::string WithoutPath(std::string message, const fs::path& path) {
  for (std::string prefix : {path.string() + "/", path.string()}) {
    for (size_t pos = message.find(prefix); !prefix.empty() && pos != std::string::npos;
         pos = message.find(prefix, pos)) {
      message.erase(pos, prefix.size());
    }
  }
  return message;
}

// The archive a test case came from (its id is the archive's stem), relative to the folder.
std::string ArchiveOfCase(const std::string& id, const ModelFolder& folder,
                          const std::vector<fs::path>& archives) {
  for (const fs::path& archive : archives) {
    std::string name = archive.filename().string();
    std::string stem = name.substr(0, name.find('.'));
    if (StartsWith(id, stem)) return RelativeTo(folder.dir, archive);
  }
  return archives.empty() ? "" : RelativeTo(folder.dir, archives.front());
}

// Each archive with the standalone .onnx it should carry: the model-table row that links the
// archive links the model, or else the .onnx with the archive's stem; empty when neither.
std::vector<std::pair<fs::path, fs::path>> ArchivePairs(const StepContext& context,
                                                        const std::vector<fs::path>& archives) {
  const ModelFolder& folder = *context.folder;
  std::vector<std::pair<fs::path, fs::path>> pairs;
  const Result<Readme>& readme = context.readmes->Get(folder.dir / "README.md");
  for (const fs::path& archive : archives) {
    fs::path model;
    if (readme.ok()) {
      for (const ModelTable& table : readme->model_tables) {
        for (const ModelTableRow& row : table.rows) {
          std::vector<fs::path> targets;
          for (const MarkdownLink& link : row.cell_links) {
            targets.push_back(ResolveLink(folder.root, folder.dir, link.target));
          }
          if (std::find(targets.begin(), targets.end(), archive) == targets.end()) continue;
          for (const fs::path& target : targets) {
            if (model.empty() && IsModelFile(target) && !IsArchiveFile(target)) model = target;
          }
        }
      }
    }
    if (model.empty()) {
      std::string name = archive.filename().string();
      fs::path same_stem = archive.parent_path() / (name.substr(0, name.find('.')) + ".onnx");
      std::error_code error;
      if (fs::is_regular_file(fs::symlink_status(same_stem, error))) model = same_stem;
    }
    pairs.emplace_back(archive, model);
  }
  return pairs;
}

// Declines when the archive's model is not the standalone one (a submission could test one model
// and publish another); a difference in metadata only is a warning.
void CompareArchivedModel(const ModelFolder& folder, const fs::path& archive,
                          const fs::path& model, const fs::path& archived, StepResult* step) {
  std::string archive_name = RelativeTo(folder.root, archive);
  std::string model_name = RelativeTo(folder.root, model);
  auto comparison = CompareModelFiles(model, archived);
  if (!comparison.ok()) {
    step->reasons.push_back(MakeReason(
        "test",
        "the model in " + archive_name + " could not be compared with " + model_name + ": " +
            WithoutPath(WithoutPath(comparison.error().message(), archived.parent_path()),
                        folder.root),
        archive_name, 0, ReasonLevel::kUnverified));
    return;
  }
  if (comparison->sameness == ModelSameness::kDifferent) {
    step->reasons.push_back(MakeReason(
        "test",
        "the model in " + archive_name + " (the one the test data checks) is not " + model_name +
            " (the one the model table publishes): " + comparison->difference,
        archive_name));
  } else if (comparison->sameness == ModelSameness::kSameGraphAndWeights) {
    step->reasons.push_back(MakeReason(
        "test",
        "the model in " + archive_name + " has the same graph and weights as " + model_name +
            " but other metadata: " + comparison->difference,
        archive_name, 0, ReasonLevel::kWarning));
  }
}

}  // namespace

StepResult RunTestStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  size_t pointers = 0;
  std::vector<fs::path> archives = WithContent(folder.archives, &pointers);
  if (pointers > 0) return NotFetched(context, "test", pointers);
  if (archives.empty()) {
    return Skipped("test",
                   "no test data (.tar.gz with test_data_set_N); a submission must "
                   "provide it",
                   true, folder.relative);
  }
  // The standalone model each archive should carry; both are inputs of the step.
  std::vector<std::pair<fs::path, fs::path>> pairs = ArchivePairs(context, archives);
  std::vector<fs::path> inputs = archives;
  for (const auto& [archive, model] : pairs) {
    if (model.empty() || ReadLfsPointer(model).has_value()) continue;
    for (const fs::path& file : ModelAndExternalData(model, folder.root)) inputs.push_back(file);
  }
  return Cached(context, "test", "rtol=1e-3,atol=1e-5;compare-archived-model", inputs, [&] {
    StepResult step;
    step.name = "test";
    std::vector<Discovery> discoveries;
    std::vector<TestCase> cases;
    size_t compared = 0;
    for (const auto& [archive, model] : pairs) {
      std::string archive_name = RelativeTo(folder.root, archive);
      auto discovery = DiscoverCases({archive}, std::nullopt);
      if (!discovery.ok()) {
        step.reasons.push_back(MakeReason(
            "test", archive_name + ": " + WithoutPath(discovery.error().message(), archive),
            archive_name));
        continue;
      }
      if (!model.empty() && discovery->cases.size() == 1 && !ReadLfsPointer(model).has_value()) {
        ++compared;
        CompareArchivedModel(folder, archive, model, discovery->cases.front().model_path, &step);
      }
      for (TestCase& test_case : discovery->cases) cases.push_back(test_case);
      discoveries.push_back(std::move(*discovery));
    }
    TestOptions options;
    options.session.intra_op_threads = 1;
    TestReport report = RunTestCases(cases, *context.executor, options);
    json case_details = json::array();
    for (const CaseResult& result : report.cases) {
      std::string message = result.message;
      for (const Discovery& discovery : discoveries) {
        for (const TempDir& temp : discovery.temp_dirs) {
          message = WithoutPath(message, temp.path());
        }
      }
      case_details.push_back({{"id", result.id},
                              {"status", CaseStatusName(result.status)},
                              {"message", message}});
      if (result.status == CaseStatus::kCrash || result.status == CaseStatus::kTimeout ||
          result.status == CaseStatus::kOutOfMemory) {
        step.transient = true;  // may be the machine's (load, limits): computed again next time
      }
      if (result.status != CaseStatus::kPass) {
        step.reasons.push_back(MakeReason(
            "test", "test case " + result.id + ": " + CaseStatusName(result.status) + ": " + message,
            folder.relative + "/" + ArchiveOfCase(result.id, folder, archives)));
      }
    }
    step.details_json = json{{"passed", report.summary.passed},
                             {"failed", report.summary.failed},
                             {"cases", case_details}}
                            .dump();
    Conclude(step, std::to_string(report.summary.passed) + " of " +
                       Plural(report.cases.size(), "case") + " passed" +
                       (compared > 0 ? ", " + Plural(compared, "archived model") + " compared" : ""));
    return step;
  });
}

// Latency samples kept per result for the HTML histogram (evenly spaced quantiles of all runs).
constexpr size_t kHistogramSamples = 4000;

// What validate's bench does differently from `zooci bench`'s defaults, for the report.
std::string BenchSettingsText(const BenchOptions& options) {
  const BenchPlan defaults;
  auto plan_text = [](const BenchPlan& plan) {
    return std::to_string(plan.min_queries) + " queries and " +
           FormatDouble(static_cast<double>(plan.min_duration_ms) / 1000, 3) + " s";
  };
  return "validate's settings: " + std::to_string(options.session.intra_op_threads) +
         " intra-op thread, generated inputs, at least " + plan_text(options.plan) +
         " (zooci bench defaults: all cores, the folder's test data, at least " +
         plan_text(defaults) + ")";
}

StepResult RunBenchStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  if (!context.options->run_bench) return Skipped("bench", "disabled (--no-bench)", false);
  size_t pointers = 0;
  std::vector<fs::path> models = WithContent(folder.models, &pointers);
  if (models.empty()) {
    return Skipped("bench", pointers > 0 ? "only Git LFS pointers" : "no model file", false);
  }
  fs::path model = models.front();
  fs::path baseline_file = folder.dir / "bench-baseline.json";
  std::vector<fs::path> inputs = ModelAndExternalData(model, folder.root);
  bool judged = fs::exists(baseline_file);
  if (judged) inputs.push_back(baseline_file);
  std::string config = "min_ms=" + std::to_string(context.options->bench_min_duration_ms) +
                       ",min_queries=" + std::to_string(context.options->bench_min_queries);
  return Cached(context, "bench", config, inputs, [&] {
    StepResult step;
    step.name = "bench";
    BenchOptions options;
    options.plan.min_duration_ms = context.options->bench_min_duration_ms;
    options.plan.min_queries = context.options->bench_min_queries;
    options.plan.max_duration_ms = std::max<int64_t>(60000, options.plan.min_duration_ms * 4);
    options.session.intra_op_threads = 1;
    options.use_test_data = false;  // test data lives in the archive; generated inputs suffice
    std::string relative = RelativeTo(folder.root, model);
    auto inputs_or = PrepareBenchInputs(model, options);
    if (!inputs_or.ok()) {
      step.reasons.push_back(MakeReason("bench", inputs_or.error().message(), relative, 0,
                                        ReasonLevel::kWarning));
      step.status = StepStatus::kSkipped;
      step.summary = "skipped: " + inputs_or.error().message();
      return step;
    }
    auto result = RunBenchmark(*context.executor, model, *inputs_or, options);
    if (!result.ok()) {
      step.transient = true;
      step.reasons.push_back(MakeReason("bench", result.error().message(), relative));
      Conclude(step, "the benchmark could not run");
      return step;
    }
    if (!result->valid) {
      step.reasons.push_back(MakeReason("bench", "INVALID: " + result->invalid_reason, relative, 0,
                                        ReasonLevel::kWarning));
    }
    std::optional<BaselineVerdict> verdict;
    if (judged) {
      auto baseline = ReadBaseline(baseline_file);
      if (!baseline.ok()) {
        step.reasons.push_back(MakeReason("bench", baseline.error().message(),
                                          RelativeTo(folder.root, baseline_file)));
      } else {
        verdict = JudgeBaseline(*result, *baseline, 0.05);
        for (const std::string& reason : verdict->reasons) {
          step.reasons.push_back(MakeReason("bench", reason, RelativeTo(folder.root, baseline_file),
                                            0,
                                            verdict->regression ? ReasonLevel::kDecline
                                                                : ReasonLevel::kWarning));
        }
      }
    }
    if (result->valid && !result->unstable_reason.empty()) {
      step.reasons.push_back(MakeReason("bench", "VALID, " + result->unstable_reason, relative, 0,
                                        ReasonLevel::kWarning));
    }
    // What `zooci bench --format json` reports, with 4,000 quantiles of all runs for histograms
    // and the settings, which are not `zooci bench`'s defaults.
    const int64_t runs = static_cast<int64_t>(result->latencies_ms.size());
    result->latencies_ms = QuantileSample(std::move(result->latencies_ms), kHistogramSamples);
    const std::string settings = BenchSettingsText(options);
    nlohmann::ordered_json details = nlohmann::ordered_json::parse(
        FormatBenchJson(*result, verdict ? &*verdict : nullptr, /*with_samples=*/true));
    details["settings"] = settings;
    details["samples_stand_for_runs"] = runs;
    step.details_json = details.dump(2);
    const LatencySummary& latency = result->latency_ms;
    Conclude(step, "p50 " + FormatDouble(latency.p50, 4) + " ms, p90 " +
                       FormatDouble(latency.p90, 4) + " ms, " +
                       std::to_string(std::llround(result->samples_per_s)) + " samples/s" +
                       (judged ? "" : " (reported; no baseline declared)") + "; " + settings);
    return step;
  });
}

}  // namespace zooci::pipeline_internal
