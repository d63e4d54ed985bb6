// The per-operator conformance table: test reports of several runtimes over the ONNX backend
// corpus, grouped by the operator each case tests.
#include <algorithm>
#include <set>

#include "testrun/testrun.h"

namespace zooci {
namespace {

constexpr std::string_view kExpandedSuffix = "_expanded";
constexpr std::string_view kOperatorTree = "node";

std::string TreeOf(const std::string& case_id) {
  return case_id.substr(0, case_id.find('/'));
}

// "Adam (ai.onnx.preview.training)" for "ai.onnx.preview.training.Adam": rows sort by the
// operator's name.
std::string OperatorLabel(const std::string& op) {
  size_t dot = op.rfind('.');
  if (dot == std::string::npos) return op;
  return op.substr(dot + 1) + " (" + op.substr(0, dot) + ")";
}

// The operator a one-operator model tests: the one that is not Constant (tests feed constant
// inputs through Constant nodes), or the last one.
std::string TestedOperator(const std::vector<std::string>& operators) {
  std::vector<std::string> others;
  for (const std::string& op : operators) {
    if (op != "Constant") others.push_back(op);
  }
  if (others.size() == 1) return OperatorLabel(others.front());
  if (operators.empty()) return "(model unreadable)";
  return OperatorLabel(operators.back());
}

// The row a case belongs to (see BuildConformanceTable).
std::string GroupOf(const CaseResult& result,
                    const std::map<std::string, const CaseResult*>& by_id) {
  std::string tree = TreeOf(result.id);
  if (tree != kOperatorTree || tree == result.id) return "models: " + tree;
  if (EndsWith(result.id, kExpandedSuffix)) {
    std::string plain = result.id.substr(0, result.id.size() - kExpandedSuffix.size());
    auto sibling = by_id.find(plain);
    if (sibling != by_id.end()) return TestedOperator(sibling->second->operators) + " (expanded)";
  }
  return TestedOperator(result.operators);
}

// Where a case lands in its cell: "pass", "unsupported", or a failure class. A case its
// expect-fail list marks as nondeterministic is one, whatever happened in this run.
std::string OutcomeOf(const CaseResult& result) {
  if (StartsWith(result.expect_fail_reason, "nondeterministic")) return "nondeterministic";
  switch (result.actual_status) {
    case CaseStatus::kPass:
    case CaseStatus::kUnexpectedPass:
      return "pass";
    case CaseStatus::kFail:
      return "wrong output";
    case CaseStatus::kCrash:
      return "crash";
    case CaseStatus::kTimeout:
      return "timeout";
    case CaseStatus::kOutOfMemory:
      return "out of memory";
    case CaseStatus::kSkipped:
      return "no data";
    case CaseStatus::kError:
    case CaseStatus::kExpectedFail:
      break;
  }
  switch (result.failed_step) {
    case FailedStep::kLoad:
      return "unsupported";
    case FailedStep::kReadData:
      return "data";
    default:
      return "run error";
  }
}

void Count(const std::string& outcome, ConformanceCell* cell) {
  if (outcome == "pass") {
    ++cell->passed;
  } else if (outcome == "unsupported") {
    ++cell->unsupported;
  } else {
    ++cell->failed;
    ++cell->failure_classes[outcome];
  }
}

// Operators A-Z ignoring case, each followed by its expanded form; model groups last.
bool RowBefore(const std::string& a, const std::string& b) {
  auto key = [](const std::string& group) {
    bool models = StartsWith(group, "models: ");
    std::string lower;
    for (char c : group) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::make_pair(models, lower);
  };
  return key(a) < key(b);
}

std::string Count(int count) {
  return count == 0 ? "·" : std::to_string(count);
}

std::string FailedCell(const ConformanceCell& cell) {
  if (cell.failed == 0) return "·";
  std::string text = std::to_string(cell.failed) + " (";
  bool first = true;
  for (const auto& [failure_class, count] : cell.failure_classes) {
    if (!first) text += ", ";
    first = false;
    if (cell.failure_classes.size() > 1) text += std::to_string(count) + " ";
    text += failure_class;
  }
  return text + ")";
}

}  // namespace

Result<ConformanceTable> BuildConformanceTable(const std::vector<ConformanceRun>& runs) {
  if (runs.empty()) return Error("conformance: no report");
  std::set<std::string> ids;
  for (const CaseResult& result : runs.front().report.cases) ids.insert(result.id);
  for (const ConformanceRun& run : runs) {
    std::set<std::string> run_ids;
    for (const CaseResult& result : run.report.cases) run_ids.insert(result.id);
    if (run_ids != ids) {
      return Error("conformance: the reports of '" + runs.front().label + "' and '" + run.label +
                   "' cover different cases");
    }
  }

  // Rows come from the first run's models (every run reads the same files).
  std::map<std::string, const CaseResult*> by_id;
  for (const CaseResult& result : runs.front().report.cases) by_id[result.id] = &result;
  std::map<std::string, std::string> group_of;  // case id -> row
  for (const CaseResult& result : runs.front().report.cases)
    group_of[result.id] = GroupOf(result, by_id);

  ConformanceTable table;
  table.cases = static_cast<int>(ids.size());
  table.totals.resize(runs.size());
  std::map<std::string, ConformanceRow> rows;
  for (size_t run_idx = 0; run_idx < runs.size(); ++run_idx) {
    table.labels.push_back(runs[run_idx].label);
    table.backends.push_back(runs[run_idx].report.backend);
    for (const CaseResult& result : runs[run_idx].report.cases) {
      ConformanceRow& row = rows[group_of[result.id]];
      row.cells.resize(runs.size());
      if (run_idx == 0) ++row.cases;
      std::string outcome = OutcomeOf(result);
      Count(outcome, &row.cells[run_idx]);
      Count(outcome, &table.totals[run_idx]);
    }
  }
  for (auto& [group, row] : rows) {
    row.group = group;
    table.rows.push_back(std::move(row));
  }
  std::sort(
      table.rows.begin(), table.rows.end(),
      [](const ConformanceRow& a, const ConformanceRow& b) { return RowBefore(a.group, b.group); });
  return table;
}

std::string FormatConformanceMarkdown(const ConformanceTable& table) {
  std::string out;
  out += "| runtime | backend | cases | passed | failed | unsupported (import refused) |\n";
  out += "|---|---|---|---|---|---|\n";
  for (size_t run_idx = 0; run_idx < table.labels.size(); ++run_idx) {
    const ConformanceCell& total = table.totals[run_idx];
    out += "| " + table.labels[run_idx] + " | " + table.backends[run_idx] + " | " +
           std::to_string(table.cases) + " | " + std::to_string(total.passed) + " | " +
           FailedCell(total) + " | " + std::to_string(total.unsupported) + " |\n";
  }
  out += "\n| operator | cases |";
  std::string rule = "|---|---|";
  for (const std::string& label : table.labels) {
    out += " " + label + " passed | " + label + " failed | " + label + " unsupported |";
    rule += "---|---|---|";
  }
  out += "\n" + rule + "\n";
  for (const ConformanceRow& row : table.rows) {
    out += "| " + row.group + " | " + std::to_string(row.cases) + " |";
    for (const ConformanceCell& cell : row.cells) {
      out += " " + Count(cell.passed) + " | " + FailedCell(cell) + " | " + Count(cell.unsupported) +
             " |";
    }
    out += "\n";
  }
  return out;
}

Result<std::string> ReplaceMarkedSection(std::string_view document, std::string_view begin_marker,
                                         std::string_view end_marker, std::string_view content) {
  // Markers are whole lines.
  auto find_line = [&](std::string_view marker, size_t from) -> size_t {
    for (size_t pos = document.find(marker, from); pos != std::string_view::npos;
         pos = document.find(marker, pos + 1)) {
      bool line_start = pos == 0 || document[pos - 1] == '\n';
      size_t end = pos + marker.size();
      bool line_end = end == document.size() || document[end] == '\n';
      if (line_start && line_end) return pos;
    }
    return std::string_view::npos;
  };
  size_t begin = find_line(begin_marker, 0);
  if (begin == std::string_view::npos) return Error("no line '" + std::string(begin_marker) + "'");
  size_t body = begin + begin_marker.size() + 1;
  size_t end = find_line(end_marker, std::min(body, document.size()));
  if (end == std::string_view::npos || body > document.size())
    return Error("no line '" + std::string(end_marker) + "' after '" + std::string(begin_marker) +
                 "'");
  std::string result(document.substr(0, body));
  result += content;
  if (!content.empty() && content.back() != '\n') result += '\n';
  result += document.substr(end);
  return result;
}

}  // namespace zooci
