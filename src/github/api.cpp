// MakeGitHubApi: check runs, commit statuses, comments and pull requests over libcurl, shaped so
// that GitHub's documented limits hold before a request is sent.
#include "github/internal.h"

namespace zooci {
namespace {

using github_internal::CutCodePoints;
using github_internal::CutWithNote;
using github_internal::HttpRequest;
using github_internal::HttpResponse;
using nlohmann::json;

constexpr size_t kMaxAnnotationsPerRequest = 50;
constexpr size_t kMaxOutputBytes = 65'535;      // output.summary, output.text
constexpr size_t kMaxAnnotationBytes = 65'535;  // message, raw_details ("64 KB")
constexpr size_t kMaxAnnotationTitleBytes = 255;
constexpr size_t kMaxCommentBytes = 65'536;
constexpr size_t kMaxDescriptionChars = 140;

// Serialises without throwing on invalid UTF-8 (replaced by U+FFFD).
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// "owner/repo" with GitHub's name characters only, so it cannot change the request path.
Status CheckRepoName(const std::string& full_name) {
  size_t slash = full_name.find('/');
  bool valid = slash != std::string::npos && slash > 0 && slash + 1 < full_name.size() &&
               full_name.find('/', slash + 1) == std::string::npos &&
               full_name.substr(slash + 1) != "." && full_name.substr(slash + 1) != "..";
  for (char c : full_name) valid = valid && (c == '/' || IsNameChar(c));
  if (!valid) return Error("repository '" + full_name + "' is not an owner/name");
  return OkStatus();
}

Status CheckSha(const std::string& sha) {
  bool valid = !sha.empty() && sha.size() <= 64;
  for (char c : sha) valid = valid && std::isxdigit(static_cast<unsigned char>(c));
  if (!valid) return Error("'" + sha + "' is not a commit sha");
  return OkStatus();
}

Result<int64_t> ResponseId(const HttpResponse& response, const std::string& what) {
  json body = json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("id") ||
      !body["id"].is_number_integer()) {
    return Error(what + ": the answer has no integer 'id'");
  }
  return body["id"].get<int64_t>();
}

json AnnotationJson(const CheckRunAnnotation& annotation) {
  int64_t start_line = std::max<int64_t>(1, annotation.start_line);
  int64_t end_line = std::max(start_line, annotation.end_line);
  json out = {{"path", annotation.path},
              {"start_line", start_line},
              {"end_line", end_line},
              {"annotation_level", AnnotationLevelName(annotation.level)},
              {"message", annotation.message.empty()
                              ? std::string("(no message)")
                              : CutWithNote(annotation.message, kMaxAnnotationBytes)}};
  if (start_line == end_line) {  // GitHub accepts columns on one line only
    if (annotation.start_column)
      out["start_column"] = std::max<int64_t>(1, *annotation.start_column);
    if (annotation.end_column) out["end_column"] = std::max<int64_t>(1, *annotation.end_column);
  }
  if (!annotation.title.empty()) out["title"] = CutUtf8(annotation.title, kMaxAnnotationTitleBytes);
  if (!annotation.raw_details.empty()) {
    out["raw_details"] = CutWithNote(annotation.raw_details, kMaxAnnotationBytes);
  }
  return out;
}

// The output object with annotations [begin, end). GitHub requires title and summary in every
// output; an empty title becomes "ZooCI" and an empty summary the title.
json OutputJson(const CheckRunOutput& output, size_t begin, size_t end) {
  std::string title = output.title.empty() ? "ZooCI" : output.title;
  json out = {
      {"title", CutUtf8(title, 1024)},
      {"summary", CutWithNote(output.summary.empty() ? title : output.summary, kMaxOutputBytes)}};
  if (!output.text.empty()) out["text"] = CutWithNote(output.text, kMaxOutputBytes);
  if (end > begin) {
    json annotations = json::array();
    for (size_t index = begin; index < end; ++index) {
      annotations.push_back(AnnotationJson(output.annotations[index]));
    }
    out["annotations"] = std::move(annotations);
  }
  return out;
}

class CurlGitHubApi : public GitHubApi {
 public:
  CurlGitHubApi(std::string api_url, TokenSource& tokens, GitHubApiOptions options)
      : api_url_(std::move(api_url)), tokens_(tokens), options_(std::move(options)) {}

