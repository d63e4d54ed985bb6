// JobStore on both engines: URLs, migrations, deliveries, enqueue and claim order, supersede,
// cancel, publication, the dashboard's reads.
#include <thread>

#include "store/store_test_fixture.h"

namespace zooci {
namespace {

// ---- Store URLs (no database) -------------------------------------------------------------------

TEST(StoreUrlTest, ParsesSqliteForms) {
  auto relative = ParseStoreUrl("sqlite:data/jobs.db");
  ASSERT_TRUE(relative.ok()) << relative.error().message();
  EXPECT_EQ(relative->engine, StoreUrl::Engine::kSqlite);
  EXPECT_EQ(relative->sqlite_path, "data/jobs.db");
  auto absolute = ParseStoreUrl("sqlite:///var/lib/zooci/jobs.db");
  ASSERT_TRUE(absolute.ok()) << absolute.error().message();
  EXPECT_EQ(absolute->sqlite_path, "/var/lib/zooci/jobs.db");
  EXPECT_EQ(absolute->Redacted(), "sqlite:/var/lib/zooci/jobs.db");
}

TEST(StoreUrlTest, ParsesPostgresFormsAndRedactsPasswords) {
  for (const char* text : {"postgresql://ci:s3cret@db.internal:5433/zooci?sslmode=require",
                           "postgres://ci:s3cret@db.internal/zooci"}) {
    auto url = ParseStoreUrl(text);
    ASSERT_TRUE(url.ok()) << url.error().message();
    EXPECT_EQ(url->engine, StoreUrl::Engine::kPostgres);
    EXPECT_EQ(url->postgres_conninfo, text);
    EXPECT_EQ(url->Redacted().find("s3cret"), std::string::npos) << url->Redacted();
    EXPECT_NE(url->Redacted().find("ci:***@db.internal"), std::string::npos) << url->Redacted();
  }
  auto in_query = ParseStoreUrl("postgresql://db/zooci?user=ci&password=s3cret&sslmode=disable");
  ASSERT_TRUE(in_query.ok()) << in_query.error().message();
  EXPECT_EQ(in_query->Redacted(), "postgresql://db/zooci?user=ci&password=***&sslmode=disable");
}

TEST(StoreUrlTest, RejectsBadUrlsWithTheFormsExpected) {
  struct Case {
    const char* url;
    const char* expected;  // in the message
  };
  for (const Case& bad :
       {Case{"mysql://ci@db/zooci", "unknown scheme 'mysql'"}, Case{"jobs.db", "no scheme"},
        Case{"sqlite:", "no database file"}, Case{"sqlite://relative/jobs.db", "absolute path"},
        Case{"postgresql://ci:s3cret@db/zooci?nonsense=1", "nonsense"}}) {
    auto url = ParseStoreUrl(bad.url);
    ASSERT_FALSE(url.ok()) << bad.url;
    EXPECT_NE(url.error().message().find(bad.expected), std::string::npos) << url.error().message();
    EXPECT_EQ(url.error().message().find("s3cret"), std::string::npos) << url.error().message();
  }
  auto unknown = ParseStoreUrl("redis://localhost");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("expected sqlite:PATH"), std::string::npos);
}

TEST(StoreUrlTest, UnreachablePostgresFailsAtOpenNamingTheRedactedUrl) {
  auto store = OpenJobStore("postgresql://ci:s3cret@127.0.0.1:1/zooci?connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message().find("open job store postgresql://ci:***@127.0.0.1:1"),
            std::string::npos)
      << store.error().message();
  EXPECT_EQ(store.error().message().find("s3cret"), std::string::npos);
}

TEST(StoreUrlTest, InMemorySqliteOpens) {
  auto store = OpenJobStore("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.error().message();
  JobSpec spec;
  spec.repo = "owner/zoo";
  spec.head_sha = "aaa";
  ASSERT_TRUE((*store)->Enqueue(spec, 1).ok());
  EXPECT_EQ((*store)->CountByState()->queued, 1);
}

TEST(JobStateTest, NamesRoundTrip) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kDead,
                         JobState::kCancelled}) {
    auto parsed = ParseJobState(JobStateName(state));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, state);
  }
  EXPECT_FALSE(ParseJobState("finished").ok());
}

