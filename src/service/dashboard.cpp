// The dashboard's overview of jobs and workers, the Prometheus metrics and the README status badge,
// rendered on the server from the store. Everything shown comes from pull requests and is escaped.
#include <algorithm>
#include <optional>
#include <nlohmann/json.hpp>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

std::string H(std::string_view text) { return EscapeXml(text); }

}  // namespace

std::string PercentEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

json ReportModels(const Job& job) {
  if (job.state != JobState::kDone) return json::array();
  json envelope = json::parse(job.result_json, nullptr, false);
  if (!envelope.is_object() || !envelope.contains("report")) return json::array();
  json& report = envelope["report"];
  if (!report.is_object() || !report.contains("models") || !report["models"].is_array()) {
    return json::array();
  }
  return std::move(report["models"]);
}

namespace {

// At most `bytes` bytes of UTF-8 `text`, cut before a character, with "…" when cut.
std::string Clip(const std::string& text, size_t bytes) {
  if (text.size() <= bytes) return text;
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "\u2026";
}

std::string DurationText(const Job& job) {
  if (job.state == JobState::kQueued) return "";
  const double seconds = static_cast<double>(job.updated_ms - job.created_ms) / 1000;
  return FormatDouble(seconds, 3) + " s";
}

}  // namespace

std::string JobVerdict(const Job& job) {
  if (job.state != JobState::kDone) return "";
  if (!job.verdict.empty() || job.result_json.empty()) return job.verdict;
  json envelope = json::parse(job.result_json, nullptr, false);  // stored before migration 4
  return envelope.is_object() ? envelope.value("verdict", std::string()) : std::string();
}

std::string OverviewPage(const std::vector<Job>& jobs, const DashboardFilter& filter,
                         const JobCounts& counts, const std::vector<WorkerInfo>& workers,
                         int64_t now_ms) {
  const bool active = counts.queued + counts.running > 0;
  std::string page =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ZooCI</title>";
  if (active) page += "<meta http-equiv=\"refresh\" content=\"5\">";  // no script needed
  page +=
      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}"
      ".ACCEPT{color:#1a7f37}.DECLINE,.ERROR{color:#cf222e}.INCOMPLETE{color:#9a6700}</style>"
      "</head><body><h1>ZooCI</h1>";
  page += "<p id=\"zooci-counts\">" + std::to_string(counts.queued) + " queued (queue depth) · " +
          std::to_string(counts.running) + " running · " + std::to_string(counts.done) +
          " done · " + std::to_string(counts.dead) + " dead · " +
          std::to_string(counts.cancelled) + " cancelled</p>";
  if (!workers.empty()) {
    page += "<h2>Workers</h2><table id=\"zooci-workers\"><thead><tr><th>worker</th><th>labels</th>"
            "<th>state</th><th>last heartbeat</th></tr></thead><tbody>";
    for (const WorkerInfo& worker : workers) {
      const std::string state =
          worker.job_id == 0 ? "idle"
                             : "job <a href=\"/jobs/" + std::to_string(worker.job_id) + "\">" +
                                   std::to_string(worker.job_id) + "</a>";
      page += "<tr><td><code>" + H(worker.id) + "</code></td><td>" + H(worker.labels) +
              "</td><td>" + state + "</td><td>" +
              FormatDouble(static_cast<double>(now_ms - worker.last_seen_ms) / 1000, 1) +
              " s ago</td></tr>";
    }
    page += "</tbody></table>";
  }
  page += "<h2>Jobs</h2><form method=\"get\" action=\"/\">repository <input name=\"repo\" value=\"" +
          H(filter.repo) + "\"> state <select name=\"state\"><option value=\"\">any</option>";
  for (const char* state : {"queued", "running", "done", "dead", "cancelled"}) {
    page += std::string("<option") + (filter.state == state ? " selected" : "") + ">" + state +
            "</option>";
  }
  page += "</select> verdict <select name=\"verdict\"><option value=\"\">any</option>";
  for (const char* verdict : {"ACCEPT", "DECLINE", "INCOMPLETE", "ERROR"}) {
    page += std::string("<option") + (filter.verdict == verdict ? " selected" : "") + ">" +
            verdict + "</option>";
  }
  page += "</select> <button>filter</button></form>";
  page +=
      "<table id=\"zooci-jobs\"><thead><tr><th>job</th><th>repository</th><th>pull request</th>"
      "<th>title</th>"
      "<th>head</th><th>branch</th><th>trigger</th><th>state</th><th>verdict</th>"
      "<th>duration</th></tr></thead><tbody>";
  const size_t shown = std::min(jobs.size(), static_cast<size_t>(filter.limit));
  for (size_t i = 0; i < shown; ++i) {
    const Job* job = &jobs[i];
    const std::string verdict = JobVerdict(*job);
    page += "<tr><td><a href=\"/jobs/" + std::to_string(job->id) + "\">" +
            std::to_string(job->id) + "</a></td><td>" + H(job->spec.repo) + "</td><td>#" +
            std::to_string(job->spec.pr_number) + "</td><td class=\"zooci-title\">" +
            H(Clip(job->spec.title, 120)) + "</td><td><code>" +
            H(job->spec.head_sha.substr(0, 12)) + "</code></td><td class=\"zooci-branch\">" +
            H(job->spec.head_ref) + "</td><td>" + H(job->spec.trigger) + "</td><td>" +
            H(std::string(JobStateName(job->state))) + "</td><td class=\"" + H(verdict) + "\">" +
            H(verdict) + "</td><td>" + DurationText(*job) + "</td></tr>";
  }
  page += "</tbody></table>";
  const std::string query = "repo=" + PercentEncode(filter.repo) +
                            "&amp;state=" + PercentEncode(filter.state) +
                            "&amp;verdict=" + PercentEncode(filter.verdict);
  if (filter.offset > 0) {
    page += "<a href=\"/?" + query + "&amp;offset=" +
            std::to_string(std::max(0, filter.offset - filter.limit)) + "\">newer</a> ";
  }
  if (jobs.size() > shown) {
    page += "<a href=\"/?" + query + "&amp;offset=" + std::to_string(filter.offset + filter.limit) +
            "\">older</a>";
  }
  return page + "</body></html>\n";
}

