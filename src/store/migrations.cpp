// The schema, as an append-only list of migrations shared by both engines (BIGINT, TEXT and
// INTEGER mean the same to both; only the id column differs).
#include "store/sql.h"

namespace zooci::store_internal {

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1, "jobs, deliveries, pull request comments", R"sql(
CREATE TABLE deliveries (
  delivery_id TEXT PRIMARY KEY,
  received_ms BIGINT NOT NULL,
  token TEXT NOT NULL
);
CREATE TABLE jobs (
  id {id},
  repo TEXT NOT NULL,
  installation_id BIGINT NOT NULL,
  pr_number BIGINT NOT NULL,
  head_sha TEXT NOT NULL,
  head_ref TEXT NOT NULL,
  base_ref TEXT NOT NULL,
  base_sha TEXT NOT NULL,
  clone_url TEXT NOT NULL,
  trigger_event TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  lease_expirations INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_expires_ms BIGINT NOT NULL DEFAULT 0,
  result_json TEXT NOT NULL DEFAULT '',
  log TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
  published_ms BIGINT NOT NULL DEFAULT 0,
  check_run_id BIGINT NOT NULL DEFAULT 0,
  comment_id BIGINT NOT NULL DEFAULT 0,
  superseded_by BIGINT NOT NULL DEFAULT 0,
  enqueue_token TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_queued ON jobs (id) WHERE state = 'queued';
CREATE INDEX jobs_running_lease ON jobs (lease_expires_ms) WHERE state = 'running';
CREATE INDEX jobs_pull_request ON jobs (repo, pr_number);
CREATE INDEX jobs_unpublished ON jobs (id)
  WHERE published = 0 AND state IN ('done', 'dead', 'cancelled');
CREATE INDEX jobs_state ON jobs (state);
CREATE TABLE pull_request_comments (
  repo TEXT NOT NULL,
  pr_number BIGINT NOT NULL,
  comment_id BIGINT NOT NULL,
  PRIMARY KEY (repo, pr_number)
);
)sql"},
      {2, "the base repository's clone URL (a fork's pull request comes from another one)", R"sql(
ALTER TABLE jobs ADD COLUMN base_clone_url TEXT NOT NULL DEFAULT '';
)sql"},
      {3, "roles held by one coordinator at a time (the publisher)", R"sql(
CREATE TABLE roles (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_ms BIGINT NOT NULL
);
)sql"},
      {4, "the dashboard: verdict column, filters by repository, workers", R"sql(
ALTER TABLE jobs ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN title TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_repo ON jobs (repo, id);
CREATE INDEX jobs_verdict ON jobs (verdict, id);
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  labels TEXT NOT NULL,
  job_id BIGINT NOT NULL,
  started_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL
);
CREATE INDEX workers_last_seen ON workers (last_seen_ms);
)sql"},
  };
  return migrations;
}

std::string SanitizeText(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    unsigned char lead = static_cast<unsigned char>(text[pos]);
    size_t length = 0;
    uint32_t min_code = 0;
    if (lead >= 0x01 && lead < 0x80) {
      length = 1;
    } else if (lead >= 0xC2 && lead < 0xE0) {
      length = 2;
      min_code = 0x80;
    } else if (lead >= 0xE0 && lead < 0xF0) {
      length = 3;
      min_code = 0x800;
    } else if (lead >= 0xF0 && lead < 0xF5) {
      length = 4;
      min_code = 0x10000;
    }
    bool valid = length > 0 && pos + length <= text.size();
    uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; valid && k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[pos + k]);
      if ((next & 0xC0) != 0x80) valid = false;
      code = (code << 6) | (next & 0x3F);
    }
    if (valid && length > 1 &&
        (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))) {
      valid = false;
    }
    if (valid) {
      out.append(text.substr(pos, length));
      pos += length;
    } else {
      out.append(kReplacement);
      pos += 1;
    }
  }
  return out;
}

}  // namespace zooci::store_internal
