// `zooci validate` as a GitHub pull-request comment (GitHub Flavored Markdown).
//
// Contract: the first line is "## ZooCI: ✅ ACCEPT" or "## ZooCI: ❌ DECLINE", followed by a
// one-sentence summary; then per model "### <folder>", a step table (| Step | Result | Time |
// Summary |), the declining reasons as a list with their locations in code spans, and a folded
// <details> block (warnings, eval claims, bench latency, failed test cases) when there is any.
// Text from the report cannot break the comment's structure: '<', '>' and '&' become entities,
// Markdown punctuation is backslash-escaped, '|' is escaped and newlines become <br> (so a table
// row stays one row), '@' cannot mention anyone, '#12', 'GH-12', commit ids, 'scheme://' and 'www.'
// reference or link nothing (a zero-width space breaks them), and the output is valid UTF-8. Long lists are cut
// at kMaxItems entries ("… and N more") to keep the comment within GitHub's size limit.
#include <algorithm>
#include <cctype>

#include "report/report.h"

namespace zooci {
namespace {

using report_internal::CleanText;
using report_internal::ReasonLocation;

constexpr size_t kMaxItems = 50;

// Markdown text: one paragraph line or table cell.
std::string Md(std::string_view raw) {
  const std::string text = CleanText(raw, /*keep_whitespace=*/true);
  std::string out;
  out.reserve(text.size());
  int hex_run = 0;  // consecutive hex digits written
  for (size_t index = 0; index < text.size(); ++index) {
    const char c = text[index];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '@':
        out += "@&#8203;";  // a zero-width space: no @-mention
        break;
      case '#':  // "#123", "owner/repo#123": no cross-reference
        out += index + 1 < text.size() && std::isalnum(static_cast<unsigned char>(text[index + 1]))
                   ? "#&#8203;"
                   : "#";
        break;
      case '\r':
        if (index + 1 < text.size() && text[index + 1] == '\n') break;  // CRLF: one <br>
        [[fallthrough]];
      case '\n':
        out += "<br>";
        break;
      case '\t':
        out += ' ';
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '~':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
        // No autolink: a run of 7+ hex digits (a commit id) is broken every 6 digits; "GH-123",
        // "scheme://" and "www." get a zero-width space.
        if (std::isxdigit(static_cast<unsigned char>(c))) {
          if (++hex_run == 6 && index + 1 < text.size() &&
              std::isxdigit(static_cast<unsigned char>(text[index + 1]))) {
            out += "&#8203;";
            hex_run = 0;
          }
          break;
        }
        if ((c == 'H' && index >= 1 && text[index - 1] == 'G' && index + 1 < text.size() &&
             text[index + 1] == '-') ||
            (c == ':' && text.compare(index + 1, 2, "//") == 0) ||
            (c == 'w' && text.compare(index, 4, "www.") == 0)) {
          out += "&#8203;";
        }
    }
    if (!std::isxdigit(static_cast<unsigned char>(c))) hex_run = 0;
  }
  return out;
}

// A code span holding `raw` on one line, fenced by more backticks than any run inside it; "" for
// empty text. Not for table cells (a '|' would split the cell).
std::string Code(std::string_view raw) {
  std::string text = CleanText(raw, /*keep_whitespace=*/false);
  if (text.empty()) return "";
  size_t longest = 0;
  size_t run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = text.front() == '`' || text.back() == '`' || text.front() == ' ';
  return fence + (pad ? " " + text + " " : text) + fence;
}

std::string ResultCell(StepStatus status) {
  switch (status) {
    case StepStatus::kPass:
      return "✅ pass";
    case StepStatus::kFail:
      return "❌ fail";
    case StepStatus::kSkipped:
      return "skipped";
  }
  return "❌ fail";
}

std::string Percent(const std::optional<double>& value) {
  return value ? FormatDouble(*value, 4) + " %" : "–";
}

std::string Ms(const std::optional<double>& value) {
  return value ? FormatDouble(*value, 4) + " ms" : "–";
}

// "- `file:line` message (node)", prefixed by the step when given.
std::string ReasonItem(const Reason& reason, bool with_step) {
  std::string item = "- ";
  if (with_step && !reason.step.empty()) item += "**" + Md(reason.step) + "**: ";
  const std::string location = Code(ReasonLocation(reason));
  if (!location.empty()) item += location + " ";
  item += Md(reason.message);
  if (!reason.node.empty()) item += " (" + Md(reason.node) + ")";
  return item + "\n";
}

// Appends up to kMaxItems of `items` (each a complete line), then a count of the rest.
void AppendCapped(const std::vector<std::string>& items, std::string& out) {
  for (size_t index = 0; index < items.size() && index < kMaxItems; ++index) out += items[index];
  if (items.size() > kMaxItems) {
    out += "- … and " + std::to_string(items.size() - kMaxItems) + " more\n";
  }
}

// The folded details of one step (eval claims, bench latency, failed test cases), or "".
std::string StepDetailsMd(const StepResult& step) {
  const StepDetails details = ParseStepDetails(step.details_json);
  if (!details.valid) return "";
  std::string out;
  const std::string title = "**" + Md(step.name) + "**";
  if (details.top1_percent || details.topk_percent) {
    out += title + ": top-1 " + Percent(details.top1_percent);
    if (details.top1_correct && details.total) {
      out += " (" + std::to_string(*details.top1_correct) + " of " +
             std::to_string(*details.total) + ")";
    }
    if (details.topk_percent) {
      out += ", top-" + (details.top_k ? std::to_string(*details.top_k) : std::string("k")) + " " +
             Percent(details.topk_percent);
    }
    if (details.images_per_s) out += "; " + FormatDouble(*details.images_per_s, 4) + " images/s";
    out += "\n\n";
  }
  if (details.map_percent || details.map50_percent) {
    out += title + ": mAP@[.5:.95] " + Percent(details.map_percent) + ", mAP@0.5 " +
           Percent(details.map50_percent) + ", mAP@0.75 " + Percent(details.map75_percent);
    if (details.images) out += " on " + std::to_string(*details.images) + " images";
    if (details.images_per_s) out += "; " + FormatDouble(*details.images_per_s, 4) + " images/s";
    out += "\n\n";
    if (!details.class_ap.empty()) {
      out += "| Class | AP | AP@0.5 | Recall |\n| --- | ---: | ---: | ---: |\n";
      std::vector<std::string> rows;
      for (const ClassApDetail& row : details.class_ap) {
        rows.push_back("| " + Md(row.name) + " | " + Percent(row.ap_percent) + " | " +
                       Percent(row.ap50_percent) + " | " + Percent(row.recall_percent) + " |\n");
      }
      for (size_t index = 0; index < rows.size() && index < kMaxItems; ++index) out += rows[index];
      if (rows.size() > kMaxItems) {
        out += "| … and " + std::to_string(rows.size() - kMaxItems) + " more | | | |\n";
      }
      out += "\n";
    }
  }
  if (details.miou_percent) {
    out += title + ": mIoU " + Percent(details.miou_percent) + ", pixel accuracy " +
           Percent(details.pixel_accuracy_percent);
    if (details.images) out += " on " + std::to_string(*details.images) + " images";
    if (details.images_per_s) out += "; " + FormatDouble(*details.images_per_s, 4) + " images/s";
    out += "\n\n";
  }
  if (!details.claims.empty()) {
    out += "| Metric | Claimed | Measured | Tolerance | Result | Source |\n";
    out += "| --- | ---: | ---: | ---: | --- | --- |\n";
    for (const ClaimDetail& claim : details.claims) {
      out += "| " + Md(claim.metric) + " | " + Percent(claim.claimed_percent) + " | " +
             Percent(claim.measured_percent) + " | " +
             (claim.tolerance_pp ? "±" + FormatDouble(*claim.tolerance_pp, 4) + " pp" : "–") +
             " | " +
             (!claim.passed   ? "–"
              : *claim.passed ? "✅ met"
                              : "❌ not met") +
             " | " + Md(claim.source) + " |\n";
    }
    out += "\n";
  }
  if (!details.bench_result.empty() || details.p50_ms) {
    out += title + ":";
    if (!details.bench_result.empty()) out += " " + Md(details.bench_result) + ";";
    out += " latency p50 " + Ms(details.p50_ms) + ", p90 " + Ms(details.p90_ms) + ", p99 " +
           Ms(details.p99_ms);
    if (details.mean_ms) out += ", mean " + Ms(details.mean_ms);
    if (details.cv) out += ", cv " + FormatDouble(*details.cv * 100, 3) + " %";
    if (details.latency_count) out += " over " + std::to_string(*details.latency_count) + " runs";
    if (details.samples_per_s) {
      out += "; " + FormatDouble(*details.samples_per_s, 4) + " samples/s";
    }
    out += "\n\n";
  }
  std::vector<std::string> failures;
  for (const TestCaseDetail& test_case : details.cases) {
    if (test_case.status == "pass") continue;
    std::string item = "- " + (test_case.id.empty() ? "(unnamed case)" : Code(test_case.id)) + " " +
                       Md(test_case.status.empty() ? "unknown" : test_case.status);
    if (!test_case.message.empty()) item += ": " + Md(test_case.message);
    failures.push_back(item + "\n");
  }
  if (!failures.empty()) {
    out += title + ": cases not passed\n\n";
    AppendCapped(failures, out);
    out += "\n";
  }
  return out;
}

// The review's compatibility matrix as one small table (a row per model, a column per runtime)
// and a line on what each runtime checked; "" when the review has no matrix. The reasons behind
// each cell are in the models' sections; the full figures in the JSON and HTML reports.
std::string MatrixMd(const ValidateReport& report) {
  if (report.runtimes.empty()) return "";
  std::string out = "\n### Runtimes\n\n| Model |";
  std::string rule = "| --- |";
  for (const ReviewRuntime& runtime : report.runtimes) {
    out += " " + Md(runtime.name) + (runtime.required ? " (required)" : " (reported)") + " |";
    rule += " --- |";
  }
  out += "\n" + rule + "\n";
  std::string plan;
  size_t rows = 0;
  for (const ModelReview& model : report.models) {
    if (++rows > kMaxItems) {
      out += "| … and " + std::to_string(report.models.size() - kMaxItems) + " more |\n";
      break;
    }
    out += "| " + (model.folder.empty() ? std::string(".") : Md(model.folder)) + " |";
    const StepResult* step = report_internal::MatrixStepOf(model);
    const StepDetails details = step ? ParseStepDetails(step->details_json) : StepDetails{};
    for (const ReviewRuntime& runtime : report.runtimes) {
      const MatrixRow* row = nullptr;
      if (details.matrix) {
        for (const MatrixRow& candidate : details.matrix->rows) {
          if (candidate.runtime == runtime.name) row = &candidate;
        }
      }
      if (row == nullptr) {
        out += " " + (step ? Md(step->summary) : std::string("–")) + " |";
        continue;
      }
      const bool ok = row->status == MatrixStatus::kOk &&
                      !report_internal::MatrixRowDiffers(*row, *details.matrix);
      const char* icon = ok                                         ? "✅ "
                         : row->status == MatrixStatus::kNotChecked ? "➖ "
                         : row->required                            ? "❌ "
                                                                    : "⚠️ ";
      out += " " + std::string(icon) +
             Md(report_internal::MatrixCellText(*row, *details.matrix)) + " |";
    }
    out += "\n";
    if (plan.empty() && details.matrix) {
      plan = "Latency is the p50 of " + std::to_string(details.matrix->latency_runs) +
             " runs after " + std::to_string(details.matrix->warmup_runs) +
             " warm-ups on one thread, a short fixed run (the bench step is the measurement); "
             "outputs are compared within rtol " +
             FormatDouble(details.matrix->rtol, 3) + ", atol " +
             FormatDouble(details.matrix->atol, 3) + ".";
    }
  }
  out += "\n";
  if (!plan.empty()) out += Md(plan) + "\n\n";
  for (const ReviewRuntime& runtime : report.runtimes) {
    out += "- " + Md(report_internal::ReviewRuntimeText(runtime)) + "\n";
  }
  return out;
}

// "✅ **ACCEPT**", "❌ **DECLINE**", "⚠️ **INCOMPLETE**" (without the asterisks unless `bold`).
std::string VerdictBadge(Verdict verdict, bool bold = true) {
  const char* icon = verdict == Verdict::kAccept    ? "✅ "
                     : verdict == Verdict::kDecline ? "❌ "
                                                    : "⚠️ ";
  std::string name = VerdictName(verdict);
  return icon + (bold ? "**" + name + "**" : name);
}

void AppendModel(const ModelReview& model, std::string& out) {
  out += "\n### " + (model.folder.empty() ? std::string(".") : Md(model.folder)) + "\n\n";
  out += VerdictBadge(model.verdict);
  if (!model.change.empty()) out += " · " + Md(model.change);
  out += "\n\n";
  if (!model.steps.empty()) {
    out += "| Step | Result | Time | Summary |\n| --- | --- | ---: | --- |\n";
    for (const StepResult& step : model.steps) {
      out += "| " + Md(step.name) + " | " + ResultCell(step.status) + " | " +
             report_internal::FormatSeconds(step.seconds) + " | " + Md(step.summary) +
             (step.cached ? " (cached)" : "") + " |\n";
    }
    out += "\n";
  }
  std::vector<std::string> declining, unverified, warnings;
  std::string details;
  for (const StepResult& step : model.steps) {
    for (const Reason& reason : step.reasons) {
      (reason.declines()     ? declining
       : reason.unverified() ? unverified
                             : warnings)
          .push_back(ReasonItem(reason, /*with_step=*/true));
    }
    details += StepDetailsMd(step);
  }
  if (!declining.empty()) {
    out += "**Declining reasons**\n\n";
    AppendCapped(declining, out);
    out += "\n";
  }
  if (!unverified.empty()) {
    out += "**Not verified**\n\n";
    AppendCapped(unverified, out);
    out += "\n";
  }
  if (warnings.empty() && details.empty()) return;
  out += "<details><summary>Details</summary>\n\n";
  if (!warnings.empty()) {
    out += "**Warnings**\n\n";
    AppendCapped(warnings, out);
    out += "\n";
  }
  out += details;
  out += "</details>\n";
}

}  // namespace

