// Text and JSON views of a TestReport.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>

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
  if (result.failed_step != FailedStep::kNone)
    object["failed_step"] = FailedStepName(result.failed_step);
  if (!result.expect_fail_reason.empty()) object["expect_fail_reason"] = result.expect_fail_reason;
  object["operators"] = result.operators;
  return object;
}

// ---- Reading a JSON report back --------------------------------------------------------------

Result<CaseStatus> ParseCaseStatus(const std::string& name) {
  for (CaseStatus status :
       {CaseStatus::kPass, CaseStatus::kFail, CaseStatus::kError, CaseStatus::kCrash,
        CaseStatus::kTimeout, CaseStatus::kOutOfMemory, CaseStatus::kSkipped,
        CaseStatus::kExpectedFail, CaseStatus::kUnexpectedPass}) {
    if (CaseStatusName(status) == name) return status;
  }
  return Error("unknown status '" + name + "'");
}

Result<FailedStep> ParseFailedStep(const std::string& name) {
  for (FailedStep step : {FailedStep::kNone, FailedStep::kReadData, FailedStep::kLoad,
                          FailedStep::kRun, FailedStep::kCompare}) {
    if (FailedStepName(step) == name) return step;
  }
  return Error("unknown failed_step '" + name + "'");
}

// A number, or the text DoubleOrNull wrote for a non-finite one ("inf", "-nan").
double ParseErrorValue(const json& value) {
  if (value.is_number()) return value.get<double>();
  return std::strtod(value.get<std::string>().c_str(), nullptr);
}

OutputComparison ParseComparison(const json& object) {
  OutputComparison output;
  output.name = object.at("name").get<std::string>();
  output.passed = object.at("status").get<std::string>() == "pass";
  output.expected_type = object.at("expected_type").get<std::string>();
  output.actual_type = object.at("actual_type").get<std::string>();
  output.elements = object.at("elements").get<int64_t>();
  output.mismatches = object.at("mismatches").get<int64_t>();
  output.max_abs_error = ParseErrorValue(object.at("max_abs_error"));
  output.max_rel_error = ParseErrorValue(object.at("max_rel_error"));
  output.tolerance = {object.at("rtol").get<double>(), object.at("atol").get<double>()};
  output.structure_error = object.value("structure_error", "");
  if (object.contains("first_mismatch")) {
    const json& first = object.at("first_mismatch");
    output.first_mismatch =
        Mismatch{first.at("index").get<std::vector<int64_t>>(),
                 first.at("flat_index").get<int64_t>(), first.at("path").get<std::string>(),
                 first.at("expected").get<std::string>(), first.at("actual").get<std::string>()};
  }
  return output;
}

int64_t MsToNs(const json& value) {
  return static_cast<int64_t>(std::llround(value.get<double>() * 1e6));
}

Result<CaseResult> ParseCase(const json& object) {
  CaseResult result;
  result.id = object.at("id").get<std::string>();
  result.model_path = object.at("model").get<std::string>();
  ZC_ASSIGN_OR_RETURN(result.status, ParseCaseStatus(object.at("status").get<std::string>()));
  result.actual_status = result.status;
  if (object.contains("actual_status")) {
    ZC_ASSIGN_OR_RETURN(result.actual_status,
                        ParseCaseStatus(object.at("actual_status").get<std::string>()));
  }
  ZC_ASSIGN_OR_RETURN(result.failed_step, ParseFailedStep(object.value("failed_step", "")));
  result.message = object.at("message").get<std::string>();
  result.expect_fail_reason = object.value("expect_fail_reason", "");
  result.operators = object.value("operators", std::vector<std::string>{});
  result.session_create_ns = MsToNs(object.at("session_create_ms"));
  result.duration_ns = MsToNs(object.at("duration_ms"));
  for (const json& data_set_json : object.at("data_sets")) {
    DataSetResult data_set;
    data_set.name = data_set_json.at("name").get<std::string>();
    ZC_ASSIGN_OR_RETURN(data_set.status,
                        ParseCaseStatus(data_set_json.at("status").get<std::string>()));
    data_set.message = data_set_json.at("message").get<std::string>();
    data_set.run_ns = MsToNs(data_set_json.at("run_ms"));
    for (const json& output : data_set_json.at("outputs"))
      data_set.outputs.push_back(ParseComparison(output));
    result.data_sets.push_back(std::move(data_set));
  }
  return result;
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

Result<TestReport> ParseJsonReport(std::string_view text) {
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object())
    return Error("not a zooci test JSON report (not a JSON object)");
  try {
    TestReport report;
    report.backend = document.at("backend").get<std::string>();
    report.jobs = document.at("jobs").get<int>();
    for (const json& case_json : document.at("cases")) {
      std::string context = "case '" + case_json.value("id", std::string("?")) + "'";
      Result<CaseResult> result = Error("unreadable");
      try {
        result = ParseCase(case_json);
      } catch (const json::exception& e) {
        return Error(context + ": " + e.what());
      }
      if (!result.ok()) return result.error().WithContext(context);
      report.cases.push_back(std::move(*result));
    }
    for (const json& entry : document.at("unused_expect_fail")) {
      report.unused_expect_fail.push_back({entry.at("case").get<std::string>(),
                                           entry.at("reason").get<std::string>(),
                                           entry.at("line").get<int>()});
    }
    const json& summary = document.at("summary");
    report.summary.passed = summary.at("passed").get<int>();
    report.summary.failed = summary.at("failed").get<int>();
    report.summary.skipped = summary.at("skipped").get<int>();
    report.summary.expected_failures = summary.at("expected_failures").get<int>();
    report.summary.unexpected_passes = summary.at("unexpected_passes").get<int>();
    report.summary.duration_ns = MsToNs(summary.at("duration_ms"));
    return report;
  } catch (const json::exception& e) {
    return Error(std::string("not a zooci test JSON report: ") + e.what());
  }
}

}  // namespace zooci