// ---- Both engines
// --------------------------------------------------------------------------------

class JobStoreTest : public StoreFixture {};
ZC_INSTANTIATE_FOR_ENGINES(JobStoreTest);

TEST_P(JobStoreTest, MigrationsAreIdempotent) {
  auto version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.error().message();
  EXPECT_EQ(*version, 4);
  int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_TRUE(store_->Migrate().ok());
  ASSERT_TRUE(store_->Migrate().ok());
  auto reopened = Open();  // migrates again, on its own connection
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(*reopened->SchemaVersion(), 4);
  auto job = reopened->Get(id);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->spec.head_sha, "aaa");
}

TEST_P(JobStoreTest, StoresOpenedConcurrentlyMigrateOnce) {
  std::vector<std::thread> threads;
  std::vector<std::string> errors(4);
  for (size_t index = 0; index < errors.size(); ++index) {
    threads.emplace_back([&, index] {
      auto store = OpenJobStore(url_);
      if (!store.ok()) errors[index] = store.error().message();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const std::string& error : errors) EXPECT_EQ(error, "");
  EXPECT_EQ(*store_->SchemaVersion(), 4);
}

TEST_P(JobStoreTest, DeliveryIsRecordedOnce) {
  auto first = store_->RecordDelivery("72d3162e-cc78-11e3-81ab-4c9367dc0958", 1000);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(*first);
  auto again = store_->RecordDelivery("72d3162e-cc78-11e3-81ab-4c9367dc0958", 2000);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_FALSE(*again);
  EXPECT_TRUE(*store_->RecordDelivery("another", 2000));
  auto other_store = Open();
  EXPECT_FALSE(*other_store->RecordDelivery("another", 3000));
  EXPECT_FALSE(store_->RecordDelivery("", 1000).ok());
}

// One publisher among coordinators: the role goes to one owner until its lease runs out.
TEST_P(JobStoreTest, RoleIsHeldByOneOwnerUntilItsLeaseRunsOut) {
  EXPECT_TRUE(*store_->AcquireRole("publisher", "coordinator-a", 10000, 1000));
  EXPECT_FALSE(*store_->AcquireRole("publisher", "coordinator-b", 10000, 2000));
  EXPECT_TRUE(*store_->AcquireRole("publisher", "coordinator-a", 10000, 5000));  // renewed
  EXPECT_FALSE(*store_->AcquireRole("publisher", "coordinator-b", 10000, 14000));
  EXPECT_TRUE(*store_->AcquireRole("publisher", "coordinator-b", 10000, 15001));  // a died
  EXPECT_FALSE(*store_->AcquireRole("publisher", "coordinator-a", 10000, 15002));
  EXPECT_TRUE(*store_->AcquireRole("another-role", "coordinator-a", 10000, 15002));
}

TEST_P(JobStoreTest, ClaimsOldestFirstAndKeepsEveryField) {
  JobSpec spec = Spec(7, "0123456789abcdef0123456789abcdef01234567");
  spec.trigger = "check_run.rerequested";
  int64_t first = EnqueueOk(spec, 1000);
  int64_t second = EnqueueOk(Spec(8, "bbb"), 1001);
  int64_t third = EnqueueOk(Spec(9, "ccc"), 1002);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);

  auto claimed = store_->Claim("worker-a", 60000, 5000);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message();
  ASSERT_TRUE(claimed->has_value());
  const Job& job = **claimed;
  EXPECT_EQ(job.id, first);
  EXPECT_EQ(job.state, JobState::kRunning);
  EXPECT_EQ(job.attempts, 1);
  EXPECT_EQ(job.max_attempts, 3);
  EXPECT_EQ(job.lease_owner, "worker-a");
  EXPECT_EQ(job.lease_expires_ms, 65000);
  EXPECT_EQ(job.created_ms, 1000);
  EXPECT_EQ(job.updated_ms, 5000);
  EXPECT_EQ(job.spec.repo, spec.repo);
  EXPECT_EQ(job.spec.installation_id, spec.installation_id);
  EXPECT_EQ(job.spec.pr_number, spec.pr_number);
  EXPECT_EQ(job.spec.head_sha, spec.head_sha);
  EXPECT_EQ(job.spec.head_ref, spec.head_ref);
  EXPECT_EQ(job.spec.base_ref, spec.base_ref);
  EXPECT_EQ(job.spec.base_sha, spec.base_sha);
  EXPECT_EQ(job.spec.clone_url, spec.clone_url);
  EXPECT_EQ(job.spec.trigger, spec.trigger);
  EXPECT_EQ(job.spec.delivery_id, spec.delivery_id);

  EXPECT_EQ(ClaimOk("worker-b", 60000, 5001), second);
  EXPECT_EQ(ClaimOk("worker-c", 60000, 5002), third);
  auto empty = store_->Claim("worker-d", 60000, 5003);
  ASSERT_TRUE(empty.ok()) << empty.error().message();
  EXPECT_FALSE(empty->has_value());
  EXPECT_FALSE(store_->Claim("", 60000, 5003).ok());
}

TEST_P(JobStoreTest, NewHeadShaSupersedesQueuedAndRunningJobsOfThePullRequest) {
  int64_t done = EnqueueOk(Spec(1, "old"));
  ASSERT_EQ(ClaimOk("worker-f", 60000, 1500), done);
  ASSERT_TRUE(*store_->Complete(done, "worker-f", "{}", "", 1600));
  int64_t running = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("worker-a", 60000, 2000), running);
  int64_t queued = EnqueueOk(Spec(1, "aaa"));  // a retest of the same head supersedes nothing
  int64_t other_pr = EnqueueOk(Spec(2, "xxx"));
  int64_t other_repo = EnqueueOk(Spec(1, "yyy", "someone/else"));
  EXPECT_EQ(GetOk(running).state, JobState::kRunning);

  int64_t newest = EnqueueOk(Spec(1, "bbb"), 3000);
  for (int64_t superseded : {running, queued}) {
    Job job = GetOk(superseded);
    EXPECT_EQ(job.state, JobState::kCancelled) << superseded;
    EXPECT_EQ(job.superseded_by, newest);
    EXPECT_NE(job.error.find("superseded by job " + std::to_string(newest)), std::string::npos)
        << job.error;
    EXPECT_EQ(job.updated_ms, 3000);
  }
  EXPECT_EQ(GetOk(other_pr).state, JobState::kQueued);
  EXPECT_EQ(GetOk(other_repo).state, JobState::kQueued);
  EXPECT_EQ(GetOk(done).state, JobState::kDone);
  EXPECT_EQ(GetOk(done).superseded_by, 0);
  EXPECT_EQ(GetOk(newest).state, JobState::kQueued);
  // The superseded worker learns it at its next heartbeat, and cannot complete.
  EXPECT_FALSE(*store_->Heartbeat(running, "worker-a", 60000, 3001));
  EXPECT_FALSE(*store_->Complete(running, "worker-a", "{\"late\":true}", "", 3002));
  EXPECT_EQ(GetOk(running).result_json, "");
  // The same head again supersedes nothing.
  int64_t retest = EnqueueOk(Spec(1, "bbb"), 3003);
  EXPECT_EQ(GetOk(newest).state, JobState::kQueued);
  EXPECT_EQ(GetOk(retest).state, JobState::kQueued);
}

