// The libcurl GitHubApi against the real fake-github process: request shapes, annotation
// batches, limits, retries (with an injected clock) and GitHub's error messages.
#include <gtest/gtest.h>

#include "github/fake_github_process.h"
#include "github/github.h"

namespace zooci {
namespace {

using github_testing::FakeGitHubProcess;
using nlohmann::json;

constexpr char kToken[] = "ghp_test_token";
constexpr char kSha[] = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const RepoRef kRepo{"onnx/models", 0};

class GitHubApiTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& extra_args = {}, HttpOptions http = {}) {
    std::vector<std::string> args = {"--token", kToken};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    fake_ = FakeGitHubProcess::Start(args);
    ASSERT_NE(fake_, nullptr);
    http.user_agent = "zooci-test/1.0";
    GitHubApiOptions options;
    options.http = http;
    options.clock = &clock_;
    auto api = MakeGitHubApi(fake_->url(), *tokens_, options);
    ASSERT_TRUE(api.ok()) << api.error().message();
    api_ = std::move(api).value();
  }

  std::vector<json> Records() { return fake_->Records(); }

  FakeWallClock clock_{SystemWallClock().NowUnixSeconds()};
  std::unique_ptr<TokenSource> tokens_ = MakeStaticToken(kToken);
  std::unique_ptr<FakeGitHubProcess> fake_;
  std::unique_ptr<GitHubApi> api_;
};

CheckRunStart NewRun(const std::string& sha, CheckRunStatus status = CheckRunStatus::kQueued) {
  CheckRunStart run;
  run.head_sha = sha;
  run.name = "ZooCI";
  run.status = status;
  return run;
}

CheckRunAnnotation Annotation(int index) {
  CheckRunAnnotation annotation;
  annotation.path = "vision/classification/resnet/README.md";
  annotation.start_line = index + 1;
  annotation.end_line = index + 1 + (index % 2);  // odd ones span two lines
  annotation.start_column = 3;                    // dropped when the annotation spans lines
  annotation.end_column = 9;
  annotation.level = index % 3 == 0 ? AnnotationLevel::kFailure : AnnotationLevel::kWarning;
  annotation.message = "finding " + std::to_string(index);
  annotation.title = "rule-" + std::to_string(index);
  return annotation;
}

TEST_F(GitHubApiTest, CheckRunWith120AnnotationsTakesThreePatches) {
  Start();
  CheckRunStart start{kSha, "ZooCI", CheckRunStatus::kInProgress,
                      "https://zooci.example.org/jobs/7", "job-7"};
  Result<int64_t> id = api_->CreateCheckRun(kRepo, start);
  ASSERT_TRUE(id.ok()) << id.error().message();
  EXPECT_GT(*id, int64_t{1} << 32);  // ids are 64-bit

  CheckRunOutput output{"2 models failed", "**resnet50**: outputs differ", "details", {}};
  for (int index = 0; index < 120; ++index) output.annotations.push_back(Annotation(index));
  Status updated = api_->UpdateCheckRun(kRepo, *id, CheckRunStatus::kCompleted,
                                        CheckRunConclusion::kFailure, output);
  ASSERT_TRUE(updated.ok()) << updated.error().message();

  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0]["method"], "POST");
  EXPECT_EQ(records[0]["path"], "/repos/onnx/models/check-runs");
  EXPECT_EQ(records[0]["body"], json({{"name", "ZooCI"},
                                      {"head_sha", kSha},
                                      {"status", "in_progress"},
                                      {"details_url", "https://zooci.example.org/jobs/7"},
                                      {"external_id", "job-7"}}));
  for (const json& record : records) {
    EXPECT_EQ(record["status"], record["method"] == "POST" ? 201 : 200) << record.dump();
    EXPECT_EQ(record["headers"]["Accept"], "application/vnd.github+json");
    EXPECT_EQ(record["headers"]["X-GitHub-Api-Version"], "2022-11-28");
    EXPECT_EQ(record["headers"]["User-Agent"], "zooci-test/1.0");
    EXPECT_EQ(record["headers"]["Authorization"], std::string("Bearer ") + kToken);
  }
  const std::string path = "/repos/onnx/models/check-runs/" + std::to_string(*id);
  const size_t batch_sizes[] = {50, 50, 20};
  for (size_t batch = 0; batch < 3; ++batch) {
    const json& record = records[batch + 1];
    EXPECT_EQ(record["method"], "PATCH");
    EXPECT_EQ(record["path"], path);
    EXPECT_EQ(record["body"]["output"]["annotations"].size(), batch_sizes[batch]);
    EXPECT_EQ(record["body"]["output"]["title"], "2 models failed");
    EXPECT_EQ(record["body"]["output"]["summary"], "**resnet50**: outputs differ");
    EXPECT_EQ(record["body"].contains("conclusion"), batch == 0);  // the verdict goes first
  }
  EXPECT_EQ(records[1]["body"]["status"], "completed");
  EXPECT_EQ(records[1]["body"]["conclusion"], "failure");
  const json& first = records[1]["body"]["output"]["annotations"][0];
  EXPECT_EQ(first, json({{"path", "vision/classification/resnet/README.md"},
                         {"start_line", 1},
                         {"end_line", 1},
                         {"start_column", 3},
                         {"end_column", 9},
                         {"annotation_level", "failure"},
                         {"message", "finding 0"},
                         {"title", "rule-0"}}));
  EXPECT_FALSE(records[1]["body"]["output"]["annotations"][1].contains("start_column"));
  EXPECT_EQ(records[3]["body"]["output"]["annotations"][19]["message"], "finding 119");

  json runs = fake_->State()["check_runs"];
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "completed");
  EXPECT_EQ(runs[0]["conclusion"], "failure");
  EXPECT_EQ(runs[0]["output"]["annotations_count"], 120);
}

