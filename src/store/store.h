// store: the robot's job queue and result store. One JobStore interface, two SQL engines: SQLite
// (embedded default: one file, WAL) and PostgreSQL (several coordinators and workers sharing one
// database). Every piece of state lives in the database; a JobStore object holds only
// connections, so any number of processes may open the same store.
//
// A job's life: Enqueue -> kQueued -> Claim -> kRunning (leased to one worker until
// lease_expires_ms, extended by Heartbeat) -> Complete -> kDone. A lease that runs out returns the
// job to the queue (or, after max_attempts claims, to kDead); a newer push to the same pull request
// or its closing cancels it. Results are published to GitHub afterwards, from the stored row, so a
// publisher that dies retries from Unpublished().
//
// Times are unix milliseconds passed in by the caller (`now_ms`), so tests control the clock.
// Text is stored as UTF-8: invalid bytes and NULs (a crashed run's log) become U+FFFD.
// Every method is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"

namespace zooci {

// What a webhook (or a "retest" request) asks for: test this head commit of this pull request.
struct JobSpec {
  std::string repo;             // "owner/zoo"
  int64_t installation_id = 0;  // GitHub App installation; 0 when none
  int64_t pr_number = 0;        // 0: not a pull request (never superseded)
  std::string head_sha;
  std::string head_ref;
  std::string base_ref;
  std::string base_sha;
  std::string clone_url;     // of the head repository (a fork for fork pull requests)
  std::string base_clone_url;  // of the base repository (the zoo); "" = clone_url
  std::string trigger;       // "pull_request.opened", "retest", "check_run.rerequested", ...
  std::string delivery_id;   // X-GitHub-Delivery of the event that asked for it; may be empty
  std::string title;         // the pull request's title when queued (untrusted text)
};

enum class JobState { kQueued, kRunning, kDone, kDead, kCancelled };
// "queued", "running", "done", "dead", "cancelled": the names stored in the database.
std::string_view JobStateName(JobState state);
Result<JobState> ParseJobState(std::string_view name);

struct Job {
  int64_t id = 0;
  JobSpec spec;
  JobState state = JobState::kQueued;
  int attempts = 0;              // claims so far (the running attempt included)
  int max_attempts = 0;          // an attempt ending without a result after this many claims: kDead
  int lease_expirations = 0;     // attempts that ended because their lease ran out
  std::string lease_owner;       // worker holding (or last holding) the lease; "" before any claim
  int64_t lease_expires_ms = 0;  // while kRunning; 0 otherwise
  std::string result_json;       // set once, by Complete
  std::string log;               // set by Complete; left empty by Recent()
  std::string error;             // why the job is dead or cancelled, or why its last attempt failed
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // Publication (filled by the publisher): the check run and PR comment this job reported to.
  bool published = false;
  int64_t published_ms = 0;
  int64_t check_run_id = 0;
  int64_t comment_id = 0;
  int64_t superseded_by = 0;  // the newer job that cancelled this one; 0 when none
  // The result envelope's top-level "verdict" (ACCEPT, DECLINE, INCOMPLETE, ERROR), kept in its
  // own column by Complete so the dashboard filters and lists jobs without reading results.
  std::string verdict;
};

// What the dashboard lists: newest first, filtered, one page at a time.
struct JobQuery {
  std::string repo;                 // "" = any
  std::optional<JobState> state;    // nullopt = any
  std::string verdict;              // "" = any
  int limit = 50;                   // capped at 1000
  int offset = 0;
  bool with_results = false;        // false: result_json and log are left empty (cheap)
  // "" = any; else only jobs whose result_json contains this text (a coarse prefilter: the
  // caller still checks what it needs; ASCII letters may match in either case on SQLite).
  std::string result_contains;
};

// A worker as it was last seen by the store (at a claim, a poll with nothing to claim, or a
// heartbeat).
struct WorkerInfo {
  std::string id;
  std::string labels;       // comma-separated, as the worker declared them
  int64_t job_id = 0;       // the job it holds; 0 when idle
  int64_t started_ms = 0;   // first seen
  int64_t last_seen_ms = 0;
};

struct JobCounts {
  int64_t queued = 0;
  int64_t running = 0;
  int64_t done = 0;
  int64_t dead = 0;
  int64_t cancelled = 0;
};

// The job queue and result store. Implementations: SQLite and PostgreSQL (OpenJobStore).
// Thread-safe. Worker ids must be unique among the claimers running at the same time (a worker
// runs one job at a time); the lease is what Heartbeat, Complete and Fail check.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Brings the schema to the newest version. Each migration runs in its own transaction and is
  // recorded in `schema_migrations`; applied ones are skipped, so this is idempotent and safe to
  // run from several processes at start-up.
  virtual Status Migrate() = 0;
  // The newest applied migration; 0 for an empty database.
  virtual Result<int> SchemaVersion() = 0;

