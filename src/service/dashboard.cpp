// The dashboard's first pages, rendered on the server from the store: the overview of jobs, the
// Prometheus metrics and the README status badge. Everything shown comes from pull requests and is
// escaped; pages carry no script at all (the Content-Security-Policy forbids any).
#include <algorithm>
#include <optional>
#include <nlohmann/json.hpp>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

std::string H(std::string_view text) { return EscapeXml(text); }

// A URL query value, percent-encoded.
std::string Encode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The models array of a done job's stored report (the runner's envelope), or an empty array.
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

std::string DurationText(const Job& job) {
  if (job.state == JobState::kQueued) return "";
  const double seconds = static_cast<double>(job.updated_ms - job.created_ms) / 1000;
  return FormatDouble(seconds, 3) + " s";
}

}  // namespace

std::string JobVerdict(const Job& job) {
  if (job.state != JobState::kDone) return "";
  json envelope = json::parse(job.result_json, nullptr, false);
  return envelope.is_object() ? envelope.value("verdict", std::string()) : std::string();
}

std::string OverviewPage(const std::vector<Job>& jobs, const DashboardFilter& filter,
                         const JobCounts& counts) {
  std::vector<const Job*> shown;
  for (const Job& job : jobs) {
    if (!filter.repo.empty() && job.spec.repo != filter.repo) continue;
    if (!filter.state.empty() && JobStateName(job.state) != filter.state) continue;
    if (!filter.verdict.empty() && JobVerdict(job) != filter.verdict) continue;
    shown.push_back(&job);
  }
  const bool active = counts.queued + counts.running > 0;
  std::string page =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ZooCI</title>";
  if (active) page += "<meta http-equiv=\"refresh\" content=\"5\">";  // no script needed
  page +=
      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}"
      ".ACCEPT{color:#1a7f37}.DECLINE,.ERROR{color:#cf222e}.INCOMPLETE{color:#9a6700}</style>"
      "</head><body><h1>ZooCI</h1>";
  page += "<p>" + std::to_string(counts.queued) + " queued · " + std::to_string(counts.running) +
          " running · " + std::to_string(counts.done) + " done · " + std::to_string(counts.dead) +
          " dead · " + std::to_string(counts.cancelled) + " cancelled</p>";
  // Workers at work: the holders of running jobs' leases, with when their lease runs out (each
  // heartbeat extends it).
  std::string workers;
  for (const Job& job : jobs) {
    if (job.state != JobState::kRunning) continue;
    workers += "<li><code>" + H(job.lease_owner) + "</code> on job <a href=\"/jobs/" +
               std::to_string(job.id) + "\">" + std::to_string(job.id) + "</a>, lease until " +
               std::to_string(job.lease_expires_ms) + " (unix ms)</li>";
  }
  if (!workers.empty()) page += "<h2>Workers at work</h2><ul>" + workers + "</ul>";
  page += "<form method=\"get\" action=\"/\">repository <input name=\"repo\" value=\"" +
          H(filter.repo) + "\"> state <input name=\"state\" value=\"" + H(filter.state) +
          "\"> verdict <input name=\"verdict\" value=\"" + H(filter.verdict) +
          "\"> <button>filter</button></form>";
  page +=
      "<table><thead><tr><th>job</th><th>repository</th><th>pull request</th><th>head</th>"
      "<th>branch</th><th>trigger</th><th>state</th><th>verdict</th><th>duration</th></tr>"
      "</thead><tbody>";
  for (const Job* job : shown) {
    const std::string verdict = JobVerdict(*job);
    page += "<tr><td><a href=\"/jobs/" + std::to_string(job->id) + "\">" +
            std::to_string(job->id) + "</a></td><td>" + H(job->spec.repo) + "</td><td>#" +
            std::to_string(job->spec.pr_number) + "</td><td><code>" +
            H(job->spec.head_sha.substr(0, 12)) + "</code></td><td>" + H(job->spec.head_ref) +
            "</td><td>" + H(job->spec.trigger) + "</td><td>" +
            H(std::string(JobStateName(job->state))) + "</td><td class=\"" + H(verdict) + "\">" +
            H(verdict) + "</td><td>" + DurationText(*job) + "</td></tr>";
  }
  page += "</tbody></table>";
  const std::string query = "repo=" + Encode(filter.repo) + "&amp;state=" + Encode(filter.state) +
                            "&amp;verdict=" + Encode(filter.verdict);
  if (filter.offset > 0) {
    page += "<a href=\"/?" + query + "&amp;offset=" +
            std::to_string(std::max(0, filter.offset - filter.limit)) + "\">newer</a> ";
  }
  if (static_cast<int>(jobs.size()) >= filter.limit) {
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

namespace {

struct ModelPoint {
  int64_t job_id = 0;
  std::string verdict;
  std::optional<double> top1_percent, claimed_percent, p50_ms;
};

// An SVG line chart of `values` (job order, oldest first) with an optional dashed reference line.
std::string LineChart(const std::string& title, const std::string& unit,
                      const std::vector<std::pair<int64_t, double>>& values,
                      std::optional<double> reference) {
  constexpr double kWidth = 560, kLeft = 50, kRight = 540, kTop = 30, kBottom = 170;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"200\" "
                    "role=\"img\"><title>" + H(title) + "</title><text x=\"" +
                    FormatDouble(kWidth / 2) + "\" y=\"18\" text-anchor=\"middle\" "
                    "font-family=\"sans-serif\" font-size=\"13\">" + H(title) + "</text>";
  if (values.empty()) {
    return svg + "<text x=\"280\" y=\"100\" text-anchor=\"middle\" font-family=\"sans-serif\" "
                 "fill=\"#666\">no figures yet</text></svg>";
  }
  double lo = values.front().second, hi = lo;
  for (const auto& [id, value] : values) {
    lo = std::min(lo, value);
    hi = std::max(hi, value);
  }
  if (reference) {
    lo = std::min(lo, *reference);
    hi = std::max(hi, *reference);
  }
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  auto x = [&](size_t i) {
    return values.size() == 1 ? (kLeft + kRight) / 2
                              : kLeft + (kRight - kLeft) * static_cast<double>(i) /
                                            static_cast<double>(values.size() - 1);
  };
  auto y = [&](double v) { return kBottom - (v - lo) / (hi - lo) * (kBottom - kTop); };
  svg += "<g font-family=\"sans-serif\" font-size=\"10\" fill=\"#555\"><text x=\"4\" y=\"" +
         FormatDouble(y(hi) + 4) + "\">" + FormatDouble(hi, 4) + " " + H(unit) +
         "</text><text x=\"4\" y=\"" + FormatDouble(y(lo) + 4) + "\">" + FormatDouble(lo, 4) + " " +
         H(unit) + "</text></g>";
  if (reference) {
    svg += "<line x1=\"" + FormatDouble(kLeft) + "\" x2=\"" + FormatDouble(kRight) + "\" y1=\"" +
           FormatDouble(y(*reference)) + "\" y2=\"" + FormatDouble(y(*reference)) +
           "\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"><title>claimed " +
           FormatDouble(*reference, 4) + "</title></line>";
  }
  std::string points;
  for (size_t i = 0; i < values.size(); ++i) {
    points += FormatDouble(x(i)) + "," + FormatDouble(y(values[i].second)) + " ";
  }
  svg += "<polyline class=\"series\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" points=\"" +
         points + "\"/>";
  for (size_t i = 0; i < values.size(); ++i) {
    svg += "<circle cx=\"" + FormatDouble(x(i)) + "\" cy=\"" + FormatDouble(y(values[i].second)) +
           "\" r=\"3\" fill=\"#0969da\"><title>job " + std::to_string(values[i].first) + ": " +
           FormatDouble(values[i].second, 4) + " " + H(unit) + "</title></circle>";
  }
  return svg + "</svg>";
}

}  // namespace

std::string ModelPage(const std::vector<Job>& jobs, const std::string& repo,
                      const std::string& folder) {
  std::vector<ModelPoint> points;  // oldest first
  for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
    const Job& job = *it;
    if (job.spec.repo != repo) continue;
    for (const json& model : ReportModels(job)) {
      if (!model.is_object() || model.value("folder", "") != folder) continue;
      ModelPoint point;
      point.job_id = job.id;
      point.verdict = model.value("verdict", "");
      if (model.contains("steps") && model["steps"].is_array()) {
        for (const json& step : model["steps"]) {
          if (!step.is_object() || !step.contains("details") || !step["details"].is_object()) continue;
          const json& details = step["details"];
          const std::string name = step.value("name", "");
          if (name == "eval" && details.contains("top1_percent") && details["top1_percent"].is_number()) {
            point.top1_percent = details["top1_percent"].get<double>();
            if (details.contains("claims") && details["claims"].is_array()) {
              for (const json& claim : details["claims"]) {
                if (claim.is_object() && claim.contains("claimed_percent") &&
                    claim["claimed_percent"].is_number()) {
                  point.claimed_percent = claim["claimed_percent"].get<double>();
                  break;
                }
              }
            }
          }
          if (name == "bench" && details.contains("latency_ms") && details["latency_ms"].is_object() &&
              details["latency_ms"].contains("p50") && details["latency_ms"]["p50"].is_number()) {
            point.p50_ms = details["latency_ms"]["p50"].get<double>();
          }
        }
      }
      points.push_back(std::move(point));
    }
  }
  std::vector<std::pair<int64_t, double>> accuracy, latency;
  std::optional<double> claimed;
  for (const ModelPoint& point : points) {
    if (point.top1_percent) accuracy.emplace_back(point.job_id, *point.top1_percent);
    if (point.claimed_percent) claimed = point.claimed_percent;
    if (point.p50_ms) latency.emplace_back(point.job_id, *point.p50_ms);
  }
  std::string page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                     H(folder) + " · ZooCI</title></head><body style=\"font-family:sans-serif;"
                     "margin:2em\"><p><a href=\"/\">ZooCI</a> · " + H(repo) + "</p><h1>" +
                     H(folder) + "</h1><p>" + BadgeSvg(points.empty() ? "" : points.back().verdict) +
                     "</p>";
  page += "<figure>" + LineChart("top-1 accuracy (claimed: dashed)", "%", accuracy, claimed) +
          "</figure><figure>" + LineChart("p50 latency", "ms", latency, std::nullopt) + "</figure>";
  page += "<h2>Reviews</h2><table><tr><th>job</th><th>verdict</th><th>top-1</th><th>p50</th></tr>";
  for (auto it = points.rbegin(); it != points.rend(); ++it) {
    page += "<tr><td><a href=\"/jobs/" + std::to_string(it->job_id) + "\">" +
            std::to_string(it->job_id) + "</a></td><td>" + H(it->verdict) + "</td><td>" +
            (it->top1_percent ? FormatDouble(*it->top1_percent, 4) + " %" : "") + "</td><td>" +
            (it->p50_ms ? FormatDouble(*it->p50_ms, 4) + " ms" : "") + "</td></tr>";
  }
  return page + "</table></body></html>\n";
}

}  // namespace zooci::service_internal

