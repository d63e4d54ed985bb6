// Running test cases: read reference data, run on the executor, compare, classify.
#include <atomic>
#include <mutex>
#include <thread>

#include "testrun/testrun.h"

namespace zooci {
namespace {

// A reference file decoded against the model's declared input or output it binds to.
struct BoundValue {
  std::string name;  // the model input/output it binds to
  ValueKind kind = ValueKind::kTensor;
  std::string bytes;  // the file's bytes (a serialized proto of `kind`)
  Value value;
};

const ValueInfo* FindInfo(const std::vector<ValueInfo>& infos, const std::string& name) {
  for (const ValueInfo& info : infos) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

// Binds `files[k]` to a model value by the name stored in the proto, or by position k when the
// name is empty. `role` is "input" or "output".
Result<std::vector<BoundValue>> BindFiles(const std::vector<fs::path>& files,
                                          const std::vector<ValueInfo>& infos, const char* role) {
  std::vector<BoundValue> bound;
  for (size_t file_idx = 0; file_idx < files.size(); ++file_idx) {
    std::string file_name = files[file_idx].parent_path().filename().string() + "/" +
                            files[file_idx].filename().string();
    const ValueInfo* positional = file_idx < infos.size() ? &infos[file_idx] : nullptr;
    ZC_ASSIGN_OR_RETURN(std::string bytes, ReadFile(files[file_idx]).WithContext(file_name));
    ValueKind kind = positional != nullptr ? positional->kind : ValueKind::kTensor;
    auto value = DecodeValue(bytes, kind);
    // The proto may name a value declared with another kind than the positional one.
    if (value.ok() && !value->name.empty()) {
      const ValueInfo* named = FindInfo(infos, value->name);
      if (named != nullptr && named->kind != kind) value = DecodeValue(bytes, kind = named->kind);
    }
    if (!value.ok()) return value.error().WithContext(file_name);
    std::string name = value->name;
    if (!name.empty() && FindInfo(infos, name) == nullptr) {
      std::vector<std::string> names;
      for (const ValueInfo& info : infos) names.push_back("'" + info.name + "'");
      return Error(file_name + ": names '" + name + "', which is not a model " + role + " (" +
                   role + "s: " + JoinStrings(names, ", ") + ")");
    }
    if (name.empty()) {
      if (positional == nullptr) {
        return Error(file_name + ": the model has only " + std::to_string(infos.size()) + " " +
                     role + "s");
      }
      name = positional->name;
    }
    const ValueInfo* info = FindInfo(infos, name);
    if (!info->supported)
      return Error(file_name + ": model " + role + " '" + name + "' has unsupported type " +
                   info->type_description);
    bound.push_back({name, kind, std::move(bytes), std::move(*value)});
  }
  return bound;
}

// Every model input of tensor or sequence type needs data; optional-typed ones may be omitted.
Status CheckAllInputsFed(const std::vector<BoundValue>& inputs,
                         const std::vector<ValueInfo>& model_inputs) {
  for (size_t input_idx = 0; input_idx < model_inputs.size(); ++input_idx) {
    const ValueInfo& info = model_inputs[input_idx];
    if (info.kind == ValueKind::kOptional) continue;
    bool fed = std::any_of(inputs.begin(), inputs.end(),
                           [&](const BoundValue& v) { return v.name == info.name; });
    if (!fed) {
      return Error("no data for model input '" + info.name + "' (input_" +
                   std::to_string(input_idx) + ".pb missing)");
    }
  }
  return OkStatus();
}

struct BoundCase {
  RunRequest request;
  std::vector<std::vector<BoundValue>> expected;  // per data set
};

// Reads the model's header and the reference data. `operators` gets the model's operators as
// soon as the header is read, even when the data then fails.
Result<BoundCase> Prepare(const TestCase& test_case, const SessionConfig& session,
                             std::vector<std::string>* operators) {
  ZC_ASSIGN_OR_RETURN(ModelInfo model, ReadModelInfo(test_case.model_path));
  *operators = model.operators;
  BoundCase prepared;
  prepared.request.model_path = test_case.model_path;
  prepared.request.session = session;
  for (const DataSet& data_set : test_case.data_sets) {
    auto inputs = BindFiles(data_set.inputs, model.inputs, "input");
    if (!inputs.ok()) return inputs.error();
    Status fed = CheckAllInputsFed(*inputs, model.inputs);
    if (!fed.ok()) return fed.error().WithContext(data_set.name);
    auto outputs = BindFiles(data_set.outputs, model.outputs, "output");
    if (!outputs.ok()) return outputs.error();
    RunDataSet run_data_set{data_set.name, {}};
    for (BoundValue& input : *inputs)
      run_data_set.inputs.push_back({input.name, input.kind, std::move(input.bytes)});
    prepared.request.data_sets.push_back(std::move(run_data_set));
    prepared.expected.push_back(std::move(*outputs));
  }
  return prepared;
}

CaseStatus FromRunStatus(RunStatus status) {
  switch (status) {
    case RunStatus::kOk:
      return CaseStatus::kPass;
    case RunStatus::kError:
      return CaseStatus::kError;
    case RunStatus::kCrash:
      return CaseStatus::kCrash;
    case RunStatus::kTimeout:
      return CaseStatus::kTimeout;
    case RunStatus::kOutOfMemory:
      return CaseStatus::kOutOfMemory;
  }
  return CaseStatus::kError;
}

DataSetResult CompareDataSet(const DataSetOutcome& outcome, const std::vector<BoundValue>& expected,
                             const ToleranceConfig& tolerance) {
  DataSetResult result;
  result.name = outcome.name;
  result.run_ns = outcome.run_ns;
  if (outcome.status != RunStatus::kOk) {
    result.status = CaseStatus::kError;
    result.message = outcome.error;
    return result;
  }
  for (const BoundValue& reference : expected) {
    auto actual = std::find_if(outcome.outputs.begin(), outcome.outputs.end(),
                               [&](const Value& v) { return v.name == reference.name; });
    OutputComparison comparison;
    if (actual == outcome.outputs.end()) {
      comparison.name = reference.name;
      comparison.structure_error = "the runtime produced no output named '" + reference.name + "'";
      comparison.expected_type = reference.value.Describe();
    } else {
      comparison =
          CompareValues(reference.name, reference.value, *actual, tolerance.For(reference.name));
    }
    if (!comparison.passed && result.status == CaseStatus::kPass) {
      result.status = CaseStatus::kFail;
      result.message = comparison.Summary();
    }
    result.outputs.push_back(std::move(comparison));
  }
  return result;
}

void ApplyExpectFail(const std::vector<ExpectFailEntry>& entries, CaseResult* result) {
  result->actual_status = result->status;
  const ExpectFailEntry* entry = FindExpectFail(entries, result->id);
  if (entry == nullptr) return;
  result->expect_fail_reason = entry->reason;
  if (result->status == CaseStatus::kPass) {
    result->status = CaseStatus::kUnexpectedPass;
    result->message = "passes but is listed as expected to fail (" + entry->reason + ")";
  } else if (result->status != CaseStatus::kSkipped) {
    result->status = CaseStatus::kExpectedFail;
  }
}

CaseResult RunCaseUnclassified(const TestCase& test_case, Executor& executor,
                               const TestOptions& options) {
  CaseResult result;
  result.id = test_case.id;
  result.model_path = test_case.model_path;
  if (!test_case.discovery_error.empty()) {
    result.status = CaseStatus::kError;
    result.failed_step = FailedStep::kReadData;
    result.message = test_case.discovery_error;
    return result;
  }
  if (test_case.data_sets.empty()) {
    result.status = CaseStatus::kSkipped;
    result.message = "no test_data_set_N directory";
    return result;
  }
  auto prepared = Prepare(test_case, options.session, &result.operators);
  if (!prepared.ok()) {
    result.status = CaseStatus::kError;
    result.failed_step = FailedStep::kReadData;
    result.message = prepared.error().message();
    return result;
  }
  RunOutcome outcome = executor.Run(prepared->request);
  result.session_create_ns = outcome.session_create_ns;
  if (outcome.status != RunStatus::kOk) {
    result.status = FromRunStatus(outcome.status);
    // An error outcome without data sets is the runtime refusing the model; a dead worker may
    // have died loading or running it.
    result.failed_step = outcome.status == RunStatus::kError ? FailedStep::kLoad : FailedStep::kRun;
    result.message = outcome.message;
    return result;
  }
  for (size_t set_idx = 0;
       set_idx < outcome.data_sets.size() && set_idx < prepared->expected.size(); ++set_idx) {
    DataSetResult data_set =
        CompareDataSet(outcome.data_sets[set_idx], prepared->expected[set_idx], options.tolerance);
    // An error outranks a mismatch; the first reason is kept.
    if (data_set.status == CaseStatus::kError && result.status != CaseStatus::kError) {
      result.status = CaseStatus::kError;
      result.failed_step = FailedStep::kRun;
      result.message = data_set.name + ": " + data_set.message;
    } else if (data_set.status == CaseStatus::kFail && result.status == CaseStatus::kPass) {
      result.status = CaseStatus::kFail;
      result.failed_step = FailedStep::kCompare;
      result.message = data_set.name + ": " + data_set.message;
    }
    result.data_sets.push_back(std::move(data_set));
  }
  return result;
}

}  // namespace

std::string CaseStatusName(CaseStatus status) {
  switch (status) {
    case CaseStatus::kPass:
      return "pass";
    case CaseStatus::kFail:
      return "fail";
    case CaseStatus::kError:
      return "error";
    case CaseStatus::kCrash:
      return "crash";
    case CaseStatus::kTimeout:
      return "timeout";
    case CaseStatus::kOutOfMemory:
      return "out-of-memory";
    case CaseStatus::kSkipped:
      return "skipped";
    case CaseStatus::kExpectedFail:
      return "expected-fail";
    case CaseStatus::kUnexpectedPass:
      return "unexpected-pass";
  }
  return "error";
}

std::string FailedStepName(FailedStep step) {
  switch (step) {
    case FailedStep::kNone:
      return "";
    case FailedStep::kReadData:
      return "read-data";
    case FailedStep::kLoad:
      return "load";
    case FailedStep::kRun:
      return "run";
    case FailedStep::kCompare:
      return "compare";
  }
  return "";
}

bool IsUnexpectedFailure(CaseStatus status) {
  return status == CaseStatus::kFail || status == CaseStatus::kError ||
         status == CaseStatus::kCrash || status == CaseStatus::kTimeout ||
         status == CaseStatus::kOutOfMemory;
}

Result<PreparedCase> PrepareCase(const TestCase& test_case, const SessionConfig& session) {
  if (!test_case.discovery_error.empty()) return Error(test_case.discovery_error);
  std::vector<std::string> operators;
  ZC_ASSIGN_OR_RETURN(BoundCase bound, Prepare(test_case, session, &operators));
  PreparedCase prepared;
  prepared.request = std::move(bound.request);
  for (std::vector<BoundValue>& data_set : bound.expected) {
    std::vector<Value>& values = prepared.expected.emplace_back();
    for (BoundValue& output : data_set) {
      output.value.name = output.name;
      values.push_back(std::move(output.value));
    }
  }
  return prepared;
}

CaseResult RunTestCase(const TestCase& test_case, Executor& executor, const TestOptions& options) {
  int64_t start_ns = SystemClock().NowNs();
  CaseResult result = RunCaseUnclassified(test_case, executor, options);
  ApplyExpectFail(options.expect_fail, &result);
  result.duration_ns = SystemClock().NowNs() - start_ns;
  return result;
}

// Cases in flight per job: while a worker runs one case, the next one's reference data is read
// and decoded (and the previous one's outputs compared) on another thread, and its request can
// wait in the worker's queue (SandboxConfig::requests_per_worker).
constexpr int kCasesInFlightPerJob = 2;

TestReport RunTestCases(const std::vector<TestCase>& cases, Executor& executor,
                        const TestOptions& options, const ProgressCallback& progress) {
  TestReport report;
  report.jobs = std::max(1, options.jobs);
  auto backend = executor.BackendDescription();
  report.backend = backend.ok() ? *backend : "unknown backend (" + backend.error().message() + ")";
  report.cases.resize(cases.size());
  int64_t start_ns = SystemClock().NowNs();

  std::atomic<size_t> next_case{0};
  std::mutex progress_mutex;  // serializes `progress` calls and guards `done`
  int done = 0;
  auto work = [&] {
    for (size_t case_idx = next_case++; case_idx < cases.size(); case_idx = next_case++) {
      report.cases[case_idx] = RunTestCase(cases[case_idx], executor, options);
      std::lock_guard<std::mutex> lock(progress_mutex);
      ++done;
      if (progress) progress(report.cases[case_idx], done, static_cast<int>(cases.size()));
    }
  };
  std::vector<std::thread> threads;
  int thread_count = std::min<int>(report.jobs * kCasesInFlightPerJob,
                                   std::max<int>(1, static_cast<int>(cases.size())));
  for (int thread_idx = 1; thread_idx < thread_count; ++thread_idx) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();

  for (const CaseResult& result : report.cases) {
    if (result.status == CaseStatus::kPass || result.status == CaseStatus::kUnexpectedPass) {
      ++report.summary.passed;
    }
    if (IsUnexpectedFailure(result.status)) ++report.summary.failed;
    if (result.status == CaseStatus::kSkipped) ++report.summary.skipped;
    if (result.status == CaseStatus::kExpectedFail) ++report.summary.expected_failures;
    if (result.status == CaseStatus::kUnexpectedPass) ++report.summary.unexpected_passes;
  }
  std::vector<bool> used(options.expect_fail.size(), false);
  for (const CaseResult& result : report.cases) {
    for (size_t entry_idx = 0; entry_idx < used.size(); ++entry_idx) {
      if (!used[entry_idx] && ExpectFailMatches(options.expect_fail[entry_idx], result.id))
        used[entry_idx] = true;
    }
  }
  for (size_t entry_idx = 0; entry_idx < used.size(); ++entry_idx) {
    if (!used[entry_idx]) report.unused_expect_fail.push_back(options.expect_fail[entry_idx]);
  }
  report.summary.duration_ns = SystemClock().NowNs() - start_ns;
  return report;
}

}  // namespace zooci
