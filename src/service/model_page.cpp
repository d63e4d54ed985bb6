// The model page: a folder's reviews across jobs, with charts drawn as SVG on the server, and its
// current manifest entry.
#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

std::string H(std::string_view text) { return EscapeXml(text); }

// The runner's envelope keeps each reviewed folder's manifest entries under "manifest".
std::string ManifestEntries(const Job& job, const std::string& folder) {
  if (job.state != JobState::kDone) return "";
  const json envelope = json::parse(job.result_json, nullptr, false);
  if (!envelope.is_object() || !envelope.contains("manifest") || !envelope["manifest"].is_object()) {
    return "";
  }
  const json& manifest = envelope["manifest"];
  const auto entries = manifest.find(folder);
  if (entries == manifest.end() || !entries->is_array() || entries->empty()) return "";
  return entries->dump(2, ' ', false, json::error_handler_t::replace);
}

// One review of the folder: the eval step's headline figures for its task (classification:
// top-1; object detection: mAP@[.5:.95] and mAP@0.5; semantic segmentation: mIoU and pixel
// accuracy), the claims made for them, and the bench step's latency.
struct ModelPoint {
  int64_t job_id = 0;
  std::string verdict;
  std::string task;  // the eval report's "task"; "" when the eval step did not run
  std::optional<double> top1_percent, claimed_top1_percent;
  std::optional<double> map_percent, map50_percent, claimed_map_percent;
  std::optional<double> miou_percent, pixel_accuracy_percent, claimed_miou_percent;
  std::optional<double> p50_ms, p90_ms;
};

std::optional<double> NumberAt(const json& object, const char* key) {
  if (!object.contains(key) || !object[key].is_number()) return std::nullopt;
  return object[key].get<double>();
}

// The first claim of `metric` ("top-1", "mAP", "mIoU") in an eval report's "claims".
std::optional<double> ClaimedPercent(const json& details, const std::string& metric) {
  if (!details.contains("claims") || !details["claims"].is_array()) return std::nullopt;
  for (const json& claim : details["claims"]) {
    if (claim.is_object() && claim.value("metric", "") == metric) {
      if (std::optional<double> value = NumberAt(claim, "claimed_percent")) return value;
    }
  }
  return std::nullopt;
}

// Reads zooci eval's JSON report (the eval step's details) into `point`.
void ReadEvalDetails(const json& details, ModelPoint* point) {
  point->task = details.value("task", "");
  point->top1_percent = NumberAt(details, "top1_percent");
  point->claimed_top1_percent = ClaimedPercent(details, "top-1");
  point->map_percent = NumberAt(details, "map_percent");
  point->map50_percent = NumberAt(details, "map50_percent");
  point->claimed_map_percent = ClaimedPercent(details, "mAP");
  point->miou_percent = NumberAt(details, "miou_percent");
  point->pixel_accuracy_percent = NumberAt(details, "pixel_accuracy_percent");
  point->claimed_miou_percent = ClaimedPercent(details, "mIoU");
}

struct Series {
  std::string name;
  std::string color;
  std::vector<std::pair<int64_t, double>> values;  // (job id, value), oldest first
};

