// testrun: `zooci test` as a module. Finds test cases (model + test_data_set_N), runs them through
// an Executor (the sandbox), compares every output with its reference, applies the expect-fail
// list, and reports in text or JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compare/compare.h"
#include "runtime/runtime.h"

namespace zooci {

// ---- Discovery ---------------------------------------------------------------------------------

// Cases found for the command line's paths. Archives are extracted into `temp_dirs`, which must
// outlive the cases.
struct Discovery {
  std::vector<TestCase> cases;
  std::vector<TempDir> temp_dirs;
};

// Each path is a model directory (*.onnx beside test_data_set_N/), a model file (data sets from
// `data_dir` or the model's directory), a .tar.gz/.tgz in the ONNX Model Zoo format, or a
// directory tree searched for model directories. Case ids: the directory's name, or for a tree
// "<tree name>/<relative path>". A path that does not exist or holds no model is an error.
Result<Discovery> DiscoverCases(const std::vector<fs::path>& paths,
                                const std::optional<fs::path>& data_dir,
                                const ExtractLimits& extract_limits = {});

// ---- Expected failures -------------------------------------------------------------------------

struct ExpectFailEntry {
  std::string case_path;  // matches a case id equal to it or ending in "/" + it
  std::string reason;
  int line = 0;
};

// Parses "<case path> <reason...>" lines; '#' starts a comment. A reason is required.
Result<std::vector<ExpectFailEntry>> ParseExpectFail(std::string_view text,
                                                     const std::string& file_name);
Result<std::vector<ExpectFailEntry>> ReadExpectFail(const fs::path& path);
bool ExpectFailMatches(const ExpectFailEntry& entry, const std::string& case_id);
// The first entry matching `case_id`, or null.
const ExpectFailEntry* FindExpectFail(const std::vector<ExpectFailEntry>& entries,
                                      const std::string& case_id);

// ---- Running
// -------------------------------------------------------------------------------------

enum class CaseStatus {
  kPass,
  kFail,
  kError,
  kCrash,
  kTimeout,
  kOutOfMemory,
  kSkipped,
  kExpectedFail,
  kUnexpectedPass,
};
std::string CaseStatusName(CaseStatus status);  // "pass", "fail", "expected-fail", ...
// True for statuses that make the run fail.
bool IsUnexpectedFailure(CaseStatus status);

// Where a case that did not pass stopped.
enum class FailedStep {
  kNone,      // it passed, or was skipped
  kReadData,  // ZooCI could not read its model header or reference data
  kLoad,      // the runtime refused the model (session creation, import)
  kRun,       // running failed: a data set's error, or the worker crashed, timed out or ran out
              // of memory (while loading or running)
  kCompare,   // outputs differ from the reference
};
std::string FailedStepName(FailedStep step);  // "", "read-data", "load", "run", "compare"

struct DataSetResult {
  std::string name;
  CaseStatus status = CaseStatus::kPass;  // pass, fail or error
  std::string message;                    // for error: why the data set could not run
  std::vector<OutputComparison> outputs;
  int64_t run_ns = 0;
};

struct CaseResult {
  std::string id;
  fs::path model_path;
  CaseStatus status = CaseStatus::kPass;
  CaseStatus actual_status = CaseStatus::kPass;  // before the expect-fail list was applied
  std::string message;                           // the first reason it did not pass
  FailedStep failed_step = FailedStep::kNone;    // of actual_status
  std::string expect_fail_reason;
  std::vector<std::string> operators;  // the model's (ModelInfo::operators); empty if unreadable
  std::vector<DataSetResult> data_sets;
  int64_t session_create_ns = 0;
  int64_t duration_ns = 0;
};

struct TestSummary {
  int passed = 0;  // unexpected passes included
  int failed = 0;  // every unexpected failure: fail, error, crash, timeout, out-of-memory
  int skipped = 0;
  int expected_failures = 0;
  int unexpected_passes = 0;
  int64_t duration_ns = 0;
};

struct TestReport {
  std::string backend;  // "onnxruntime 1.30.0"
  int jobs = 1;
  std::vector<CaseResult> cases;
  std::vector<ExpectFailEntry> unused_expect_fail;  // entries that matched no case
  TestSummary summary;
};

struct TestOptions {
  ToleranceConfig tolerance;
  SessionConfig session;
  int jobs = 1;
  std::vector<ExpectFailEntry> expect_fail;
};

// Called after each case finishes (from worker threads, serialized by the runner).
using ProgressCallback = std::function<void(const CaseResult& result, int done, int total)>;

// Runs `cases` on `executor` with `options.jobs` cases in flight. Never throws; every problem of a
// case is in its result.
TestReport RunTestCases(const std::vector<TestCase>& cases, Executor& executor,
                        const TestOptions& options, const ProgressCallback& progress = nullptr);

// A case's data sets read, validated and bound to the model's declared inputs and outputs, as
// RunTestCase does before anything runs: the request (each input as the bytes of its file) and,
// per data set, the reference outputs, each named (Value::name) by the model output it binds to.
// For callers that run one case on several executors and compare their outputs.
struct PreparedCase {
  RunRequest request;
  std::vector<std::vector<Value>> expected;  // per data set of `request`
};
// An error names the data set or file (a malformed .pb, an input without data, ...).
Result<PreparedCase> PrepareCase(const TestCase& test_case, const SessionConfig& session);

// Runs one case (exposed for tests).
CaseResult RunTestCase(const TestCase& test_case, Executor& executor, const TestOptions& options);

// ---- Reports
// ---------------------------------------------------------------------------------------

// Failures with details (every case with `verbose`), then the summary, ending with the line
// "N passed, N failed" (", N skipped" appended when some were).
std::string FormatTextReport(const TestReport& report, bool verbose);
std::string FormatJsonReport(const TestReport& report);
// Reads FormatJsonReport's output back (every field it writes). Errors name the field.
Result<TestReport> ParseJsonReport(std::string_view json);

// ---- Conformance: the ONNX backend scoreboard's table --------------------------------------

// One runtime's report over a corpus, under a short label ("ort").
struct ConformanceRun {
  std::string label;
  TestReport report;
};

// What happened to a group of cases on one runtime. A case is passed, failed (with a class:
// "wrong output", "run error", "crash", "timeout", "out of memory", "data", "no data",
// "nondeterministic" for cases its expect-fail list marks so) or unsupported (the runtime refused
// to load the model). Results are read before the expect-fail list was applied.
struct ConformanceCell {
  int passed = 0;
  int failed = 0;
  int unsupported = 0;
  std::map<std::string, int> failure_classes;  // class -> cases; sums to `failed`
};

struct ConformanceRow {
  std::string group;  // "Conv", "Softmax (expanded)", "models: pytorch-converted"
  int cases = 0;
  std::vector<ConformanceCell> cells;  // one per run, in run order
};

struct ConformanceTable {
  std::vector<std::string> labels;    // per run
  std::vector<std::string> backends;  // per run: TestReport::backend
  std::vector<ConformanceRow> rows;   // operators A-Z, each followed by its expanded form; models
  std::vector<ConformanceCell> totals;
  int cases = 0;
};

// Groups cases by the operator they test. A case under a tree named "node" (the ONNX backend
// corpus's one-operator tests) tests its model's operator: the one other than Constant, or the
// last one. "node/test_x_expanded" is the function expansion of "node/test_x"'s operator and
// makes a row of its own. Cases of other trees are grouped as "models: <tree>". Every run must
// hold the same case ids.
Result<ConformanceTable> BuildConformanceTable(const std::vector<ConformanceRun>& runs);
// The totals per runtime, then the per-operator table, in Markdown.
std::string FormatConformanceMarkdown(const ConformanceTable& table);
// `document` with the text between the lines `begin_marker` and `end_marker` replaced by
// `content`. An error when either marker line is missing or they are out of order.
Result<std::string> ReplaceMarkedSection(std::string_view document, std::string_view begin_marker,
                                         std::string_view end_marker, std::string_view content);

}  // namespace zooci
