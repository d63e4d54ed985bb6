// RecordingGitHubApi: the in-memory GitHubApi for tests of the robot.
#include "github/internal.h"

namespace zooci {
namespace {

RecordingGitHubApi::Call NewCall(std::string method, const RepoRef& repo, int64_t id = 0) {
  RecordingGitHubApi::Call call;
  call.method = std::move(method);
  call.repo = repo;
  call.id = id;
  return call;
}

}  // namespace

Status RecordingGitHubApi::Record(Call call) {
  std::lock_guard<std::mutex> lock(mutex_);
  calls_.push_back(std::move(call));
  if (fail_count_ > 0) {
    --fail_count_;
    return Error(calls_.back().method + " " + calls_.back().repo.full_name + ": " + fail_message_);
  }
  return OkStatus();
}

Result<int64_t> RecordingGitHubApi::CreateCheckRun(const RepoRef& repo, const CheckRunStart& run) {
  Call call = NewCall("CreateCheckRun", repo);
  call.check_run = run;
  call.status = run.status;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    call.id = next_id_++;
  }
  int64_t id = call.id;
  ZC_RETURN_IF_ERROR(Record(std::move(call)));
  return id;
}

Status RecordingGitHubApi::UpdateCheckRun(const RepoRef& repo, int64_t check_run_id,
                                          CheckRunStatus status,
                                          std::optional<CheckRunConclusion> conclusion,
                                          const CheckRunOutput& output) {
  Call call = NewCall("UpdateCheckRun", repo, check_run_id);
  call.status = conclusion ? CheckRunStatus::kCompleted : status;
  call.conclusion = conclusion;
  call.output = output;
  if (status == CheckRunStatus::kCompleted && !conclusion) {
    return Error("UpdateCheckRun: status completed needs a conclusion");
  }
  return Record(std::move(call));
}

Status RecordingGitHubApi::CreateStatus(const RepoRef& repo, const std::string& sha,
                                        const CommitStatus& status) {
  Call call = NewCall("CreateStatus", repo);
  call.sha = sha;
  call.commit_status = status;
  call.commit_status.description = github_internal::CutCodePoints(status.description, 140);
  return Record(std::move(call));
}

Result<int64_t> RecordingGitHubApi::CreateComment(const RepoRef& repo, int64_t pr_number,
                                                  const std::string& body) {
  Call call = NewCall("CreateComment", repo, pr_number);
  call.body = github_internal::CutWithNote(body, 65'536);
  int64_t id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    id = next_id_++;
  }
  ZC_RETURN_IF_ERROR(Record(std::move(call)));
  return id;
}

Status RecordingGitHubApi::UpdateComment(const RepoRef& repo, int64_t comment_id,
                                         const std::string& body) {
  Call call = NewCall("UpdateComment", repo, comment_id);
  call.body = github_internal::CutWithNote(body, 65'536);
  return Record(std::move(call));
}

Result<PullRequestInfo> RecordingGitHubApi::GetPullRequest(const RepoRef& repo, int64_t pr_number) {
  ZC_RETURN_IF_ERROR(Record(NewCall("GetPullRequest", repo, pr_number)));
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [repo_name, pull_request] : pull_requests_) {
    if (repo_name == repo.full_name && pull_request.number == pr_number) return pull_request;
  }
  return Error("GET /repos/" + repo.full_name + "/pulls/" + std::to_string(pr_number) +
               ": HTTP 404: Not Found");
}

void RecordingGitHubApi::AddPullRequest(const std::string& repo_full_name,
                                        PullRequestInfo pull_request) {
  std::lock_guard<std::mutex> lock(mutex_);
  pull_requests_.emplace_back(repo_full_name, std::move(pull_request));
}

void RecordingGitHubApi::FailNext(int count, std::string message) {
  std::lock_guard<std::mutex> lock(mutex_);
  fail_count_ = count;
  fail_message_ = std::move(message);
}

std::vector<RecordingGitHubApi::Call> RecordingGitHubApi::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

}  // namespace zooci
