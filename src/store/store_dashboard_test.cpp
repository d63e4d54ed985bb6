// The dashboard's queries on both engines: filters and pages, the verdict column, an
// administrator's cancel, the streamed log and the workers seen.
#include "store/store_test_fixture.h"

namespace zooci {
namespace {

class DashboardStoreTest : public StoreFixture {};
ZC_INSTANTIATE_FOR_ENGINES(DashboardStoreTest);

TEST_P(DashboardStoreTest, FindFiltersByRepositoryStateAndVerdictBeforePaging) {
  std::vector<int64_t> ids;
  for (int pr = 1; pr <= 6; ++pr) {
    ids.push_back(EnqueueOk(Spec(pr, "sha" + std::to_string(pr),
                                 pr % 2 == 0 ? "owner/zoo" : "other/zoo")));
  }
  // Done with verdicts: job 1 (other) DECLINE, job 2 (owner) ACCEPT, job 4 (owner) DECLINE.
  const std::pair<int, const char*> finished[] = {{0, "DECLINE"}, {1, "ACCEPT"}, {3, "DECLINE"}};
  for (auto [index, verdict] : finished) {
    auto claimed = store_->Claim("w", 60000, 2000);
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
    while ((*claimed)->id != ids[index]) {  // skip the ones left queued in between
      ASSERT_TRUE(*store_->Fail((*claimed)->id, "w", "skip", 2001));
      claimed = store_->Claim("w", 60000, 2002);
      ASSERT_TRUE(claimed.ok() && claimed->has_value());
    }
    ASSERT_TRUE(*store_->Complete(ids[index], "w",
                                  std::string("{\"verdict\":\"") + verdict + "\",\"html\":\"x\"}",
                                  "log", 2003));
  }
  JobQuery query;
  query.repo = "owner/zoo";
  auto owner = store_->Find(query);
  ASSERT_TRUE(owner.ok()) << owner.error().message();
  ASSERT_EQ(owner->size(), 3u);
  EXPECT_EQ((*owner)[0].id, ids[5]);  // newest first
  EXPECT_EQ((*owner)[0].result_json, "");  // results left out by default
  query.verdict = "DECLINE";
  auto declined = store_->Find(query);
  ASSERT_EQ(declined->size(), 1u);
  EXPECT_EQ((*declined)[0].id, ids[3]);
  EXPECT_EQ((*declined)[0].verdict, "DECLINE");
  query = JobQuery{};
  query.verdict = "DECLINE";
  query.limit = 1;
  query.offset = 1;  // the second page of one: filtered before paging
  query.with_results = true;
  auto second = store_->Find(query);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, ids[0]);
  EXPECT_NE((*second)[0].result_json.find("\"html\""), std::string::npos);
  query = JobQuery{};
  query.state = JobState::kDone;
  EXPECT_EQ(store_->Find(query)->size(), 3u);
  query.repo = "nobody/' OR 1=1 --";
  EXPECT_EQ(store_->Find(query)->size(), 0u);  // bound, never spliced into the SQL
  EXPECT_EQ(GetOk(ids[1]).verdict, "ACCEPT");
  query = JobQuery{};
  query.result_contains = "\"verdict\":\"DECLINE\"";
  EXPECT_EQ(store_->Find(query)->size(), 2u);
  query.result_contains = "\"verdict\":\"DECL_NE\"";  // '_' is not a wildcard
  EXPECT_EQ(store_->Find(query)->size(), 0u);
  query.result_contains = "%";
  EXPECT_EQ(store_->Find(query)->size(), 0u);
}

TEST_P(DashboardStoreTest, CancelEndsQueuedAndRunningJobsOnly) {
  const int64_t queued = EnqueueOk(Spec(1, "aaa"));
  const int64_t running = EnqueueOk(Spec(2, "bbb"));
  ASSERT_EQ(ClaimOk("w", 60000, 2000), queued);
  // `queued` is now running; `running` still queued. Cancel both, then again.
  EXPECT_TRUE(*store_->Cancel(queued, "cancelled by an administrator", 3000));
  EXPECT_TRUE(*store_->Cancel(running, "cancelled by an administrator", 3000));
  EXPECT_FALSE(*store_->Cancel(running, "again", 3001));
  EXPECT_FALSE(*store_->Cancel(424242, "missing", 3001));
  EXPECT_EQ(GetOk(queued).state, JobState::kCancelled);
  EXPECT_EQ(GetOk(queued).error, "cancelled by an administrator");
  // The worker learns it at its next heartbeat, and cannot complete it.
  EXPECT_FALSE(*store_->Heartbeat(queued, "w", 60000, 3002));
  EXPECT_FALSE(*store_->Complete(queued, "w", "{}", "", 3003));
}

TEST_P(DashboardStoreTest, LogIsStreamedByTheLeaseHolderOnly) {
  const int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("w", 60000, 2000), id);
  EXPECT_TRUE(*store_->AppendLog(id, "w", "fetch\n", 2001));
  EXPECT_TRUE(*store_->AppendLog(id, "w", "review\n", 2002));
  EXPECT_FALSE(*store_->AppendLog(id, "intruder", "forged\n", 2003));
  EXPECT_EQ(GetOk(id).log, "fetch\nreview\n");
  ASSERT_TRUE(*store_->Complete(id, "w", "{}", "the whole log\n", 2004));
  EXPECT_FALSE(*store_->AppendLog(id, "w", "late\n", 2005));
  EXPECT_EQ(GetOk(id).log, "the whole log\n");
}

TEST_P(DashboardStoreTest, WorkersAreListedMostRecentlySeenFirst) {
  ASSERT_TRUE(store_->RecordWorker({"host:1:0", "cpu,x86", 0, 0, 1000}).ok());
  ASSERT_TRUE(store_->RecordWorker({"host:2:0", "", 7, 0, 1500}).ok());
  ASSERT_TRUE(store_->RecordWorker({"host:1:0", "cpu,x86", 9, 0, 2000}).ok());
  auto workers = store_->Workers(0);
  ASSERT_TRUE(workers.ok()) << workers.error().message();
  ASSERT_EQ(workers->size(), 2u);
  EXPECT_EQ((*workers)[0].id, "host:1:0");
  EXPECT_EQ((*workers)[0].job_id, 9);
  EXPECT_EQ((*workers)[0].started_ms, 1000);  // first seen, kept
  EXPECT_EQ((*workers)[0].last_seen_ms, 2000);
  EXPECT_EQ((*workers)[0].labels, "cpu,x86");
  EXPECT_EQ(store_->Workers(1800)->size(), 1u);  // the other one went quiet
}

}  // namespace
}  // namespace zooci
