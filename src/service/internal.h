// Internals of the service module shared by its files and tests (not part of service.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <nlohmann/json.hpp>

#include "base/base.h"
#include "github/github.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace zooci::service_internal {

// ---- A job's checkout (workspace.cpp) ------------------------------------------------------------

struct WorkspaceRequest {
  std::string repo;            // "owner/zoo": names the mirror
  std::string base_clone_url;  // the zoo repository (a local path in tests)
  std::string base_ref;        // "main"
  std::string base_sha;        // as the event said (informational; the branch's tip is used)
  std::string head_clone_url;  // the pull request's repository (a fork's, or the zoo's)
  std::string head_ref;        // the pull request's branch
  std::string head_sha;        // the commit the event is about; a newer tip is an error
  fs::path mirrors_dir;        // one bare mirror per repository, kept between jobs
  fs::path job_dir;            // the job's own directory; the checkout goes to job_dir/zoo
  uint64_t max_bytes = uint64_t{4} << 30;  // the mirror's size limit (the checkout: twice it)
};

struct Workspace {
  fs::path dir;          // the checkout to review
  std::string base_sha;  // what to diff against (--changed-since)
  std::string head_sha;
  bool merged = false;  // the head merged cleanly onto the base (else the head alone)
};

// Fetches the base and head branches into the repository's mirror (no hooks, no submodules, no
// LFS smudge, refs after --end-of-options), checks that the head is still `head_sha`, and checks
// out the head merged onto the base (or the head alone when the merge conflicts) into
// job_dir/zoo, whose origin then points at the head repository (for Git LFS).
Result<Workspace> PrepareWorkspace(const WorkspaceRequest& request);

// ---- Running a job (runner.cpp) -------------------------------------------------------------------

struct RunnerConfig {
  fs::path data_dir;  // mirrors/, jobs/<id>/, cache/
  bool run_bench = false;
  std::string zooci_version;
  // The compatibility matrix's other runtimes (ValidateOptions::make_executor).
  std::function<Result<std::unique_ptr<Executor>>(const std::string& runtime)> make_executor;
  std::string build_id;  // ValidateOptions::build_id
};

struct JobOutput {
  std::string result_json;  // the envelope the publisher reads (see runner.cpp)
  std::string log;
};

// What a job is about, as the runner needs it (the store's JobSpec, decoupled).
struct JobInput {
  int64_t id = 0;
  std::string repo, base_clone_url, base_ref, base_sha, head_clone_url, head_ref, head_sha;
};

// Checks the pull request out (PrepareWorkspace), reviews the changed folders with the validate
// pipeline (--changed-since the base, Git LFS objects of the reviewed folders fetched), and
// removes the checkout. An error is a failed attempt (the job goes back to the queue).
// `stream`, when set, gets each log line as it is written (the worker streams them to the store).
Result<JobOutput> RunJob(const JobInput& job, const RunnerConfig& config, Executor& executor,
                         const std::function<void(const std::string&)>& stream = {});

// ---- Publishing (publisher.cpp) -------------------------------------------------------------------

struct PublisherConfig {
  std::string check_name = "zooci";
  std::string public_url;  // job pages: public_url + "/jobs/" + id; "" = no link
};

// Reports jobs to GitHub from the store: a running job without a check run gets one
// ("in_progress") and a pending status; a finished job's check run is completed (success for
// ACCEPT, failure for DECLINE and INCOMPLETE, neutral when nothing was reviewed), with the
// Markdown report as summary and annotations on the files; its status is set; the pull request's
// one comment is created or edited in place. Everything is retried from the store on the next
// pass when GitHub fails, so a result is never lost and never published twice.
class Publisher {
 public:
  Publisher(JobStore& store, GitHubApi& github, PublisherConfig config)
      : store_(store), github_(github), config_(std::move(config)) {}
  // One pass; returns the first error (the rest of the pass still ran).
  Status PublishPending(int64_t now_ms);

 private:
  Status Start(const Job& job, int64_t now_ms);
  Status Finish(const Job& job, int64_t now_ms);
  std::string JobUrl(int64_t id) const;
  CheckRunStart InProgress(const Job& job) const;  // the check run shown while a job runs