// An SVG line chart of each series (job order, oldest first; x is the job's position among all
// the series' jobs) with an optional dashed reference line.
std::string LineChart(const std::string& title, const std::string& unit,
                      const std::vector<Series>& series, std::optional<double> reference) {
  std::vector<int64_t> jobs;
  std::vector<std::pair<int64_t, double>> values;
  for (const Series& one : series) {
    for (const auto& point : one.values) {
      jobs.push_back(point.first);
      values.push_back(point);
    }
  }
  std::sort(jobs.begin(), jobs.end());
  jobs.erase(std::unique(jobs.begin(), jobs.end()), jobs.end());
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
  auto x = [&](int64_t job) {
    const size_t i = static_cast<size_t>(std::lower_bound(jobs.begin(), jobs.end(), job) - jobs.begin());
    return jobs.size() == 1 ? (kLeft + kRight) / 2
                            : kLeft + (kRight - kLeft) * static_cast<double>(i) /
                                          static_cast<double>(jobs.size() - 1);
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
  double legend_x = kLeft;
  for (const Series& one : series) {
    if (one.values.empty()) continue;
    std::string points;
    for (const auto& [job, value] : one.values) {
      points += FormatDouble(x(job)) + "," + FormatDouble(y(value)) + " ";
    }
    svg += "<polyline class=\"series\" fill=\"none\" stroke=\"" + one.color +
           "\" stroke-width=\"2\" points=\"" + points + "\"/>";
    for (const auto& [job, value] : one.values) {
      svg += "<circle cx=\"" + FormatDouble(x(job)) + "\" cy=\"" + FormatDouble(y(value)) +
             "\" r=\"3\" fill=\"" + one.color + "\"><title>job " + std::to_string(job) + ": " +
             H(one.name) + " " + FormatDouble(value, 4) + " " + H(unit) + "</title></circle>";
    }
    svg += "<text x=\"" + FormatDouble(legend_x) + "\" y=\"192\" font-family=\"sans-serif\" "
           "font-size=\"11\" fill=\"" + one.color + "\">" + H(one.name) + "</text>";
    legend_x += 80;
  }
  return svg + "</svg>";
}

// The folder's reviews among `jobs` (newest first), oldest first; `manifest` gets the newest
// review's manifest entries.
std::vector<ModelPoint> History(const std::vector<Job>& jobs, const std::string& repo,
                                const std::string& folder, std::string* manifest) {
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
          if (name == "eval") ReadEvalDetails(details, &point);
          if (name == "bench" && details.contains("latency_ms") && details["latency_ms"].is_object() &&
              details["latency_ms"].contains("p50") && details["latency_ms"]["p50"].is_number()) {
            point.p50_ms = details["latency_ms"]["p50"].get<double>();
            if (details["latency_ms"].contains("p90") && details["latency_ms"]["p90"].is_number()) {
              point.p90_ms = details["latency_ms"]["p90"].get<double>();
            }
          }
        }
      }
      points.push_back(std::move(point));
      const std::string entries = ManifestEntries(job, folder);
      if (!entries.empty()) *manifest = entries;
    }
  }
  return points;
}

}  // namespace

