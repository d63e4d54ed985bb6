// Webhook signatures and ParseWebhook over payloads shaped like GitHub's documented examples
// (src/github/testdata), with variations made by editing them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "github/github.h"

namespace zooci {
namespace {

using nlohmann::json;

json Fixture(const std::string& name) {
  auto text = ReadFile(fs::path(ZOOCI_SOURCE_DIR) / "src/github/testdata" / name);
  EXPECT_TRUE(text.ok()) << name;
  return json::parse(text.ok() ? *text : "{}");
}

WebhookEvent ParseOk(const std::string& event, const json& payload) {
  Result<WebhookEvent> parsed = ParseWebhook(event, payload.dump());
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message());
  return parsed.ok() ? *parsed : WebhookEvent{};
}

// GitHub's documented test vector (validating-webhook-deliveries).
constexpr char kSecret[] = "It's a Secret to Everybody";
constexpr char kBody[] = "Hello, World!";
constexpr char kSignature[] =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

TEST(VerifySignatureTest, AcceptsGitHubsTestVector) {
  EXPECT_TRUE(VerifySignature(kSecret, kBody, kSignature));
}

TEST(VerifySignatureTest, AcceptsUpperCaseHex) {
  std::string upper = kSignature;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(VerifySignature(kSecret, kBody, upper));
}

TEST(VerifySignatureTest, RejectsWrongSignatureSecretOrBody) {
  std::string flipped = kSignature;
  flipped.back() = flipped.back() == '7' ? '8' : '7';
  EXPECT_FALSE(VerifySignature(kSecret, kBody, flipped));
  EXPECT_FALSE(VerifySignature("another secret", kBody, kSignature));
  EXPECT_FALSE(VerifySignature(kSecret, "Hello, World!\n", kSignature));
  // HMAC over re-serialised JSON is the classic mistake: whitespace matters.
  EXPECT_FALSE(VerifySignature(kSecret, "Hello,  World!", kSignature));
}

TEST(VerifySignatureTest, RejectsMissingOrMalformedHeaders) {
  EXPECT_FALSE(VerifySignature(kSecret, kBody, ""));
  EXPECT_FALSE(VerifySignature(kSecret, kBody, "sha256="));
  // The legacy SHA-1 header's prefix, and no prefix at all.
  EXPECT_FALSE(VerifySignature(
      kSecret, kBody, "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));
  EXPECT_FALSE(VerifySignature(kSecret, kBody,
                               "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));
  EXPECT_FALSE(VerifySignature(
      kSecret, kBody, "SHA256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));
  // Length mismatches: truncated, one digit more, and non-hex characters.
  EXPECT_FALSE(VerifySignature(kSecret, kBody, std::string(kSignature).substr(0, 70)));
  EXPECT_FALSE(VerifySignature(kSecret, kBody, std::string(kSignature) + "0"));
  EXPECT_FALSE(VerifySignature(kSecret, kBody, std::string(kSignature) + " "));
  std::string non_hex = kSignature;
  non_hex[10] = 'g';
  EXPECT_FALSE(VerifySignature(kSecret, kBody, non_hex));
}

TEST(VerifySignatureTest, AnEmptySecretVerifiesNothing) {
  std::string empty_key_signature =
      "sha256=" + std::string("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_FALSE(VerifySignature("", "", empty_key_signature));
}

TEST(ParseWebhookTest, PullRequestOpenedRuns) {
  WebhookEvent event = ParseOk("pull_request", Fixture("pull_request_opened.json"));
  EXPECT_EQ(event.kind, WebhookKind::kPullRequest);
  EXPECT_FALSE(event.cancel);
  EXPECT_EQ(event.action, "opened");
  EXPECT_EQ(event.repo_full_name, "onnx/models");
  EXPECT_EQ(event.installation_id, 2311213);
  EXPECT_EQ(event.sender, "octocat");
  EXPECT_EQ(event.pull_request.number, 42);
  EXPECT_EQ(event.pull_request.head.sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
  EXPECT_EQ(event.pull_request.head.ref, "resnet50-int8");
  EXPECT_EQ(event.pull_request.head.clone_url, "https://github.com/onnx/models.git");
  EXPECT_EQ(event.pull_request.base.sha, "2b4e1a9d5c0f3e7a8b6c9d0e1f2a3b4c5d6e7f80");
  EXPECT_EQ(event.pull_request.base.ref, "main");
  EXPECT_EQ(event.pull_request.author, "octocat");
  EXPECT_EQ(event.pull_request.html_url, "https://github.com/onnx/models/pull/42");
  EXPECT_EQ(event.pr_numbers, std::vector<int64_t>{42});
}

TEST(ParseWebhookTest, ForkSynchronizeClonesTheFork) {
  WebhookEvent event = ParseOk("pull_request", Fixture("pull_request_synchronize_fork.json"));
  EXPECT_EQ(event.kind, WebhookKind::kPullRequest);
  EXPECT_EQ(event.action, "synchronize");
  EXPECT_EQ(event.repo_full_name, "onnx/models");
  EXPECT_EQ(event.pull_request.head.repo_full_name, "forker/models");
  EXPECT_EQ(event.pull_request.head.clone_url, "https://github.com/forker/models.git");
  EXPECT_EQ(event.pull_request.base.clone_url, "https://github.com/onnx/models.git");
  EXPECT_EQ(event.pull_request.head.sha, "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e");
}

TEST(ParseWebhookTest, RunActionsAndClosedCancels) {
  for (const char* action : {"opened", "reopened", "synchronize", "ready_for_review"}) {
    json payload = Fixture("pull_request_opened.json");
    payload["action"] = action;
    WebhookEvent event = ParseOk("pull_request", payload);
    EXPECT_EQ(event.kind, WebhookKind::kPullRequest) << action;
    EXPECT_FALSE(event.cancel) << action;
  }
  json closed = Fixture("pull_request_opened.json");
  closed["action"] = "closed";
  closed["pull_request"]["state"] = "closed";
  WebhookEvent event = ParseOk("pull_request", closed);
  EXPECT_EQ(event.kind, WebhookKind::kPullRequest);
  EXPECT_TRUE(event.cancel);
  EXPECT_EQ(event.pull_request.number, 42);
}

TEST(ParseWebhookTest, OtherPullRequestActionsAreIgnored) {
  for (const char* action : {"labeled", "edited", "assigned", "converted_to_draft",
                             "review_requested", "auto_merge_enabled", "brand_new_action"}) {
    json payload = Fixture("pull_request_opened.json");
    payload["action"] = action;
    WebhookEvent event = ParseOk("pull_request", payload);
    EXPECT_EQ(event.kind, WebhookKind::kIgnored) << action;
    EXPECT_NE(event.ignored_reason.find(action), std::string::npos) << event.ignored_reason;
  }
}

TEST(ParseWebhookTest, DraftsWaitForReadyForReview) {
  json payload = Fixture("pull_request_opened.json");
  payload["pull_request"]["draft"] = true;
  WebhookEvent event = ParseOk("pull_request", payload);
  EXPECT_EQ(event.kind, WebhookKind::kIgnored);
  EXPECT_NE(event.ignored_reason.find("draft"), std::string::npos);
  EXPECT_EQ(event.pull_request.number, 42);  // still parsed, for logs

  payload["action"] = "closed";  // closing a draft still cancels
  EXPECT_TRUE(ParseOk("pull_request", payload).cancel);
}

TEST(ParseWebhookTest, DeletedForkLeavesTheHeadRepositoryEmpty) {
  json payload = Fixture("pull_request_synchronize_fork.json");
  payload["pull_request"]["head"]["repo"] = nullptr;
  WebhookEvent event = ParseOk("pull_request", payload);
  EXPECT_EQ(event.kind, WebhookKind::kPullRequest);
  EXPECT_EQ(event.pull_request.head.clone_url, "");
  EXPECT_EQ(event.pull_request.head.sha, "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e");
}

TEST(ParseWebhookTest, RepositoryWebhookWithoutInstallation) {
  json payload = Fixture("pull_request_opened.json");
  payload.erase("installation");
  EXPECT_EQ(ParseOk("pull_request", payload).installation_id, 0);
}

TEST(ParseWebhookTest, RetestCommentFromAMember) {
  WebhookEvent event = ParseOk("issue_comment", Fixture("issue_comment_created.json"));
  EXPECT_EQ(event.kind, WebhookKind::kRetestComment);
  EXPECT_EQ(event.pull_request.number, 42);
  EXPECT_EQ(event.pr_numbers, std::vector<int64_t>{42});
  EXPECT_EQ(event.comment_id, 2091234567);
  EXPECT_EQ(event.author_association, "MEMBER");
  EXPECT_EQ(event.sender, "maintainer");
  EXPECT_EQ(event.installation_id, 2311213);
}

TEST(ParseWebhookTest, RetestCommandSpellings) {
  for (const char* body :
       {"/zooci retest", "/ZOOCI RETEST", " \t/zooci   retest\n", "/zooci\tretest"}) {
    json payload = Fixture("issue_comment_created.json");
    payload["comment"]["body"] = body;
    EXPECT_EQ(ParseOk("issue_comment", payload).kind, WebhookKind::kRetestComment) << body;
  }
  for (const char* body :
       {"/zooci retest please", "please /zooci retest", "/zooci", "/zoocir etest", "zooci retest",
        "/zooci retest\n/zooci retest", "LGTM", ""}) {
    json payload = Fixture("issue_comment_created.json");
    payload["comment"]["body"] = body;
    WebhookEvent event = ParseOk("issue_comment", payload);
    EXPECT_EQ(event.kind, WebhookKind::kIgnored) << body;
    EXPECT_EQ(event.ignored_reason, "comment is not a /zooci retest command") << body;
  }
}

TEST(ParseWebhookTest, RetestNeedsATrustedAuthor) {
  for (const char* association : {"OWNER", "MEMBER", "COLLABORATOR"}) {
    json payload = Fixture("issue_comment_created.json");
    payload["comment"]["author_association"] = association;
    EXPECT_EQ(ParseOk("issue_comment", payload).kind, WebhookKind::kRetestComment);
  }
  for (const char* association :
       {"CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE", "MANNEQUIN"}) {
    json payload = Fixture("issue_comment_created.json");
    payload["comment"]["author_association"] = association;
    WebhookEvent event = ParseOk("issue_comment", payload);
    EXPECT_EQ(event.kind, WebhookKind::kIgnored) << association;
    EXPECT_NE(event.ignored_reason.find(association), std::string::npos) << event.ignored_reason;
    EXPECT_NE(event.ignored_reason.find("OWNER, MEMBER or COLLABORATOR"), std::string::npos);
  }
}

TEST(ParseWebhookTest, CommentsOnIssuesEditsAndClosedPullRequestsAreIgnored) {
  json on_issue = Fixture("issue_comment_created.json");
  on_issue["issue"].erase("pull_request");
  WebhookEvent event = ParseOk("issue_comment", on_issue);
  EXPECT_EQ(event.kind, WebhookKind::kIgnored);
  EXPECT_EQ(event.ignored_reason, "comment on issue #42, not on a pull request");

  json edited = Fixture("issue_comment_created.json");
  edited["action"] = "edited";
  EXPECT_EQ(ParseOk("issue_comment", edited).kind, WebhookKind::kIgnored);

  json closed = Fixture("issue_comment_created.json");
  closed["issue"]["state"] = "closed";
  event = ParseOk("issue_comment", closed);
  EXPECT_EQ(event.kind, WebhookKind::kIgnored);
  EXPECT_NE(event.ignored_reason.find("closed"), std::string::npos);
}

TEST(ParseWebhookTest, CheckRunRerequested) {
  WebhookEvent event = ParseOk("check_run", Fixture("check_run_rerequested.json"));
  EXPECT_EQ(event.kind, WebhookKind::kCheckRunRerequested);
  EXPECT_EQ(event.head_sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
  EXPECT_EQ(event.pr_numbers, std::vector<int64_t>{42});
  EXPECT_EQ(event.check_run_id, 24813405432);
  EXPECT_EQ(event.check_run_name, "ZooCI");
  EXPECT_EQ(event.external_id, "job-1187");
  EXPECT_EQ(event.repo_full_name, "onnx/models");

  json other = Fixture("check_run_rerequested.json");
  other["action"] = "created";
  EXPECT_EQ(ParseOk("check_run", other).kind, WebhookKind::kIgnored);
  other["action"] = "requested_action";
  EXPECT_EQ(ParseOk("check_run", other).kind, WebhookKind::kIgnored);
}

TEST(ParseWebhookTest, CheckSuiteRerequestedFromAForkHasNoPullRequests) {
  WebhookEvent event = ParseOk("check_suite", Fixture("check_suite_rerequested.json"));
  EXPECT_EQ(event.kind, WebhookKind::kCheckRunRerequested);
  EXPECT_EQ(event.check_run_id, 0);
  EXPECT_EQ(event.head_sha, "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e");
  EXPECT_TRUE(event.pr_numbers.empty());
}

TEST(ParseWebhookTest, PingAndUnhandledEvents) {
  WebhookEvent ping = ParseOk("ping", Fixture("ping.json"));
  EXPECT_EQ(ping.kind, WebhookKind::kPing);
  EXPECT_EQ(ping.repo_full_name, "");  // an App hook's ping names no repository
  EXPECT_EQ(ping.sender, "octocat");

  WebhookEvent push = ParseOk("push", Fixture("push.json"));
  EXPECT_EQ(push.kind, WebhookKind::kIgnored);
  EXPECT_EQ(push.ignored_reason, "event 'push' is not acted on");
  EXPECT_STREQ(WebhookKindName(push.kind), "ignored");
}

TEST(ParseWebhookTest, MalformedPayloadsAreErrors) {
  EXPECT_FALSE(ParseWebhook("pull_request", "{\"action\": ").ok());
  EXPECT_FALSE(ParseWebhook("pull_request", "[1, 2]").ok());
  EXPECT_FALSE(ParseWebhook("ping", "").ok());
  EXPECT_FALSE(ParseWebhook("", Fixture("ping.json").dump()).ok());
  EXPECT_FALSE(ParseWebhook("push", "not json").ok());

  json no_sha = Fixture("pull_request_opened.json");
  no_sha["pull_request"]["head"].erase("sha");
  Result<WebhookEvent> parsed = ParseWebhook("pull_request", no_sha.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message(), "webhook 'pull_request': field 'head.sha' is missing");

  json wrong_type = Fixture("pull_request_opened.json");
  wrong_type["pull_request"]["number"] = "42";
  parsed = ParseWebhook("pull_request", wrong_type.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message(),
            "webhook 'pull_request': field 'number' is a string, not an integer");

  json no_action = Fixture("pull_request_opened.json");
  no_action.erase("action");
  EXPECT_FALSE(ParseWebhook("pull_request", no_action.dump()).ok());

  json no_repository = Fixture("issue_comment_created.json");
  no_repository.erase("repository");
  EXPECT_FALSE(ParseWebhook("issue_comment", no_repository.dump()).ok());

  json bad_pulls = Fixture("check_run_rerequested.json");
  bad_pulls["check_run"]["pull_requests"] = json::array({{{"id", 1}}});
  parsed = ParseWebhook("check_run", bad_pulls.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message().find("check_run.pull_requests[0]"), std::string::npos);
}

}  // namespace
}  // namespace zooci