  Result<int64_t> CreateCheckRun(const RepoRef& repo, const CheckRunStart& run) override {
    ZC_RETURN_IF_ERROR(CheckRepoName(repo.full_name).WithContext("CreateCheckRun"));
    if (run.status == CheckRunStatus::kCompleted) {
      return Error(
          "CreateCheckRun: a completed run needs a conclusion; create it queued or "
          "in_progress and complete it with UpdateCheckRun");
    }
    json body = {
        {"name", run.name}, {"head_sha", run.head_sha}, {"status", CheckRunStatusName(run.status)}};
    if (!run.details_url.empty()) body["details_url"] = run.details_url;
    if (!run.external_id.empty()) body["external_id"] = run.external_id;
    const std::string path = "/repos/" + repo.full_name + "/check-runs";
    ZC_ASSIGN_OR_RETURN(HttpResponse response, Send(repo, "POST", path, body));
    return ResponseId(response, "POST " + path);
  }

  Status UpdateCheckRun(const RepoRef& repo, int64_t check_run_id, CheckRunStatus status,
                        std::optional<CheckRunConclusion> conclusion,
                        const CheckRunOutput& output) override {
    ZC_RETURN_IF_ERROR(CheckRepoName(repo.full_name).WithContext("UpdateCheckRun"));
    if (status == CheckRunStatus::kCompleted && !conclusion) {
      return Error("UpdateCheckRun: status completed needs a conclusion");
    }
    const std::string path =
        "/repos/" + repo.full_name + "/check-runs/" + std::to_string(check_run_id);
    const size_t total = output.annotations.size();
    const bool has_output =
        !output.title.empty() || !output.summary.empty() || !output.text.empty() || total > 0;
    // First request: the verdict and the first batch; then the other batches, appended.
    json first = {{"status", conclusion ? "completed" : CheckRunStatusName(status)}};
    if (conclusion) first["conclusion"] = CheckRunConclusionName(*conclusion);
    size_t sent = std::min(total, kMaxAnnotationsPerRequest);
    if (has_output) first["output"] = OutputJson(output, 0, sent);
    ZC_RETURN_IF_ERROR(Send(repo, "PATCH", path, first));
    while (sent < total) {
      size_t end = std::min(total, sent + kMaxAnnotationsPerRequest);
      json batch = {{"output", OutputJson(output, sent, end)}};
      Result<HttpResponse> response = Send(repo, "PATCH", path, batch);
      if (!response.ok()) {
        return Error(response.error().message() + " (annotations " + std::to_string(sent + 1) +
                     "-" + std::to_string(end) + " of " + std::to_string(total) +
                     "; the status and the first " + std::to_string(sent) +
                     " annotations were published)");
      }
      sent = end;
    }
    return OkStatus();
  }

  Status CreateStatus(const RepoRef& repo, const std::string& sha,
                      const CommitStatus& status) override {
    ZC_RETURN_IF_ERROR(CheckRepoName(repo.full_name).WithContext("CreateStatus"));
    ZC_RETURN_IF_ERROR(CheckSha(sha).WithContext("CreateStatus"));
    json body = {{"state", CommitStateName(status.state)}};
    if (!status.target_url.empty()) body["target_url"] = status.target_url;
    if (!status.description.empty()) {
      body["description"] = CutCodePoints(status.description, kMaxDescriptionChars);
    }
    if (!status.context.empty()) body["context"] = status.context;
    ZC_RETURN_IF_ERROR(Send(repo, "POST", "/repos/" + repo.full_name + "/statuses/" + sha, body));
    return OkStatus();
  }

  Result<int64_t> CreateComment(const RepoRef& repo, int64_t pr_number,
                                const std::string& body) override {
    ZC_RETURN_IF_ERROR(CheckRepoName(repo.full_name).WithContext("CreateComment"));
    const std::string path =
        "/repos/" + repo.full_name + "/issues/" + std::to_string(pr_number) + "/comments";
    ZC_ASSIGN_OR_RETURN(HttpResponse response,
                        Send(repo, "POST", path, {{"body", CutWithNote(body, kMaxCommentBytes)}}));
    return ResponseId(response, "POST " + path);
  }

