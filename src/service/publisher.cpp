// Publishing stored results to GitHub (see Publisher in internal.h).
#include <nlohmann/json.hpp>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

struct Verdict {
  CheckRunConclusion conclusion = CheckRunConclusion::kFailure;
  CommitState state = CommitState::kFailure;
  std::string title;
};

// INCOMPLETE is a failure, not neutral: branch protection treats neutral as passing, and a
// submission that could not be fully reviewed must not merge as if it had been.
Verdict VerdictOf(const json& envelope) {
  const std::string verdict = envelope.value("verdict", "ERROR");
  const std::string counts = envelope.value("counts", "");
  const int64_t models = envelope.value("models", int64_t{0});
  if (verdict == "ACCEPT" && models == 0) {
    return {CheckRunConclusion::kNeutral, CommitState::kSuccess, "No model folders to review"};
  }
  if (verdict == "ACCEPT") return {CheckRunConclusion::kSuccess, CommitState::kSuccess, "ACCEPT: " + counts};
  if (verdict == "DECLINE") return {CheckRunConclusion::kFailure, CommitState::kFailure, "DECLINE: " + counts};
  if (verdict == "INCOMPLETE") {
    return {CheckRunConclusion::kFailure, CommitState::kFailure, "INCOMPLETE: " + counts};
  }
  return {CheckRunConclusion::kFailure, CommitState::kError,
          "ERROR: " + envelope.value("error", std::string("the review could not run"))};
}

std::vector<CheckRunAnnotation> AnnotationsOf(const json& envelope) {
  std::vector<CheckRunAnnotation> annotations;
  if (!envelope.contains("annotations") || !envelope["annotations"].is_array()) return annotations;
  for (const json& item : envelope["annotations"]) {
    if (!item.is_object()) continue;
    CheckRunAnnotation annotation;
    annotation.path = item.value("path", "");
    annotation.start_line = annotation.end_line = std::max<int64_t>(1, item.value("line", 1));
    annotation.level = item.value("level", "") == "failure" ? AnnotationLevel::kFailure
                                                            : AnnotationLevel::kWarning;
    annotation.title = item.value("title", "");
    annotation.message = item.value("message", "");
    if (!annotation.path.empty() && !annotation.message.empty()) {
      annotations.push_back(std::move(annotation));
    }
  }
  return annotations;
}

}  // namespace

std::string Publisher::JobUrl(int64_t id) const {
  return config_.public_url.empty() ? "" : config_.public_url + "/jobs/" + std::to_string(id);
}

CheckRunStart Publisher::InProgress(const Job& job) const {
  CheckRunStart start;
  start.head_sha = job.spec.head_sha;
  start.name = config_.check_name;
  start.status = CheckRunStatus::kInProgress;
  start.details_url = JobUrl(job.id);
  start.external_id = std::to_string(job.id);
  return start;
}

Status Publisher::Start(const Job& job, int64_t now_ms) {
  const RepoRef repo{job.spec.repo, job.spec.installation_id};
  ZC_ASSIGN_OR_RETURN(int64_t check_run_id, github_.CreateCheckRun(repo, InProgress(job)));
  ZC_RETURN_IF_ERROR(store_.SetPublication(job.id, check_run_id, 0, now_ms));
  CommitStatus status;
  status.state = CommitState::kPending;
  status.target_url = JobUrl(job.id);
  status.description = "reviewing the changed model folders";
  status.context = config_.check_name;
  return github_.CreateStatus(repo, job.spec.head_sha, status);
}