  JobStore& store_;
  GitHubApi& github_;
  PublisherConfig config_;
};

// The comment marker: the robot's comment is the one that starts with it.
inline constexpr char kCommentMarker[] = "<!-- zooci:comment -->";

// ---- Workers (worker.cpp) -------------------------------------------------------------------------

// Where a worker gets jobs: the store itself (in-process workers) or the coordinator's agent API
// (remote workers). Times are taken by the source.
class JobSource {
 public:
  virtual ~JobSource() = default;
  virtual Result<std::optional<Job>> Claim(const std::string& worker_id, int64_t lease_ms) = 0;
  virtual Result<bool> Heartbeat(int64_t job_id, const std::string& worker_id,
                                 int64_t lease_ms) = 0;
  virtual Result<bool> Complete(int64_t job_id, const std::string& worker_id,
                                const std::string& result_json, const std::string& log) = 0;
  virtual Result<bool> Fail(int64_t job_id, const std::string& worker_id,
                            const std::string& reason) = 0;
  // Appends to the running job's log (streamed to the job page). False when the lease is lost.
  virtual Result<bool> AppendLog(int64_t job_id, const std::string& worker_id,
                                 const std::string& text) = 0;
};
// Both sources record the worker (id, `labels`, the job it holds) in the store at every claim
// and heartbeat, for the dashboard's list of workers.
std::unique_ptr<JobSource> MakeStoreJobSource(JobStore& store, std::string labels = "");
// The agent API at `coordinator_url` with a bearer token (remote.cpp).
std::unique_ptr<JobSource> MakeRemoteJobSource(std::string coordinator_url, std::string token,
                                               std::string labels = "");

struct WorkerLoopConfig {
  std::string worker_id;
  int64_t lease_ms = 60000;
  int64_t heartbeat_ms = 10000;
  int64_t poll_ms = 500;
  RunnerConfig runner;
};

// Claims and runs jobs until `stop`: a heartbeat thread extends the lease while the job runs
// (a lost lease — cancelled, superseded, taken back — and the result is not reported), the
// result is completed, an error fails the attempt.
void RunWorkerLoop(JobSource& source, const WorkerLoopConfig& config, Executor& executor,
                   const std::atomic<bool>& stop);

// Job <-> the agent API's JSON (server.cpp and remote.cpp).
std::string JobToJson(const Job& job);
Result<Job> JobFromJson(std::string_view text);
int64_t NowMs();
// One line on stderr with a UTC timestamp (the service's log).
void Log(const std::string& message);

// ---- Intake (intake.cpp) --------------------------------------------------------------------------

struct HttpReply {
  int status = 200;
  std::string body;  // JSON
};

struct IntakeContext {
  JobStore* store = nullptr;
  GitHubApi* github = nullptr;  // for retest comments and re-run requests (the PR's head)
  std::string webhook_secret;
  // Runs work that needs GitHub (the pull request's head for a retest) after the answer, so
  // that a slow or retrying GitHub never delays it; unset: run it inline (tests).
  std::function<void(std::function<void()>)> defer;
};

// POST /webhooks/github, after the server checked the size: the signature before anything is
// parsed (401), the delivery id once (a redelivery is acknowledged, 200, nothing new), the event
// (400 when malformed); then a job queued (202), a pull request's jobs cancelled, or the event
// acknowledged and ignored. Never slower than one store write and, for retests, one GitHub call.
HttpReply HandleWebhook(IntakeContext& context, const std::string& event_header,
                        const std::string& delivery_id, const std::string& signature_header,
                        const std::string& body);

// ---- Access (access.cpp) -------------------------------------------------------------------------

// Who a dashboard request comes from. Tokens arrive as "Authorization: Bearer T" (scripts, the API)
// or as the session cookie /login sets: "zooci_session=ROLE.MAC", MAC = HMAC-SHA256 of the role
// under the role's token, so the cookie names no token, dies when the token changes, and cannot
// be forged without it. HttpOnly, SameSite=Strict.
enum class Access { kNone, kViewer, kAdmin };

