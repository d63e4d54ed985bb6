// The job page, linked from check runs and statuses: the verdict first, every declining or warning
// reason linked to its file and line on GitHub, the review's own HTML report (every model and
// step, diagnostics, eval claims, latency histograms), and the log — streamed while the job runs
// by /static/zooci.js (the only script, shipped by the server; the CSP forbids any other).
#include <nlohmann/json.hpp>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

std::string H(std::string_view text) { return EscapeXml(text); }

// The text between `open` (after its tag) and `close` in `html`, or "".
std::string Between(const std::string& html, std::string_view open, std::string_view close) {
  const size_t begin = html.find(open);
  const size_t end = html.rfind(close);
  if (begin == std::string::npos || end == std::string::npos || end < begin + open.size()) {
    return "";
  }
  return html.substr(begin + open.size(), end - begin - open.size());
}

std::string ReasonsSection(const Job& job, const json& envelope) {
  if (!envelope.is_object() || !envelope.contains("annotations") ||
      !envelope["annotations"].is_array() || envelope["annotations"].empty()) {
    return "";
  }
  const std::string blob = "https://github.com/" + PercentEncode(job.spec.repo) + "/blob/" +
                           PercentEncode(job.spec.head_sha) + "/";
  std::string failures, warnings;
  for (const json& item : envelope["annotations"]) {
    if (!item.is_object()) continue;
    const std::string path = item.value("path", std::string());
    const int line = item.value("line", 1);
    const bool failure = item.value("level", std::string()) == "failure";
    std::string entry = "<li class=\"" + std::string(failure ? "failure" : "warning") +
                        "\"><a class=\"zooci-reason-link\" href=\"" +
                        H(blob + PercentEncode(path) + "#L" + std::to_string(line)) + "\"><code>" +
                        H(path) + ":" + std::to_string(line) + "</code></a> " +
                        H(item.value("title", std::string())) + ": " +
                        H(item.value("message", std::string())) + "</li>";
    (failure ? failures : warnings) += entry;
  }
  std::string out;
  if (!failures.empty()) out += "<h2>Why it is declined</h2><ul class=\"zooci-reasons\">" + failures + "</ul>";
  if (!warnings.empty()) out += "<h2>Warnings</h2><ul class=\"zooci-warnings\">" + warnings + "</ul>";
  return out;
}

std::string AdminForms(const Job& job, const std::string& csrf) {
  std::string out = "<div class=\"zooci-admin\">";
  auto form = [&](const std::string& action, const std::string& label) {
    out += "<form method=\"post\" action=\"/jobs/" + std::to_string(job.id) + "/" + action +
           "\" style=\"display:inline\"><input type=\"hidden\" name=\"csrf\" value=\"" + H(csrf) +
           "\"><button id=\"zooci-" + action + "\">" + label + "</button></form> ";
  };
  form("rerun", "Rerun");
  if (job.state == JobState::kQueued || job.state == JobState::kRunning) form("cancel", "Cancel");
  return out + "</div>";
}

}  // namespace