Status Publisher::Finish(const Job& job, int64_t now_ms) {
  const RepoRef repo{job.spec.repo, job.spec.installation_id};
  int64_t check_run_id = job.check_run_id;
  if (job.state == JobState::kCancelled) {
    // Superseded or closed: only a check run already shown needs closing.
    if (check_run_id != 0) {
      CheckRunOutput output;
      output.title = job.superseded_by != 0 ? "Superseded by a newer push" : "Cancelled";
      output.summary = job.superseded_by != 0
                           ? "A newer push to this pull request is reviewed instead (job " +
                                 std::to_string(job.superseded_by) + ")."
                           : "The pull request was closed.";
      ZC_RETURN_IF_ERROR(github_.UpdateCheckRun(repo, check_run_id, CheckRunStatus::kCompleted,
                                                CheckRunConclusion::kCancelled, output));
    }
    return store_.MarkPublished(job.id, 0, 0, now_ms);
  }
  json envelope = json::object();
  if (job.state == JobState::kDone) {
    envelope = json::parse(job.result_json, nullptr, false);
    if (envelope.is_discarded() || !envelope.is_object()) envelope = json::object();
  } else {  // dead
    envelope["verdict"] = "ERROR";
    envelope["error"] = "the review could not complete: " + job.error;
    envelope["markdown"] = "## ZooCI: ❌ ERROR\n\nThe review could not complete after " +
                           std::to_string(job.attempts) + " attempts: " + job.error + "\n";
  }
  const Verdict verdict = VerdictOf(envelope);
  if (check_run_id == 0) {
    ZC_ASSIGN_OR_RETURN(check_run_id, github_.CreateCheckRun(repo, InProgress(job)));
    ZC_RETURN_IF_ERROR(store_.SetPublication(job.id, check_run_id, 0, now_ms));
  }
  const std::string markdown = envelope.value("markdown", std::string());
  CheckRunOutput output;
  output.title = verdict.title;
  output.summary = markdown;
  output.annotations = AnnotationsOf(envelope);
  ZC_RETURN_IF_ERROR(github_.UpdateCheckRun(repo, check_run_id, CheckRunStatus::kCompleted,
                                            verdict.conclusion, output));
  CommitStatus status;
  status.state = verdict.state;
  status.target_url = JobUrl(job.id);
  status.description = verdict.title;
  status.context = config_.check_name;
  ZC_RETURN_IF_ERROR(github_.CreateStatus(repo, job.spec.head_sha, status));

  // One comment per pull request, edited in place by every later job.
  const std::string body = std::string(kCommentMarker) + "\n" + markdown +
                           "\n<sub>Commit " + job.spec.head_sha.substr(0, 12) + ", job " +
                           std::to_string(job.id) + "</sub>\n";
  ZC_ASSIGN_OR_RETURN(int64_t comment_id,
                      store_.PullRequestCommentId(job.spec.repo, job.spec.pr_number));
  if (comment_id == 0) {
    ZC_ASSIGN_OR_RETURN(int64_t created,
                        github_.CreateComment(repo, job.spec.pr_number, body));
    ZC_ASSIGN_OR_RETURN(comment_id, store_.RecordPullRequestComment(job.spec.repo,
                                                                    job.spec.pr_number, created));
    if (comment_id != created) {  // another coordinator won the race: edit its comment
      ZC_RETURN_IF_ERROR(github_.UpdateComment(repo, comment_id, body));
      ZC_RETURN_IF_ERROR(github_.UpdateComment(
          repo, created, std::string(kCommentMarker) + "\n(superseded by another comment)\n"));
    }
  } else {
    ZC_RETURN_IF_ERROR(github_.UpdateComment(repo, comment_id, body));
  }
  return store_.MarkPublished(job.id, check_run_id, comment_id, now_ms);
}

Status Publisher::PublishPending(int64_t now_ms) {
  Status first = OkStatus();
  auto keep = [&first](Status status) {
    if (!status.ok() && first.ok()) first = std::move(status);
  };
  // Running jobs without a check run: show that the review started.
  Result<std::vector<Job>> recent = store_.Recent(100, 0);
  if (!recent.ok()) return recent.error();
  for (const Job& job : *recent) {
    if (job.state == JobState::kRunning && job.check_run_id == 0) keep(Start(job, now_ms));
  }
  Result<std::vector<Job>> finished = store_.Unpublished(50);
  if (!finished.ok()) return finished.error();
  for (const Job& job : *finished) {
    // Recent() leaves the log out; Unpublished() carries the result.
    keep(Finish(job, now_ms));
  }
  return first;
}

}  // namespace zooci::service_internal