std::string MetricsText(const JobCounts& counts, const ServiceCounters& counters,
                        const std::vector<Job>& recent) {
  std::string out =
      "# HELP zooci_jobs Jobs in the store by state.\n# TYPE zooci_jobs gauge\n";
  for (const auto& [state, value] :
       {std::pair{"queued", counts.queued}, {"running", counts.running}, {"done", counts.done},
        {"dead", counts.dead}, {"cancelled", counts.cancelled}}) {
    out += "zooci_jobs{state=\"" + std::string(state) + "\"} " + std::to_string(value) + "\n";
  }
  out += "# HELP zooci_queue_depth Jobs waiting for a worker.\n# TYPE zooci_queue_depth gauge\n";
  out += "zooci_queue_depth " + std::to_string(counts.queued) + "\n";
  out +=
      "# HELP zooci_webhook_deliveries_total Webhook deliveries by HTTP answer.\n"
      "# TYPE zooci_webhook_deliveries_total counter\n";
  std::lock_guard<std::mutex> lock(counters.mutex);
  for (const auto& [status, value] : counters.deliveries_by_status) {
    out += "zooci_webhook_deliveries_total{status=\"" + std::to_string(status) + "\"} " +
           std::to_string(value) + "\n";
  }
  out +=
      "# HELP zooci_publish_failures_total Publishing passes that GitHub failed (retried).\n"
      "# TYPE zooci_publish_failures_total counter\n";
  out += "zooci_publish_failures_total " + std::to_string(counters.publish_failures) + "\n";
  // Step durations of the recent finished jobs, as a histogram per step.
  static constexpr double kBounds[] = {0.1, 0.5, 1, 5, 15, 60, 300, 1800};
  std::map<std::string, std::pair<std::vector<int64_t>, double>> steps;  // name -> buckets, sum
  std::map<std::string, int64_t> step_counts;
  for (const Job& job : recent) {
    for (const json& model : ReportModels(job)) {
      if (!model.is_object() || !model.contains("steps") || !model["steps"].is_array()) continue;
      for (const json& step : model["steps"]) {
        if (!step.is_object() || !step.contains("seconds") || !step["seconds"].is_number()) continue;
        const std::string name = step.value("name", "");
        if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) {
          continue;  // step names are ours; anything else is not a label value we emit
        }
        const double seconds = step["seconds"].get<double>();
        auto& [buckets, sum] = steps[name];
        buckets.resize(std::size(kBounds), 0);
        for (size_t i = 0; i < std::size(kBounds); ++i) buckets[i] += seconds <= kBounds[i] ? 1 : 0;
        sum += seconds;
        ++step_counts[name];
      }
    }
  }
  out +=
      "# HELP zooci_step_seconds Step durations of the latest 500 jobs' reviews.\n"
      "# TYPE zooci_step_seconds histogram\n";
  for (const auto& [name, data] : steps) {
    for (size_t i = 0; i < std::size(kBounds); ++i) {
      out += "zooci_step_seconds_bucket{step=\"" + name + "\",le=\"" + FormatDouble(kBounds[i]) +
             "\"} " + std::to_string(data.first[i]) + "\n";
    }
    out += "zooci_step_seconds_bucket{step=\"" + name + "\",le=\"+Inf\"} " +
           std::to_string(step_counts[name]) + "\n";
    out += "zooci_step_seconds_sum{step=\"" + name + "\"} " + FormatDouble(data.second) + "\n";
    out += "zooci_step_seconds_count{step=\"" + name + "\"} " +
           std::to_string(step_counts[name]) + "\n";
  }
  return out;
}

std::string BadgeSvg(const std::string& verdict) {
  const std::string text = verdict.empty() ? "unknown" : verdict;
  const char* color = verdict == "ACCEPT"       ? "#2da44e"
                      : verdict == "DECLINE"    ? "#cf222e"
                      : verdict == "INCOMPLETE" ? "#bf8700"
                                                : "#6e7781";
  const int right = 10 + 7 * static_cast<int>(text.size());
  const int width = 44 + right;
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"20\" role=\"img\" aria-label=\"zooci: " + H(text) + "\"><title>zooci: " +
         H(text) + "</title><rect width=\"44\" height=\"20\" fill=\"#555\"/><rect x=\"44\" width=\"" +
         std::to_string(right) + "\" height=\"20\" fill=\"" + color +
         "\"/><g fill=\"#fff\" font-family=\"Verdana,sans-serif\" font-size=\"11\">"
         "<text x=\"6\" y=\"14\">zooci</text><text x=\"49\" y=\"14\">" +
         H(text) + "</text></g></svg>\n";
}

std::string ModelVerdict(const std::vector<Job>& jobs, const std::string& repo,
                         const std::string& folder) {
  for (const Job& job : jobs) {  // newest first
    if (job.spec.repo != repo) continue;
    for (const json& model : ReportModels(job)) {
      if (model.is_object() && model.value("folder", "") == folder) {
        return model.value("verdict", std::string());
      }
    }
  }
  return "";
}

}  // namespace zooci::service_internal