std::string JobPage(const Job& job, const JobPageOptions& options) {
  const json envelope = json::parse(job.result_json, nullptr, false);
  const std::string report_html =
      envelope.is_object() ? envelope.value("html", std::string()) : std::string();
  const bool active = job.state == JobState::kQueued || job.state == JobState::kRunning;
  const std::string verdict = JobVerdict(job);
  const std::string repo_url = "https://github.com/" + PercentEncode(job.spec.repo);
  const std::string pr_url = repo_url + "/pull/" + std::to_string(job.spec.pr_number);

  std::string page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ZooCI job " +
                     std::to_string(job.id) + "</title>";
  if (active) {
    page += "<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>"
            "<script src=\"/static/zooci.js\" defer></script>";
  }
  page += "<style>.zooci-job{font-family:sans-serif;padding:8px 16px;border-bottom:1px solid #ccc}"
          ".zooci-verdict{font-size:1.6em;font-weight:bold}.ACCEPT{color:#1a7f37}"
          ".DECLINE,.ERROR{color:#cf222e}.INCOMPLETE{color:#9a6700}"
          ".zooci-job li.failure{color:#cf222e}#zooci-log{background:#f6f8fa;padding:8px;"
          "max-height:40em;overflow:auto;white-space:pre-wrap}</style>" +
          Between(report_html, "<head>", "</head>") + "</head><body><div class=\"zooci-job\">";
  page += "<p><a href=\"/\">ZooCI</a> · job " + std::to_string(job.id) + "</p>";
  page += "<p class=\"zooci-verdict " + H(verdict) + "\" id=\"zooci-verdict\">" +
          H(verdict.empty() ? std::string(JobStateName(job.state)) : verdict) + "</p>";
  if (envelope.is_object() && envelope.contains("counts")) {
    page += "<p>" + H(envelope.value("counts", std::string())) + "</p>";
  }
  page += "<p>" + H(job.spec.repo) + " <a href=\"" + H(pr_url) + "\">pull request #" +
          std::to_string(job.spec.pr_number) + "</a> <span class=\"zooci-title\">" +
          H(job.spec.title) + "</span> at <a href=\"" +
          H(repo_url + "/commit/" + PercentEncode(job.spec.head_sha)) + "\"><code>" +
          H(job.spec.head_sha.substr(0, 12)) + "</code></a> (branch <code class=\"zooci-branch\">" +
          H(job.spec.head_ref) + "</code> onto <code>" + H(job.spec.base_ref) + "</code>) · " +
          H(job.spec.trigger) + " · <strong id=\"zooci-state\">" +
          H(std::string(JobStateName(job.state))) + "</strong>";
  if (job.check_run_id != 0) {
    page += " · <a href=\"" + H(repo_url + "/runs/" + std::to_string(job.check_run_id)) +
            "\">check run</a>";
  }
  page += "</p>";
  if (!job.error.empty()) page += "<p class=\"zooci-error\">" + H(job.error) + "</p>";
  if (envelope.is_object() && envelope.contains("error")) {
    page += "<p class=\"zooci-error\">" + H(envelope.value("error", std::string())) + "</p>";
  }
  if (options.admin) page += AdminForms(job, options.csrf);
  page += ReasonsSection(job, envelope) + "</div>";
  page += Between(report_html, "<body>", "</body>");
  if (report_html.empty() && envelope.is_object() && envelope.contains("markdown")) {
    page += "<pre>" + H(envelope.value("markdown", std::string())) + "</pre>";
  }
  page += "<div class=\"zooci-job\"><h2>Log</h2><pre id=\"zooci-log\" data-job=\"" +
          std::to_string(job.id) + "\" data-offset=\"" + std::to_string(job.log.size()) +
          "\" data-active=\"" + (active ? "1" : "0") + "\">" + H(job.log) + "</pre></div>";
  return page + "</body></html>\n";
}

// Follows a running job's log: appends what /api/v1/jobs/ID/log?offset=N returns, as text, and
// reloads the page once the job is final (to show the report).
const char* DashboardScript() {
  return R"js('use strict';
(function () {
  const log = document.getElementById('zooci-log');
  if (!log || log.dataset.active !== '1') return;
  let offset = Number(log.dataset.offset);
  async function poll() {
    try {
      const reply = await fetch('/api/v1/jobs/' + log.dataset.job + '/log?offset=' + offset,
                                {credentials: 'same-origin'});
      if (reply.ok) {
        const body = await reply.json();
        if (body.text) log.appendChild(document.createTextNode(body.text));
        offset = body.next_offset;
        document.getElementById('zooci-state').textContent = body.state;
        if (body.final) { window.location.reload(); return; }
      }
    } catch (e) { /* the next poll retries */ }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
})();
)js";
}

}  // namespace zooci::service_internal