std::string ModelHistoryJson(const std::vector<Job>& jobs, const std::string& repo,
                             const std::string& folder) {
  std::string manifest;
  const std::vector<ModelPoint> points = History(jobs, repo, folder, &manifest);
  json reviews = json::array();
  for (auto it = points.rbegin(); it != points.rend(); ++it) {
    json review = {{"job_id", it->job_id}, {"verdict", it->verdict}, {"task", it->task}};
    auto put = [&](const char* key, const std::optional<double>& value) {
      review[key] = value ? json(*value) : json(nullptr);
    };
    put("top1_percent", it->top1_percent);
    put("claimed_top1_percent", it->claimed_top1_percent);
    put("map_percent", it->map_percent);
    put("map50_percent", it->map50_percent);
    put("claimed_map_percent", it->claimed_map_percent);
    put("miou_percent", it->miou_percent);
    put("pixel_accuracy_percent", it->pixel_accuracy_percent);
    put("claimed_miou_percent", it->claimed_miou_percent);
    put("p50_ms", it->p50_ms);
    put("p90_ms", it->p90_ms);
    reviews.push_back(std::move(review));
  }
  json out = {{"repo", repo},
              {"folder", folder},
              {"verdict", points.empty() ? "" : points.back().verdict},
              {"reviews", std::move(reviews)},
              {"manifest", manifest.empty() ? json::array() : json::parse(manifest, nullptr, false)}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// The accuracy chart of the folder's task: the newest review's task decides, so a folder whose
// model changed task shows its current figures. Each chart's dashed line is the newest claim.
struct AccuracyChart {
  std::string title, column;  // the chart's title; the reviews table's column
  std::vector<Series> series;
  std::optional<double> claimed;
  // The table cell of one review.
  std::function<std::optional<double>(const ModelPoint&)> headline;
};

AccuracyChart ChartFor(const std::vector<ModelPoint>& points) {
  std::string task;
  for (const ModelPoint& point : points) {
    if (!point.task.empty()) task = point.task;
  }
  AccuracyChart chart;
  auto add = [&](Series* series, const std::optional<double>& value, int64_t job_id) {
    if (value) series->values.emplace_back(job_id, *value);
  };
  if (task == "object-detection") {
    chart.title = "mAP (claimed mAP@[.5:.95]: dashed)";
    chart.column = "mAP@[.5:.95]";
    Series map{"mAP@[.5:.95]", "#0969da", {}}, map50{"mAP@0.5", "#8250df", {}};
    for (const ModelPoint& point : points) {
      add(&map, point.map_percent, point.job_id);
      add(&map50, point.map50_percent, point.job_id);
      if (point.claimed_map_percent) chart.claimed = point.claimed_map_percent;
    }
    chart.series = {map, map50};
    chart.headline = [](const ModelPoint& point) { return point.map_percent; };
  } else if (task == "semantic-segmentation") {
    chart.title = "mIoU (claimed: dashed)";
    chart.column = "mIoU";
    Series miou{"mIoU", "#0969da", {}}, pixel{"pixel acc.", "#8250df", {}};
    for (const ModelPoint& point : points) {
      add(&miou, point.miou_percent, point.job_id);
      add(&pixel, point.pixel_accuracy_percent, point.job_id);
      if (point.claimed_miou_percent) chart.claimed = point.claimed_miou_percent;
    }
    chart.series = {miou, pixel};
    chart.headline = [](const ModelPoint& point) { return point.miou_percent; };
  } else {
    chart.title = "top-1 accuracy (claimed: dashed)";
    chart.column = "top-1";
    Series top1{"top-1", "#0969da", {}};
    for (const ModelPoint& point : points) {
      add(&top1, point.top1_percent, point.job_id);
      if (point.claimed_top1_percent) chart.claimed = point.claimed_top1_percent;
    }
    chart.series = {top1};
    chart.headline = [](const ModelPoint& point) { return point.top1_percent; };
  }
  return chart;
}

}  // namespace

std::string ModelPage(const std::vector<Job>& jobs, const std::string& repo,
                      const std::string& folder) {
  std::string manifest;  // the newest review's ONNX_HUB_MANIFEST.json entries, indented
  const std::vector<ModelPoint> points = History(jobs, repo, folder, &manifest);
  const AccuracyChart accuracy = ChartFor(points);
  Series p50{"p50", "#0969da", {}}, p90{"p90", "#8250df", {}};
  for (const ModelPoint& point : points) {
    if (point.p50_ms) p50.values.emplace_back(point.job_id, *point.p50_ms);
    if (point.p90_ms) p90.values.emplace_back(point.job_id, *point.p90_ms);
  }
  std::string page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                     H(folder) + " · ZooCI</title></head><body style=\"font-family:sans-serif;"
                     "margin:2em\"><p><a href=\"/\">ZooCI</a> · " + H(repo) + "</p><h1>" +
                     H(folder) + "</h1><p>" + BadgeSvg(points.empty() ? "" : points.back().verdict) +
                     "</p>";
  page += "<figure id=\"zooci-accuracy\">" +
          LineChart(accuracy.title, "%", accuracy.series, accuracy.claimed) +
          "</figure><figure id=\"zooci-latency\">" +
          LineChart("latency", "ms", {p50, p90}, std::nullopt) + "</figure>";
  page += "<h2>Manifest entry</h2>";
  page += manifest.empty() ? "<p>None in ONNX_HUB_MANIFEST.json at the newest review.</p>"
                           : "<pre id=\"zooci-manifest\">" + H(manifest) + "</pre>";
  page += "<h2>Reviews</h2><table><tr><th>job</th><th>verdict</th><th>" + H(accuracy.column) +
          "</th><th>p50</th></tr>";
  for (auto it = points.rbegin(); it != points.rend(); ++it) {
    const std::optional<double> headline = accuracy.headline(*it);
    page += "<tr><td><a href=\"/jobs/" + std::to_string(it->job_id) + "\">" +
            std::to_string(it->job_id) + "</a></td><td>" + H(it->verdict) + "</td><td>" +
            (headline ? FormatDouble(*headline, 4) + " %" : "") + "</td><td>" +
            (it->p50_ms ? FormatDouble(*it->p50_ms, 4) + " ms" : "") + "</td></tr>";
  }
  return page + "</table></body></html>\n";
}

}  // namespace zooci::service_internal