TEST_P(JobStoreTest, ClosingThePullRequestCancelsItsJobs) {
  int64_t running = EnqueueOk(Spec(5, "aaa"));
  ASSERT_EQ(ClaimOk("worker-a", 60000, 2000), running);
  int64_t queued = EnqueueOk(Spec(5, "aaa"));
  int64_t other = EnqueueOk(Spec(6, "bbb"));
  auto cancelled = store_->CancelPullRequest("owner/zoo", 5, 4000);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message();
  EXPECT_EQ(*cancelled, 2);
  for (int64_t id : {running, queued}) {
    EXPECT_EQ(GetOk(id).state, JobState::kCancelled);
    EXPECT_EQ(GetOk(id).error, "pull request closed");
  }
  EXPECT_EQ(GetOk(running).lease_expires_ms, 0);
  EXPECT_EQ(GetOk(running).lease_owner, "worker-a");  // who was running it, for the record
  EXPECT_EQ(GetOk(other).state, JobState::kQueued);
  EXPECT_FALSE(*store_->Heartbeat(running, "worker-a", 60000, 4001));
  EXPECT_EQ(*store_->CancelPullRequest("owner/zoo", 5, 4002), 0);
}

TEST_P(JobStoreTest, UnpublishedResultsUntilMarkedPublished) {
  auto none = store_->Unpublished(10);
  ASSERT_TRUE(none.ok()) << none.error().message();
  EXPECT_TRUE(none->empty());
  int64_t id = EnqueueOk(Spec(3, "aaa"));
  ASSERT_EQ(ClaimOk("worker-a", 60000, 2000), id);
  ASSERT_TRUE(store_->SetPublication(id, /*check_run_id=*/555, /*comment_id=*/0, 2001).ok());
  EXPECT_TRUE(store_->Unpublished(10)->empty());  // running: nothing to publish yet
  ASSERT_TRUE(*store_->Complete(id, "worker-a", R"({"verdict":"pass"})", "log text", 3000));

  auto pending = store_->Unpublished(10);
  ASSERT_TRUE(pending.ok()) << pending.error().message();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, id);
  EXPECT_EQ((*pending)[0].result_json, R"({"verdict":"pass"})");
  EXPECT_EQ((*pending)[0].check_run_id, 555);
  EXPECT_FALSE((*pending)[0].published);

  ASSERT_TRUE(store_->MarkPublished(id, /*check_run_id=*/0, /*comment_id=*/777, 4000).ok());
  EXPECT_TRUE(store_->Unpublished(10)->empty());
  Job job = GetOk(id);
  EXPECT_TRUE(job.published);
  EXPECT_EQ(job.published_ms, 4000);
  EXPECT_EQ(job.check_run_id, 555);  // 0 kept the stored id
  EXPECT_EQ(job.comment_id, 777);
  EXPECT_FALSE(store_->MarkPublished(987654, 1, 1, 4000).ok());

  // Dead and cancelled jobs are reported too (a failure; a cancelled check run).
  StoreOptions one_attempt;
  one_attempt.max_attempts = 1;
  auto strict = Open(one_attempt);
  int64_t dead = *strict->Enqueue(Spec(4, "ddd"), 5000);
  ASSERT_TRUE(strict->Claim("worker-b", 100, 5000)->has_value());
  ASSERT_TRUE(*strict->Fail(dead, "worker-b", "checkout failed", 5001));
  int64_t cancelled = EnqueueOk(Spec(9, "eee"), 5002);
  ASSERT_EQ(*store_->CancelPullRequest("owner/zoo", 9, 5003), 1);
  auto final_jobs = store_->Unpublished(10);
  ASSERT_TRUE(final_jobs.ok());
  ASSERT_EQ(final_jobs->size(), 2u);
  EXPECT_EQ((*final_jobs)[0].id, dead);
  EXPECT_EQ((*final_jobs)[0].state, JobState::kDead);
  EXPECT_EQ((*final_jobs)[1].id, cancelled);
  EXPECT_EQ(store_->Unpublished(1)->size(), 1u);
}