TEST_F(GitHubApiTest, SummaryAndTextAreCutOnAUtf8BoundaryWithANote) {
  Start();
  Result<int64_t> id = api_->CreateCheckRun(kRepo, NewRun(kSha));
  ASSERT_TRUE(id.ok()) << id.error().message();
  std::string long_text;
  while (long_text.size() < 70'000) long_text += "modèle ";  // 'è' is two bytes
  ASSERT_TRUE(api_->UpdateCheckRun(kRepo, *id, CheckRunStatus::kInProgress, std::nullopt,
                                   {"Running", long_text, long_text, {}})
                  .ok());
  json output = Records().back()["body"]["output"];
  EXPECT_EQ(Records().back()["body"]["status"], "in_progress");
  for (const char* field : {"summary", "text"}) {
    std::string sent = output[field];
    EXPECT_LE(sent.size(), 65'535u) << field;
    EXPECT_GT(sent.size(), 65'000u) << field;
    EXPECT_NE(sent.find("… (cut: " + std::to_string(long_text.size()) +
                        " bytes in all; GitHub allows 65535)"),
              std::string::npos);
    EXPECT_TRUE(StartsWith(sent, "modèle modèle"));
  }
}

TEST_F(GitHubApiTest, StatusWithALongDescription) {
  Start();
  CommitStatus status;
  status.state = CommitState::kSuccess;
  status.target_url = "https://zooci.example.org/jobs/7";
  status.description = std::string(150, 'x') + "é";
  status.context = "zooci/validate";
  Status created = api_->CreateStatus(kRepo, kSha, status);
  ASSERT_TRUE(created.ok()) << created.error().message();
  json record = Records().back();
  EXPECT_EQ(record["path"], std::string("/repos/onnx/models/statuses/") + kSha);
  EXPECT_EQ(record["status"], 201);
  EXPECT_EQ(record["body"]["state"], "success");
  EXPECT_EQ(record["body"]["context"], "zooci/validate");
  EXPECT_EQ(record["body"]["description"], std::string(139, 'x') + "…");

  EXPECT_FALSE(api_->CreateStatus(kRepo, "../../x", status).ok());  // never reaches GitHub
  EXPECT_FALSE(api_->CreateStatus({"onnx/models/../x", 0}, kSha, status).ok());
  EXPECT_EQ(Records().size(), 1u);
}

TEST_F(GitHubApiTest, CommentIsCreatedThenEditedInPlace) {
  Start();
  Result<int64_t> id = api_->CreateComment(kRepo, 42, "ZooCI: running");
  ASSERT_TRUE(id.ok()) << id.error().message();
  ASSERT_TRUE(api_->UpdateComment(kRepo, *id, "ZooCI: 3 models passed").ok());
  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["path"], "/repos/onnx/models/issues/42/comments");
  EXPECT_EQ(records[0]["body"], json({{"body", "ZooCI: running"}}));
  EXPECT_EQ(records[1]["method"], "PATCH");
  EXPECT_EQ(records[1]["path"], "/repos/onnx/models/issues/comments/" + std::to_string(*id));
  json comments = fake_->State()["comments"];
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"], "ZooCI: 3 models passed");
  EXPECT_EQ(comments[0]["html_url"],
            "https://github.com/onnx/models/pull/42#issuecomment-" + std::to_string(*id));

  Status missing = api_->UpdateComment(kRepo, 12345, "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(),
            "PATCH /repos/onnx/models/issues/comments/12345: HTTP 404: Not Found");
  EXPECT_EQ(Records().size(), 3u);  // a 404 is not retried
}

TEST_F(GitHubApiTest, ServerErrorIsRetriedAfterABackoff) {
  Start({"--fail", "1=502"});
  Result<int64_t> id = api_->CreateComment(kRepo, 42, "hello");
  ASSERT_TRUE(id.ok()) << id.error().message();
  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["status"], 502);
  EXPECT_EQ(records[1]["status"], 201);
  std::vector<int64_t> sleeps = clock_.sleeps_ms();
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GE(sleeps[0], 500);  // 1 s initial backoff, jittered into [0.5 s, 1 s]
  EXPECT_LE(sleeps[0], 1000);
}

TEST_F(GitHubApiTest, BackoffGrowsAndGivesUp) {
  HttpOptions http;
  http.max_attempts = 4;
  Start({"--fail", "10=503"}, http);
  Result<int64_t> id = api_->CreateCheckRun(kRepo, NewRun(kSha));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(
      id.error().message(),
      "POST /repos/onnx/models/check-runs: HTTP 503: Server Error (gave up after 4 attempts)");
  EXPECT_EQ(Records().size(), 4u);
  std::vector<int64_t> sleeps = clock_.sleeps_ms();
  ASSERT_EQ(sleeps.size(), 3u);
  for (size_t retry = 0; retry < sleeps.size(); ++retry) {
    int64_t base = int64_t{1000} << retry;
    EXPECT_GE(sleeps[retry], base / 2) << retry;
    EXPECT_LE(sleeps[retry], base) << retry;
  }
}

TEST_F(GitHubApiTest, PrimaryRateLimitWaitsUntilTheReset) {
  Start({"--fail", "1=ratelimit:30"});
  Status status = api_->CreateStatus(kRepo, kSha, {CommitState::kPending, "", "queued", "zooci"});
  ASSERT_TRUE(status.ok()) << status.error().message();
  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["status"], 403);
  std::vector<int64_t> sleeps = clock_.sleeps_ms();
  ASSERT_EQ(sleeps.size(), 1u);
  // Until x-ratelimit-reset (30 s after the fake's now) plus a second; the fake's clock and
  // ours may be a second apart.
  EXPECT_GE(sleeps[0], 29'000);
  EXPECT_LE(sleeps[0], 32'000);
}

TEST_F(GitHubApiTest, SecondaryRateLimitHonoursRetryAfter) {
  Start({"--fail", "1=secondary:45"});
  ASSERT_TRUE(api_->CreateComment(kRepo, 42, "hello").ok());
  EXPECT_EQ(clock_.sleeps_ms(), std::vector<int64_t>{45'000});
}

TEST_F(GitHubApiTest, TooManyRequestsWithRetryAfter) {
  Start({"--fail", "1=429:7"});
  ASSERT_TRUE(api_->CreateComment(kRepo, 42, "hello").ok());
  EXPECT_EQ(clock_.sleeps_ms(), std::vector<int64_t>{7'000});
}

TEST_F(GitHubApiTest, ARateLimitResetTooFarAwayIsReportedNotSlept) {
  Start({"--fail", "1=ratelimit:3600"});
  Result<int64_t> id = api_->CreateComment(kRepo, 42, "hello");
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.error().message().find("HTTP 403 rate limit (x-ratelimit-remaining: 0"),
            std::string::npos)
      << id.error().message();
  EXPECT_NE(id.error().message().find("would make the wait exceed 300 s"), std::string::npos)
      << id.error().message();
  EXPECT_TRUE(clock_.sleeps_ms().empty());
  EXPECT_EQ(Records().size(), 1u);
}

TEST_F(GitHubApiTest, ValidationFailureCarriesGitHubsMessage) {
  Start();
  Result<int64_t> id = api_->CreateCheckRun(kRepo, NewRun("nope"));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().message(),
            "POST /repos/onnx/models/check-runs: HTTP 422: Validation Failed "
            "(CheckRun.head_sha: No commit found for SHA: nope)");
  EXPECT_EQ(Records().size(), 1u);  // a 422 is not retried
  EXPECT_TRUE(clock_.sleeps_ms().empty());
}

TEST_F(GitHubApiTest, ARejectedTokenIsReplacedOnce) {
  Start();
  fake_->Control("/_fake/fail?count=1&kind=401");
  ASSERT_TRUE(api_->CreateComment(kRepo, 1, "x").ok());
  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["status"], 401);
  EXPECT_EQ(records[1]["status"], 201);
  EXPECT_TRUE(clock_.sleeps_ms().empty());

  fake_->Control("/_fake/fail?count=2&kind=401");
  Result<int64_t> id = api_->CreateComment(kRepo, 1, "x");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().message(),
            "POST /repos/onnx/models/issues/1/comments: HTTP 401: Bad credentials");
}

TEST_F(GitHubApiTest, WrongTokenIsNotAccepted) {
  tokens_ = MakeStaticToken("ghp_wrong");
  Start();
  Status status = api_->CreateStatus(kRepo, kSha, {});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("HTTP 401: Bad credentials"), std::string::npos);
}

TEST_F(GitHubApiTest, GetPullRequestForARetestComment) {
  Start();
  auto fixture = ReadFile(fs::path(ZOOCI_SOURCE_DIR) / "src/github/testdata" /
                          "pull_request_synchronize_fork.json");
  ASSERT_TRUE(fixture.ok());
  fake_->Control("/_fake/repos/onnx/models/pulls/7", "PUT",
                 json::parse(*fixture)["pull_request"].dump());
  Result<PullRequestInfo> pull = api_->GetPullRequest(kRepo, 7);
  ASSERT_TRUE(pull.ok()) << pull.error().message();
  EXPECT_EQ(pull->number, 7);
  EXPECT_EQ(pull->head.sha, "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e");
  EXPECT_EQ(pull->head.clone_url, "https://github.com/forker/models.git");
  EXPECT_EQ(Records().back()["method"], "GET");

  Result<PullRequestInfo> missing = api_->GetPullRequest(kRepo, 8);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "GET /repos/onnx/models/pulls/8: HTTP 404: Not Found");
}