  // Records a webhook delivery id. True the first time; false for a redelivery (same id).
  virtual Result<bool> RecordDelivery(std::string_view delivery_id, int64_t now_ms) = 0;

  // Queues a job for `spec` and returns its id. In the same transaction every queued or running
  // job of the same repo and pull request with another head_sha is cancelled, with superseded_by
  // set to the new id: a newer push supersedes (running workers see it at their next heartbeat).
  virtual Result<int64_t> Enqueue(const JobSpec& spec, int64_t now_ms) = 0;
  // Cancels every queued or running job of the pull request (it was closed). Returns how many.
  virtual Result<int64_t> CancelPullRequest(std::string_view repo, int64_t pr_number,
                                            int64_t now_ms) = 0;

  // Returns expired leases to the queue first (an expired lease ends its attempt; after
  // max_attempts the job becomes kDead, "lease expired N times"), then atomically leases the
  // oldest queued job to `worker_id` until now_ms + lease_ms. nullopt when the queue is empty.
  // Never gives one job to two claimers.
  virtual Result<std::optional<Job>> Claim(std::string_view worker_id, int64_t lease_ms,
                                           int64_t now_ms) = 0;
  // Extends the lease to now_ms + lease_ms. False when `worker_id` no longer holds the job (its
  // lease was taken back, or the job was cancelled or finished): the worker must stop. A lease is
  // lost when a Claim returns the job to the queue, not at the instant it expires.
  virtual Result<bool> Heartbeat(int64_t job_id, std::string_view worker_id, int64_t lease_ms,
                                 int64_t now_ms) = 0;
  // Records the result, exactly once: only the holder of a running job's lease can complete it.
  // False (and nothing changes) for a second completion or one that comes after the lease moved.
  virtual Result<bool> Complete(int64_t job_id, std::string_view worker_id,
                                std::string_view result_json, std::string_view log,
                                int64_t now_ms) = 0;
  // Ends the attempt without a result: back to the queue, or kDead after max_attempts claims,
  // with `reason` kept in Job::error. False (nothing changes) when the lease is not held.
  virtual Result<bool> Fail(int64_t job_id, std::string_view worker_id, std::string_view reason,
                            int64_t now_ms) = 0;

  // Jobs in a final state (done, dead, cancelled) not yet marked published, oldest first, at most
  // `limit` (capped at 1000). The publisher reports each (a dead job as a failure; a cancelled one
  // only if it had a check run) and then calls MarkPublished; one that dies in between retries
  // from here. Reporting twice must be harmless: it edits the recorded check run and comment
  // rather than creating new ones. Not a lease: two publishers may read the same job.
  virtual Result<std::vector<Job>> Unpublished(int limit) = 0;
  // Marks the job published; non-zero ids are recorded (0 keeps the stored one).
  virtual Status MarkPublished(int64_t job_id, int64_t check_run_id, int64_t comment_id,
                               int64_t now_ms) = 0;
  // Records the check run / comment before the result exists (a check run created "in progress"
  // when the job is claimed). 0 keeps the stored id.
  virtual Status SetPublication(int64_t job_id, int64_t check_run_id, int64_t comment_id,
                                int64_t now_ms) = 0;
  // The pull request's comment (one per PR, edited by every later job): 0 when none yet.
  virtual Result<int64_t> PullRequestCommentId(std::string_view repo, int64_t pr_number) = 0;
  // Records `comment_id` as the pull request's comment unless one is recorded already, and returns
  // the recorded one. When two publishers race, the loser gets the winner's id back and should
  // delete its own comment and edit the winner's.
  virtual Result<int64_t> RecordPullRequestComment(std::string_view repo, int64_t pr_number,
                                                   int64_t comment_id) = 0;

