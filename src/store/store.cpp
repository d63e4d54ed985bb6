// Job states by name, store URLs, and OpenJobStore.
#include <libpq-fe.h>

#include "store/sql.h"
#include "store/store.h"

namespace zooci {
namespace {

constexpr std::string_view kUrlForms =
    "expected sqlite:PATH, sqlite:///ABSOLUTE/PATH, postgresql://[user[:password]@]host[:port]"
    "/dbname or postgres://...";

// `url` with the password of its user-info ("user:secret@") and any "password=" parameter
// replaced by "***".
std::string RedactUrl(std::string_view url) {
  std::string out(url);
  size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    size_t authority = scheme_end + 3;
    size_t authority_end = out.find_first_of("/?", authority);
    if (authority_end == std::string::npos) authority_end = out.size();
    size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority) {
      size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    size_t value = pos + 9;
    size_t value_end = out.find_first_of("& ", value);
    if (value_end == std::string::npos) value_end = out.size();
    out.replace(value, value_end - value, "***");
  }
  return out;
}

}  // namespace

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kDead:
      return "dead";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Result<JobState> ParseJobState(std::string_view name) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kDead,
                         JobState::kCancelled}) {
    if (JobStateName(state) == name) return state;
  }
  return Error("unknown job state '" + std::string(name) +
               "' (expected queued, running, done, dead or cancelled)");
}

std::string StoreUrl::Redacted() const {
  return engine == Engine::kSqlite ? "sqlite:" + sqlite_path : RedactUrl(postgres_conninfo);
}

Result<StoreUrl> ParseStoreUrl(std::string_view url) {
  const std::string shown = "store URL '" + RedactUrl(url) + "'";
  StoreUrl parsed;
  if (StartsWith(url, "sqlite:")) {
    std::string_view path = url.substr(7);
    if (StartsWith(path, "//")) {
      path.remove_prefix(2);
      if (!StartsWith(path, "/")) {
        return Error(shown +
                     ": sqlite:// takes an absolute path (sqlite:///var/lib/zooci/jobs.db);"
                     " write a relative one as sqlite:PATH");
      }
    }
    if (path.empty()) return Error(shown + ": no database file after 'sqlite:'");
    parsed.engine = StoreUrl::Engine::kSqlite;
    parsed.sqlite_path = std::string(path);
    return parsed;
  }
  if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) {
    std::string text(url);
    char* message = nullptr;
    PQconninfoOption* options = PQconninfoParse(text.c_str(), &message);
    if (options == nullptr) {
      std::string reason = message != nullptr ? std::string(Trim(message)) : "out of memory";
      PQfreemem(message);
      return Error(shown + ": " + reason);
    }
    PQconninfoFree(options);
    parsed.engine = StoreUrl::Engine::kPostgres;
    parsed.postgres_conninfo = std::move(text);
    return parsed;
  }
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error(shown + ": no scheme; " + std::string(kUrlForms));
  }
  return Error(shown + ": unknown scheme '" + std::string(url.substr(0, colon)) + "'; " +
               std::string(kUrlForms));
}

Result<std::unique_ptr<JobStore>> OpenJobStore(const StoreUrl& url, const StoreOptions& options) {
  const std::string location = url.Redacted();
  if (options.max_attempts < 1 || options.pool_size < 1 || options.busy_timeout_ms < 0) {
    return Error("open job store " + location +
                 ": max_attempts and pool_size must be at least 1, busy_timeout_ms not negative");
  }
  auto pool = url.engine == StoreUrl::Engine::kSqlite
                  ? store_internal::OpenSqlitePool(url.sqlite_path, options)
                  : store_internal::OpenPostgresPool(url.postgres_conninfo, options);
  if (!pool.ok()) return pool.error().WithContext("open job store " + location);
  const store_internal::Dialect& dialect = url.engine == StoreUrl::Engine::kSqlite
                                               ? store_internal::SqliteDialect()
                                               : store_internal::PostgresDialect();
  std::unique_ptr<JobStore> store =
      store_internal::MakeSqlJobStore(dialect, std::move(pool).value(), location, options);
  ZC_RETURN_IF_ERROR(store->Migrate());
  return store;
}

Result<std::unique_ptr<JobStore>> OpenJobStore(std::string_view url, const StoreOptions& options) {
  ZC_ASSIGN_OR_RETURN(StoreUrl parsed, ParseStoreUrl(url));
  return OpenJobStore(parsed, options);
}

}  // namespace zooci
