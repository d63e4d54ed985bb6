// The JobStore logic, written once against SqlConnection and run on either engine.
//
// Every write runs in one transaction: Dialect::begin_write ... COMMIT, or, for a single statement
// on PostgreSQL, the statement's own. When a transaction fails because its connection was lost, it
// is repeated once on the reopened connection. If the loss hit the COMMIT, the first attempt may
// have been applied; the repeated bodies therefore first look for their own effect (by a per-call
// token, or by the exact values they write) and return it instead of acting twice. Reads run
// without an explicit transaction.
#include "store/sql.h"

namespace zooci::store_internal {
namespace {

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_ms BIGINT NOT NULL)";

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SqlJobStore final : public JobStore {
 public:
  SqlJobStore(const Dialect& dialect, std::unique_ptr<ConnectionPool> pool, std::string location,
              const StoreOptions& options)
      : dialect_(dialect),
        pool_(std::move(pool)),
        location_(std::move(location)),
        options_(options) {
    const std::string columns = JobColumns(/*with_log=*/true);
    // An expired lease ends its attempt: back to the queue, or dead after max_attempts claims.
    // Rows another transaction has locked are skipped (PostgreSQL): that one is extending or
    // finishing the lease, or requeueing the job itself.
    requeue_sql_ =
        "UPDATE jobs SET lease_expirations = lease_expirations + 1, "
        "state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, "
        "error = CASE WHEN attempts >= max_attempts "
        "THEN 'lease expired ' || (lease_expirations + 1) || ' times' "
        "ELSE 'lease of ' || lease_owner || ' expired' END, "
        "lease_expires_ms = 0, updated_ms = $1 "
        "WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_expires_ms <= $1 "
        "ORDER BY id" +
        std::string(dialect_.skip_locked) + ")";
    claim_sql_ =
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, "
        "lease_expires_ms = $2, updated_ms = $3 "
        "WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1" +
        std::string(dialect_.skip_locked) + ") RETURNING " + columns;
    claimed_by_call_sql_ = "SELECT " + columns +
                           " FROM jobs WHERE state = 'running' AND lease_owner = $1 AND "
                           "lease_expires_ms = $2 AND updated_ms = $3 ORDER BY id LIMIT 1";
    get_sql_ = "SELECT " + columns + " FROM jobs WHERE id = $1";
    recent_sql_ = "SELECT " + JobColumns(/*with_log=*/false) +
                  " FROM jobs ORDER BY id DESC LIMIT $1 OFFSET $2";
    unpublished_sql_ = "SELECT " + columns +
                       " FROM jobs WHERE published = 0 AND state IN ('done', 'dead', "
                       "'cancelled') ORDER BY id LIMIT $1";
  }

  Status Migrate() override {
    for (const Migration& migration : Migrations()) {
      ZC_RETURN_IF_ERROR(Write(
          "migrate to schema version " + std::to_string(migration.version),
          [&](SqlConnection& conn, bool) -> Status {
            if (!dialect_.migration_lock.empty()) {
              ZC_RETURN_IF_ERROR(conn.Query(dialect_.migration_lock, {}));
            }
            ZC_RETURN_IF_ERROR(conn.ExecScript(kCreateMigrationsTable));
            ZC_ASSIGN_OR_RETURN(
                SqlRows applied,
                conn.Query("SELECT version FROM schema_migrations WHERE version = $1",
                           {int64_t{migration.version}}));
            if (!applied.empty()) return OkStatus();
            ZC_RETURN_IF_ERROR(conn.ExecScript(
                ReplaceAll(std::string(migration.sql), "{id}", dialect_.id_column)));
            ZC_RETURN_IF_ERROR(conn.Query(
                "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
                {int64_t{migration.version}, migration.name, WallClockMs()}));
            return OkStatus();
          }));
    }
    ZC_ASSIGN_OR_RETURN(int version, SchemaVersion());
    int newest = Migrations().back().version;
    if (version > newest) {
      return Error(location_ + ": the database's schema is version " + std::to_string(version) +
                   ", newer than this zooci knows (" + std::to_string(newest) + "); upgrade zooci");
    }
    return OkStatus();
  }

  Result<int> SchemaVersion() override {
    return Read("schema version", [&](SqlConnection& conn, bool) -> Result<int> {
      ZC_ASSIGN_OR_RETURN(
          SqlRows rows, conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}));
      ZC_ASSIGN_OR_RETURN(int64_t version, FirstInt(rows, "schema version"));
      return static_cast<int>(version);
    });
  }

  Result<bool> RecordDelivery(std::string_view delivery_id, int64_t now_ms) override {
    if (delivery_id.empty()) return Error("record delivery: empty delivery id");
    const std::string id = SanitizeText(delivery_id);
    const std::string token = NewToken();
    return WriteOne("record delivery " + id, [&](SqlConnection& conn, bool retry) -> Result<bool> {
      ZC_ASSIGN_OR_RETURN(SqlRows inserted,
                          conn.Query("INSERT INTO deliveries (delivery_id, received_ms, token) "
                                     "VALUES ($1, $2, $3) ON CONFLICT (delivery_id) DO NOTHING "
                                     "RETURNING delivery_id",
                                     {id, now_ms, token}));
      if (!inserted.empty()) return true;
      if (!retry) return false;
      // Repeated after a lost connection: the first attempt may have recorded it.
      ZC_ASSIGN_OR_RETURN(SqlRows mine,
                          conn.Query("SELECT 1 FROM deliveries WHERE delivery_id = $1 AND "
                                     "token = $2",
                                     {id, token}));
      return !mine.empty();
    });
  }

  Result<bool> AcquireRole(std::string_view role, std::string_view owner, int64_t lease_ms,
                           int64_t now_ms) override {
    if (role.empty() || owner.empty()) return Error("acquire role: empty role or owner");
    const std::string name = SanitizeText(role);
    const std::string holder = SanitizeText(owner);
    return Write("acquire role " + name, [&](SqlConnection& conn, bool) -> Result<bool> {
      // Taken when free, expired, or already ours (then extended); one statement, so two
      // coordinators racing for it cannot both win.
      ZC_ASSIGN_OR_RETURN(
          SqlRows rows,
          conn.Query("INSERT INTO roles (name, owner, expires_ms) VALUES ($1, $2, $3) "
                     "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
                     "expires_ms = excluded.expires_ms "
                     "WHERE roles.expires_ms < $4 OR roles.owner = excluded.owner "
                     "RETURNING owner",
                     {name, holder, now_ms + lease_ms, now_ms}));
      return !rows.empty();
    });
  }

  Result<int64_t> Enqueue(const JobSpec& raw_spec, int64_t now_ms) override {
    if (raw_spec.repo.empty() || raw_spec.head_sha.empty()) {
      return Error("enqueue: a job needs a repository and a head commit");
    }
    JobSpec spec = Sanitized(raw_spec);
    const std::string token = NewToken();
    return Write(
        "enqueue " + spec.repo + "#" + std::to_string(spec.pr_number),
        [&](SqlConnection& conn, bool retry) -> Result<int64_t> {
          if (retry) {
            ZC_ASSIGN_OR_RETURN(
                SqlRows mine, conn.Query("SELECT id FROM jobs WHERE enqueue_token = $1", {token}));
            if (!mine.empty()) return FirstInt(mine, "job id");
          }
          ZC_ASSIGN_OR_RETURN(
              SqlRows inserted,
              conn.Query("INSERT INTO jobs (repo, installation_id, pr_number, head_sha, head_ref, "
                         "base_ref, base_sha, clone_url, trigger_event, delivery_id, state, "
                         "max_attempts, created_ms, updated_ms, enqueue_token, base_clone_url, title) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11, $12, $12, "
                         "$13, $14, $15) RETURNING id",
                         {spec.repo, spec.installation_id, spec.pr_number, spec.head_sha,
                          spec.head_ref, spec.base_ref, spec.base_sha, spec.clone_url, spec.trigger,
                          spec.delivery_id, int64_t{options_.max_attempts}, now_ms, token,
                          spec.base_clone_url, spec.title.substr(0, 1024)}));
          ZC_ASSIGN_OR_RETURN(int64_t id, FirstInt(inserted, "job id"));
          if (spec.pr_number > 0) {
            const std::string reason =
                "superseded by job " + std::to_string(id) + " for " + spec.head_sha.substr(0, 12);
            ZC_RETURN_IF_ERROR(
                conn.Query("UPDATE jobs SET state = 'cancelled', superseded_by = $1, error = $2, "
                           "lease_expires_ms = 0, updated_ms = $3 WHERE repo = $4 AND pr_number = "
                           "$5 AND head_sha <> $6 AND "
                           "state IN ('queued', 'running')",
                           {id, reason, now_ms, spec.repo, spec.pr_number, spec.head_sha}));
          }
          return id;
        });
  }

  Result<int64_t> CancelPullRequest(std::string_view raw_repo, int64_t pr_number,
                                    int64_t now_ms) override {
    const std::string repo = SanitizeText(raw_repo);
    return WriteOne(
        "cancel " + std::string(repo) + "#" + std::to_string(pr_number),
        [&](SqlConnection& conn, bool) -> Result<int64_t> {
          ZC_ASSIGN_OR_RETURN(
              SqlRows cancelled,
              conn.Query(
                  "UPDATE jobs SET state = 'cancelled', error = 'pull request closed', "
                  "lease_expires_ms = 0, updated_ms = $1 WHERE repo = $2 AND pr_number = $3 AND "
                  "state IN ('queued', 'running') RETURNING id",
                  {now_ms, repo, pr_number}));
          return static_cast<int64_t>(cancelled.size());
        });
  }

  Result<std::optional<Job>> Claim(std::string_view raw_worker_id, int64_t lease_ms,
                                   int64_t now_ms) override {
    const std::string worker_id = SanitizeText(raw_worker_id);
    if (worker_id.empty() || lease_ms <= 0) {
      return Error("claim: needs a worker id and a positive lease");
    }
    const int64_t expires_ms = now_ms + lease_ms;
    return Write("claim for " + std::string(worker_id),
                 [&](SqlConnection& conn, bool retry) -> Result<std::optional<Job>> {
                   if (retry) {
                     // The lost attempt may have claimed a job: the one leased to us with our exact
                     // values.
                     ZC_ASSIGN_OR_RETURN(SqlRows mine, conn.Query(claimed_by_call_sql_,
                                                                  {worker_id, expires_ms, now_ms}));
                     if (!mine.empty()) return OptionalJob(mine);
                   }
                   ZC_RETURN_IF_ERROR(conn.Query(requeue_sql_, {now_ms}));
                   ZC_ASSIGN_OR_RETURN(SqlRows claimed,
                                       conn.Query(claim_sql_, {worker_id, expires_ms, now_ms}));
                   return OptionalJob(claimed);
                 });
  }

  Result<bool> Heartbeat(int64_t job_id, std::string_view raw_worker_id, int64_t lease_ms,
                         int64_t now_ms) override {
    const std::string worker_id = SanitizeText(raw_worker_id);
    return WriteOne("heartbeat of job " + std::to_string(job_id),
                    [&](SqlConnection& conn, bool) -> Result<bool> {
                      ZC_ASSIGN_OR_RETURN(
                          SqlRows extended,
                          conn.Query("UPDATE jobs SET lease_expires_ms = $1, updated_ms = $2 "
                                     "WHERE id = $3 AND state = 'running' AND lease_owner = $4 "
                                     "RETURNING id",
                                     {now_ms + lease_ms, now_ms, job_id, worker_id}));
                      return !extended.empty();
                    });
  }

  Result<bool> Complete(int64_t job_id, std::string_view raw_worker_id,
                        std::string_view result_json, std::string_view log,
                        int64_t now_ms) override {
    const std::string worker_id = SanitizeText(raw_worker_id);
    const std::string result = SanitizeText(result_json);
    const std::string text = SanitizeText(log);
    const std::string verdict = VerdictOfResult(result);
    return WriteOne("complete job " + std::to_string(job_id),
                    [&](SqlConnection& conn, bool retry) -> Result<bool> {
                      ZC_ASSIGN_OR_RETURN(
                          SqlRows completed,
                          conn.Query("UPDATE jobs SET state = 'done', result_json = $1, log = $2, "
                                     "lease_expires_ms = 0, updated_ms = $3, verdict = $6 WHERE "
                                     "id = $4 AND state = 'running' AND lease_owner = $5 "
                                     "RETURNING id",
                                     {result, text, now_ms, job_id, worker_id, verdict}));
                      if (!completed.empty()) return true;
                      if (!retry) return false;
                      ZC_ASSIGN_OR_RETURN(
                          SqlRows mine,
                          conn.Query("SELECT 1 FROM jobs WHERE id = $1 AND state = 'done' AND "
                                     "lease_owner = $2 AND updated_ms = $3 AND result_json = $4",
                                     {job_id, worker_id, now_ms, result}));
                      return !mine.empty();
                    });
  }

  Result<bool> Fail(int64_t job_id, std::string_view raw_worker_id, std::string_view reason,
                    int64_t now_ms) override {
    const std::string worker_id = SanitizeText(raw_worker_id);
    const std::string error = SanitizeText(reason);
    return WriteOne(
        "fail job " + std::to_string(job_id), [&](SqlConnection& conn, bool retry) -> Result<bool> {
          ZC_ASSIGN_OR_RETURN(
              SqlRows failed,
              conn.Query("UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' "
                         "ELSE 'queued' END, error = $1, lease_expires_ms = 0, updated_ms = $2 "
                         "WHERE id = $3 AND state = 'running' AND lease_owner = $4 RETURNING id",
                         {error, now_ms, job_id, worker_id}));
          if (!failed.empty()) return true;
          if (!retry) return false;
          ZC_ASSIGN_OR_RETURN(
              SqlRows mine, conn.Query("SELECT 1 FROM jobs WHERE id = $1 AND lease_owner = $2 AND "
                                       "updated_ms = $3 AND error = $4 AND state IN ('queued', "
                                       "'dead')",
                                       {job_id, worker_id, now_ms, error}));
          return !mine.empty();
        });
  }

  Result<std::vector<Job>> Unpublished(int limit) override {
    return Read("unpublished jobs", [&](SqlConnection& conn, bool) -> Result<std::vector<Job>> {
      ZC_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(unpublished_sql_, {ClampLimit(limit)}));
      return JobsFromRows(rows);
    });
  }

  Status MarkPublished(int64_t job_id, int64_t check_run_id, int64_t comment_id,
                       int64_t now_ms) override {
    return UpdatePublication("mark job " + std::to_string(job_id) + " published",
                             "published = 1, published_ms = $4, ", job_id, check_run_id, comment_id,
                             now_ms);
  }

  Status SetPublication(int64_t job_id, int64_t check_run_id, int64_t comment_id,
                        int64_t now_ms) override {
    return UpdatePublication("record publication of job " + std::to_string(job_id), "", job_id,
                             check_run_id, comment_id, now_ms);
  }

  Result<int64_t> PullRequestCommentId(std::string_view raw_repo, int64_t pr_number) override {
    const std::string repo = SanitizeText(raw_repo);
    return Read("comment of " + std::string(repo) + "#" + std::to_string(pr_number),
                [&](SqlConnection& conn, bool) -> Result<int64_t> {
                  ZC_ASSIGN_OR_RETURN(
                      SqlRows rows, conn.Query("SELECT comment_id FROM pull_request_comments WHERE "
                                               "repo = $1 AND pr_number = $2",
                                               {repo, pr_number}));
                  if (rows.empty()) return int64_t{0};
                  return FirstInt(rows, "comment id");
                });
  }

  Result<int64_t> RecordPullRequestComment(std::string_view raw_repo, int64_t pr_number,
                                           int64_t comment_id) override {
    const std::string repo = SanitizeText(raw_repo);
    if (comment_id == 0) return Error("record pull request comment: comment id 0");
    return Write(
        "record comment of " + std::string(repo) + "#" + std::to_string(pr_number),
        [&](SqlConnection& conn, bool) -> Result<int64_t> {
          ZC_RETURN_IF_ERROR(conn.Query(
              "INSERT INTO pull_request_comments (repo, pr_number, comment_id) VALUES ($1, $2, $3) "
              "ON CONFLICT (repo, pr_number) DO NOTHING",
              {repo, pr_number, comment_id}));
          ZC_ASSIGN_OR_RETURN(SqlRows rows,
                              conn.Query("SELECT comment_id FROM pull_request_comments WHERE "
                                         "repo = $1 AND pr_number = $2",
                                         {repo, pr_number}));
          return FirstInt(rows, "comment id");
        });
  }

  Result<std::optional<Job>> Get(int64_t job_id) override {
    return Read("get job " + std::to_string(job_id),
                [&](SqlConnection& conn, bool) -> Result<std::optional<Job>> {
                  ZC_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(get_sql_, {job_id}));
                  return OptionalJob(rows);
                });
  }

  Result<std::vector<Job>> Recent(int limit, int offset) override {
    return Read("recent jobs", [&](SqlConnection& conn, bool) -> Result<std::vector<Job>> {
      ZC_ASSIGN_OR_RETURN(
          SqlRows rows,
          conn.Query(recent_sql_, {ClampLimit(limit), int64_t{offset < 0 ? 0 : offset}}));
      return JobsFromRows(rows);
    });
  }

  Result<JobCounts> CountByState() override {
    return Read("count jobs", [&](SqlConnection& conn, bool) -> Result<JobCounts> {
      ZC_ASSIGN_OR_RETURN(SqlRows rows,
                          conn.Query("SELECT state, COUNT(*) FROM jobs GROUP BY state", {}));
      JobCounts counts;
      for (const SqlRow& row : rows) {
        if (row.size() != 2)
          return Error("count row has " + std::to_string(row.size()) + " columns");
        ZC_ASSIGN_OR_RETURN(JobState state, ParseJobState(row[0]));
        ZC_ASSIGN_OR_RETURN(int64_t count, ParseInt(row[1], "count"));
        switch (state) {
          case JobState::kQueued:
            counts.queued = count;
            break;
          case JobState::kRunning:
            counts.running = count;
            break;
          case JobState::kDone:
            counts.done = count;
            break;
          case JobState::kDead:
            counts.dead = count;
            break;
          case JobState::kCancelled:
            counts.cancelled = count;
            break;
        }
      }
      return counts;
    });
  }

  Result<std::vector<Job>> Find(const JobQuery& query) override {
    return Read("find jobs", [&](SqlConnection& conn, bool) { return FindJobs(conn, query); });
  }
  Result<bool> Cancel(int64_t job_id, std::string_view reason, int64_t now_ms) override {
    const std::string why = SanitizeText(reason);
    return WriteOne("cancel job " + std::to_string(job_id), [&](SqlConnection& conn, bool) {
      return CancelJob(conn, job_id, why, now_ms);
    });
  }
  Result<bool> AppendLog(int64_t job_id, std::string_view worker_id, std::string_view text,
                         int64_t now_ms) override {
    const std::string worker = SanitizeText(worker_id);
    const std::string line = SanitizeText(text);
    // Not repeated after a lost connection: a line twice is worse than a line missing, and
    // Complete stores the whole log anyway.
    return WriteOne("append to the log of job " + std::to_string(job_id),
                [&](SqlConnection& conn, bool retry) -> Result<bool> {
                  if (retry) return false;
                  return AppendJobLog(conn, job_id, worker, line, now_ms);
                });
  }
  Status RecordWorker(const WorkerInfo& worker) override {
    return WriteOne("record worker " + SanitizeText(worker.id), [&](SqlConnection& conn, bool) {
      return UpsertWorker(conn, worker);
    });
  }
  Result<std::vector<WorkerInfo>> Workers(int64_t since_ms) override {
    return Read("workers", [&](SqlConnection& conn, bool) { return SelectWorkers(conn, since_ms); });
  }

 private:
  static int64_t ClampLimit(int limit) { return limit < 0 ? 0 : limit > 1000 ? 1000 : limit; }

  static Result<std::optional<Job>> OptionalJob(const SqlRows& rows) {
    if (rows.empty()) return std::optional<Job>();
    ZC_ASSIGN_OR_RETURN(Job job, JobFromRow(rows[0]));
    return std::optional<Job>(std::move(job));
  }

  static JobSpec Sanitized(const JobSpec& spec) {
    JobSpec out = spec;
    for (std::string* field : {&out.repo, &out.head_sha, &out.head_ref, &out.base_ref,
                               &out.base_sha, &out.clone_url, &out.trigger, &out.delivery_id,
                               &out.base_clone_url, &out.title}) {
      *field = SanitizeText(*field);
    }
    return out;
  }

  // MarkPublished and SetPublication: `published_sql` is "" or sets the published columns ($4).
  Status UpdatePublication(const std::string& what, std::string_view published_sql, int64_t job_id,
                           int64_t check_run_id, int64_t comment_id, int64_t now_ms) {
    const std::string sql =
        "UPDATE jobs SET " + std::string(published_sql) +
        "check_run_id = CASE WHEN $2 <> 0 THEN $2 ELSE check_run_id END, "
        "comment_id = CASE WHEN $3 <> 0 THEN $3 ELSE comment_id END, updated_ms = $4 "
        "WHERE id = $1 RETURNING id";
    return WriteOne(what, [&](SqlConnection& conn, bool) -> Status {
      ZC_ASSIGN_OR_RETURN(SqlRows updated,
                          conn.Query(sql, {job_id, check_run_id, comment_id, now_ms}));
      if (updated.empty()) return Error("no job " + std::to_string(job_id));
      return OkStatus();
    });
  }

  // Runs `body(connection, retry)` in a write transaction; see the file comment for the retry.
  template <typename Body>
  auto Write(const std::string& what, Body&& body)
      -> decltype(body(std::declval<SqlConnection&>(), false)) {
    return Run(what, /*transaction=*/true, body);
  }
  // Write, for a body whose first attempt is a single statement (atomic on its own).
  template <typename Body>
  auto WriteOne(const std::string& what, Body&& body)
      -> decltype(body(std::declval<SqlConnection&>(), false)) {
    return Run(what, /*transaction=*/dialect_.single_statement_in_transaction, body);
  }
  template <typename Body>
  auto Read(const std::string& what, Body&& body)
      -> decltype(body(std::declval<SqlConnection&>(), false)) {
    return Run(what, /*transaction=*/false, body);
  }

  template <typename Body>
  auto Run(const std::string& what, bool transaction, Body& body)
      -> decltype(body(std::declval<SqlConnection&>(), false)) {
    using R = decltype(body(std::declval<SqlConnection&>(), false));
    const std::string context = location_ + ": " + what;
    auto acquired = pool_->Acquire();
    if (!acquired.ok()) return acquired.error().WithContext(context);
    SqlConnection& conn = **acquired;
    for (int attempt = 0;; ++attempt) {
      bool retry = attempt > 0;
      if (retry && conn.Broken()) {
        Status reopened = conn.Reconnect();
        if (!reopened.ok()) {
          pool_->Release(&conn);
          return reopened.error().WithContext(context + ": connection lost");
        }
      }
      bool retryable = false;
      R result = transaction ? InTransaction(conn, body, retry, &retryable) : body(conn, retry);
      if (!transaction && !result.ok()) retryable = conn.LastFailureRetryable();
      if (result.ok() || !retryable || retry) {
        pool_->Release(&conn);
        if (result.ok()) return result;
        return result.error().WithContext(context);
      }
    }
  }

  template <typename Body>
  auto InTransaction(SqlConnection& conn, Body& body, bool retry, bool* retryable)
      -> decltype(body(conn, retry)) {
    using R = decltype(body(conn, retry));
    auto begun = conn.Query(dialect_.begin_write, {});
    if (!begun.ok()) {
      *retryable = conn.LastFailureRetryable();
      return begun.error();
    }
    R result = body(conn, retry);
    if (result.ok()) {
      auto committed = conn.Query("COMMIT", {});
      if (committed.ok()) return result;
      *retryable = conn.LastFailureRetryable();
      result = committed.error().WithContext("commit");
    } else {
      *retryable = conn.LastFailureRetryable();
    }
    if (!conn.Broken()) (void)conn.Query("ROLLBACK", {});
    return result;
  }

  const Dialect& dialect_;
  const std::unique_ptr<ConnectionPool> pool_;
  const std::string location_;
  const StoreOptions options_;
  std::string requeue_sql_;
  std::string claim_sql_;
  std::string claimed_by_call_sql_;
  std::string get_sql_;
  std::string recent_sql_;
  std::string unpublished_sql_;
};

}  // namespace

std::unique_ptr<JobStore> MakeSqlJobStore(const Dialect& dialect,
                                          std::unique_ptr<ConnectionPool> pool,
                                          std::string location, const StoreOptions& options) {
  return std::make_unique<SqlJobStore>(dialect, std::move(pool), std::move(location), options);
}

}  // namespace zooci::store_internal
