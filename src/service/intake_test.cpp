// Intake and publishing against a real SQLite store and the recording GitHub API: the signature
// comes first, each delivery counts once, events map to jobs; results are published once, a
// failed publication is retried from the store, and one comment per pull request is edited.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "service/internal.h"
#include "testing/testing.h"

namespace zooci::service_internal {
namespace {

std::string Testdata(const std::string& name) {
  Result<std::string> text =
      ReadFile(fs::path(ZOOCI_SOURCE_DIR) / "src/github/testdata" / name, 1 << 20);
  EXPECT_TRUE(text.ok()) << name;
  return text.ok() ? *text : "";
}

std::string Sign(const std::string& secret, const std::string& body) {
  unsigned char digest[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  return "sha256=" + LowerHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir("intake");
    auto store = OpenJobStore("sqlite:" + (dir_->path() / "jobs.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_ = std::move(*store);
    context_ = {store_.get(), &github_, "s3cret", {}};
  }

  HttpReply Deliver(const std::string& event, const std::string& delivery, const std::string& body,
                    const std::string& secret = "s3cret") {
    return HandleWebhook(context_, event, delivery, Sign(secret, body), body);
  }

  std::vector<Job> Jobs() {
    auto jobs = store_->Recent(100, 0);
    EXPECT_TRUE(jobs.ok());
    return jobs.ok() ? *jobs : std::vector<Job>{};
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<JobStore> store_;
  RecordingGitHubApi github_;
  IntakeContext context_;
};

TEST_F(IntakeTest, SignatureIsCheckedBeforeAnythingElse) {
  const std::string body = Testdata("pull_request_opened.json");
  EXPECT_EQ(Deliver("pull_request", "d1", body, "wrong").status, 401);
  EXPECT_EQ(HandleWebhook(context_, "pull_request", "d1", "", body).status, 401);
  // A bad signature on malformed JSON is still a 401: nothing is parsed before the signature.
  EXPECT_EQ(Deliver("pull_request", "d1", "{not json", "wrong").status, 401);
  EXPECT_TRUE(Jobs().empty());
  EXPECT_EQ(Deliver("pull_request", "d1", "{not json").status, 400);
  EXPECT_EQ(Deliver("pull_request", "", body).status, 400);  // no delivery id
}

TEST_F(IntakeTest, PullRequestQueuesOnceAndRedeliveryIsAcknowledged) {
  const std::string body = Testdata("pull_request_opened.json");
  HttpReply first = Deliver("pull_request", "d1", body);
  EXPECT_EQ(first.status, 202) << first.body;
  HttpReply again = Deliver("pull_request", "d1", body);
  EXPECT_EQ(again.status, 200);
  EXPECT_NE(again.body.find("duplicate"), std::string::npos);
  std::vector<Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].spec.repo, "onnx/models");
  EXPECT_EQ(jobs[0].spec.pr_number, 42);
  EXPECT_EQ(jobs[0].spec.head_sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
  EXPECT_EQ(jobs[0].spec.installation_id, 2311213);
  EXPECT_EQ(jobs[0].spec.trigger, "pull_request.opened");
  EXPECT_FALSE(jobs[0].spec.base_clone_url.empty());
}

TEST_F(IntakeTest, PingAndIgnoredEventsQueueNothing) {
  EXPECT_EQ(Deliver("ping", "p1", Testdata("ping.json")).status, 200);
  HttpReply push = Deliver("push", "p2", Testdata("push.json"));
  EXPECT_EQ(push.status, 202);
  EXPECT_NE(push.body.find("ignored"), std::string::npos);
  EXPECT_TRUE(Jobs().empty());
}

TEST_F(IntakeTest, RetestCommentQueuesThePullRequestsCurrentHead) {
  PullRequestInfo pr;
  pr.number = 42;
  pr.state = "open";
  pr.head = {"1111111111111111111111111111111111111111", "feature", "contributor/models",
             "https://github.com/contributor/models.git"};
  pr.base = {"2222222222222222222222222222222222222222", "main", "onnx/models",
             "https://github.com/onnx/models.git"};
  github_.AddPullRequest("onnx/models", pr);
  HttpReply reply = Deliver("issue_comment", "c1", Testdata("issue_comment_created.json"));
  EXPECT_EQ(reply.status, 202) << reply.body;
  std::vector<Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].spec.head_sha, pr.head.sha);
  EXPECT_EQ(jobs[0].spec.clone_url, "https://github.com/contributor/models.git");
  EXPECT_EQ(jobs[0].spec.base_clone_url, "https://github.com/onnx/models.git");
  EXPECT_EQ(jobs[0].spec.trigger, "retest");
}

TEST_F(IntakeTest, ClosedCancelsThePullRequestsJobs) {
  std::string body = Testdata("pull_request_opened.json");
  ASSERT_EQ(Deliver("pull_request", "d1", body).status, 202);
  nlohmann::json closed = nlohmann::json::parse(body);
  closed["action"] = "closed";
  HttpReply reply = Deliver("pull_request", "d2", closed.dump());
  EXPECT_EQ(reply.status, 200) << reply.body;
  std::vector<Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].state, JobState::kCancelled);
}

