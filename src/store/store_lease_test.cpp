// Leases on both engines: expiry and requeue, heartbeats, exactly-once completion, failures,
// and concurrent claimers.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "store/store_test_fixture.h"

namespace zooci {
namespace {

class JobLeaseTest : public StoreFixture {};
ZC_INSTANTIATE_FOR_ENGINES(JobLeaseTest);

TEST_P(JobLeaseTest, ExpiredLeaseReturnsToTheQueueThenTheJobDies) {
  int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("worker-1", 1000, 0), id);  // attempt 1, lease until 1000
  // Not expired yet: nothing to claim.
  auto early = store_->Claim("worker-2", 1000, 999);
  ASSERT_TRUE(early.ok()) << early.error().message();
  EXPECT_FALSE(early->has_value());

  auto second = store_->Claim("worker-2", 1000, 1000);  // expired: requeued and claimed again
  ASSERT_TRUE(second.ok()) << second.error().message();
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->id, id);
  EXPECT_EQ((*second)->attempts, 2);
  EXPECT_EQ((*second)->lease_expirations, 1);
  EXPECT_EQ((*second)->lease_owner, "worker-2");
  EXPECT_EQ((*second)->error, "lease of worker-1 expired");

  ASSERT_EQ(ClaimOk("worker-3", 1000, 2500), id);  // attempt 3 of 3
  auto after_last = store_->Claim("worker-4", 1000, 3500);
  ASSERT_TRUE(after_last.ok()) << after_last.error().message();
  EXPECT_FALSE(after_last->has_value());
  Job job = GetOk(id);
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_EQ(job.attempts, 3);
  EXPECT_EQ(job.lease_expirations, 3);
  EXPECT_EQ(job.error, "lease expired 3 times");
  EXPECT_EQ(job.lease_expires_ms, 0);
  EXPECT_EQ(store_->CountByState()->dead, 1);
  EXPECT_FALSE(*store_->Complete(id, "worker-3", "{}", "", 3600));
}

TEST_P(JobLeaseTest, ExpiredJobGoesBehindOlderQueuedJobsByIdOrder) {
  int64_t first = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("worker-1", 1000, 0), first);
  int64_t second = EnqueueOk(Spec(2, "bbb"));
  // The expired job is older, so it is claimed first once requeued.
  EXPECT_EQ(ClaimOk("worker-2", 1000, 5000), first);
  EXPECT_EQ(ClaimOk("worker-3", 1000, 5000), second);
}

TEST_P(JobLeaseTest, HeartbeatExtendsTheLeaseUntilItIsLost) {
  int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("worker-1", 1000, 0), id);
  auto beat = store_->Heartbeat(id, "worker-1", 1000, 800);
  ASSERT_TRUE(beat.ok()) << beat.error().message();
  EXPECT_TRUE(*beat);
  EXPECT_EQ(GetOk(id).lease_expires_ms, 1800);
  // Past the original lease, within the extended one: still held.
  auto early = store_->Claim("worker-2", 1000, 1500);
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->has_value());
  EXPECT_FALSE(*store_->Heartbeat(id, "worker-2", 1000, 1500));  // not the holder
  EXPECT_TRUE(*store_->Heartbeat(id, "worker-1", 1000, 1700));

  ASSERT_EQ(ClaimOk("worker-2", 1000, 2700), id);  // expired at 2700: taken back and reclaimed
  EXPECT_FALSE(*store_->Heartbeat(id, "worker-1", 1000, 2800));
  EXPECT_TRUE(*store_->Heartbeat(id, "worker-2", 1000, 2800));
}

TEST_P(JobLeaseTest, ResultIsRecordedExactlyOnce) {
  int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("worker-1", 1000, 0), id);
  EXPECT_FALSE(*store_->Complete(id, "worker-2", R"({"by":"impostor"})", "", 100));
  auto first = store_->Complete(id, "worker-1", R"({"by":"worker-1"})", "log 1", 200);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(*first);
  auto second = store_->Complete(id, "worker-1", R"({"by":"again"})", "log 2", 300);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_FALSE(*second);
  Job job = GetOk(id);
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_EQ(job.result_json, R"({"by":"worker-1"})");
  EXPECT_EQ(job.log, "log 1");
  EXPECT_EQ(job.updated_ms, 200);
  EXPECT_EQ(job.lease_owner, "worker-1");
  EXPECT_FALSE(*store_->Heartbeat(id, "worker-1", 1000, 400));  // a done job holds no lease
  EXPECT_FALSE(*store_->Fail(id, "worker-1", "too late", 400));
  EXPECT_EQ(GetOk(id).state, JobState::kDone);
}

