// The repeat-once rule, with faults injected between the store and a real SQLite connection: a
// connection lost before COMMIT (nothing applied) and one lost while COMMIT's acknowledgement was
// on its way back (everything applied, the caller does not know). Either way each operation takes
// effect once and reports what happened.
#include <gtest/gtest.h>

#include "store/sql.h"
#include "testing/testing.h"

namespace zooci::store_internal {
namespace {

enum class Fault { kNone, kLoseBeforeCommit, kLoseCommitAcknowledgement };

// Forwards to a real connection; on the next COMMIT (or the statement before it) pretends the
// server went away.
class FaultyConnection final : public SqlConnection {
 public:
  explicit FaultyConnection(SqlConnection* inner) : inner_(inner) {}

  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params) override {
    if (broken_) return Error("no connection to the server");
    if (faults_left_ > 0 && fault_ == Fault::kLoseBeforeCommit && sql != "COMMIT" &&
        sql.substr(0, 5) != "BEGIN") {
      return Lose();
    }
    auto result = inner_->Query(sql, params);
    if (faults_left_ > 0 && fault_ == Fault::kLoseCommitAcknowledgement && sql == "COMMIT" &&
        result.ok()) {
      return Lose();
    }
    return result;
  }
  Status ExecScript(std::string_view sql) override { return inner_->ExecScript(sql); }
  bool LastFailureRetryable() const override { return broken_; }
  bool Broken() const override { return broken_; }
  Status Reconnect() override {
    // A real server rolls back the lost session's open transaction.
    (void)inner_->Query("ROLLBACK", {});
    broken_ = false;
    ++reconnects_;
    return OkStatus();
  }

  // The next `times` statements that `fault` applies to fail as if the server went away.
  void Arm(Fault fault, int times = 1) {
    fault_ = fault;
    faults_left_ = times;
  }
  int reconnects() const { return reconnects_; }

 private:
  Error Lose() {
    --faults_left_;
    broken_ = true;
    return Error("server closed the connection unexpectedly");
  }
  SqlConnection* inner_;
  Fault fault_ = Fault::kNone;
  int faults_left_ = 0;
  bool broken_ = false;
  int reconnects_ = 0;
};

class FaultyPool final : public ConnectionPool {
 public:
  FaultyPool(std::unique_ptr<ConnectionPool> inner, FaultyConnection** connection)
      : inner_(std::move(inner)) {
    SqlConnection* real = *inner_->Acquire();
    inner_->Release(real);
    connection_ = std::make_unique<FaultyConnection>(real);
    *connection = connection_.get();
  }
  Result<SqlConnection*> Acquire() override {
    ZC_RETURN_IF_ERROR(inner_->Acquire());
    return connection_.get();
  }
  void Release(SqlConnection*) override { inner_->Release(nullptr); }

 private:
  std::unique_ptr<ConnectionPool> inner_;
  std::unique_ptr<FaultyConnection> connection_;
};

class FaultyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir("store_retry_test");
    auto pool = OpenSqlitePool((dir_->path() / "jobs.db").string(), StoreOptions{});
    ASSERT_TRUE(pool.ok()) << pool.error().message();
    auto faulty = std::make_unique<FaultyPool>(std::move(pool).value(), &connection_);
    store_ = MakeSqlJobStore(SqliteDialect(), std::move(faulty), "sqlite:test", StoreOptions{});
    ASSERT_TRUE(store_->Migrate().ok());
  }

  static JobSpec Spec(int64_t pr_number, const std::string& sha) {
    JobSpec spec;
    spec.repo = "owner/zoo";
    spec.pr_number = pr_number;
    spec.head_sha = sha;
    return spec;
  }

  std::unique_ptr<TempDir> dir_;
  FaultyConnection* connection_ = nullptr;  // owned by the store's pool
  std::unique_ptr<JobStore> store_;
};

class StoreRetryTest : public FaultyStoreTest, public ::testing::WithParamInterface<Fault> {};
INSTANTIATE_TEST_SUITE_P(Faults, StoreRetryTest,
                         ::testing::Values(Fault::kLoseBeforeCommit,
                                           Fault::kLoseCommitAcknowledgement),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return info.param == Fault::kLoseBeforeCommit ? "BeforeCommit"
                                                                         : "CommitAcknowledgement";
                         });

TEST_P(StoreRetryTest, EveryWriteTakesEffectOnceAndSaysSo) {
  connection_->Arm(GetParam());
  auto delivery = store_->RecordDelivery("d-1", 100);
  ASSERT_TRUE(delivery.ok()) << delivery.error().message();
  EXPECT_TRUE(*delivery);  // new, although the repeated INSERT found the row
  EXPECT_FALSE(*store_->RecordDelivery("d-1", 101));

  connection_->Arm(GetParam());
  auto id = store_->Enqueue(Spec(1, "aaa"), 200);
  ASSERT_TRUE(id.ok()) << id.error().message();
  EXPECT_EQ(store_->CountByState()->queued, 1);  // one job, not two
  ASSERT_TRUE(store_->Enqueue(Spec(2, "bbb"), 201).ok());

  connection_->Arm(GetParam());
  auto claimed = store_->Claim("worker-1", 1000, 300);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message();
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id, *id);  // the job the lost attempt claimed, not the next one
  EXPECT_EQ(store_->CountByState()->running, 1);

  connection_->Arm(GetParam());
  auto completed = store_->Complete(*id, "worker-1", "{}", "log", 400);
  ASSERT_TRUE(completed.ok()) << completed.error().message();
  EXPECT_TRUE(*completed);
  EXPECT_FALSE(*store_->Complete(*id, "worker-1", "{}", "log", 401));

  auto second = store_->Claim("worker-2", 1000, 500);
  ASSERT_TRUE(second.ok() && second->has_value());
  connection_->Arm(GetParam());
  auto failed = store_->Fail((*second)->id, "worker-2", "checkout failed", 600);
  ASSERT_TRUE(failed.ok()) << failed.error().message();
  EXPECT_TRUE(*failed);
  auto requeued = store_->Get((*second)->id);
  EXPECT_EQ((*requeued)->state, JobState::kQueued);
  EXPECT_EQ((*requeued)->attempts, 1);
  EXPECT_EQ(connection_->reconnects(), 5);
}

TEST_F(FaultyStoreTest, ReadsAreRepeatedToo) {
  ASSERT_TRUE(store_->Enqueue(Spec(1, "aaa"), 100).ok());
  connection_->Arm(Fault::kLoseBeforeCommit);
  auto counts = store_->CountByState();
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(counts->queued, 1);
  EXPECT_EQ(connection_->reconnects(), 1);
}

TEST_F(FaultyStoreTest, ASecondLossIsReportedNotRepeatedAgain) {
  connection_->Arm(Fault::kLoseBeforeCommit, /*times=*/2);
  auto id = store_->Enqueue(Spec(1, "aaa"), 100);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().message(),
            "sqlite:test: enqueue owner/zoo#1: server closed the connection unexpectedly");
  EXPECT_EQ(connection_->reconnects(), 1);
  // Nothing was applied; the next call finds the connection lost, reopens it and goes on.
  auto counts = store_->CountByState();
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(counts->queued, 0);
  EXPECT_EQ(connection_->reconnects(), 2);
}

}  // namespace
}  // namespace zooci::store_internal
