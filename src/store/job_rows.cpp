// Job rows: the column list the queries select and its decoding, shared by every query that
// returns jobs.
#include <random>

#include "store/sql.h"

namespace zooci::store_internal {
namespace {

// Reads a row's columns in order; the first unreadable one is remembered.
class RowReader {
 public:
  explicit RowReader(const SqlRow& row) : row_(row) {}
  std::string Text() { return next_ < row_.size() ? row_[next_++] : Missing(); }
  int64_t Int(std::string_view column) {
    std::string text = Text();
    auto value = ParseInt(text, column);
    if (!value.ok()) {
      if (error_.message().empty()) error_ = value.error();
      return 0;
    }
    return *value;
  }
  Status Finish() const {
    if (!error_.message().empty()) return error_;
    if (next_ != row_.size()) return Error("row has " + std::to_string(row_.size()) + " columns");
    return OkStatus();
  }

 private:
  std::string Missing() {
    if (error_.message().empty()) error_ = Error("row has too few columns");
    return "";
  }
  const SqlRow& row_;
  size_t next_ = 0;
  Error error_;
};

}  // namespace

// Column order read by JobFromRow.
std::string JobColumns(bool with_log, bool with_result) {
  return std::string(
             "id, repo, installation_id, pr_number, head_sha, head_ref, base_ref, base_sha, "
             "clone_url, trigger_event, delivery_id, state, attempts, max_attempts, "
             "lease_expirations, lease_owner, lease_expires_ms, ") +
         (with_result ? "result_json, " : "'' AS result_json, ") +
         (with_log ? "log" : "'' AS log") +
         ", error, created_ms, updated_ms, published, published_ms, check_run_id, comment_id, "
         "superseded_by, base_clone_url, verdict, title";
}

Result<Job> JobFromRow(const SqlRow& row) {
  RowReader reader(row);
  Job job;
  job.id = reader.Int("id");
  job.spec.repo = reader.Text();
  job.spec.installation_id = reader.Int("installation_id");
  job.spec.pr_number = reader.Int("pr_number");
  job.spec.head_sha = reader.Text();
  job.spec.head_ref = reader.Text();
  job.spec.base_ref = reader.Text();
  job.spec.base_sha = reader.Text();
  job.spec.clone_url = reader.Text();
  job.spec.trigger = reader.Text();
  job.spec.delivery_id = reader.Text();
  auto state = ParseJobState(reader.Text());
  job.attempts = static_cast<int>(reader.Int("attempts"));
  job.max_attempts = static_cast<int>(reader.Int("max_attempts"));
  job.lease_expirations = static_cast<int>(reader.Int("lease_expirations"));
  job.lease_owner = reader.Text();
  job.lease_expires_ms = reader.Int("lease_expires_ms");
  job.result_json = reader.Text();
  job.log = reader.Text();
  job.error = reader.Text();
  job.created_ms = reader.Int("created_ms");
  job.updated_ms = reader.Int("updated_ms");
  job.published = reader.Int("published") != 0;
  job.published_ms = reader.Int("published_ms");
  job.check_run_id = reader.Int("check_run_id");
  job.comment_id = reader.Int("comment_id");
  job.superseded_by = reader.Int("superseded_by");
  job.spec.base_clone_url = reader.Text();
  job.verdict = reader.Text();
  job.spec.title = reader.Text();
  ZC_RETURN_IF_ERROR(reader.Finish().WithContext("job row"));
  if (!state.ok()) return state.error().WithContext("job " + std::to_string(job.id));
  job.state = *state;
  return job;
}

Result<std::vector<Job>> JobsFromRows(const SqlRows& rows) {
  std::vector<Job> jobs;
  jobs.reserve(rows.size());
  for (const SqlRow& row : rows) {
    ZC_ASSIGN_OR_RETURN(Job job, JobFromRow(row));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Result<int64_t> FirstInt(const SqlRows& rows, std::string_view what) {
  if (rows.empty() || rows[0].empty()) return Error(std::string(what) + ": no row");
  return ParseInt(rows[0][0], what);
}

std::string NewToken() {
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  std::string bytes;
  for (int word = 0; word < 2; ++word) {
    uint64_t value = engine();
    bytes.append(reinterpret_cast<const char*>(&value), sizeof(value));
  }
  return LowerHex(bytes);
}

}  // namespace zooci::store_internal