// ---- Publisher ----------------------------------------------------------------------------------

std::string Envelope(const std::string& verdict, int models) {
  nlohmann::json envelope = {{"verdict", verdict},
                             {"models", models},
                             {"counts", "1 of 1 model declined"},
                             {"markdown", "## ZooCI: ❌ " + verdict + "\n"},
                             {"annotations", nlohmann::json::array()}};
  for (int i = 0; i < 60; ++i) {
    envelope["annotations"].push_back({{"path", "m/README.md"},
                                       {"line", i + 1},
                                       {"level", "failure"},
                                       {"title", "m (artifacts)"},
                                       {"message", "missing section " + std::to_string(i)}});
  }
  return envelope.dump();
}

TEST_F(IntakeTest, PublisherReportsOnceRetriesFailuresAndEditsOneComment) {
  ASSERT_EQ(Deliver("pull_request", "d1", Testdata("pull_request_opened.json")).status, 202);
  Publisher publisher(*store_, github_, {"zooci", "https://zooci.test"});
  auto claimed = store_->Claim("w1", 60000, NowMs());
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  const int64_t id = (*claimed)->id;
  ASSERT_TRUE(publisher.PublishPending(NowMs()).ok());  // in progress + pending status
  ASSERT_TRUE(*store_->Complete(id, "w1", Envelope("DECLINE", 1), "log", NowMs()));
  github_.FailNext(1, "502 Bad Gateway");
  EXPECT_FALSE(publisher.PublishPending(NowMs()).ok());  // GitHub failed: stays unpublished
  ASSERT_TRUE(publisher.PublishPending(NowMs()).ok());   // retried from the store
  ASSERT_TRUE(publisher.PublishPending(NowMs()).ok());   // nothing left: no new calls
  std::map<std::string, int> methods;
  std::optional<CheckRunConclusion> conclusion;
  size_t annotations = 0;
  for (const RecordingGitHubApi::Call& call : github_.calls()) {
    ++methods[call.method];
    if (call.method == "UpdateCheckRun" && call.conclusion) {
      conclusion = call.conclusion;
      annotations = call.output.annotations.size();
    }
  }
  EXPECT_EQ(methods["CreateCheckRun"], 1);  // created once, when the job was running
  EXPECT_EQ(conclusion, CheckRunConclusion::kFailure);
  EXPECT_EQ(annotations, 60u);  // the client sends them 50 per request
  EXPECT_EQ(methods["CreateComment"], 1);
  auto job = store_->Get(id);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_TRUE((*job)->published);

  // The next push to the same pull request edits the same comment.
  nlohmann::json push = nlohmann::json::parse(Testdata("pull_request_opened.json"));
  push["action"] = "synchronize";
  push["pull_request"]["head"]["sha"] = "3333333333333333333333333333333333333333";
  ASSERT_EQ(Deliver("pull_request", "d2", push.dump()).status, 202);
  auto next = store_->Claim("w1", 60000, NowMs());
  ASSERT_TRUE(next.ok() && next->has_value());
  ASSERT_TRUE(*store_->Complete((*next)->id, "w1", Envelope("ACCEPT", 1), "log", NowMs()));
  ASSERT_TRUE(publisher.PublishPending(NowMs()).ok());
  int creates = 0, edits = 0;
  for (const RecordingGitHubApi::Call& call : github_.calls()) {
    creates += call.method == "CreateComment";
    edits += call.method == "UpdateComment";
  }
  EXPECT_EQ(creates, 1);
  EXPECT_EQ(edits, 1);
}

TEST_F(IntakeTest, IncompleteFailsTheCheckRunAndNothingToReviewIsNeutral) {
  for (const auto& [verdict, models, expected] :
       {std::tuple{"INCOMPLETE", 1, CheckRunConclusion::kFailure},
        std::tuple{"ACCEPT", 0, CheckRunConclusion::kNeutral},
        std::tuple{"ACCEPT", 1, CheckRunConclusion::kSuccess}}) {
    RecordingGitHubApi github;
    Publisher publisher(*store_, github, {"zooci", ""});
    JobSpec spec;
    spec.repo = "o/z";
    spec.pr_number = models + 100 + static_cast<int>(std::string(verdict).size());
    spec.head_sha = std::string(40, 'a');
    spec.head_ref = "b";
    spec.base_ref = "main";
    spec.clone_url = "/x";
    ASSERT_TRUE(store_->Enqueue(spec, NowMs()).ok());
    auto job = store_->Claim("w", 60000, NowMs());
    ASSERT_TRUE(job.ok() && job->has_value());
    ASSERT_TRUE(*store_->Complete((*job)->id, "w", Envelope(verdict, models), "", NowMs()));
    ASSERT_TRUE(publisher.PublishPending(NowMs()).ok());
    std::optional<CheckRunConclusion> conclusion;
    for (const auto& call : github.calls()) {
      if (call.conclusion) conclusion = call.conclusion;
    }
    EXPECT_EQ(conclusion, expected) << verdict << " " << models;
  }
}

}  // namespace
}  // namespace zooci::service_internal
