// Views of a DifftestReport: text for people, JSON for machines, Markdown for documents.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

#include "difftest/difftest.h"

namespace zooci {
namespace {

double Seconds(int64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

std::string Fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", digits, value);
  return buffer;
}

// "12 agree, 2 DISAGREE, 3 unsupported" (zeros left out; "-" when nothing ran).
std::string CellText(const OperatorRow::Cell& cell, bool markdown) {
  std::string text;
  auto add = [&](int count, const char* what) {
    if (count == 0) return;
    text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + what;
  };
  add(cell.agree, "agree");
  add(cell.disagree, markdown ? "**disagree**" : "DISAGREE");
  add(cell.unsupported, "unsupported");
  add(cell.run_error, "run error");
  add(cell.crash, "crash");
  add(cell.collateral_crashes, "collateral crash");
  return text.empty() ? "-" : text;
}

int NotGenerated(const DifftestReport& report) {
  int count = 0;
  for (const OperatorCoverage& row : report.coverage) count += row.generated ? 0 : 1;
  return count;
}

double CasesPerSecond(const DifftestReport& report) {
  return report.duration_ns > 0 ? report.run / Seconds(report.duration_ns) : 0;
}

std::string Totals(const DifftestReport& report) {
  return std::to_string(report.run) + " cases, " + std::to_string(report.disagreements) +
         " disagreements" +
         (report.crashes > 0 ? ", " + std::to_string(report.crashes) + " crashes" : "");
}

}  // namespace

std::string FormatDifftestText(const DifftestReport& report) {
  std::string text;
  text += "difftest seed " + std::to_string(report.seed) + ": ";
  for (const std::string& runtime : report.runtimes) {
    text += runtime + " (" + report.backends.at(runtime) + ")" +
            (runtime == kOracleRuntime ? " [oracle]" : "") + "  ";
  }
  text += "\n";
  // Each disagreement class (operator, runtime) is shown by its first cases; the table below
  // counts them all.
  constexpr int kShownPerClass = 3;
  std::map<std::string, int> shown;
  int hidden = 0;
  for (const CaseOutcome& outcome : report.cases) {
    if (outcome.check_failed) {
      text += "GENERATOR BUG " + outcome.id + " " + outcome.description + ": " +
              outcome.check_message + "\n";
    }
    for (const RuntimeResult& result : outcome.results) {
      const bool crash = result.verdict == DiffVerdict::kCrash;
      if (result.verdict != DiffVerdict::kDisagree && !crash) continue;
      if (shown[outcome.op + " " + result.runtime + (crash ? " crash" : "")]++ >= kShownPerClass) {
        ++hidden;
        continue;
      }
      text += std::string(crash ? "CRASH " : "DISAGREE ") + result.runtime + " " + outcome.id +
              " " + outcome.description + ": " + result.detail + "\n";
      for (const WrittenCase& written : outcome.written) {
        if (written.runtime != result.runtime) continue;
        text += "  minimised to " + written.minimised + " (" + std::to_string(written.nodes) +
                (written.nodes == 1 ? " node" : " nodes") + "): " + written.detail + "\n";
        if (!written.replay.empty()) text += "    replay: " + written.replay + "\n";
      }
    }
  }
  if (hidden > 0) {
    text +=
        "(" + std::to_string(hidden) +
        " more disagreements or crashes of the same operators and runtimes: " +
        "--format json lists them)\n";
  }
  text += "\n";
  for (const OperatorRow& row : report.operators) {
    std::string line = row.op + ": " + std::to_string(row.generated) + " generated";
    if (row.check_failed > 0) line += ", " + std::to_string(row.check_failed) + " failed check";
    if (row.oracle_failed > 0) {
      line += ", " + std::to_string(row.oracle_failed) + " refused by the reference";
    }
    for (const auto& [runtime, cell] : row.per_runtime)
      line += "; " + runtime + ": " + CellText(cell, false);
    text += line + "\n";
  }
  text += std::to_string(NotGenerated(report)) + " of " + std::to_string(report.coverage.size()) +
          " opset-17 operators not generated (--format json lists them)\n";
  if (report.budget_exhausted) {
    text += "time budget spent after " + std::to_string(report.run) + " cases" +
            (report.planned > 0 ? " of " + std::to_string(report.planned) : std::string()) + "\n";
  }
  text += Fixed(CasesPerSecond(report), 1) + " cases/s over " +
          Fixed(Seconds(report.duration_ns), 1) + " s\n";
  if (report.generator_bugs > 0) {
    text += std::to_string(report.generator_bugs) + " generated models failed check (not run)\n";
  }
  text += Totals(report) + "\n";
  return text;
}

std::string FormatDifftestJson(const DifftestReport& report) {
  using nlohmann::json;
  json root;
  root["seed"] = report.seed;
  root["runtimes"] = report.runtimes;
  root["oracle"] = kOracleRuntime;
  root["backends"] = report.backends;
  root["planned"] = report.planned;
  root["run"] = report.run;
  root["budget_exhausted"] = report.budget_exhausted;
  root["duration_s"] = Seconds(report.duration_ns);
  root["cases_per_second"] = CasesPerSecond(report);
  root["disagreements"] = report.disagreements;
  root["crashes"] = report.crashes;
  root["generator_bugs"] = report.generator_bugs;
  json operators = json::array();
  for (const OperatorRow& row : report.operators) {
    json entry = {{"op", row.op},
                  {"generated", row.generated},
                  {"check_failed", row.check_failed},
                  {"oracle_failed", row.oracle_failed}};
    for (const auto& [runtime, cell] : row.per_runtime) {
      entry["runtimes"][runtime] = {{"agree", cell.agree},
                                    {"disagree", cell.disagree},
                                    {"unsupported", cell.unsupported},
                                    {"run_error", cell.run_error},
                                    {"crash", cell.crash},
                                    {"collateral_crashes", cell.collateral_crashes}};
      if (!cell.first_unsupported.empty()) {
        entry["runtimes"][runtime]["first_unsupported"] = cell.first_unsupported;
      }
      if (!cell.first_failure.empty()) {
        entry["runtimes"][runtime]["first_failure"] = cell.first_failure;
      }
    }
    operators.push_back(entry);
  }
  root["operators"] = operators;
  json cases = json::array();
  json disagreements = json::array();
  json crashes = json::array();  // the same entries, for crashes proper, timeouts and OOM
  for (const CaseOutcome& outcome : report.cases) {
    // Only the cases where something other than agreement or a refusal to load happened: a
    // ten-minute run has ~100,000 cases, and the per-operator table counts them all.
    bool interesting = outcome.check_failed || outcome.oracle_failed;
    for (const RuntimeResult& result : outcome.results) {
      interesting |= !result.crashed_before.empty();
      interesting |=
          result.verdict != DiffVerdict::kAgree && result.verdict != DiffVerdict::kUnsupported;
    }
    if (!interesting) continue;
    json entry = {{"id", outcome.id}, {"op", outcome.op}, {"model", outcome.description}};
    if (outcome.check_failed) entry["check_error"] = outcome.check_message;
    if (outcome.oracle_failed) entry["oracle_error"] = outcome.oracle_message;
    for (const RuntimeResult& result : outcome.results) {
      entry["results"][result.runtime] = DiffVerdictName(result.verdict);
      if (!result.crashed_before.empty()) {
        entry["crashed_before"][result.runtime] = result.crashed_before;
      }
      if (result.verdict == DiffVerdict::kAgree) continue;
      entry["details"][result.runtime] = result.detail;
      const bool crash = result.verdict == DiffVerdict::kCrash;
      if (result.verdict != DiffVerdict::kDisagree && !crash) continue;
      json disagreement = {{"case", outcome.id},
                           {"op", outcome.op},
                           {"runtime", result.runtime},
                           {"model", outcome.description},
                           {"detail", result.detail}};
      for (const WrittenCase& written : outcome.written) {
        if (written.runtime != result.runtime) continue;
        disagreement["minimised"] = {{"model", written.minimised},
                                     {"nodes", written.nodes},
                                     {"detail", written.detail},
                                     {"dir", written.dir.string()}};
        if (!written.replay.empty()) disagreement["minimised"]["replay"] = written.replay;
      }
      (crash ? crashes : disagreements).push_back(disagreement);
    }
    cases.push_back(entry);
  }
  root["disagreement_list"] = disagreements;
  root["crash_list"] = crashes;
  json not_generated = json::array();
  for (const OperatorCoverage& row : report.coverage) {
    if (!row.generated) not_generated.push_back({{"op", row.op}, {"reason", row.reason}});
  }
  root["not_generated"] = not_generated;
  root["cases"] = cases;
  return root.dump(2) + "\n";
}

std::string FormatDifftestMarkdown(const DifftestReport& report) {
  std::string md = "## zooci difftest (seed " + std::to_string(report.seed) + ")\n\n";
  for (const std::string& runtime : report.runtimes) {
    md += "- `" + runtime + "`: " + report.backends.at(runtime) +
          (runtime == kOracleRuntime ? " (the oracle)" : "") + "\n";
  }
  md += "\n" + Totals(report) + " in " + Fixed(Seconds(report.duration_ns), 1) + " s (" +
        Fixed(CasesPerSecond(report), 1) + " cases/s)";
  if (report.budget_exhausted && report.planned > 0) {
    md += "; the time budget stopped it after " + std::to_string(report.run) + " of " +
          std::to_string(report.planned) + " planned cases";
  }
  md += ". Generated models that failed `zooci check` (generator bugs, never run): " +
        std::to_string(report.generator_bugs) + ".\n\n";
  md += "| Operator | generated |";
  std::string rule = "|---|---:|";
  for (size_t runtime_idx = 1; runtime_idx < report.runtimes.size(); ++runtime_idx) {
    md += " " + report.runtimes[runtime_idx] + " |";
    rule += "---|";
  }
  md += "\n" + rule + "\n";
  for (const OperatorRow& row : report.operators) {
    std::string generated = std::to_string(row.generated);
    if (row.oracle_failed > 0)
      generated += " (" + std::to_string(row.oracle_failed) + " refused by the reference)";
    if (row.check_failed > 0)
      generated += " (" + std::to_string(row.check_failed) + " failed check)";
    md += "| " + row.op + " | " + generated + " |";
    for (size_t runtime_idx = 1; runtime_idx < report.runtimes.size(); ++runtime_idx) {
      auto cell = row.per_runtime.find(report.runtimes[runtime_idx]);
      md += " " +
            (cell == row.per_runtime.end() ? std::string("-") : CellText(cell->second, true)) +
            " |";
    }
    md += "\n";
  }
  bool any = false;
  for (const CaseOutcome& outcome : report.cases) {
    for (const WrittenCase& written : outcome.written) {
      if (!any)
        md +=
            "\n### Minimised disagreements and crashes\n\n| Case | Runtime | Minimised model | "
            "Difference | Replay |\n|---|---|---|---|---|\n";
      any = true;
      md += "| " + outcome.id + " | " + written.runtime + " | `" + written.minimised + "` | " +
            written.detail + " | " +
            (written.replay.empty() ? "not written" : "`" + written.replay + "`") + " |\n";
    }
  }
  md += "\n<details><summary>" + std::to_string(NotGenerated(report)) + " of " +
        std::to_string(report.coverage.size()) + " opset-17 operators not generated</summary>\n\n";
  std::string names;
  for (const OperatorCoverage& row : report.coverage) {
    if (!row.generated) names += (names.empty() ? "" : ", ") + row.op;
  }
  md += names + "\n\n</details>\n";
  return md;
}

}  // namespace zooci
