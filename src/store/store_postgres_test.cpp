// PostgreSQL only: the store survives a server restart and connections the server kills, with a
// server of the test's own (it is stopped and started under the store's feet).
#include <libpq-fe.h>

#include <thread>

#include "store/store_test_fixture.h"

namespace zooci {
namespace {

class PostgresReconnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::TestingPostgres::Unavailable(); !why.empty()) {
      GTEST_SKIP() << "PostgreSQL tests skipped: " << why;
    }
    auto server = testing::TestingPostgres::Start();
    ASSERT_TRUE(server.ok()) << server.error().message();
    server_ = std::move(server).value();
    auto database = server_->CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.error().message();
    url_ = *database;
    StoreOptions options;
    options.pool_size = 3;
    auto store = OpenJobStore(url_, options);
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_ = std::move(store).value();
  }

  int64_t Enqueue(int64_t pr_number, const std::string& sha, int64_t now_ms) {
    JobSpec spec;
    spec.repo = "owner/zoo";
    spec.pr_number = pr_number;
    spec.head_sha = sha;
    auto id = store_->Enqueue(spec, now_ms);
    EXPECT_TRUE(id.ok()) << id.error().message();
    return id.ok() ? *id : 0;
  }

  // Opens every connection of the pool: three threads in the store at once.
  void UseAllConnections() {
    std::vector<std::thread> threads;
    for (int thread_idx = 0; thread_idx < 3; ++thread_idx) {
      threads.emplace_back([this] {
        for (int round = 0; round < 20; ++round) EXPECT_TRUE(store_->CountByState().ok());
      });
    }
    for (auto& thread : threads) thread.join();
  }

  std::unique_ptr<testing::TestingPostgres> server_;
  std::string url_;
  std::unique_ptr<JobStore> store_;
};

TEST_F(PostgresReconnectTest, ServerRestartMidUseLosesNothing) {
  int64_t first = Enqueue(1, "aaa", 1000);
  int64_t second = Enqueue(2, "bbb", 1001);
  ASSERT_TRUE(*store_->RecordDelivery("before-restart", 1002));
  auto claimed = store_->Claim("worker-1", 60000, 2000);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  ASSERT_EQ((*claimed)->id, first);
  UseAllConnections();

  ASSERT_TRUE(server_->Restart().ok()) << server_->Log();

  // Every pooled connection is now dead; each operation notices, reconnects and repeats itself.
  auto beat = store_->Heartbeat(first, "worker-1", 60000, 3000);
  ASSERT_TRUE(beat.ok()) << beat.error().message();
  EXPECT_TRUE(*beat);
  UseAllConnections();
  EXPECT_FALSE(*store_->RecordDelivery("before-restart", 3001));
  EXPECT_TRUE(*store_->RecordDelivery("after-restart", 3002));
  int64_t third = Enqueue(3, "ccc", 3003);
  auto next = store_->Claim("worker-2", 60000, 3004);
  ASSERT_TRUE(next.ok()) << next.error().message();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->id, second);
  EXPECT_TRUE(*store_->Complete(first, "worker-1", R"({"ok":true})", "", 3005));

  auto counts = store_->CountByState();
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(counts->done, 1);
  EXPECT_EQ(counts->running, 1);
  EXPECT_EQ(counts->queued, 1);
  auto job = store_->Get(third);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->state, JobState::kQueued);
  EXPECT_EQ((*store_->Get(first))->result_json, R"({"ok":true})");
}

TEST_F(PostgresReconnectTest, ServerDownIsAnErrorAndTheStoreRecoversWhenItIsBack) {
  int64_t id = Enqueue(1, "aaa", 1000);
  ASSERT_TRUE(server_->Stop().ok());
  auto claimed = store_->Claim("worker-1", 60000, 2000);
  ASSERT_FALSE(claimed.ok());
  EXPECT_NE(claimed.error().message().find("claim for worker-1"), std::string::npos)
      << claimed.error().message();
  EXPECT_FALSE(store_->CountByState().ok());

  ASSERT_TRUE(server_->StartAgain().ok()) << server_->Log();
  auto after = store_->Claim("worker-1", 60000, 3000);
  ASSERT_TRUE(after.ok()) << after.error().message();
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ((*after)->id, id);
}

TEST_F(PostgresReconnectTest, ConnectionsKilledByTheServerAreReopened) {
  int64_t id = Enqueue(1, "aaa", 1000);
  UseAllConnections();
  // An administrator (or a failover) terminates every zooci session.
  PGconn* admin = PQconnectdb(server_->Url().c_str());
  ASSERT_EQ(PQstatus(admin), CONNECTION_OK) << PQerrorMessage(admin);
  PGresult* result = PQexec(admin,
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE application_name = 'zooci'");
  ASSERT_EQ(PQresultStatus(result), PGRES_TUPLES_OK) << PQresultErrorMessage(result);
  EXPECT_NE(std::string(PQgetvalue(result, 0, 0)), "0");  // one per pooled connection
  PQclear(result);
  PQfinish(admin);

  for (int round = 0; round < 3; ++round) {
    auto counts = store_->CountByState();
    ASSERT_TRUE(counts.ok()) << counts.error().message();
    EXPECT_EQ(counts->queued, 1);
  }
  UseAllConnections();
  EXPECT_EQ(Enqueue(2, "bbb", 2000), id + 1);
}

}  // namespace
}  // namespace zooci
