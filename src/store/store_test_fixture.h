// Test-only: a fixture that runs each JobStore test on both engines. SQLite gets a fresh file;
// PostgreSQL a fresh database on the test process's shared throwaway server (skipped, with the
// reason, when the PostgreSQL binaries are absent).
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/store.h"
#include "store/testing_postgres.h"
#include "testing/testing.h"

namespace zooci {

enum class Engine { kSqlite, kPostgres };

inline std::string EngineName(const ::testing::TestParamInfo<Engine>& info) {
  return info.param == Engine::kSqlite ? "Sqlite" : "Postgres";
}

class StoreFixture : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::kSqlite) {
      dir_ = testing::ScratchDir("store_test");
      url_ = "sqlite:" + (dir_->path() / "jobs.db").string();
    } else {
      if (std::string why = testing::TestingPostgres::Unavailable(); !why.empty()) {
        GTEST_SKIP() << "PostgreSQL tests skipped: " << why;
      }
      auto server = testing::TestingPostgres::Shared();
      ASSERT_TRUE(server.ok()) << server.error().message();
      auto database = (*server)->CreateDatabase();
      ASSERT_TRUE(database.ok()) << database.error().message();
      url_ = *database;
    }
    store_ = Open();
  }

  // Another JobStore on the same database (its own connections).
  std::unique_ptr<JobStore> Open(const StoreOptions& options = {}) {
    auto store = OpenJobStore(url_, options);
    EXPECT_TRUE(store.ok()) << store.error().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static JobSpec Spec(int64_t pr_number, const std::string& head_sha,
                      const std::string& repo = "owner/zoo") {
    JobSpec spec;
    spec.repo = repo;
    spec.installation_id = 4242;
    spec.pr_number = pr_number;
    spec.head_sha = head_sha;
    spec.head_ref = "feature-" + std::to_string(pr_number);
    spec.base_ref = "main";
    spec.base_sha = "b0b0b0";
    spec.clone_url = "https://github.com/contributor/zoo.git";
    spec.trigger = "pull_request.opened";
    spec.delivery_id = "delivery-" + head_sha;
    return spec;
  }

  int64_t EnqueueOk(const JobSpec& spec, int64_t now_ms = 1000) {
    auto id = store_->Enqueue(spec, now_ms);
    EXPECT_TRUE(id.ok()) << id.error().message();
    return id.ok() ? *id : 0;
  }

  // The job as stored; fails the test when it is missing.
  Job GetOk(int64_t job_id) {
    auto job = store_->Get(job_id);
    EXPECT_TRUE(job.ok()) << job.error().message();
    if (!job.ok() || !job->has_value()) {
      ADD_FAILURE() << "no job " << job_id;
      return Job{};
    }
    return **job;
  }

  // Claims and expects a job; returns its id (0 when none was claimed).
  int64_t ClaimOk(const std::string& worker_id, int64_t lease_ms, int64_t now_ms) {
    auto claimed = store_->Claim(worker_id, lease_ms, now_ms);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message();
    if (!claimed.ok() || !claimed->has_value()) return 0;
    return (*claimed)->id;
  }

  std::unique_ptr<TempDir> dir_;
  std::string url_;
  std::unique_ptr<JobStore> store_;
};

#define ZC_INSTANTIATE_FOR_ENGINES(fixture)  \
  INSTANTIATE_TEST_SUITE_P(Engines, fixture, \
                           ::testing::Values(Engine::kSqlite, Engine::kPostgres), EngineName)

}  // namespace zooci
