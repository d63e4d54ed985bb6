// The matrix step: a model folder's test data (else generated inputs) on every runtime of the
// review, each compared with the reference outputs and with the primary runtime, and a short
// latency run. Only runtimes and executors are named here; no runtime is special-cased.
//
// Who judges what: the primary runtime's own failures are the test step's to decline (the matrix
// only shows them); another runtime's failures decline when it is required and are warnings when
// it is reported. Disagreement between runtimes is shown always, and is a reason only where no
// reference output says which runtime is right (generated inputs).
#include <algorithm>

#include "bench/bench.h"
#include "compare/compare.h"
#include "pipeline/internal.h"
#include "testrun/testrun.h"

namespace zooci::pipeline_internal {
namespace {

// The latency run: short and fixed, enough for a p50 that tells runtimes apart, not a benchmark.
constexpr int kWarmupRuns = 3;
constexpr int kLatencyRuns = 20;
constexpr int64_t kLatencyMaxMs = 30000;

// One unit the matrix runs on every runtime.
struct MatrixCase {
  std::string label;  // "the model in model/x.tar.gz", "model/x.onnx": for messages
  std::string file;   // repository-relative: where the reasons point
  RunRequest request;
  std::vector<std::vector<Value>> expected;  // per data set; empty: no reference
};

// What the matrix runs, from the folder's archives (else generated inputs for its first model).
struct MatrixInputs {
  std::vector<MatrixCase> cases;
  std::string description;
  bool reference = false;
  std::vector<TempDir> temp_dirs;  // the extracted archives; outlive the cases
  std::string problem;             // why nothing can run, when `cases` is empty
};

MatrixInputs CollectInputs(const ModelFolder& folder, const std::vector<fs::path>& archives,
                           const std::vector<fs::path>& models) {
  MatrixInputs inputs;
  SessionConfig session;
  session.intra_op_threads = 1;
  size_t data_sets = 0;
  std::vector<std::string> problems;
  for (const fs::path& archive : archives) {
    const std::string relative = RelativeTo(folder.root, archive);
    auto discovery = DiscoverCases({archive}, std::nullopt);
    if (!discovery.ok()) {
      problems.push_back(relative + ": " + discovery.error().message());
      continue;
    }
    for (const TestCase& test_case : discovery->cases) {
      auto prepared = PrepareCase(test_case, session);
      if (!prepared.ok()) {
        problems.push_back(relative + ": " + prepared.error().message());
        continue;
      }
      data_sets += prepared->request.data_sets.size();
      inputs.cases.push_back({"the model in " + relative, relative, std::move(prepared->request),
                              std::move(prepared->expected)});
    }
    for (TempDir& temp : discovery->temp_dirs) inputs.temp_dirs.push_back(std::move(temp));
  }
  if (!inputs.cases.empty()) {
    inputs.reference = true;
    std::vector<std::string> files;
    for (const MatrixCase& matrix_case : inputs.cases) files.push_back(matrix_case.file);
    inputs.description = "test data: " + Plural(data_sets, "data set") + " (" +
                         JoinStrings(files, ", ") + ")";
    return inputs;
  }
  if (!archives.empty()) {
    inputs.problem = "the test data cannot be read (" + JoinStrings(problems, "; ") + ")";
    return inputs;
  }
  // No test data (the test step declines that): generated inputs still compare the runtimes.
  if (models.empty()) {
    inputs.problem = "no model file";
    return inputs;
  }
  BenchOptions options;
  options.use_test_data = false;
  const std::string relative = RelativeTo(folder.root, models.front());
  auto generated = PrepareBenchInputs(models.front(), options);
  if (!generated.ok()) {
    inputs.problem = relative + ": no test data, and inputs cannot be generated: " +
                     generated.error().message();
    return inputs;
  }
  MatrixCase matrix_case{relative, relative, {}, {}};
  matrix_case.request.model_path = models.front();
  matrix_case.request.session = session;
  matrix_case.request.data_sets = std::move(generated->data_sets);
  inputs.description = "generated inputs (" + generated->source + ") for " + relative +
                       ": no test data, so no reference outputs";
  inputs.cases.push_back(std::move(matrix_case));
  return inputs;
}

// Folds one comparison of an output on one data set into `outputs` (by output name).
void Accumulate(const OutputComparison& comparison, const std::string& data_set,
                std::vector<MatrixOutput>* outputs) {
  auto found = std::find_if(outputs->begin(), outputs->end(), [&](const MatrixOutput& output) {
    return output.name == comparison.name;
  });
  if (found == outputs->end()) {
    outputs->emplace_back().name = comparison.name;
    found = outputs->end() - 1;
  }
  MatrixOutput& output = *found;
  output.elements += comparison.elements;
  output.mismatches += comparison.mismatches;
  output.max_abs_error = std::max(output.max_abs_error, comparison.max_abs_error);
  output.max_rel_error = std::max(output.max_rel_error, comparison.max_rel_error);
  if (comparison.passed) return;
  output.within_tolerance = false;
  if (output.structure_error.empty()) output.structure_error = comparison.structure_error;
  if (!output.first_mismatch && comparison.first_mismatch) {
    const Mismatch& first = *comparison.first_mismatch;
    output.first_mismatch =
        MatrixMismatch{data_set + first.path, first.flat_index, first.expected, first.actual};
  }
}

// Compares `actual` with each of `expected` by name; the first failure's one-line summary goes
// to `*first_failure` when it is empty.
void CompareOutputs(const std::vector<Value>& expected, const std::vector<Value>& actual,
                    const std::string& data_set, const Tolerance& tolerance,
                    std::vector<MatrixOutput>* outputs, std::string* first_failure) {
  for (const Value& reference : expected) {
    auto produced = std::find_if(actual.begin(), actual.end(),
                                 [&](const Value& value) { return value.name == reference.name; });
    OutputComparison comparison;
    if (produced == actual.end()) {
      comparison.name = reference.name;
      comparison.structure_error = "no output named '" + reference.name + "'";
    } else {
      comparison = CompareValues(reference.name, reference, *produced, tolerance);
    }
    if (!comparison.passed && first_failure->empty()) {
      *first_failure = data_set + ": " + comparison.Summary();
    }
    Accumulate(comparison, data_set, outputs);
  }
}

MatrixStatus StatusOfFailedRun(RunStatus status) {
  switch (status) {
    case RunStatus::kCrash:
      return MatrixStatus::kCrash;
    case RunStatus::kTimeout:
      return MatrixStatus::kTimeout;
    case RunStatus::kOutOfMemory:
      return MatrixStatus::kOutOfMemory;
    case RunStatus::kOk:
    case RunStatus::kError:
      break;
  }
  return MatrixStatus::kRefused;
}

// One runtime on every case: its row, and its outputs (case -> data set -> values) for the
// agreement, complete only when the row is ok or a mismatch.
struct RuntimeRun {
  MatrixRow row;
  std::vector<std::vector<std::vector<Value>>> outputs;
  size_t failed_case = 0;  // the case `row.reason` is about
};

RuntimeRun RunOnRuntime(const MatrixRuntime& runtime, const MatrixInputs& inputs,
                        const Tolerance& tolerance) {
  RuntimeRun run;
  MatrixRow& row = run.row;
  row.runtime = runtime.review.name;
  row.backend = runtime.review.backend;
  row.required = runtime.review.required;
  row.primary = runtime.review.primary;
  if (runtime.executor == nullptr) {
    row.reason = runtime.review.not_checked;
    return run;
  }
  std::string mismatch;
  for (size_t case_idx = 0; case_idx < inputs.cases.size(); ++case_idx) {
    const MatrixCase& matrix_case = inputs.cases[case_idx];
    RunOutcome outcome = runtime.executor->Run(matrix_case.request);
    if (outcome.status != RunStatus::kOk) {
      row.status = StatusOfFailedRun(outcome.status);
      if (row.status == MatrixStatus::kRefused) row.loads = false;
      row.runs = false;
      row.reason = outcome.message;
      run.failed_case = case_idx;
      return run;
    }
    row.loads = true;
    auto& case_outputs = run.outputs.emplace_back();
    for (size_t set_idx = 0; set_idx < outcome.data_sets.size(); ++set_idx) {
      DataSetOutcome& data_set = outcome.data_sets[set_idx];
      if (data_set.status != RunStatus::kOk) {
        row.status = MatrixStatus::kRunError;
        row.runs = false;
        row.reason = data_set.name + ": " + data_set.error;
        run.failed_case = case_idx;
        return run;
      }
      if (set_idx < matrix_case.expected.size()) {
        std::string failure;
        CompareOutputs(matrix_case.expected[set_idx], data_set.outputs, data_set.name, tolerance,
                       &row.outputs, &failure);
        if (!failure.empty() && mismatch.empty()) {
          mismatch = failure;
          run.failed_case = case_idx;
        }
      }
      case_outputs.push_back(std::move(data_set.outputs));
    }
  }
  row.runs = true;
  if (inputs.reference) row.within_tolerance = mismatch.empty();
  row.status = mismatch.empty() ? MatrixStatus::kOk : MatrixStatus::kMismatch;
  row.reason = mismatch;

  // The latency run: the first data set of the first case, back to back on one thread.
  RunRequest latency = inputs.cases.front().request;
  latency.data_sets.resize(1);
  BenchPlan plan;
  plan.warmup_runs = kWarmupRuns;
  plan.min_duration_ms = 0;
  plan.min_queries = kLatencyRuns;
  plan.max_queries = kLatencyRuns;
  plan.max_duration_ms = kLatencyMaxMs;
  latency.bench = plan;
  RunOutcome timed = runtime.executor->Run(latency);
  if (timed.status == RunStatus::kOk && !timed.bench.latency_ns.empty()) {
    std::vector<double> latencies_ms;
    for (int64_t latency_ns : timed.bench.latency_ns) latencies_ms.push_back(latency_ns / 1e6);
    row.latency_runs = static_cast<int64_t>(latencies_ms.size());
    row.p50_ms = Summarize(std::move(latencies_ms)).p50;
  }
  return run;
}

// `run` against `primary` on every data set both ran.
MatrixAgreement Agreement(const RuntimeRun& run, const RuntimeRun& primary,
                          const MatrixInputs& inputs, const Tolerance& tolerance) {
  MatrixAgreement agreement;
  agreement.runtime = run.row.runtime;
  agreement.against = primary.row.runtime;
  auto complete = [&](const RuntimeRun& side) {
    return (side.row.status == MatrixStatus::kOk || side.row.status == MatrixStatus::kMismatch) &&
           side.outputs.size() == inputs.cases.size();
  };
  if (!complete(run) || !complete(primary)) {
    const RuntimeRun& missing = complete(run) ? primary : run;
    agreement.note = "not compared: " + missing.row.runtime + " did not run the model (" +
                     MatrixStatusName(missing.row.status) + ")";
    return agreement;
  }
  std::string ignored;
  for (size_t case_idx = 0; case_idx < inputs.cases.size(); ++case_idx) {
    const auto& case_outputs = run.outputs[case_idx];
    const auto& primary_outputs = primary.outputs[case_idx];
    const auto& data_sets = inputs.cases[case_idx].request.data_sets;
    for (size_t set_idx = 0; set_idx < case_outputs.size() && set_idx < primary_outputs.size();
         ++set_idx) {
      CompareOutputs(primary_outputs[set_idx], case_outputs[set_idx], data_sets[set_idx].name,
                     tolerance, &agreement.outputs, &ignored);
    }
  }
  agreement.agrees = std::all_of(agreement.outputs.begin(), agreement.outputs.end(),
                                 [](const MatrixOutput& output) { return output.within_tolerance; });
  return agreement;
}

// "required runtime opencv (opencv-dnn 4.6.0)"
std::string Describe(const MatrixRow& row) {
  return std::string(row.required ? "required" : "reported") + " runtime " + row.runtime +
         (row.backend.empty() ? "" : " (" + row.backend + ")");
}

// The reason a non-primary runtime's row gives, or nothing when it is ok.
std::optional<Reason> RowReason(const MatrixRow& row, const MatrixCase& matrix_case) {
  std::string what;
  switch (row.status) {
    case MatrixStatus::kOk:
      return std::nullopt;
    case MatrixStatus::kRefused:
      what = "cannot load " + matrix_case.label;
      break;
    case MatrixStatus::kRunError:
      what = "cannot run " + matrix_case.label;
      break;
    case MatrixStatus::kMismatch:
      what = "computes other outputs than the reference for " + matrix_case.label;
      break;
    case MatrixStatus::kCrash:
      what = "crashed on " + matrix_case.label;
      break;
    case MatrixStatus::kTimeout:
      what = "timed out on " + matrix_case.label;
      break;
    case MatrixStatus::kOutOfMemory:
      what = "ran out of memory on " + matrix_case.label;
      break;
    case MatrixStatus::kNotChecked:
      what = "was not checked";
      break;
  }
  // A runtime that could not be checked is not the submission's defect: a required one leaves
  // the model unverified.
  ReasonLevel level = !row.required                           ? ReasonLevel::kWarning
                      : row.status == MatrixStatus::kNotChecked ? ReasonLevel::kUnverified
                                                               : ReasonLevel::kDecline;
  return MakeReason("matrix", Describe(row) + " " + what + ": " + row.reason, matrix_case.file, 0,
                    level);
}

std::string SummaryOf(const RuntimeMatrix& matrix) {
  std::vector<std::string> parts;
  for (const MatrixRow& row : matrix.rows) {
    std::string part = row.runtime + " " + MatrixStatusName(row.status);
    if (row.p50_ms) part += " (p50 " + FormatDouble(*row.p50_ms, 3) + " ms)";
    parts.push_back(part);
  }
  for (const MatrixAgreement& agreement : matrix.agreement) {
    if (agreement.agrees && !*agreement.agrees) {
      parts.push_back(agreement.runtime + " differs from " + agreement.against);
    }
  }
  return JoinStrings(parts, ", ") + "; " +
         (matrix.reference ? "on the test data" : "on generated inputs");
}

}  // namespace

StepResult RunMatrixStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  size_t archive_pointers = 0, model_pointers = 0;
  std::vector<fs::path> archives = WithContent(folder.archives, &archive_pointers);
  std::vector<fs::path> models = WithContent(folder.models, &model_pointers);
  if (archive_pointers + model_pointers > 0) {
    return NotFetched(context, "matrix", archive_pointers + model_pointers);
  }
  std::vector<fs::path> inputs = archives;
  if (archives.empty() && !models.empty()) {
    inputs = ModelAndExternalData(models.front(), folder.root);
  }
  const Tolerance tolerance;  // the test step's: rtol 1e-3, atol 1e-5
  // Everything that decides the result: each runtime, its role and version, the tolerance and
  // the latency plan (the primary's version is in the key already).
  std::string config = "rtol=" + FormatDouble(tolerance.rtol) + ",atol=" +
                       FormatDouble(tolerance.atol) + ",latency=" + std::to_string(kWarmupRuns) +
                       "+" + std::to_string(kLatencyRuns) + ",threads=1;runtimes=";
  for (const MatrixRuntime& runtime : *context.matrix) {
    config += runtime.review.name + ":" + (runtime.review.required ? "required" : "reported") +
              (runtime.review.primary ? ":primary" : "") + ":" + runtime.review.backend + ";";
  }
  return Cached(context, "matrix", config, inputs, [&] {
    StepResult step;
    step.name = "matrix";
    MatrixInputs matrix_inputs = CollectInputs(folder, archives, models);
    if (matrix_inputs.cases.empty()) {
      step.status = StepStatus::kSkipped;
      step.summary = "skipped: " + matrix_inputs.problem;
      return step;
    }
    RuntimeMatrix matrix;
    matrix.inputs = matrix_inputs.description;
    matrix.reference = matrix_inputs.reference;
    matrix.rtol = tolerance.rtol;
    matrix.atol = tolerance.atol;
    matrix.warmup_runs = kWarmupRuns;
    matrix.latency_runs = kLatencyRuns;
    std::vector<RuntimeRun> runs;
    for (const MatrixRuntime& runtime : *context.matrix) {
      runs.push_back(RunOnRuntime(runtime, matrix_inputs, tolerance));
    }
    for (RuntimeRun& run : runs) {
      // Paths of the extracted archives never reach a report.
      for (const TempDir& temp : matrix_inputs.temp_dirs) {
        run.row.reason = WithoutRoot(run.row.reason, temp.path());
      }
      const MatrixStatus status = run.row.status;
      if (status == MatrixStatus::kCrash || status == MatrixStatus::kTimeout ||
          status == MatrixStatus::kOutOfMemory || status == MatrixStatus::kNotChecked) {
        step.transient = true;  // the machine's, or the environment's: computed again next time
      }
      if (!run.row.primary) {
        const MatrixCase& failed = matrix_inputs.cases[run.failed_case];
        if (std::optional<Reason> reason = RowReason(run.row, failed)) {
          step.reasons.push_back(std::move(*reason));
        }
      }
      matrix.rows.push_back(run.row);
    }
    for (size_t run_idx = 1; run_idx < runs.size(); ++run_idx) {
      MatrixAgreement agreement = Agreement(runs[run_idx], runs[0], matrix_inputs, tolerance);
      if (!matrix.reference && agreement.agrees && !*agreement.agrees) {
        // No reference to say who is right: the disagreement itself is the finding.
        for (const MatrixOutput& output : agreement.outputs) {
          if (output.within_tolerance) continue;
          std::string where =
              output.first_mismatch
                  ? " at flat index " + std::to_string(output.first_mismatch->flat_index) +
                        " of " + output.first_mismatch->data_set + ": " + agreement.against +
                        " " + output.first_mismatch->expected + ", " + agreement.runtime + " " +
                        output.first_mismatch->actual
                  : ": " + output.structure_error;
          const MatrixRow& row = runs[run_idx].row;
          step.reasons.push_back(MakeReason(
              "matrix",
              Describe(row) + " disagrees with " + agreement.against + " on output '" +
                  output.name + "'" + where + " (" + std::to_string(output.mismatches) + " of " +
                  std::to_string(output.elements) + " elements beyond rtol " +
                  FormatDouble(tolerance.rtol) + ", atol " + FormatDouble(tolerance.atol) +
                  "; no reference output says which is right)",
              matrix_inputs.cases.front().file, 0,
              row.required ? ReasonLevel::kDecline : ReasonLevel::kWarning));
        }
      }
      matrix.agreement.push_back(std::move(agreement));
    }
    step.details_json = RuntimeMatrixJson(matrix);
    Conclude(step, SummaryOf(matrix));
    return step;
  });
}

}  // namespace zooci::pipeline_internal
