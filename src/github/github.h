// github: the robot's side of GitHub. Webhook deliveries (signature and typed events), GitHub
// App authentication (RS256 JWT, cached installation tokens), a narrow REST client for check
// runs, commit statuses and pull-request comments with retries that respect rate limits, and
// sanitisation of untrusted text before it is quoted into anything GitHub renders.
// docs/github.md describes the rules; tests/fake_github is a fake GitHub API for tests.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"

namespace zooci {

// ---- Webhooks ----------------------------------------------------------------------------------

// Whether `signature_header` (the X-Hub-Signature-256 value, "sha256=" + 64 hex digits) is the
// HMAC-SHA256 of the raw request body under `secret`. Compared in constant time. False for an
// empty secret, a missing or malformed header, a different prefix or a wrong length.
bool VerifySignature(std::string_view secret, std::string_view raw_body,
                     std::string_view signature_header);

enum class WebhookKind {
  kPullRequest,          // a pull request to test (or, with `cancel`, whose runs to cancel)
  kRetestComment,        // "/zooci retest" from a trusted commenter on a pull request
  kCheckRunRerequested,  // "Re-run" on one of our check runs (or "Re-run all" on the suite)
  kPing,                 // the hook was created or pinged; answer 2xx
  kIgnored,              // valid but nothing to do; `ignored_reason` says why
};
const char* WebhookKindName(WebhookKind kind);  // "pull_request", "retest_comment", ...

// One side of a pull request. `repo_full_name` and `clone_url` are of the repository the branch
// lives in: for a pull request from a fork, the head is the fork. Both are empty when that
// repository was deleted (GitHub sends `repo: null`); fetch refs/pull/N/head from the base
// repository then.
struct PullRequestBranch {
  std::string sha;
  std::string ref;  // branch name, without refs/heads/
  std::string repo_full_name;
  std::string clone_url;
};

struct PullRequestInfo {
  int64_t number = 0;
  bool draft = false;
  std::string state;     // "open" or "closed"
  std::string author;    // user.login
  std::string html_url;  // https://github.com/owner/repo/pull/N
  std::string title;     // untrusted text: escape wherever it is shown
  PullRequestBranch head;
  PullRequestBranch base;
};

// A webhook delivery reduced to what the robot acts on. Which fields are set depends on `kind`.
struct WebhookEvent {
  WebhookKind kind = WebhookKind::kIgnored;
  std::string event;   // the X-GitHub-Event header: "pull_request", "issue_comment", ...
  std::string action;  // the payload's `action` ("opened", "created", "rerequested"), if any
  std::string repo_full_name;   // "owner/repo"; empty for an App-level ping
  int64_t installation_id = 0;  // 0 when the payload names no installation (plain webhooks)
  std::string sender;           // sender.login

  // kPullRequest. `cancel` is set for "closed" (merged or not): stop this PR's runs.
  bool cancel = false;
  PullRequestInfo pull_request;

  // kRetestComment: the pull request number is pull_request.number (only the number is known;
  // GET the pull request for its head). kCheckRunRerequested: the pull requests GitHub lists
  // for the check run, empty for a branch of a fork (find the PR by head_sha then).
  std::vector<int64_t> pr_numbers;
  int64_t comment_id = 0;          // kRetestComment
  std::string author_association;  // kRetestComment: OWNER, MEMBER or COLLABORATOR

  // kCheckRunRerequested. check_run_id is 0 for a whole suite (check_suite "rerequested").
  std::string head_sha;
  int64_t check_run_id = 0;
  std::string check_run_name;
  std::string external_id;

