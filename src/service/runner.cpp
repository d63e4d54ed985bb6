// A job from checkout to stored result. The result is an envelope the publisher renders without
// parsing the review again:
//   {"verdict": "ACCEPT|DECLINE|INCOMPLETE", "models": N, "counts": "1 of 1 model declined",
//    "head_sha", "base_sha", "merged": bool, "markdown": the PR comment,
//    "annotations": [{"path", "line", "level": "failure|warning", "title", "message"}],
//    "report": FormatValidateJson's document, "html": FormatValidateHtml's page,
//    "manifest": {folder: [its ONNX_HUB_MANIFEST.json entries]}}
// Annotation paths are relative to the repository root (the zoo is the repository here).
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "pipeline/pipeline.h"
#include "report/report.h"
#include "service/internal.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

json Annotations(const ValidateReport& report) {
  json annotations = json::array();
  auto add = [&](const Reason& reason, const std::string& folder) {
    if (reason.level == ReasonLevel::kWarning && reason.file.empty()) return;
    json item;
    item["path"] = reason.file.empty() ? folder + "/README.md" : reason.file;
    item["line"] = std::max(1, reason.line);
    item["level"] = reason.declines() ? "failure" : "warning";
    item["title"] = (folder.empty() ? std::string("zoo") : folder) + " (" + reason.step + ")";
    item["message"] = reason.message + (reason.node.empty() ? "" : " [" + reason.node + "]");
    annotations.push_back(std::move(item));
  };
  for (const Reason& reason : report.zoo_reasons) add(reason, "");
  for (const ModelReview& model : report.models) {
    for (const StepResult& step : model.steps) {
      for (const Reason& reason : step.reasons) add(reason, model.folder);
    }
  }
  return annotations;
}

// The manifest entries (ONNX_HUB_MANIFEST.json at the zoo's root) of each reviewed folder, for
// the model page: {folder: [entries whose model_path lies in it]}. Read inside the checkout only;
// a missing or unreadable manifest gives {} (integrity reports it).
json ManifestOf(const fs::path& zoo, const ValidateReport& report) {
  json out = json::object();
  Result<std::string> text = ReadFileInside(zoo, zoo / "ONNX_HUB_MANIFEST.json", 64u << 20);
  if (!text.ok()) return out;
  const json manifest = json::parse(*text, nullptr, false);
  if (!manifest.is_array()) return out;
  for (const ModelReview& model : report.models) {
    json entries = json::array();
    const std::string prefix = model.folder + "/";
    for (const json& entry : manifest) {
      if (!entry.is_object() || !entry.contains("model_path") || !entry["model_path"].is_string()) {
        continue;
      }
      if (entry["model_path"].get<std::string>().rfind(prefix, 0) == 0) entries.push_back(entry);
    }
    if (!entries.empty()) out[model.folder] = std::move(entries);
  }
  return out;
}

}  // namespace

Result<JobOutput> RunJob(const JobInput& job, const RunnerConfig& config, Executor& executor,
                         const std::function<void(const std::string&)>& stream) {
  const auto started = std::chrono::steady_clock::now();
  JobOutput output;
  auto log = [&](const std::string& line) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char stamp[32];
    std::snprintf(stamp, sizeof(stamp), "[%.3f s] ", seconds);
    const std::string text = stamp + line + "\n";
    output.log += text;
    if (stream) stream(text);
  };
  WorkspaceRequest request;
  request.repo = job.repo;
  request.base_clone_url = job.base_clone_url;
  request.base_ref = job.base_ref;
  request.base_sha = job.base_sha;
  request.head_clone_url = job.head_clone_url;
  request.head_ref = job.head_ref;
  request.head_sha = job.head_sha;
  request.mirrors_dir = config.data_dir / "mirrors";
  request.job_dir = config.data_dir / "jobs" / std::to_string(job.id);
  log("fetch " + job.repo + " " + job.head_ref + " at " + job.head_sha);
  Result<Workspace> workspace = PrepareWorkspace(request);
  if (!workspace.ok()) {
    std::error_code error;
    fs::remove_all(request.job_dir, error);
    return workspace.error();
  }
  log(std::string(workspace->merged ? "merged onto " : "the head alone (conflicts with) ") +
      job.base_ref + " at " + workspace->base_sha);

  ValidateOptions options;
  options.zoo = workspace->dir;
  options.changed_since = workspace->base_sha;
  options.jobs = 1;
  options.run_bench = config.run_bench;
  options.fetch_lfs = true;
  options.cache_dir = config.data_dir / "cache";
  options.zooci_version = config.zooci_version;
  options.build_id = config.build_id;
  options.executor_config = "service";
  options.make_executor = config.make_executor;
  log("review the folders changed since " + workspace->base_sha);
  Result<ValidateReport> report =
      Validate(options, executor, [&](const ModelReview& review, int done, int total) {
        log("[" + std::to_string(done) + "/" + std::to_string(total) + "] " + review.folder + ": " +
            VerdictName(review.verdict));
      });
  const json manifest = report.ok() ? ManifestOf(workspace->dir, *report) : json::object();
  std::error_code error;
  fs::remove_all(request.job_dir, error);
  if (!report.ok()) {
    // A zoo-level error (not a git repository, a change touching no folder) is a result the
    // submitter must see, not a reason to retry.
    log("review error: " + report.error().message());
    json envelope;
    envelope["verdict"] = "ERROR";
    envelope["error"] = report.error().message();
    envelope["head_sha"] = job.head_sha;
    envelope["markdown"] = "## ZooCI: ❌ ERROR\n\nThe review could not run: " +
                           report.error().message() + "\n";
    envelope["annotations"] = json::array();
    output.result_json = envelope.dump(-1, ' ', false, json::error_handler_t::replace);
    return output;
  }
  log(VerdictName(report->verdict) + ": " + report_internal::VerdictCounts(*report));
  // The report names the zoo by its repository, not by the worker's checkout directory.
  report->zoo = job.repo + " @ " + job.head_sha.substr(0, 12);
  json envelope;
  envelope["verdict"] = VerdictName(report->verdict);
  envelope["models"] = report->models.size();
  envelope["counts"] = report_internal::VerdictCounts(*report);
  envelope["head_sha"] = job.head_sha;
  envelope["base_sha"] = workspace->base_sha;
  envelope["merged"] = workspace->merged;
  envelope["markdown"] = FormatValidateMarkdown(*report);
  envelope["annotations"] = Annotations(*report);
  envelope["report"] = json::parse(FormatValidateJson(*report), nullptr, false);
  envelope["html"] = FormatValidateHtml(*report);  // the job page: every step, histograms
  envelope["manifest"] = manifest;
  output.result_json = envelope.dump(-1, ' ', false, json::error_handler_t::replace);
  return output;
}

}  // namespace zooci::service_internal