TEST_P(JobLeaseTest, LateCompletionAfterTheLeaseMovedChangesNothing) {
  int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("slow-worker", 1000, 0), id);
  ASSERT_EQ(ClaimOk("fast-worker", 1000, 1000), id);
  EXPECT_FALSE(*store_->Complete(id, "slow-worker", R"({"by":"slow"})", "", 1100));
  EXPECT_EQ(GetOk(id).state, JobState::kRunning);
  EXPECT_TRUE(*store_->Complete(id, "fast-worker", R"({"by":"fast"})", "", 1200));
  EXPECT_FALSE(*store_->Complete(id, "slow-worker", R"({"by":"slow"})", "", 1300));
  EXPECT_EQ(GetOk(id).result_json, R"({"by":"fast"})");
}

TEST_P(JobLeaseTest, FailRequeuesUntilMaxAttemptsThenTheJobDies) {
  StoreOptions two_attempts;
  two_attempts.max_attempts = 2;
  store_ = Open(two_attempts);
  int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("worker-1", 1000, 0), id);
  EXPECT_FALSE(*store_->Fail(id, "worker-2", "not mine", 10));
  auto failed = store_->Fail(id, "worker-1", "git fetch: connection reset", 20);
  ASSERT_TRUE(failed.ok()) << failed.error().message();
  EXPECT_TRUE(*failed);
  Job requeued = GetOk(id);
  EXPECT_EQ(requeued.state, JobState::kQueued);
  EXPECT_EQ(requeued.error, "git fetch: connection reset");
  EXPECT_EQ(requeued.lease_expires_ms, 0);

  ASSERT_EQ(ClaimOk("worker-2", 1000, 30), id);
  EXPECT_TRUE(*store_->Fail(id, "worker-2", "git fetch: connection reset again", 40));
  Job dead = GetOk(id);
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_EQ(dead.attempts, 2);
  EXPECT_EQ(dead.error, "git fetch: connection reset again");
  auto none = store_->Claim("worker-3", 1000, 50);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// Eight claimers on two JobStore objects (separate connections, as two processes would have)
// drain one queue: every job is claimed exactly once.
TEST_P(JobLeaseTest, ConcurrentClaimersNeverGetTheSameJob) {
  constexpr int kJobs = 200;
  constexpr int kThreads = 8;
  StoreOptions options;
  options.pool_size = 4;
  std::unique_ptr<JobStore> stores[2] = {Open(options), Open(options)};
  ASSERT_NE(stores[0], nullptr);
  ASSERT_NE(stores[1], nullptr);
  for (int job = 0; job < kJobs; ++job) EnqueueOk(Spec(job + 1, "sha" + std::to_string(job)));

  std::mutex mutex;
  std::map<int64_t, std::vector<std::string>> claims;  // guarded by mutex
  std::vector<std::string> errors;                     // guarded by mutex
  std::atomic<int64_t> clock_ms{10000};
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      JobStore& store = *stores[thread_idx % 2];
      const std::string worker = "worker-" + std::to_string(thread_idx);
      while (true) {
        auto claimed = store.Claim(worker, 600000, clock_ms++);
        if (!claimed.ok() || !claimed->has_value()) {
          if (!claimed.ok()) {
            std::lock_guard<std::mutex> lock(mutex);
            errors.push_back(claimed.error().message());
          }
          return;
        }
        int64_t id = (*claimed)->id;
        {
          std::lock_guard<std::mutex> lock(mutex);
          claims[id].push_back(worker);
        }
        auto completed = store.Complete(id, worker, "{}", "", clock_ms++);
        if (!completed.ok() || !*completed) {
          std::lock_guard<std::mutex> lock(mutex);
          errors.push_back("complete " + std::to_string(id) + " by " + worker + " failed");
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(errors.empty()) << errors.size() << " errors, first: " << errors.front();
  EXPECT_EQ(claims.size(), static_cast<size_t>(kJobs));
  for (const auto& [id, workers] : claims) {
    EXPECT_EQ(workers.size(), 1u) << "job " << id << " claimed by " << JoinStrings(workers, ", ");
  }
  auto counts = store_->CountByState();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->done, kJobs);
  EXPECT_EQ(counts->queued, 0);
}

}  // namespace
}  // namespace zooci