std::string FormatValidateMarkdown(const ValidateReport& report) {
  std::string out = "## ZooCI: " + VerdictBadge(report.verdict, /*bold=*/false) + "\n\n";
  size_t declining = 0, unverified = 0, warnings = 0;
  auto count = [&](const std::vector<Reason>& reasons) {
    for (const Reason& reason : reasons) {
      (reason.declines() ? declining : reason.unverified() ? unverified : warnings) += 1;
    }
  };
  for (const ModelReview& model : report.models) {
    for (const StepResult& step : model.steps) count(step.reasons);
  }
  count(report.zoo_reasons);
  std::string sentence = report_internal::VerdictCounts(report);
  sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  sentence += " (" + Plural(declining, "declining reason") + ", " +
              (unverified > 0 ? Plural(unverified, "unverified check") + ", " : "") +
              Plural(warnings, "warning") + ")";
  sentence += report.changed_since.empty()
                  ? ", reviewing all models"
                  : ", reviewing the models changed since " + Code(report.changed_since);
  std::vector<std::string> tools;
  if (!report.zooci_version.empty()) tools.push_back("zooci " + Md(report.zooci_version));
  if (!report.runtime.empty()) tools.push_back(Md(report.runtime));
  if (!tools.empty()) sentence += " with " + JoinStrings(tools, " and ");
  out += sentence + " in " + report_internal::FormatSeconds(report.seconds) + ".\n";
  out += MatrixMd(report);

  for (const ModelReview& model : report.models) AppendModel(model, out);

  if (!report.zoo_reasons.empty()) {
    out += "\n### Zoo\n\n";
    std::vector<std::string> items;
    for (const Reason& reason : report.zoo_reasons) {
      if (reason.declines()) items.push_back(ReasonItem(reason, /*with_step=*/false));
    }
    for (const Reason& reason : report.zoo_reasons) {
      if (reason.unverified()) {
        items.push_back("- not verified: " + ReasonItem(reason, false).substr(2));
      }
    }
    for (const Reason& reason : report.zoo_reasons) {
      if (reason.level == ReasonLevel::kWarning) {
        items.push_back("- warning: " + ReasonItem(reason, false).substr(2));
      }
    }
    AppendCapped(items, out);
  }
  return out;
}

}  // namespace zooci