  Status UpdateComment(const RepoRef& repo, int64_t comment_id, const std::string& body) override {
    ZC_RETURN_IF_ERROR(CheckRepoName(repo.full_name).WithContext("UpdateComment"));
    const std::string path =
        "/repos/" + repo.full_name + "/issues/comments/" + std::to_string(comment_id);
    ZC_RETURN_IF_ERROR(Send(repo, "PATCH", path, {{"body", CutWithNote(body, kMaxCommentBytes)}}));
    return OkStatus();
  }

  Result<PullRequestInfo> GetPullRequest(const RepoRef& repo, int64_t pr_number) override {
    ZC_RETURN_IF_ERROR(CheckRepoName(repo.full_name).WithContext("GetPullRequest"));
    const std::string path = "/repos/" + repo.full_name + "/pulls/" + std::to_string(pr_number);
    ZC_ASSIGN_OR_RETURN(HttpResponse response, Send(repo, "GET", path, json()));
    json object = json::parse(response.body, nullptr, false);
    if (object.is_discarded()) return Error("GET " + path + ": the answer is not JSON");
    return github_internal::ParsePullRequestObject(object).WithContext("GET " + path);
  }

 private:
  Result<HttpResponse> Send(const RepoRef& repo, std::string method, const std::string& path,
                            const json& body) {
    HttpRequest request{
        std::move(method), api_url_ + path, path, {}, body.is_null() ? std::string() : Dump(body)};
    github_internal::RetryHooks hooks;
    hooks.before_attempt = [&](HttpRequest& attempt) -> Status {
      ZC_ASSIGN_OR_RETURN(std::string token, tokens_.Token(repo.installation_id));
      attempt.headers = github_internal::GitHubHeaders(options_.http, token);
      return OkStatus();
    };
    hooks.on_unauthorized = [&] {
      tokens_.Invalidate(repo.installation_id);
      return true;
    };
    return github_internal::SendWithRetries(std::move(request), options_.http, *options_.clock,
                                            hooks);
  }

  const std::string api_url_;
  TokenSource& tokens_;
  const GitHubApiOptions options_;
};

}  // namespace

const char* CheckRunStatusName(CheckRunStatus status) {
  switch (status) {
    case CheckRunStatus::kQueued:
      return "queued";
    case CheckRunStatus::kInProgress:
      return "in_progress";
    case CheckRunStatus::kCompleted:
      return "completed";
  }
  return "queued";
}

const char* CheckRunConclusionName(CheckRunConclusion conclusion) {
  switch (conclusion) {
    case CheckRunConclusion::kActionRequired:
      return "action_required";
    case CheckRunConclusion::kCancelled:
      return "cancelled";
    case CheckRunConclusion::kFailure:
      return "failure";
    case CheckRunConclusion::kNeutral:
      return "neutral";
    case CheckRunConclusion::kSkipped:
      return "skipped";
    case CheckRunConclusion::kSuccess:
      return "success";
    case CheckRunConclusion::kTimedOut:
      return "timed_out";
  }
  return "neutral";
}

const char* AnnotationLevelName(AnnotationLevel level) {
  switch (level) {
    case AnnotationLevel::kNotice:
      return "notice";
    case AnnotationLevel::kWarning:
      return "warning";
    case AnnotationLevel::kFailure:
      return "failure";
  }
  return "warning";
}

const char* CommitStateName(CommitState state) {
  switch (state) {
    case CommitState::kPending:
      return "pending";
    case CommitState::kSuccess:
      return "success";
    case CommitState::kFailure:
      return "failure";
    case CommitState::kError:
      return "error";
  }
  return "error";
}

Result<std::unique_ptr<GitHubApi>> MakeGitHubApi(std::string api_url, TokenSource& tokens,
                                                 GitHubApiOptions options) {
  while (!api_url.empty() && api_url.back() == '/') api_url.pop_back();
  if (!StartsWith(api_url, "https://") && !StartsWith(api_url, "http://")) {
    return Error("GitHub API URL '" + api_url + "' is not an http(s) URL");
  }
  if (options.clock == nullptr) return Error("GitHub API: no clock");
  if (options.http.max_attempts < 1) options.http.max_attempts = 1;
  return std::unique_ptr<GitHubApi>(
      std::make_unique<CurlGitHubApi>(std::move(api_url), tokens, std::move(options)));
}

}  // namespace zooci