TEST_P(JobStoreTest, OneCommentPerPullRequest) {
  EXPECT_EQ(*store_->PullRequestCommentId("owner/zoo", 3), 0);
  auto recorded = store_->RecordPullRequestComment("owner/zoo", 3, 111);
  ASSERT_TRUE(recorded.ok()) << recorded.error().message();
  EXPECT_EQ(*recorded, 111);
  // A racing publisher that created a second comment gets the first one back.
  EXPECT_EQ(*Open()->RecordPullRequestComment("owner/zoo", 3, 222), 111);
  EXPECT_EQ(*store_->PullRequestCommentId("owner/zoo", 3), 111);
  EXPECT_EQ(*store_->PullRequestCommentId("owner/zoo", 4), 0);
  EXPECT_EQ(*store_->PullRequestCommentId("someone/else", 3), 0);
  EXPECT_FALSE(store_->RecordPullRequestComment("owner/zoo", 5, 0).ok());
}

TEST_P(JobStoreTest, RecentIsNewestFirstWithoutLogsAndCountsByState) {
  std::vector<int64_t> ids;
  for (int pr = 1; pr <= 5; ++pr) ids.push_back(EnqueueOk(Spec(pr, "sha" + std::to_string(pr))));
  ASSERT_EQ(ClaimOk("worker-a", 60000, 2000), ids[0]);
  ASSERT_TRUE(*store_->Complete(ids[0], "worker-a", "{}", "a long log", 2001));
  ASSERT_EQ(ClaimOk("worker-b", 60000, 2002), ids[1]);
  ASSERT_EQ(*store_->CancelPullRequest("owner/zoo", 3, 2003), 1);

  auto recent = store_->Recent(3, 0);
  ASSERT_TRUE(recent.ok()) << recent.error().message();
  ASSERT_EQ(recent->size(), 3u);
  EXPECT_EQ((*recent)[0].id, ids[4]);
  EXPECT_EQ((*recent)[2].id, ids[2]);
  auto page_two = store_->Recent(3, 3);
  ASSERT_EQ(page_two->size(), 2u);
  EXPECT_EQ((*page_two)[1].id, ids[0]);
  EXPECT_EQ((*page_two)[1].log, "");  // Recent leaves logs out
  EXPECT_EQ((*page_two)[1].result_json, "{}");
  EXPECT_EQ(GetOk(ids[0]).log, "a long log");

  auto counts = store_->CountByState();
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(counts->queued, 2);
  EXPECT_EQ(counts->running, 1);
  EXPECT_EQ(counts->done, 1);
  EXPECT_EQ(counts->cancelled, 1);
  EXPECT_EQ(counts->dead, 0);
  auto missing = store_->Get(424242);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(JobStoreTest, TextIsStoredAsValidUtf8) {
  int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("worker-a", 60000, 2000), id);
  const std::string log = std::string("crash \xff\xfe then a NUL ") + '\0' + " caf\xc3\xa9";
  ASSERT_TRUE(
      *store_->Complete(id, "worker-a", "{\"name\":\"r\xc3\xa9seau \xe2\x9c\x93\"}", log, 3000));
  Job job = GetOk(id);
  EXPECT_EQ(job.result_json, "{\"name\":\"r\xc3\xa9seau \xe2\x9c\x93\"}");
  EXPECT_EQ(job.log, "crash \xef\xbf\xbd\xef\xbf\xbd then a NUL \xef\xbf\xbd caf\xc3\xa9");
}

TEST_P(JobStoreTest, StateSurvivesReopening) {
  int64_t id = EnqueueOk(Spec(1, "aaa"));
  ASSERT_EQ(ClaimOk("worker-a", 60000, 2000), id);
  store_.reset();
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(GetOk(id).state, JobState::kRunning);
  EXPECT_TRUE(*store_->Complete(id, "worker-a", "{}", "", 3000));
}

}  // namespace
}  // namespace zooci
