// The dashboard's statements: filtered job lists, an administrator's cancel, the log streamed while
// a job runs, and the workers seen. Plain SQL both engines accept; SqlJobStore runs each inside
// its retrying wrappers.
#include <nlohmann/json.hpp>

#include "store/sql.h"

namespace zooci::store_internal {

Result<std::vector<Job>> FindJobs(SqlConnection& conn, const JobQuery& query) {
  std::string sql = "SELECT " + JobColumns(query.with_results, query.with_results) +
                    " FROM jobs WHERE 1 = 1";
  std::vector<SqlParam> params;
  const std::string state =
      query.state ? std::string(JobStateName(*query.state)) : std::string();
  const std::string repo = SanitizeText(query.repo);
  const std::string verdict = SanitizeText(query.verdict);
  auto bind = [&](std::string_view column, const std::string& value) {
    params.emplace_back(std::string_view(value));
    sql += " AND " + std::string(column) + " = $" + std::to_string(params.size());
  };
  if (!repo.empty()) bind("repo", repo);
  if (!state.empty()) bind("state", state);
  if (!verdict.empty()) bind("verdict", verdict);
  std::string pattern;
  if (!query.result_contains.empty()) {
    for (char c : SanitizeText(query.result_contains)) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern = "%" + pattern + "%";
    params.emplace_back(std::string_view(pattern));
    sql += " AND result_json LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
  }
  params.emplace_back(int64_t{std::clamp(query.limit, 0, 1000)});
  sql += " ORDER BY id DESC LIMIT $" + std::to_string(params.size());
  params.emplace_back(int64_t{std::max(query.offset, 0)});
  sql += " OFFSET $" + std::to_string(params.size());
  ZC_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(sql, params));
  return JobsFromRows(rows);
}

Result<bool> CancelJob(SqlConnection& conn, int64_t job_id, const std::string& reason,
                       int64_t now_ms) {
  ZC_ASSIGN_OR_RETURN(
      SqlRows cancelled,
      conn.Query("UPDATE jobs SET state = 'cancelled', error = $1, lease_expires_ms = 0, "
                 "updated_ms = $2 WHERE id = $3 AND state IN ('queued', 'running') RETURNING id",
                 {reason, now_ms, job_id}));
  return !cancelled.empty();
}

Result<bool> AppendJobLog(SqlConnection& conn, int64_t job_id, const std::string& worker_id,
                          const std::string& text, int64_t now_ms) {
  constexpr int64_t kMaxStreamedLogBytes = int64_t{1} << 20;
  ZC_ASSIGN_OR_RETURN(
      SqlRows appended,
      conn.Query("UPDATE jobs SET log = CASE WHEN length(log) < $1 THEN log || $2 ELSE log END, "
                 "updated_ms = $3 WHERE id = $4 AND state = 'running' AND lease_owner = $5 "
                 "RETURNING id",
                 {kMaxStreamedLogBytes, text, now_ms, job_id, worker_id}));
  return !appended.empty();
}

Status UpsertWorker(SqlConnection& conn, const WorkerInfo& worker) {
  const std::string id = SanitizeText(worker.id);
  const std::string labels = SanitizeText(worker.labels);
  ZC_RETURN_IF_ERROR(conn.Query(
      "INSERT INTO workers (id, labels, job_id, started_ms, last_seen_ms) VALUES ($1, $2, $3, $4, "
      "$4) ON CONFLICT (id) DO UPDATE SET labels = excluded.labels, job_id = excluded.job_id, "
      "last_seen_ms = excluded.last_seen_ms",
      {id, labels, worker.job_id, worker.last_seen_ms}));
  return OkStatus();
}

Result<std::vector<WorkerInfo>> SelectWorkers(SqlConnection& conn, int64_t since_ms) {
  ZC_ASSIGN_OR_RETURN(
      SqlRows rows,
      conn.Query("SELECT id, labels, job_id, started_ms, last_seen_ms FROM workers WHERE "
                 "last_seen_ms >= $1 ORDER BY last_seen_ms DESC, id LIMIT 1000",
                 {since_ms}));
  std::vector<WorkerInfo> workers;
  for (const SqlRow& row : rows) {
    if (row.size() != 5) return Error("worker row has " + std::to_string(row.size()) + " columns");
    WorkerInfo worker;
    worker.id = row[0];
    worker.labels = row[1];
    ZC_ASSIGN_OR_RETURN(worker.job_id, ParseInt(row[2], "job_id"));
    ZC_ASSIGN_OR_RETURN(worker.started_ms, ParseInt(row[3], "started_ms"));
    ZC_ASSIGN_OR_RETURN(worker.last_seen_ms, ParseInt(row[4], "last_seen_ms"));
    workers.push_back(std::move(worker));
  }
  return workers;
}

std::string VerdictOfResult(std::string_view result_json) {
  const nlohmann::json envelope = nlohmann::json::parse(result_json, nullptr, false);
  if (!envelope.is_object()) return "";
  const auto verdict = envelope.find("verdict");
  if (verdict == envelope.end() || !verdict->is_string()) return "";
  return SanitizeText(verdict->get<std::string>().substr(0, 32));
}

}  // namespace zooci::store_internal