  // A role only one process may play at a time (the publisher among coordinators sharing a
  // database): true when `owner` holds it until now_ms + lease_ms — it was free, expired, or
  // already `owner`'s (then extended). Holders renew well before the lease runs out.
  virtual Result<bool> AcquireRole(std::string_view role, std::string_view owner, int64_t lease_ms,
                                   int64_t now_ms) = 0;

  virtual Result<std::optional<Job>> Get(int64_t job_id) = 0;
  // Newest first, for the dashboard: at most `limit` (capped at 1000) after skipping `offset`.
  // Job::log is left empty (Get has it).
  virtual Result<std::vector<Job>> Recent(int limit, int offset) = 0;
  virtual Result<JobCounts> CountByState() = 0;

  // The dashboard's queries and actions.
  virtual Result<std::vector<Job>> Find(const JobQuery& query) = 0;
  // Cancels a queued or running job (an administrator's request); its worker sees it at its next
  // heartbeat. False when the job is already final or does not exist.
  virtual Result<bool> Cancel(int64_t job_id, std::string_view reason, int64_t now_ms) = 0;
  // Appends to a running job's log, only for the lease holder (the log streamed while the job
  // runs; Complete replaces it with the whole log). Stops growing at 1 MiB. False when the lease
  // is not held.
  virtual Result<bool> AppendLog(int64_t job_id, std::string_view worker_id,
                                 std::string_view text, int64_t now_ms) = 0;
  // Records that a worker was seen (insert or update by id).
  virtual Status RecordWorker(const WorkerInfo& worker) = 0;
  // Workers seen at or after `since_ms`, most recently seen first.
  virtual Result<std::vector<WorkerInfo>> Workers(int64_t since_ms) = 0;
};

// Where the store lives, parsed once from a URL:
//   sqlite:PATH (also sqlite://PATH with an absolute PATH, and sqlite::memory:)
//   postgresql://[user[:password]@][host][:port][/dbname][?param=value...]  (postgres:// too;
//   libpq's parameters, e.g. sslmode, connect_timeout)
struct StoreUrl {
  enum class Engine { kSqlite, kPostgres };
  Engine engine = Engine::kSqlite;
  std::string sqlite_path;        // kSqlite: a file path, or ":memory:"
  std::string postgres_conninfo;  // kPostgres: the URL as given, handed to libpq
  // For messages and logs: the URL with any password replaced by "***".
  std::string Redacted() const;
};
Result<StoreUrl> ParseStoreUrl(std::string_view url);

struct StoreOptions {
  int max_attempts = 3;  // stamped on each job at Enqueue
  // PostgreSQL: connections opened on demand, at most this many; callers beyond it wait.
  int pool_size = 4;
  // SQLite: how long a writer waits for another process's write lock before failing.
  int busy_timeout_ms = 10000;
};

// Opens (and migrates) the store. SQLite: WAL journal, busy timeout, foreign keys on, one
// connection serialised by a mutex. PostgreSQL: a small pool; an operation that fails because its
// connection was lost (server restarted) is retried once on a fresh connection. Errors name the
// redacted URL.
Result<std::unique_ptr<JobStore>> OpenJobStore(const StoreUrl& url,
                                               const StoreOptions& options = {});
Result<std::unique_ptr<JobStore>> OpenJobStore(std::string_view url,
                                               const StoreOptions& options = {});

}  // namespace zooci
