// PostgreSQL engine: libpq connections in a small pool. Parameters always travel separately from
// the statement (prepared statements, typed int8/text); nothing is spliced into SQL text.
#include <libpq-fe.h>

#include <condition_variable>
#include <mutex>
#include <unordered_map>

#include "store/sql.h"

namespace zooci::store_internal {
namespace {

constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;

std::string TrimmedMessage(const char* message) {
  return std::string(Trim(message != nullptr ? message : ""));
}

void IgnoreNotice(void*, const char*) {}  // "relation already exists, skipping" and the like

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  // Connects with `conninfo` (a URL or key=value string). Defaults that the URL may override:
  // a 10 s connect timeout and application_name=zooci.
  static Result<std::unique_ptr<PostgresConnection>> Open(const std::string& conninfo) {
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "zooci", conninfo.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (conn == nullptr) return Error("cannot connect: out of memory");
    auto connection = std::make_unique<PostgresConnection>(conn);
    if (PQstatus(conn) != CONNECTION_OK) {
      return Error("cannot connect: " + TrimmedMessage(PQerrorMessage(conn)));
    }
    PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
    return connection;
  }

  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params) override {
    std::vector<std::string> numbers;  // text of the int64 parameters, kept alive for the call
    numbers.reserve(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size(), 0);  // 0 text, 1 binary
    std::vector<Oid> types(params.size());
    for (size_t index = 0; index < params.size(); ++index) {
      if (std::holds_alternative<int64_t>(params[index])) {
        numbers.push_back(std::to_string(std::get<int64_t>(params[index])));
        values[index] = numbers.back().c_str();
        lengths[index] = static_cast<int>(numbers.back().size());
        types[index] = kInt8Oid;
      } else {
        std::string_view text = std::get<std::string_view>(params[index]);
        values[index] = text.data();
        lengths[index] = static_cast<int>(text.size());
        types[index] = kTextOid;
        // A text-format parameter is read up to a NUL; views are not NUL-terminated. TEXT's
        // binary form is the bytes themselves (still checked against the encoding).
        formats[index] = 1;
      }
    }
    if (params.empty()) {  // BEGIN, COMMIT, ROLLBACK, ...: the simple protocol, one round trip
      return TakeResult(PQexec(conn_, std::string(sql).c_str()));
    }
    // Parsed and planned once per connection: the same statement text always comes with the same
    // parameter types.
    std::string key(sql);
    auto prepared = prepared_.find(key);
    if (prepared == prepared_.end()) {
      std::string name = "zooci_" + std::to_string(prepared_.size() + 1);
      ZC_RETURN_IF_ERROR(TakeResult(PQprepare(conn_, name.c_str(), key.c_str(),
                                              static_cast<int>(params.size()), types.data())));
      prepared = prepared_.emplace(std::move(key), std::move(name)).first;
    }
    return TakeResult(PQexecPrepared(conn_, prepared->second.c_str(),
                                     static_cast<int>(params.size()), values.data(), lengths.data(),
                                     formats.data(), /*resultFormat=*/0));
  }

  Status ExecScript(std::string_view sql) override {
    std::string script(sql);
    ZC_RETURN_IF_ERROR(TakeResult(PQexec(conn_, script.c_str())));
    return OkStatus();
  }

  bool LastFailureRetryable() const override { return last_failure_retryable_; }
  bool Broken() const override { return PQstatus(conn_) != CONNECTION_OK; }

  Status Reconnect() override {
    prepared_.clear();  // they belonged to the lost session
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Error("cannot reconnect: " + TrimmedMessage(PQerrorMessage(conn_)));
    }
    PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
    return OkStatus();
  }

 private:
  // Converts (and frees) a result; records whether a failure is worth retrying.
  Result<SqlRows> TakeResult(PGresult* result) {
    last_failure_retryable_ = false;
    ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message =
          TrimmedMessage(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
      if (message.empty()) message = TrimmedMessage(PQerrorMessage(conn_));
      const char* state =
          result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
      std::string sqlstate = state != nullptr ? state : "";
      PQclear(result);
      // 40001 serialization failure, 40P01 deadlock detected: the transaction was rolled back
      // and may simply be repeated.
      last_failure_retryable_ = Broken() || sqlstate == "40001" || sqlstate == "40P01";
      return Error(message.empty() ? "query failed" : message);
    }
    SqlRows rows(static_cast<size_t>(PQntuples(result)));
    int fields = PQnfields(result);
    for (size_t row = 0; row < rows.size(); ++row) {
      rows[row].reserve(static_cast<size_t>(fields));
      for (int field = 0; field < fields; ++field) {
        int row_index = static_cast<int>(row);
        rows[row].emplace_back(PQgetvalue(result, row_index, field),
                               static_cast<size_t>(PQgetlength(result, row_index, field)));
      }
    }
    PQclear(result);
    return rows;
  }

  PGconn* conn_;
  bool last_failure_retryable_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // statement text -> prepared name
};

class PostgresPool final : public ConnectionPool {
 public:
  PostgresPool(std::string conninfo, int capacity)
      : conninfo_(std::move(conninfo)), capacity_(capacity < 1 ? 1 : capacity) {}

  void Add(std::unique_ptr<PostgresConnection> connection) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(connection.get());
    all_.push_back(std::move(connection));
  }

  Result<SqlConnection*> Acquire() override {
    SqlConnection* connection = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      available_.wait(lock, [&] { return !idle_.empty() || opening_ + all_.size() < capacity_; });
      if (!idle_.empty()) {
        connection = idle_.back();
        idle_.pop_back();
      } else {
        ++opening_;
      }
    }
    if (connection != nullptr) {
      // Lost on an earlier call (its caller already gave up): reopen before lending it again.
      if (connection->Broken()) {
        Status reopened = connection->Reconnect();
        if (!reopened.ok()) {
          Release(connection);
          return reopened.error();
        }
      }
      return connection;
    }
    auto opened = PostgresConnection::Open(conninfo_);
    std::lock_guard<std::mutex> lock(mutex_);
    --opening_;
    if (!opened.ok()) {
      available_.notify_one();
      return opened.error();
    }
    all_.push_back(std::move(opened).value());
    return all_.back().get();
  }

  void Release(SqlConnection* connection) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      idle_.push_back(connection);
    }
    available_.notify_one();
  }

 private:
  const std::string conninfo_;
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PostgresConnection>> all_;  // guarded by mutex_
  std::vector<SqlConnection*> idle_;                      // guarded by mutex_
  size_t opening_ = 0;                                    // guarded by mutex_
};

}  // namespace

const Dialect& PostgresDialect() {
  static const Dialect dialect = {
      .engine_name = "postgresql",
      .begin_write = "BEGIN",
      .skip_locked = " FOR UPDATE SKIP LOCKED",
      .single_statement_in_transaction = false,
      .id_column = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
      // An arbitrary key; every zooci uses the same one.
      .migration_lock = "SELECT pg_advisory_xact_lock(495873221481)",
  };
  return dialect;
}

Result<std::unique_ptr<ConnectionPool>> OpenPostgresPool(const std::string& conninfo,
                                                         const StoreOptions& options) {
  auto pool = std::make_unique<PostgresPool>(conninfo, options.pool_size);
  ZC_ASSIGN_OR_RETURN(auto first, PostgresConnection::Open(conninfo));
  pool->Add(std::move(first));
  return std::unique_ptr<ConnectionPool>(std::move(pool));
}

}  // namespace zooci::store_internal