TEST_F(GitHubApiTest, ACompletedRunNeedsAConclusion) {
  Start();
  EXPECT_FALSE(api_->CreateCheckRun(kRepo, NewRun(kSha, CheckRunStatus::kCompleted)).ok());
  EXPECT_FALSE(api_->UpdateCheckRun(kRepo, 1, CheckRunStatus::kCompleted, std::nullopt, {}).ok());
  EXPECT_TRUE(Records().empty());
}

TEST(GitHubApiConnectTest, RefusedConnectionsAreRetriedThenReported) {
  // A port that was free a moment ago: nothing listens there.
  int port;
  {
    auto fake = FakeGitHubProcess::Start();
    ASSERT_NE(fake, nullptr);
    port = fake->port();
  }
  FakeWallClock clock(1'700'000'000);
  auto tokens = MakeStaticToken("t");
  GitHubApiOptions options;
  options.http.max_attempts = 3;
  options.clock = &clock;
  auto api = MakeGitHubApi("http://127.0.0.1:" + std::to_string(port), *tokens, options);
  ASSERT_TRUE(api.ok());
  Result<int64_t> id = (*api)->CreateComment(kRepo, 1, "x");
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.error().message().find("POST /repos/onnx/models/issues/1/comments: "),
            std::string::npos);
  EXPECT_NE(id.error().message().find("gave up after 3 attempts"), std::string::npos)
      << id.error().message();
  EXPECT_EQ(clock.sleeps_ms().size(), 2u);
  EXPECT_FALSE(MakeGitHubApi("ftp://example.org", *tokens, options).ok());
}

