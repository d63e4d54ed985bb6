// `zooci validate` as one self-contained HTML5 page.
//
// Contract: a single document with inline CSS and inline SVG only — no scripts, no external
// resources. A header with the overall verdict as a coloured badge (<span class="badge accept">
// or "badge decline"), the zoo, the versions and the review time; zoo-level reasons; then one
// card per model: verdict badge, change, step table, declining reasons, warnings, and the steps'
// details (eval accuracy and claims, bench latency figures with one latency histogram SVG per bench
// step that has samples, test case results with the cases that did not pass first). All text is
// HTML-escaped valid UTF-8 with control characters shown as escapes; tables are cut at kMaxRows.
#include <algorithm>

#include "bench/stats.h"
#include "report/report.h"

namespace zooci {
namespace {

using report_internal::CleanText;
using report_internal::ReasonLocation;

constexpr size_t kMaxRows = 500;

constexpr const char* kStyle = R"css(
:root { --accept: #1a7f37; --decline: #cf222e; --incomplete: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; background: #f6f8fa; color: #1f2328;
       font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
header.top, section.card { max-width: 1100px; margin: 0 auto 16px; background: #fff;
       border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; }
section.card.decline { border-left: 6px solid var(--decline); }
section.card.accept { border-left: 6px solid var(--accept); }
section.card.incomplete { border-left: 6px solid var(--incomplete); }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; color: #fff;
         font-weight: 600; font-size: 0.85em; vertical-align: middle; }
.badge.accept { background: var(--accept); } .badge.decline { background: var(--decline); }
.badge.incomplete { background: var(--incomplete); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 0; }
.meta dt { color: var(--muted); } .meta dd { margin: 0; }
.change, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; white-space: nowrap; }
.pass { color: var(--accept); font-weight: 600; } .fail { color: var(--decline); font-weight: 600; }
.skipped { color: var(--muted); font-weight: 600; }
ul.reasons li { margin: 2px 0; } code { background: #eff1f3; padding: 0 4px; border-radius: 4px; }
.msg { white-space: pre-wrap; word-break: break-word; }
figure.histogram { margin: 8px 0; } figure.histogram svg { max-width: 100%; height: auto; }
)css";

// HTML text or attribute value.
std::string H(std::string_view raw) {
  return EscapeXml(CleanText(raw, /*keep_whitespace=*/true));
}

// "accept", "decline", "incomplete": the CSS class of a verdict.
std::string VerdictClass(Verdict verdict) {
  return AsciiLower(VerdictName(verdict));
}

std::string Badge(Verdict verdict) {
  return "<span class=\"badge " + VerdictClass(verdict) + "\">" + VerdictName(verdict) +
         "</span>";
}

std::string Percent(const std::optional<double>& value) {
  return value ? FormatDouble(*value, 4) + " %" : "–";
}

std::string Ms(const std::optional<double>& value) {
  return value ? FormatDouble(*value, 4) + " ms" : "–";
}

std::string ReasonItem(const Reason& reason) {
  std::string item = "<li>";
  if (!reason.step.empty() && reason.step != "zoo")
    item += "<span class=\"muted\">" + H(reason.step) + ":</span> ";
  const std::string location = ReasonLocation(reason);
  if (!location.empty()) item += "<code>" + H(location) + "</code> ";
  item += "<span class=\"msg\">" + H(reason.message) + "</span>";
  if (!reason.node.empty()) item += " <span class=\"muted\">(" + H(reason.node) + ")</span>";
  return item + "</li>\n";
}

// "<h3>title</h3><ul>…</ul>" for the reasons of `level`, or "".
std::string ReasonList(const std::vector<const Reason*>& reasons, ReasonLevel level,
                       const std::string& title) {
  std::string items;
  size_t count = 0;
  for (const Reason* reason : reasons) {
    if (reason->level != level) continue;
    if (++count <= kMaxRows) items += ReasonItem(*reason);
  }
  if (count == 0) return "";
  if (count > kMaxRows) {
    items += "<li class=\"muted\">… and " + std::to_string(count - kMaxRows) + " more</li>\n";
  }
  return "<h3>" + title + "</h3>\n<ul class=\"reasons\">\n" + items + "</ul>\n";
}

std::string AllReasonLists(const std::vector<const Reason*>& reasons) {
  return ReasonList(reasons, ReasonLevel::kDecline, "Declining reasons") +
         ReasonList(reasons, ReasonLevel::kUnverified, "Not verified") +
         ReasonList(reasons, ReasonLevel::kWarning, "Warnings");
}

std::string ClaimsHtml(const StepDetails& details);

// A detector's figures: the COCO summary line and the per-class table.
std::string DetectionHtml(const StepResult& step, const StepDetails& details) {
  std::string out = "<h3>Detection (" + H(step.name) + ")</h3>\n<p>";
  out += "mAP@[.5:.95] " + Percent(details.map_percent) + ", mAP@0.5 " +
         Percent(details.map50_percent) + ", mAP@0.75 " + Percent(details.map75_percent);
  if (details.images) out += " on " + std::to_string(*details.images) + " images";
  if (details.images_per_s) out += "; " + FormatDouble(*details.images_per_s, 4) + " images/s";
  out += "</p>\n";
  if (details.class_ap.empty()) return out;
  out +=
      "<table class=\"classes\">\n<thead><tr><th>Class</th><th>AP</th><th>AP@0.5</th>"
      "<th>Recall</th></tr></thead>\n<tbody>\n";
  size_t rows = 0;
  for (const ClassApDetail& row : details.class_ap) {
    if (++rows > kMaxRows) break;
    out += "<tr><td>" + H(row.name) + "</td><td class=\"num\">" + Percent(row.ap_percent) +
           "</td><td class=\"num\">" + Percent(row.ap50_percent) + "</td><td class=\"num\">" +
           Percent(row.recall_percent) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

// A segmentation model's figures: mIoU and pixel accuracy.
std::string SegmentationHtml(const StepResult& step, const StepDetails& details) {
  std::string out = "<h3>Segmentation (" + H(step.name) + ")</h3>\n<p>";
  out += "mIoU " + Percent(details.miou_percent) + ", pixel accuracy " +
         Percent(details.pixel_accuracy_percent);
  if (details.images) out += " on " + std::to_string(*details.images) + " images";
  if (details.images_per_s) out += "; " + FormatDouble(*details.images_per_s, 4) + " images/s";
  return out + "</p>\n";
}

std::string EvalHtml(const StepResult& step, const StepDetails& details) {
  const bool detection = details.map_percent || details.map50_percent;
  const bool segmentation = details.miou_percent.has_value();
  if (!details.top1_percent && !details.topk_percent && !detection && !segmentation &&
      details.claims.empty()) {
    return "";
  }
  if (detection) return DetectionHtml(step, details) + ClaimsHtml(details);
  if (segmentation) return SegmentationHtml(step, details) + ClaimsHtml(details);
  std::string out = "<h3>Accuracy (" + H(step.name) + ")</h3>\n<p>";
  out += "top-1 " + Percent(details.top1_percent);
  if (details.top1_correct && details.total) {
    out += " (" + std::to_string(*details.top1_correct) + " of " + std::to_string(*details.total) +
           ")";
  }
  if (details.topk_percent) {
    out += ", top-" + (details.top_k ? std::to_string(*details.top_k) : std::string("k")) + " " +
           Percent(details.topk_percent);
  }
  if (details.images_per_s) out += "; " + FormatDouble(*details.images_per_s, 4) + " images/s";
  out += "</p>\n";
  return out + ClaimsHtml(details);
}

std::string ClaimsHtml(const StepDetails& details) {
  if (details.claims.empty()) return "";
  std::string out;
  out +=
      "<table class=\"claims\">\n<thead><tr><th>Metric</th><th>Claimed</th><th>Measured</th>"
      "<th>Tolerance</th><th>Result</th><th>Source</th></tr></thead>\n<tbody>\n";
  for (const ClaimDetail& claim : details.claims) {
    const std::string result = !claim.passed   ? "<td>–</td>"
                               : *claim.passed ? "<td class=\"pass\">met</td>"
                                               : "<td class=\"fail\">not met</td>";
    out += "<tr><td>" + H(claim.metric) + "</td><td class=\"num\">" +
           Percent(claim.claimed_percent) + "</td><td class=\"num\">" +
           Percent(claim.measured_percent) + "</td><td class=\"num\">" +
           (claim.tolerance_pp ? "±" + FormatDouble(*claim.tolerance_pp, 4) + " pp" : "–") +
           "</td>" + result + "<td>" + H(claim.source) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string BenchHtml(const ModelReview& model, const StepResult& step,
                      const StepDetails& details) {
  if (details.bench_result.empty() && !details.p50_ms && details.samples_ms.empty()) return "";
  std::string out = "<h3>Latency (" + H(step.name) + ")</h3>\n<p>";
  if (!details.bench_result.empty()) {
    out += "<strong>" + H(details.bench_result) +
           (details.bench_unstable.empty() ? "" : ", unstable") + "</strong> · ";
  }
  out +=
      "p50 " + Ms(details.p50_ms) + " · p90 " + Ms(details.p90_ms) + " · p99 " + Ms(details.p99_ms);
  if (details.mean_ms) out += " · mean " + Ms(details.mean_ms);
  if (details.cv) out += " · cv " + FormatDouble(*details.cv * 100, 3) + " %";
  if (details.latency_count) out += " · " + std::to_string(*details.latency_count) + " runs";
  if (details.samples_per_s) {
    out += " · " + FormatDouble(*details.samples_per_s, 4) + " samples/s";
  }
  out += "</p>\n";
  if (!details.bench_unstable.empty()) {
    out += "<p class=\"warning\">⚠️ " + H(details.bench_unstable) + "</p>\n";
  }
  if (!details.bench_settings.empty()) out += "<p>" + H(details.bench_settings) + "</p>\n";
  if (!details.samples_ms.empty()) {
    const std::string title =
        CleanText((model.folder.empty() ? "." : model.folder) + " — latency", false);
    out += "<figure class=\"histogram\">\n" + LatencyHistogramSvg(details.samples_ms, title, "ms", 0,
                                               details.samples_stand_for_runs.value_or(0)) +
           "</figure>\n";
  }
  return out;
}

std::string TestHtml(const StepResult& step, const StepDetails& details) {
  if (details.cases.empty() && !details.passed && !details.failed) return "";
  std::string out = "<h3>Test cases (" + H(step.name) + ")</h3>\n";
  if (details.passed || details.failed) {
    out += "<p>" + std::to_string(details.passed.value_or(0)) + " passed, " +
           std::to_string(details.failed.value_or(0)) + " failed</p>\n";
  }
  if (details.cases.empty()) return out;
  std::vector<const TestCaseDetail*> cases;
  for (const auto& test_case : details.cases) cases.push_back(&test_case);
  std::stable_partition(cases.begin(), cases.end(),
                        [](const auto* test_case) { return test_case->status != "pass"; });
  out +=
      "<table class=\"cases\">\n<thead><tr><th>Case</th><th>Status</th><th>Message</th></tr>"
      "</thead>\n<tbody>\n";
  for (size_t index = 0; index < cases.size() && index < kMaxRows; ++index) {
    const auto& test_case = *cases[index];
    const char* css = test_case.status == "pass" ? "pass" : "fail";
    out += "<tr><td><code>" + H(test_case.id) + "</code></td><td class=\"" + css + "\">" +
           H(test_case.status) + "</td><td class=\"msg\">" + H(test_case.message) + "</td></tr>\n";
  }
  if (cases.size() > kMaxRows) {
    out += "<tr><td colspan=\"3\" class=\"muted\">… and " +
           std::to_string(cases.size() - kMaxRows) + " more</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

// The matrix step's figures: a row per runtime (status, loads, runs, the reference comparison with
// max abs / max rel error per output, p50, the one-line reason) and each runtime against the
// primary, with the first differing element.
std::string MatrixHtml(const StepResult& step, const StepDetails& details) {
  if (!details.matrix) return "";
  const RuntimeMatrix& matrix = *details.matrix;
  auto yes_no = [](const std::optional<bool>& value) -> std::string {
    return !value ? "<td>–</td>" : *value ? "<td class=\"pass\">yes</td>" : "<td class=\"fail\">no</td>";
  };
  std::string out = "<h3>Runtimes (" + H(step.name) + ")</h3>\n<p>" +
                    H(report_internal::MatrixPlanText(matrix)) + "</p>\n";
  out +=
      "<table class=\"matrix\">\n<thead><tr><th>Runtime</th><th>Role</th><th>Status</th>"
      "<th>Loads</th><th>Runs</th><th>Reference</th><th>Outputs (max abs / max rel)</th>"
      "<th>p50</th><th>Reason</th></tr></thead>\n<tbody>\n";
  for (const MatrixRow& row : matrix.rows) {
    const bool ok = row.status == MatrixStatus::kOk;
    std::string outputs;
    for (const MatrixOutput& output : row.outputs) {
      outputs += (outputs.empty() ? "" : "<br>") +
                 H(report_internal::MatrixOutputText(output, "reference", row.runtime));
    }
    out += "<tr><td>" + H(row.runtime) + (row.backend.empty() ? "" : "<br><span class=\"muted\">" +
                                                                        H(row.backend) + "</span>") +
           "</td><td>" + (row.required ? "required" : "reported") + "</td><td class=\"" +
           (ok ? "pass" : row.status == MatrixStatus::kNotChecked ? "skipped" : "fail") + "\">" +
           H(report_internal::MatrixStatusText(row.status)) + "</td>" + yes_no(row.loads) +
           yes_no(row.runs) + yes_no(row.within_tolerance) + "<td class=\"msg\">" + outputs +
           "</td><td class=\"num\">" +
           (row.p50_ms ? FormatDouble(*row.p50_ms, 4) + " ms" : std::string("–")) +
           "</td><td class=\"msg\">" + H(row.reason) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n";
  if (matrix.agreement.empty()) return out;
  out += "<ul class=\"agreement\">\n";
  for (const MatrixAgreement& agreement : matrix.agreement) {
    const char* css = !agreement.agrees ? "skipped" : *agreement.agrees ? "pass" : "fail";
    out += "<li><span class=\"" + std::string(css) + "\">" +
           H(report_internal::MatrixAgreementText(agreement)) + "</span>";
    for (const MatrixOutput& output : agreement.outputs) {
      out += "<br><span class=\"msg\">" +
             H(report_internal::MatrixOutputText(output, agreement.against, agreement.runtime)) +
             "</span>";
    }
    out += "</li>\n";
  }
  return out + "</ul>\n";
}

void AppendModel(const ModelReview& model, std::string& out) {
  out += "<section class=\"card " + VerdictClass(model.verdict) + "\">\n";
  out += "<h2>" + Badge(model.verdict) + " " +
         (model.folder.empty() ? std::string(".") : H(model.folder)) + "</h2>\n";
  if (!model.change.empty()) out += "<p class=\"change\">" + H(model.change) + "</p>\n";
  std::vector<const Reason*> reasons;
  std::string details;
  if (!model.steps.empty()) {
    out +=
        "<table class=\"steps\">\n<thead><tr><th>Step</th><th>Result</th><th>Time</th>"
        "<th>Summary</th></tr></thead>\n<tbody>\n";
    for (const StepResult& step : model.steps) {
      const std::string status = StepStatusName(step.status);
      out += "<tr><td>" + H(step.name) + "</td><td class=\"" + status + "\">" + status +
             "</td><td class=\"num\">" + report_internal::FormatSeconds(step.seconds) +
             "</td><td>" + H(step.summary) +
             (step.cached ? " <span class=\"muted\">(cached)</span>" : "") + "</td></tr>\n";
      for (const Reason& reason : step.reasons) reasons.push_back(&reason);
      const StepDetails parsed = ParseStepDetails(step.details_json);
      if (parsed.valid) {
        details += EvalHtml(step, parsed) + BenchHtml(model, step, parsed) +
                   TestHtml(step, parsed) + MatrixHtml(step, parsed);
      }
    }
    out += "</tbody>\n</table>\n";
  }
  out += AllReasonLists(reasons);
  out += details;
  out += "</section>\n";
}

}  // namespace

std::string FormatValidateHtml(const ValidateReport& report) {
  const std::string verdict = VerdictName(report.verdict);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>ZooCI: " +
      verdict + " — " + H(report.zoo) + "</title>\n<style>" + kStyle +
      "</style>\n</head>\n<body>\n";
  out += "<header class=\"top\">\n<h1>zooci validate " + Badge(report.verdict) + "</h1>\n";
  out += "<p>" + H(report_internal::VerdictCounts(report)) + "</p>\n<dl class=\"meta\">\n";
  auto meta = [&out](const char* name, const std::string& value) {
    out += std::string("<dt>") + name + "</dt><dd>" + value + "</dd>\n";
  };
  meta("Zoo", "<code>" + H(report.zoo) + "</code>");
  meta("Models", report.changed_since.empty()
                     ? std::string("all")
                     : "changed since <code>" + H(report.changed_since) + "</code>");
  if (!report.zooci_version.empty()) meta("zooci", H(report.zooci_version));
  if (!report.runtime.empty()) meta("Runtime", H(report.runtime));
  if (!report.runtimes.empty()) {
    std::string items;
    for (const ReviewRuntime& runtime : report.runtimes) {
      items += (items.empty() ? "" : "<br>") + H(report_internal::ReviewRuntimeText(runtime));
    }
    meta("Runtimes", items);
  }
  meta("Time", report_internal::FormatSeconds(report.seconds));
  out += "</dl>\n</header>\n<main>\n";
  if (!report.zoo_reasons.empty()) {
    std::vector<const Reason*> reasons;
    for (const Reason& reason : report.zoo_reasons) reasons.push_back(&reason);
    out += "<section class=\"card zoo\">\n<h2>Zoo</h2>\n" +
           AllReasonLists(reasons) +
           "</section>\n";
  }
  for (const ModelReview& model : report.models) AppendModel(model, out);
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace zooci
