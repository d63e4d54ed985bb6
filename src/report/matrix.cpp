// The compatibility matrix in words: the plain text every view (text, Markdown, HTML) builds on
// and escapes in its own way. Pure functions of the matrix step's figures.
#include "report/report.h"

namespace zooci::report_internal {

namespace {

std::string Number(double value) {
  return FormatDouble(value, 3);
}

std::string YesNo(const std::optional<bool>& value) {
  return !value ? "?" : *value ? "yes" : "no";
}

}  // namespace

std::string MatrixStatusText(MatrixStatus status) {
  switch (status) {
    case MatrixStatus::kOk:
      return "ok";
    case MatrixStatus::kMismatch:
      return "outputs beyond tolerance";
    case MatrixStatus::kRunError:
      return "run fails";
    case MatrixStatus::kRefused:
      return "refused to load";
    case MatrixStatus::kCrash:
      return "crashed";
    case MatrixStatus::kTimeout:
      return "timed out";
    case MatrixStatus::kOutOfMemory:
      return "out of memory";
    case MatrixStatus::kNotChecked:
      return "not checked";
  }
  return "not checked";
}

std::string MatrixRowTitle(const MatrixRow& row) {
  std::string title = row.runtime + " (";
  if (!row.backend.empty()) title += row.backend + ", ";
  return title + (row.required ? "required" : "reported") + ")";
}

std::string MatrixRowText(const MatrixRow& row) {
  std::string text = MatrixRowTitle(row) + ": " + MatrixStatusText(row.status);
  if (row.status != MatrixStatus::kNotChecked) {
    text += "; loads " + YesNo(row.loads) + ", runs " + YesNo(row.runs);
    if (row.within_tolerance) {
      text += std::string(", outputs ") +
              (*row.within_tolerance ? "within" : "beyond") + " tolerance of the reference";
    }
  }
  if (row.p50_ms) {
    text += "; p50 " + Number(*row.p50_ms) + " ms (" + std::to_string(row.latency_runs) + " runs)";
  }
  if (!row.reason.empty()) text += ": " + row.reason;
  return text;
}

std::string MatrixOutputText(const MatrixOutput& output, const std::string& expected_name,
                             const std::string& actual_name) {
  std::string text = "output '" + output.name + "': ";
  if (!output.structure_error.empty()) return text + output.structure_error;
  text += "max abs " + Number(output.max_abs_error) + ", max rel " +
          Number(output.max_rel_error) + ", " + std::to_string(output.mismatches) + " of " +
          std::to_string(output.elements) + " elements beyond tolerance";
  if (output.first_mismatch) {
    const MatrixMismatch& first = *output.first_mismatch;
    text += "; first at flat index " + std::to_string(first.flat_index) + " of " +
            first.data_set + ": " + expected_name + " " + first.expected + ", " + actual_name +
            " " + first.actual;
  }
  return text;
}

std::string MatrixAgreementText(const MatrixAgreement& agreement) {
  std::string text = agreement.runtime + " against " + agreement.against + ": ";
  if (!agreement.agrees) return text + agreement.note;
  text += *agreement.agrees ? "agree within tolerance" : "DIFFER beyond tolerance";
  return text;
}

std::string MatrixPlanText(const RuntimeMatrix& matrix) {
  return matrix.inputs + "; tolerance rtol " + Number(matrix.rtol) + ", atol " +
         Number(matrix.atol) + "; latency: p50 of " + std::to_string(matrix.latency_runs) +
         " runs after " + std::to_string(matrix.warmup_runs) +
         " warm-ups on one intra-op thread (a short fixed run, not a benchmark)";
}

std::string ReviewRuntimeText(const ReviewRuntime& runtime) {
  std::string text = runtime.name + " = " + (runtime.backend.empty() ? "?" : runtime.backend) +
                     " (" + (runtime.required ? "required" : "reported, never declines") + ", " +
                     runtime.role_source + "): ";
  if (!runtime.not_checked.empty()) return text + "NOT CHECKED: " + runtime.not_checked;
  return text + runtime.scope;
}

const StepResult* MatrixStepOf(const ModelReview& model) {
  for (const StepResult& step : model.steps) {
    if (step.name == "matrix") return &step;
  }
  return nullptr;
}

bool MatrixRowDiffers(const MatrixRow& row, const RuntimeMatrix& matrix) {
  for (const MatrixAgreement& agreement : matrix.agreement) {
    if (agreement.runtime == row.runtime && agreement.agrees && !*agreement.agrees) return true;
  }
  return false;
}

std::string MatrixCellText(const MatrixRow& row, const RuntimeMatrix& matrix) {
  std::string text = MatrixStatusText(row.status);
  if (row.p50_ms) text += " · " + Number(*row.p50_ms) + " ms";
  for (const MatrixAgreement& agreement : matrix.agreement) {
    if (agreement.runtime == row.runtime && agreement.agrees && !*agreement.agrees) {
      text += " · differs from " + agreement.against;
    }
  }
  return text;
}

}  // namespace zooci::report_internal
