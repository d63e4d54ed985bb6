// Running a spec on a runtime, checking it, judging the outputs, writing a replayable case.
#include "difftest/run.h"
#include "check/check.h"

namespace zooci {

Tolerance DifftestTolerance(ElemType elem_type) {
  switch (elem_type) {
    case ElemType::kFloat16:
    case ElemType::kBfloat16:
      return {1e-2, 1e-3};
    case ElemType::kDouble:
      return {1e-6, 1e-9};
    default:
      return {1e-3, 1e-5};  // float; integers and bools compare exactly anyway
  }
}

std::string DiffVerdictName(DiffVerdict verdict) {
  switch (verdict) {
    case DiffVerdict::kAgree:
      return "agree";
    case DiffVerdict::kDisagree:
      return "disagree";
    case DiffVerdict::kUnsupported:
      return "unsupported";
    case DiffVerdict::kRunError:
      return "run-error";
    case DiffVerdict::kCrash:
      return "crash";
  }
  return "?";
}

namespace difftest_internal {

RunOutcome Runtimes::Run(const std::string& runtime, const std::string& bytes,
                         const std::vector<Tensor>& inputs) {
  fs::path model = work_dir_.path() / ("m" + std::to_string(model_counter_++) + ".onnx");
  Status written = WriteFileAtomic(model, bytes);
  if (!written.ok()) {
    RunOutcome outcome;
    outcome.status = RunStatus::kError;
    outcome.message = "difftest: " + written.error().message();
    return outcome;
  }
  RunRequest request;
  request.model_path = model;
  request.session.intra_op_threads = 1;
  request.session.inter_op_threads = 1;
  RunDataSet data_set;
  data_set.name = "test_data_set_0";
  for (const Tensor& input : inputs) {
    auto encoded = EncodeValue(Value::FromTensor(input));
    if (!encoded.ok()) {
      RunOutcome outcome;
      outcome.status = RunStatus::kError;
      outcome.message = "difftest: encode input '" + input.name + "': " + encoded.error().message();
      return outcome;
    }
    data_set.inputs.push_back({input.name, ValueKind::kTensor, std::move(*encoded)});
  }
  request.data_sets.push_back(std::move(data_set));
  RunOutcome outcome = executors_.at(runtime)->Run(request);
  std::error_code ignored;
  fs::remove(model, ignored);
  return outcome;
}

std::string CheckError(const std::string& bytes, const std::string& display_name) {
  ModelReport report =
      CheckModelBytes(bytes, fs::temp_directory_path(), CheckOptions{}, display_name);
  for (const Diagnostic& diagnostic : report.diagnostics) {
    if (diagnostic.severity == Severity::kError) {
      return RuleCode(diagnostic.rule) + " " + diagnostic.location.Describe() + ": " +
             diagnostic.message;
    }
  }
  return "";
}

Result<std::vector<Value>> OracleOutputs(const RunOutcome& outcome) {
  if (outcome.status != RunStatus::kOk) {
    return Error(RunStatusName(outcome.status) + ": " + outcome.message);
  }
  if (outcome.data_sets.empty()) return Error("no data set ran");
  const DataSetOutcome& data_set = outcome.data_sets[0];
  if (data_set.status != RunStatus::kOk) return Error("run: " + data_set.error);
  return data_set.outputs;
}

RuntimeResult Judge(const std::string& runtime, const RunOutcome& outcome,
                    const std::vector<Value>& expected) {
  RuntimeResult result;
  result.runtime = runtime;
  result.run_status = outcome.status;
  switch (outcome.status) {
    case RunStatus::kOk:
      break;
    case RunStatus::kError:
      result.verdict = DiffVerdict::kUnsupported;
      result.detail = outcome.message;
      return result;
    default:
      result.verdict = DiffVerdict::kCrash;
      result.detail = RunStatusName(outcome.status) + ": " + outcome.message;
      return result;
  }
  if (outcome.data_sets.empty() || outcome.data_sets[0].status != RunStatus::kOk) {
    result.verdict = DiffVerdict::kRunError;
    result.detail = outcome.data_sets.empty() ? "no data set ran" : outcome.data_sets[0].error;
    return result;
  }
  const std::vector<Value>& actual = outcome.data_sets[0].outputs;
  if (actual.size() != expected.size()) {
    result.verdict = DiffVerdict::kDisagree;
    result.structural = true;
    result.detail = std::to_string(actual.size()) + " outputs, the reference has " +
                    std::to_string(expected.size());
    return result;
  }
  for (size_t output_idx = 0; output_idx < expected.size(); ++output_idx) {
    const Value& reference = expected[output_idx];
    Tolerance tolerance = DifftestTolerance(reference.tensor.elem_type);
    OutputComparison comparison =
        CompareValues(reference.name, reference, actual[output_idx], tolerance);
    if (!comparison.passed) {
      result.verdict = DiffVerdict::kDisagree;
      result.structural = !comparison.structure_error.empty();
      result.detail = comparison.Summary();
      return result;
    }
  }
  return result;
}

Status WriteCase(const fs::path& dir, const std::string& model_bytes, const ModelSpec& spec,
                 const std::vector<Value>& outputs) {
  std::error_code error;
  fs::create_directories(dir / "test_data_set_0", error);
  if (error) return Error("create " + dir.string() + ": " + error.message());
  ZC_RETURN_IF_ERROR(WriteFileAtomic(dir / "model.onnx", model_bytes));
  for (size_t input_idx = 0; input_idx < spec.inputs.size(); ++input_idx) {
    ZC_ASSIGN_OR_RETURN(std::string bytes, EncodeValue(Value::FromTensor(spec.inputs[input_idx])));
    ZC_RETURN_IF_ERROR(WriteFileAtomic(
        dir / "test_data_set_0" / ("input_" + std::to_string(input_idx) + ".pb"), bytes));
  }
  for (size_t output_idx = 0; output_idx < outputs.size(); ++output_idx) {
    ZC_ASSIGN_OR_RETURN(std::string bytes, EncodeValue(outputs[output_idx]));
    ZC_RETURN_IF_ERROR(WriteFileAtomic(
        dir / "test_data_set_0" / ("output_" + std::to_string(output_idx) + ".pb"), bytes));
  }
  return OkStatus();
}

}  // namespace difftest_internal
}  // namespace zooci
