// Text and JSON views of a TestReport.
#include <nlohmann/json.hpp>

#include "testrun/testrun.h"

namespace zooci {
namespace {

using json = nlohmann::json;

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// One line per failing output (every output with `all_outputs`) and per data set error.
void AppendCaseDetails(const CaseResult& result, bool all_outputs, std::string* out) {
  for (const DataSetResult& data_set : result.data_sets) {
    if (data_set.status == CaseStatus::kError) {
      *out += "    " + data_set.name + ": error: " + data_set.message + "\n";
      continue;
    }
    for (const OutputComparison& output : data_set.outputs) {
      if (all_outputs || !output.passed)
        *out += "    " + data_set.name + ": " + output.Summary() + "\n";
    }
  }
}

json DoubleOrNull(double value) {
  return std::isfinite(value) ? json(value) : json(FormatDouble(value));
}

json ComparisonJson(const OutputComparison& output) {
  json object = {{"name", output.name},
                 {"status", output.passed ? "pass" : "fail"},
                 {"expected_type", output.expected_type},
                 {"actual_type", output.actual_type},
                 {"elements", output.elements},
                 {"mismatches", output.mismatches},
                 {"max_abs_error", DoubleOrNull(output.max_abs_error)},
                 {"max_rel_error", DoubleOrNull(output.max_rel_error)},
                 {"rtol", output.tolerance.rtol},
                 {"atol", output.tolerance.atol}};
  if (!output.structure_error.empty()) object["structure_error"] = output.structure_error;
  if (output.first_mismatch) {
    object["first_mismatch"] = {{"index", output.first_mismatch->index},
                                {"flat_index", output.first_mismatch->flat_index},
                                {"path", output.first_mismatch->path},
                                {"expected", output.first_mismatch->expected},
                                {"actual", output.first_mismatch->actual}};
  }
  return object;
}

json CaseJson(const CaseResult& result) {
  json data_sets = json::array();
  for (const DataSetResult& data_set : result.data_sets) {
    json outputs = json::array();
    for (const OutputComparison& output : data_set.outputs)
      outputs.push_back(ComparisonJson(output));
    data_sets.push_back({{"name", data_set.name},
                         {"status", CaseStatusName(data_set.status)},
                         {"message", data_set.message},
                         {"run_ms", static_cast<double>(data_set.run_ns) / 1e6},
                         {"outputs", outputs}});
  }
  json object = {{"id", result.id},
                 {"model", result.model_path.string()},
                 {"status", CaseStatusName(result.status)},
                 {"message", result.message},
                 {"session_create_ms", static_cast<double>(result.session_create_ns) / 1e6},
                 {"duration_ms", static_cast<double>(result.duration_ns) / 1e6},
                 {"data_sets", data_sets}};
  if (result.status != result.actual_status)
    object["actual_status"] = CaseStatusName(result.actual_status);
  if (!result.expect_fail_reason.empty()) object["expect_fail_reason"] = result.expect_fail_reason;
  return object;
}

}  // namespace

std::string FormatTextReport(const TestReport& report, bool verbose) {
  std::string out;
  for (const CaseResult& result : report.cases) {
    bool interesting =
        IsUnexpectedFailure(result.status) || result.status == CaseStatus::kUnexpectedPass;
    if (!interesting && !verbose) continue;
    std::string line = Upper(CaseStatusName(result.status)) + " " + result.id;
    if (result.status == CaseStatus::kPass)
      line += " (" + FormatDurationNs(result.duration_ns) + ")";
    if (!result.message.empty()) line += ": " + result.message;
    if (result.status == CaseStatus::kExpectedFail)
      line += " [expected: " + result.expect_fail_reason + "]";
    out += line + "\n";
    if (verbose || result.status == CaseStatus::kFail || result.status == CaseStatus::kError) {
      AppendCaseDetails(result, verbose, &out);
    }
  }
  for (const ExpectFailEntry& entry : report.unused_expect_fail) {
    out += "note: expect-fail entry '" + entry.case_path + "' (line " + std::to_string(entry.line) +
           ") matched no case\n";
  }
  const TestSummary& summary = report.summary;
  out += std::to_string(report.cases.size()) + " cases in " +
         FormatDurationNs(summary.duration_ns) + " on " + report.backend + " (-j " +
         std::to_string(report.jobs) + ")";
  if (summary.expected_failures > 0)
    out += "; " + std::to_string(summary.expected_failures) + " expected failures";
  if (summary.unexpected_passes > 0)
    out += "; " + std::to_string(summary.unexpected_passes) + " unexpected passes";
  out += "\n" + std::to_string(summary.passed) + " passed, " + std::to_string(summary.failed) +
         " failed";
  if (summary.skipped > 0) out += ", " + std::to_string(summary.skipped) + " skipped";
  return out + "\n";
}

std::string FormatJsonReport(const TestReport& report) {
  json cases = json::array();
  for (const CaseResult& result : report.cases) cases.push_back(CaseJson(result));
  json unused = json::array();
  for (const ExpectFailEntry& entry : report.unused_expect_fail) {
    unused.push_back({{"case", entry.case_path}, {"line", entry.line}, {"reason", entry.reason}});
  }
  const TestSummary& summary = report.summary;
  json document = {{"backend", report.backend},
                   {"jobs", report.jobs},
                   {"cases", cases},
                   {"unused_expect_fail", unused},
                   {"summary",
                    {{"total", report.cases.size()},
                     {"passed", summary.passed},
                     {"failed", summary.failed},
                     {"skipped", summary.skipped},
                     {"expected_failures", summary.expected_failures},
                     {"unexpected_passes", summary.unexpected_passes},
                     {"duration_ms", static_cast<double>(summary.duration_ns) / 1e6}}}};
  return document.dump(2) + "\n";
}

}  // namespace zooci