struct AccessTokens {
  std::string viewer;  // "" = pages public
  std::string admin;   // "" = no administrator
};

struct RequestCredentials {
  std::string authorization;  // the Authorization header
  std::string cookie;         // the Cookie header
};

Access AccessOf(const RequestCredentials& request, const AccessTokens& tokens);
// True when `access` may read the pages (always, when they are public).
bool CanView(Access access, const AccessTokens& tokens);
// The Set-Cookie value for a session of `token` (admin if it is the admin token, else viewer);
// "" when the token is neither.
std::string SessionCookie(std::string_view token, const AccessTokens& tokens);
// The session cookie's value from a Cookie header ("" when none).
std::string SessionOf(std::string_view cookie_header);
// The CSRF token the pages' admin forms carry: an HMAC of the admin session under the admin token.
std::string CsrfToken(std::string_view session, const AccessTokens& tokens);
// A cookie-authenticated admin POST is allowed when its form carries the session's CSRF token and
// its Origin (when sent) is this server's own. Bearer-authenticated requests carry no cookie and
// need no CSRF token.
bool CsrfValid(std::string_view session, std::string_view form_token, std::string_view origin,
               std::string_view host, const AccessTokens& tokens);

// ---- Dashboard (dashboard.cpp) -------------------------------------------------------------------

struct DashboardFilter {
  std::string repo, state, verdict;  // "" = any
  int offset = 0;
  int limit = 50;
};

// Counters the coordinator keeps for /metrics (per process; a scrape per coordinator).
struct ServiceCounters {
  mutable std::mutex mutex;
  std::map<int, int64_t> deliveries_by_status;  // guarded by mutex
  std::atomic<int64_t> publish_failures{0};
};

std::string JobVerdict(const Job& job);  // the verdict of a done job, else ""
// Percent-encodes all but letters, digits, "-_.~" and "/": a URL path or a query value.
std::string PercentEncode(std::string_view text);
// The models array of a done job's stored report (the runner's envelope), or an empty array.
nlohmann::json ReportModels(const Job& job);
// The overview: `jobs` is the page already filtered by the store (one more than filter.limit when
// there is an older page), `workers` those seen lately.
std::string OverviewPage(const std::vector<Job>& jobs, const DashboardFilter& filter,
                         const JobCounts& counts, const std::vector<WorkerInfo>& workers,
                         int64_t now_ms);

struct JobPageOptions {
  bool admin = false;  // show rerun/cancel forms
  std::string csrf;    // their CSRF token
};
std::string JobPage(const Job& job, const JobPageOptions& options);
// /static/zooci.js: the dashboard's only script (follows a running job's log).
const char* DashboardScript();
// `recent`: the latest jobs, whose reports give the step-duration histograms.
std::string MetricsText(const JobCounts& counts, const ServiceCounters& counters,
                        const std::vector<Job>& recent);
std::string BadgeSvg(const std::string& verdict);
// The model page: the folder's reviews among `jobs` (newest first) with SVG charts of the
// accuracy of the model's task against the claim (top-1; mAP@[.5:.95] and mAP@0.5 for a
// detector; mIoU and pixel accuracy for semantic segmentation) and of p50 latency, drawn on the
// server.
std::string ModelPage(const std::vector<Job>& jobs, const std::string& repo,
                      const std::string& folder);
// The same as JSON for /api/v1/models: {"repo", "folder", "verdict", "reviews": [{"job_id",
// "verdict", "task", "top1_percent", "claimed_top1_percent", "map_percent", "map50_percent",
// "claimed_map_percent", "miou_percent", "pixel_accuracy_percent", "claimed_miou_percent",
// "p50_ms", "p90_ms"}] newest first (null when not measured), "manifest"}.
std::string ModelHistoryJson(const std::vector<Job>& jobs, const std::string& repo,
                             const std::string& folder);
// The newest verdict of `folder` in `repo` among `jobs` (newest first); "" when never reviewed.
std::string ModelVerdict(const std::vector<Job>& jobs, const std::string& repo,
                         const std::string& folder);

}  // namespace zooci::service_internal
