// SQLite engine: one connection in WAL mode, lent to one caller at a time. Other processes may
// open the same file; BEGIN IMMEDIATE and the busy timeout serialise their writers.
#include <sqlite3.h>

#include <mutex>
#include <unordered_map>

#include "store/sql.h"

namespace zooci::store_internal {
namespace {

// "$12" -> "?12": the statements are written with PostgreSQL's placeholders; SQLite's "?NNN" is
// the same numbered parameter. Quoted text is left alone.
std::string SqliteParameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool in_quote = false;
  for (size_t pos = 0; pos < sql.size(); ++pos) {
    char c = sql[pos];
    if (c == '\'') in_quote = !in_quote;
    bool placeholder =
        !in_quote && c == '$' && pos + 1 < sql.size() && sql[pos + 1] >= '0' && sql[pos + 1] <= '9';
    out.push_back(placeholder ? '?' : c);
  }
  return out;
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }

  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params) override {
    ZC_ASSIGN_OR_RETURN(sqlite3_stmt * statement, Prepare(sql));
    // Reset on every exit, so the statement holds no lock or binding between calls.
    struct Resetter {
      sqlite3_stmt* statement;
      ~Resetter() {
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
      }
    } resetter{statement};
    for (size_t index = 0; index < params.size(); ++index) {
      int column = static_cast<int>(index) + 1;
      int code = std::holds_alternative<int64_t>(params[index])
                     ? sqlite3_bind_int64(statement, column, std::get<int64_t>(params[index]))
                     : sqlite3_bind_text64(statement, column,
                                           std::get<std::string_view>(params[index]).data(),
                                           std::get<std::string_view>(params[index]).size(),
                                           SQLITE_STATIC, SQLITE_UTF8);
      if (code != SQLITE_OK) return Failure("bind parameter " + std::to_string(column));
    }
    SqlRows rows;
    while (true) {
      int code = sqlite3_step(statement);
      if (code == SQLITE_DONE) break;
      if (code != SQLITE_ROW) return Failure("run");
      SqlRow row(static_cast<size_t>(sqlite3_column_count(statement)));
      for (size_t column = 0; column < row.size(); ++column) {
        int index = static_cast<int>(column);
        const unsigned char* text = sqlite3_column_text(statement, index);
        if (text != nullptr) {
          row[column].assign(reinterpret_cast<const char*>(text),
                             static_cast<size_t>(sqlite3_column_bytes(statement, index)));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    char* message = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string reason = message != nullptr ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return Error(reason);
    }
    return OkStatus();
  }

  bool LastFailureRetryable() const override { return false; }
  bool Broken() const override { return false; }
  Status Reconnect() override { return OkStatus(); }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    auto found = statements_.find(key);
    if (found != statements_.end()) return found->second;
    std::string translated = SqliteParameters(sql);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, translated.c_str(), static_cast<int>(translated.size()),
                           SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
      return Error(std::string("prepare: ") + sqlite3_errmsg(db_));
    }
    statements_.emplace(std::move(key), statement);
    return statement;
  }

  Error Failure(const std::string& what) const { return Error(what + ": " + sqlite3_errmsg(db_)); }

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;  // by SQL as written
};

class SqlitePool final : public ConnectionPool {
 public:
  explicit SqlitePool(std::unique_ptr<SqliteConnection> connection)
      : connection_(std::move(connection)) {}

  Result<SqlConnection*> Acquire() override {
    mutex_.lock();
    return connection_.get();
  }
  void Release(SqlConnection*) override { mutex_.unlock(); }

 private:
  std::mutex mutex_;  // held by the caller between Acquire and Release
  std::unique_ptr<SqliteConnection> connection_;
};

}  // namespace

const Dialect& SqliteDialect() {
  static const Dialect dialect = {
      .engine_name = "sqlite",
      .begin_write = "BEGIN IMMEDIATE",
      .skip_locked = "",
      .single_statement_in_transaction = true,
      .id_column = "INTEGER PRIMARY KEY AUTOINCREMENT",
      .migration_lock = "",
  };
  return dialect;
}

Result<std::unique_ptr<ConnectionPool>> OpenSqlitePool(const std::string& path,
                                                       const StoreOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string reason = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error("cannot open: " + reason);
  }
  auto connection = std::make_unique<SqliteConnection>(db, path);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  ZC_ASSIGN_OR_RETURN(SqlRows journal, connection->Query("PRAGMA journal_mode = WAL", {}));
  std::string mode = journal.empty() || journal[0].empty() ? "" : journal[0][0];
  if (mode != "wal" && path != ":memory:") {
    return Error("cannot switch to WAL journal mode (still '" + mode + "')");
  }
  // FULL: a commit is on disk before it returns. Each row is a webhook GitHub was told it got.
  ZC_RETURN_IF_ERROR(
      connection->ExecScript("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"));
  return std::unique_ptr<ConnectionPool>(std::make_unique<SqlitePool>(std::move(connection)));
}

}  // namespace zooci::store_internal