TEST(RecordingGitHubApiTest, RecordsCallsAndFailsOnRequest) {
  RecordingGitHubApi api;
  Result<int64_t> id = api.CreateCheckRun(kRepo, NewRun(kSha));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(api.UpdateCheckRun(kRepo, *id, CheckRunStatus::kCompleted,
                                 CheckRunConclusion::kSuccess, {"ok", "all passed", "", {}})
                  .ok());
  api.FailNext(1, "HTTP 502");
  EXPECT_FALSE(api.CreateComment(kRepo, 42, "x").ok());
  EXPECT_TRUE(api.CreateComment(kRepo, 42, "x").ok());
  PullRequestInfo pull;
  pull.number = 42;
  pull.head.sha = kSha;
  api.AddPullRequest("onnx/models", pull);
  EXPECT_EQ(api.GetPullRequest(kRepo, 42)->head.sha, kSha);
  EXPECT_FALSE(api.GetPullRequest(kRepo, 43).ok());
  std::vector<RecordingGitHubApi::Call> calls = api.calls();
  ASSERT_EQ(calls.size(), 6u);
  EXPECT_EQ(calls[1].method, "UpdateCheckRun");
  EXPECT_EQ(calls[1].id, *id);
  EXPECT_EQ(calls[1].conclusion, CheckRunConclusion::kSuccess);
  EXPECT_EQ(calls[2].method, "CreateComment");
}

}  // namespace
}  // namespace zooci