  std::string ignored_reason;  // kIgnored: "pull_request action 'labeled' is not acted on"
};

// Parses a delivery from its X-GitHub-Event header and raw body. Acted on:
//   pull_request   opened, reopened, synchronize, ready_for_review → run; closed → cancel.
//                  A draft is ignored until ready_for_review (a retest comment still runs it).
//   issue_comment  created, on a pull request (issue.pull_request present) that is open, body
//                  "/zooci retest" (trimmed, case-insensitive), author_association OWNER, MEMBER
//                  or COLLABORATOR.
//   check_run      rerequested; check_suite rerequested (check_run_id 0).
//   ping           always.
// Everything else, including any other action, is kIgnored with a reason. Malformed JSON, a
// body that is not an object, or a missing or mistyped field an acted-on event needs is an
// error (answer 400).
Result<WebhookEvent> ParseWebhook(std::string_view event_header, std::string_view raw_body);

// ---- Time --------------------------------------------------------------------------------------

// Wall-clock time and waiting, behind an interface so tests control both (a fake's SleepMs
// usually advances its NowUnixSeconds).
class WallClock {
 public:
  virtual ~WallClock() = default;
  virtual int64_t NowUnixSeconds() const = 0;
  virtual void SleepMs(int64_t ms) = 0;
};
// The system clock and std::this_thread::sleep_for. Thread-safe.
WallClock& SystemWallClock();

// A clock for tests: time moves only through Advance and SleepMs (which records every sleep and
// advances by it, rounded up to whole seconds). Thread-safe.
class FakeWallClock : public WallClock {
 public:
  explicit FakeWallClock(int64_t now_unix_seconds) : now_(now_unix_seconds) {}
  int64_t NowUnixSeconds() const override;
  void SleepMs(int64_t ms) override;
  void Advance(int64_t seconds);
  std::vector<int64_t> sleeps_ms() const;

 private:
  mutable std::mutex mutex_;
  int64_t now_;                     // Guarded by mutex_.
  std::vector<int64_t> sleeps_ms_;  // Guarded by mutex_.
};

// ---- Authentication ----------------------------------------------------------------------------

// A GitHub App's JWT: header {"alg":"RS256","typ":"JWT"}, claims iat = now-60 (clock skew),
// exp = now+540 (under GitHub's 10-minute limit), iss = app_id; signed with the app's PEM
// private key (PKCS#1 or PKCS#8).
Result<std::string> MakeAppJwt(std::string_view app_id, std::string_view private_key_pem,
                               int64_t now_unix_seconds);

// How requests to GitHub are sent and retried (shared by the API client and the token exchange).
struct HttpOptions {
  std::string user_agent = "zooci";
  int64_t connect_timeout_ms = 10'000;
  int64_t request_timeout_ms = 30'000;  // the whole request, connection included
  int max_attempts = 5;                 // first try included
  int64_t initial_backoff_ms = 1'000;   // doubled per retry, with jitter
  int64_t max_backoff_ms = 60'000;
  // A retry whose wait would take the request's total waiting past this fails instead (a
  // rate-limit reset an hour away is reported, not slept through).
  int64_t max_total_wait_ms = 5 * 60'000;
};

// Where API credentials come from. Thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A token for requests about a repository of `installation_id` (ignored by a plain token).
  virtual Result<std::string> Token(int64_t installation_id) = 0;
  // Drops a cached token (after GitHub answered 401 with it).
  virtual void Invalidate(int64_t installation_id) = 0;
};

// A personal access or other plain token read from a file (surrounding whitespace dropped).
Result<std::unique_ptr<TokenSource>> MakeTokenFromFile(const fs::path& path);
std::unique_ptr<TokenSource> MakeStaticToken(std::string token);

struct GitHubAppCredentials {
  std::string app_id;
  std::string private_key_pem;
};
// Installation tokens of a GitHub App: a JWT exchanged at
// POST {api_url}/app/installations/{id}/access_tokens, cached per installation until 5 minutes
// before its expires_at. `clock` must outlive the source.
Result<std::unique_ptr<TokenSource>> MakeAppTokenSource(std::string api_url,
                                                        GitHubAppCredentials credentials,
                                                        WallClock& clock, HttpOptions options = {});

// ---- REST client -------------------------------------------------------------------------------

// A repository and the installation whose token may act on it (0 with a plain token).
struct RepoRef {
  std::string full_name;  // "owner/repo"
  int64_t installation_id = 0;
};

