// Private to src/store: the small SQL layer the JobStore is written against. The job logic
// (sql_job_store.cpp) is shared; each engine supplies connections and a Dialect.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/base.h"
#include "store/store.h"

namespace zooci::store_internal {

// A statement parameter: bound as BIGINT or TEXT (never spliced into SQL text). The string must
// outlive the Query call.
using SqlParam = std::variant<int64_t, std::string_view>;
// A result row as text, one string per column (NULL reads as "").
using SqlRow = std::vector<std::string>;
using SqlRows = std::vector<SqlRow>;

// One database connection. Not thread-safe: a ConnectionPool lends it to one caller at a time.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs one statement whose parameters are written $1, $2, ... and returns the rows it produced
  // (a SELECT's, or an INSERT/UPDATE's RETURNING).
  virtual Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params) = 0;
  // Runs several statements without parameters (schema migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  // After a failed call: whether repeating the whole transaction on a fresh connection may
  // succeed (the connection was lost, e.g. the server restarted; or a deadlock was detected).
  virtual bool LastFailureRetryable() const = 0;
  // Whether the connection is gone and must be reopened before it is used again.
  virtual bool Broken() const = 0;
  // Reopens the connection with the parameters it was opened with.
  virtual Status Reconnect() = 0;
};

// Lends connections to one caller at a time. Thread-safe.
class ConnectionPool {
 public:
  virtual ~ConnectionPool() = default;
  // Blocks until a connection is free (opening one if the pool is not full). Every connection
  // acquired must be given back with Release.
  virtual Result<SqlConnection*> Acquire() = 0;
  virtual void Release(SqlConnection* connection) = 0;
};

// What differs between the engines' SQL.
struct Dialect {
  std::string_view engine_name;  // "sqlite", "postgresql"
  // Starts a transaction that will write. SQLite: BEGIN IMMEDIATE takes the database's write
  // lock up front, so a transaction never fails half-way on a lock upgrade.
  std::string_view begin_write;
  // Appended to the claim's "SELECT id ... LIMIT n": PostgreSQL's FOR UPDATE SKIP LOCKED; empty
  // for SQLite, where the write lock already serialises claimers.
  std::string_view skip_locked;
  // Whether a write of one statement still runs inside begin_write ... COMMIT. SQLite: yes; a
  // plain statement would read first and could then fail to upgrade its lock
  // (SQLITE_BUSY_SNAPSHOT, not retried by the busy timeout). PostgreSQL: no; one statement is a
  // transaction of its own, two round trips fewer.
  bool single_statement_in_transaction;
  // The jobs.id column's definition.
  std::string_view id_column;
  // Run first in each migration's transaction: PostgreSQL serialises concurrent migrators with an
  // advisory lock; empty for SQLite (BEGIN IMMEDIATE does it).
  std::string_view migration_lock;
};

// The JobStore over `pool`. `location` (a redacted URL) prefixes every error.
std::unique_ptr<JobStore> MakeSqlJobStore(const Dialect& dialect,
                                          std::unique_ptr<ConnectionPool> pool,
                                          std::string location, const StoreOptions& options);

// ---- Engines -----------------------------------------------------------------------------------

const Dialect& SqliteDialect();
// One connection (WAL, busy timeout, foreign keys), lent under a mutex.
Result<std::unique_ptr<ConnectionPool>> OpenSqlitePool(const std::string& path,
                                                       const StoreOptions& options);

const Dialect& PostgresDialect();
// Up to options.pool_size libpq connections, opened on first need. The first is opened here so
// that a wrong URL fails at once.
Result<std::unique_ptr<ConnectionPool>> OpenPostgresPool(const std::string& conninfo,
                                                         const StoreOptions& options);

// ---- Schema ------------------------------------------------------------------------------------

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // "{id}" stands for Dialect::id_column
};
// In version order; append only (an applied migration is never edited).
const std::vector<Migration>& Migrations();

// ---- Job rows (job_rows.cpp) --------------------------------------------------------------------

// The columns of a job, in the order JobFromRow reads them; with_log (with_result) false selects
// '' for the log (the result).
std::string JobColumns(bool with_log, bool with_result = true);
Result<Job> JobFromRow(const SqlRow& row);
Result<std::vector<Job>> JobsFromRows(const SqlRows& rows);
// The first column of the first row as an integer; an error naming `what` when there is none.
Result<int64_t> FirstInt(const SqlRows& rows, std::string_view what);
// A random 128-bit token (hex) that tells one call apart from every other, retries included.
std::string NewToken();

// ---- Helpers -----------------------------------------------------------------------------------

// `text` as valid UTF-8 without NUL bytes: each invalid byte and each NUL becomes U+FFFD.
// PostgreSQL refuses both in TEXT; logs of crashed runs contain them.
std::string SanitizeText(std::string_view text);

// The dashboard's statements (dashboard_queries.cpp), run by SqlJobStore inside its retrying
// Read/Write wrappers.
Result<std::vector<Job>> FindJobs(SqlConnection& conn, const JobQuery& query);
Result<bool> CancelJob(SqlConnection& conn, int64_t job_id, const std::string& reason,
                       int64_t now_ms);
Result<bool> AppendJobLog(SqlConnection& conn, int64_t job_id, const std::string& worker_id,
                          const std::string& text, int64_t now_ms);
Status UpsertWorker(SqlConnection& conn, const WorkerInfo& worker);
Result<std::vector<WorkerInfo>> SelectWorkers(SqlConnection& conn, int64_t since_ms);
// The verdict Complete stores beside the result: the envelope's top-level "verdict" string.
std::string VerdictOfResult(std::string_view result_json);

}  // namespace zooci::store_internal