enum class CheckRunStatus { kQueued, kInProgress, kCompleted };
enum class CheckRunConclusion {
  kActionRequired,
  kCancelled,
  kFailure,
  kNeutral,
  kSkipped,
  kSuccess,
  kTimedOut
};
enum class AnnotationLevel { kNotice, kWarning, kFailure };
enum class CommitState { kPending, kSuccess, kFailure, kError };
const char* CheckRunStatusName(CheckRunStatus status);              // "in_progress"
const char* CheckRunConclusionName(CheckRunConclusion conclusion);  // "timed_out"
const char* AnnotationLevelName(AnnotationLevel level);             // "warning"
const char* CommitStateName(CommitState state);                     // "pending"

struct CheckRunStart {
  std::string head_sha;
  std::string name;  // the check's name as branch protection requires it
  CheckRunStatus status = CheckRunStatus::kQueued;
  std::string details_url;  // optional
  std::string external_id;  // optional: our job id
};

// `path` is relative to the repository root; lines are 1-based. Columns are sent only when the
// annotation covers one line (GitHub rejects them otherwise). Messages are cut to 64 KiB, titles
// to 255 bytes.
struct CheckRunAnnotation {
  std::string path;
  int64_t start_line = 1;
  int64_t end_line = 1;
  std::optional<int64_t> start_column;
  std::optional<int64_t> end_column;
  AnnotationLevel level = AnnotationLevel::kWarning;
  std::string message;
  std::string title;        // optional
  std::string raw_details;  // optional
};

// Markdown `summary` and `text` are cut to 65,535 bytes on a UTF-8 boundary, ending with a note
// that says so. An output with an empty title and summary and no annotations is not sent.
struct CheckRunOutput {
  std::string title;
  std::string summary;
  std::string text;
  std::vector<CheckRunAnnotation> annotations;
};

struct CommitStatus {
  CommitState state = CommitState::kPending;
  std::string target_url;   // optional
  std::string description;  // cut to 140 characters
  std::string context = "zooci";
};

// The GitHub REST calls the robot makes. Implementations are thread-safe. Every error names the
// request ("PATCH /repos/o/r/check-runs/5"), the HTTP status and GitHub's message.
class GitHubApi {
 public:
  virtual ~GitHubApi() = default;
  // POST /repos/{repo}/check-runs; returns the check run id.
  virtual Result<int64_t> CreateCheckRun(const RepoRef& repo, const CheckRunStart& run) = 0;
  // PATCH /repos/{repo}/check-runs/{id}. The first request carries status, conclusion (which
  // makes the run completed) and the first 50 annotations; the rest follow 50 per request,
  // each appended by GitHub. When a later batch fails the verdict is already published and the
  // error says how many annotations were sent.
  virtual Status UpdateCheckRun(const RepoRef& repo, int64_t check_run_id, CheckRunStatus status,
                                std::optional<CheckRunConclusion> conclusion,
                                const CheckRunOutput& output) = 0;
  // POST /repos/{repo}/statuses/{sha}.
  virtual Status CreateStatus(const RepoRef& repo, const std::string& sha,
                              const CommitStatus& status) = 0;
  // POST /repos/{repo}/issues/{pr}/comments; returns the comment id. Bodies are cut to 65,536
  // bytes with a note.
  virtual Result<int64_t> CreateComment(const RepoRef& repo, int64_t pr_number,
                                        const std::string& body) = 0;
  // PATCH /repos/{repo}/issues/comments/{id}: edit a comment in place rather than add another.
  virtual Status UpdateComment(const RepoRef& repo, int64_t comment_id,
                               const std::string& body) = 0;
  // GET /repos/{repo}/pulls/{number}: a retest comment carries only the number.
  virtual Result<PullRequestInfo> GetPullRequest(const RepoRef& repo, int64_t pr_number) = 0;
};

struct GitHubApiOptions {
  HttpOptions http;
  // Waits between retries and the time rate-limit resets are measured against. Must outlive
  // the client.
  WallClock* clock = &SystemWallClock();
};

// The libcurl client for `api_url` ("https://api.github.com", or a GitHub Enterprise
// "https://host/api/v3"; no trailing slash needed). `tokens` must outlive the client. Headers:
// Accept: application/vnd.github+json, X-GitHub-Api-Version: 2022-11-28, User-Agent,
// Authorization: Bearer. Retried with exponential backoff and jitter: 5xx, 429, 403 with
// x-ratelimit-remaining: 0 (until x-ratelimit-reset) or with Retry-After (secondary rate limit),
// and failures to connect; a 401 drops the cached token and tries once more with a new one.
Result<std::unique_ptr<GitHubApi>> MakeGitHubApi(std::string api_url, TokenSource& tokens,
                                                 GitHubApiOptions options = {});

// An in-memory GitHubApi for tests of its users: records every call (shaped as the real client
// would send it), hands out increasing ids, and fails the next calls on request.
class RecordingGitHubApi : public GitHubApi {
 public:
  struct Call {
    std::string method;  // "CreateCheckRun", "UpdateCheckRun", ...
    RepoRef repo;
    int64_t id = 0;  // the check run, pull request or comment the call was about or created
    CheckRunStart check_run;
    CheckRunStatus status = CheckRunStatus::kQueued;
    std::optional<CheckRunConclusion> conclusion;
    CheckRunOutput output;
    std::string sha;
    CommitStatus commit_status;
    std::string body;
  };
  Result<int64_t> CreateCheckRun(const RepoRef& repo, const CheckRunStart& run) override;
  Status UpdateCheckRun(const RepoRef& repo, int64_t check_run_id, CheckRunStatus status,
                        std::optional<CheckRunConclusion> conclusion,
                        const CheckRunOutput& output) override;
  Status CreateStatus(const RepoRef& repo, const std::string& sha,
                      const CommitStatus& status) override;
  Result<int64_t> CreateComment(const RepoRef& repo, int64_t pr_number,
                                const std::string& body) override;
  Status UpdateComment(const RepoRef& repo, int64_t comment_id, const std::string& body) override;
  Result<PullRequestInfo> GetPullRequest(const RepoRef& repo, int64_t pr_number) override;

  void AddPullRequest(const std::string& repo_full_name, PullRequestInfo pull_request);
  // The next `count` calls fail with `message` (and are still recorded).
  void FailNext(int count, std::string message);
  std::vector<Call> calls() const;

 private:
  Status Record(Call call);
  mutable std::mutex mutex_;
  std::vector<Call> calls_;  // Guarded by mutex_ (as are the members below).
  std::vector<std::pair<std::string, PullRequestInfo>> pull_requests_;
  int64_t next_id_ = 1001;
  int fail_count_ = 0;
  std::string fail_message_;
};

// ---- Untrusted text ----------------------------------------------------------------------------

// The longest prefix of `text` of at most `max_bytes` bytes that does not split a UTF-8
// sequence. No marker is added.
std::string CutUtf8(std::string_view text, size_t max_bytes);

// Makes text from a submission (README text, link targets, file and model names, log lines)
// safe to quote inline in Markdown that GitHub renders (PR comments, check-run summaries,
// table cells), at most `max_bytes` long:
//   - nothing pings or references: a zero-width joiner (U+200D) goes after every '@' and '#'
//     followed by a letter or digit, into "GH-123", into runs of 7+ hex digits (every 6
//     digits), and into URL schemes and "www." so no autolink or cross-reference is made;
//   - Markdown and HTML are inert: \ ` * _ [ ] < > # + - ! | ~ $ & are backslash-escaped,
//     and so are a leading "1." / "1)" list marker and a leading '=';
//   - line breaks and tabs become spaces and runs of spaces one space (the result is one
//     line); other control characters, bidirectional overrides and isolates, and BOM/zero-width
//     spaces are dropped; invalid UTF-8 becomes U+FFFD;
//   - over `max_bytes`, it is cut between two characters of the result (never inside an
//     escape), followed by "… (cut, N bytes in all)".
// The result is for Markdown text, not for code spans or blocks: use QuoteUntrustedBlock there.
std::string SanitizeUntrusted(std::string_view text, size_t max_bytes);

// Untrusted text (a log excerpt) as a fenced code block, where nothing renders, pings or links:
// the fence is longer than any run of backticks in the text; control characters other than
// newline and tab and bidi controls are dropped; capped at `max_bytes` for the whole block with
// a note inside it when cut. Ends with a newline.
std::string QuoteUntrustedBlock(std::string_view text, size_t max_bytes);

}  // namespace zooci
