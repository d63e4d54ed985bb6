// ParseWebhook: GitHub webhook payloads (pull_request, issue_comment, check_run, check_suite,
// ping) reduced to the events the robot acts on.
#include <set>

#include "github/internal.h"

namespace zooci {
namespace github_internal {
namespace {

using nlohmann::json;

const char* JsonTypeName(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "an array";
  return "an object";
}

// The value at a dotted `path` below `root`; nullptr when any step is missing or not an object.
const json* Find(const json& root, std::string_view path) {
  const json* node = &root;
  for (const std::string& key : SplitString(path, '.')) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

Result<const json*> Require(const json& root, std::string_view path) {
  const json* node = Find(root, path);
  if (node == nullptr) return Error("field '" + std::string(path) + "' is missing");
  return node;
}

Result<std::string> GetString(const json& root, std::string_view path) {
  ZC_ASSIGN_OR_RETURN(const json* node, Require(root, path));
  if (!node->is_string()) {
    return Error("field '" + std::string(path) + "' is " + JsonTypeName(*node) + ", not a string");
  }
  return node->get<std::string>();
}

Result<int64_t> GetInt(const json& root, std::string_view path) {
  ZC_ASSIGN_OR_RETURN(const json* node, Require(root, path));
  if (!node->is_number_integer()) {
    return Error("field '" + std::string(path) + "' is " + JsonTypeName(*node) +
                 ", not an integer");
  }
  return node->get<int64_t>();
}

// A string field that may be absent or null ("" then); another type is an error.
Result<std::string> GetOptionalString(const json& root, std::string_view path) {
  const json* node = Find(root, path);
  if (node == nullptr || node->is_null()) return std::string();
  if (!node->is_string()) {
    return Error("field '" + std::string(path) + "' is " + JsonTypeName(*node) + ", not a string");
  }
  return node->get<std::string>();
}

Result<PullRequestBranch> ParseBranch(const json& pull_request, const std::string& side) {
  PullRequestBranch branch;
  ZC_ASSIGN_OR_RETURN(branch.sha, GetString(pull_request, side + ".sha"));
  ZC_ASSIGN_OR_RETURN(branch.ref, GetString(pull_request, side + ".ref"));
  ZC_ASSIGN_OR_RETURN(const json* repo, Require(pull_request, side + ".repo"));
  if (repo->is_null()) return branch;  // the fork was deleted
  if (!repo->is_object()) {
    return Error("field '" + side + ".repo' is " + JsonTypeName(*repo) + ", not an object");
  }
  ZC_ASSIGN_OR_RETURN(branch.repo_full_name, GetString(*repo, "full_name"));
  ZC_ASSIGN_OR_RETURN(branch.clone_url, GetString(*repo, "clone_url"));
  return branch;
}

// The fields every acted-on event shares: repository, installation, sender.
Status ParseCommon(const json& payload, WebhookEvent& event) {
  ZC_ASSIGN_OR_RETURN(event.repo_full_name, GetString(payload, "repository.full_name"));
  const json* installation = Find(payload, "installation.id");
  if (installation != nullptr) {
    ZC_ASSIGN_OR_RETURN(event.installation_id, GetInt(payload, "installation.id"));
  }
  ZC_ASSIGN_OR_RETURN(event.sender, GetOptionalString(payload, "sender.login"));
  return OkStatus();
}

// `reason` is built before the call, so it may read `event`, which is then moved from.
WebhookEvent Ignore(WebhookEvent& event, std::string reason) {
  event.kind = WebhookKind::kIgnored;
  event.ignored_reason = std::move(reason);
  return std::move(event);
}

Result<WebhookEvent> ParsePullRequestEvent(const json& payload, WebhookEvent event) {
  static const std::set<std::string> kRunActions = {"opened", "reopened", "synchronize",
                                                    "ready_for_review"};
  bool run = kRunActions.count(event.action) > 0;
  if (!run && event.action != "closed") {
    return Ignore(event, "pull_request action '" + event.action + "' is not acted on");
  }
  ZC_RETURN_IF_ERROR(ParseCommon(payload, event));
  ZC_ASSIGN_OR_RETURN(const json* object, Require(payload, "pull_request"));
  ZC_ASSIGN_OR_RETURN(event.pull_request, ParsePullRequestObject(*object));
  event.pr_numbers = {event.pull_request.number};
  event.kind = WebhookKind::kPullRequest;
  event.cancel = !run;
  if (run && event.pull_request.draft) {
    return Ignore(event, "pull request #" + std::to_string(event.pull_request.number) +
                             " is a draft; it runs when marked ready for review");
  }
  return event;
}

// "/zooci retest", surrounding whitespace ignored, words separated by blanks, any letter case.
bool IsRetestCommand(std::string_view body) {
  std::string words = AsciiLower(Trim(body));
  for (char& c : words) {
    if (c == '\t') c = ' ';
  }
  std::vector<std::string> parts;
  for (std::string& part : SplitString(words, ' ')) {
    if (!part.empty()) parts.push_back(std::move(part));
  }
  return parts.size() == 2 && parts[0] == "/zooci" && parts[1] == "retest";
}

Result<WebhookEvent> ParseIssueCommentEvent(const json& payload, WebhookEvent event) {
  if (event.action != "created") {
    return Ignore(event, "issue_comment action '" + event.action + "' is not acted on");
  }
  ZC_RETURN_IF_ERROR(ParseCommon(payload, event));
  ZC_ASSIGN_OR_RETURN(event.pull_request.number, GetInt(payload, "issue.number"));
  ZC_ASSIGN_OR_RETURN(event.comment_id, GetInt(payload, "comment.id"));
  ZC_ASSIGN_OR_RETURN(std::string body, GetOptionalString(payload, "comment.body"));
  ZC_ASSIGN_OR_RETURN(event.pull_request.state, GetOptionalString(payload, "issue.state"));
  event.pr_numbers = {event.pull_request.number};
  const json* pull_request = Find(payload, "issue.pull_request");
  if (pull_request == nullptr || pull_request->is_null()) {
    return Ignore(event, "comment on issue #" + std::to_string(event.pull_request.number) +
                             ", not on a pull request");
  }
  if (!IsRetestCommand(body)) {
    return Ignore(event, "comment is not a /zooci retest command");
  }
  ZC_ASSIGN_OR_RETURN(event.author_association, GetString(payload, "comment.author_association"));
  static const std::set<std::string> kTrusted = {"OWNER", "MEMBER", "COLLABORATOR"};
  if (kTrusted.count(event.author_association) == 0) {
    return Ignore(event, "/zooci retest from " + event.sender + " (author_association " +
                             event.author_association +
                             ") ignored: only OWNER, MEMBER or COLLABORATOR may request a retest");
  }
  if (event.pull_request.state == "closed") {
    return Ignore(event, "/zooci retest on pull request #" +
                             std::to_string(event.pull_request.number) + ", which is closed");
  }
  event.kind = WebhookKind::kRetestComment;
  return event;
}

Result<std::vector<int64_t>> PullRequestNumbers(const json& object, const std::string& path) {
  ZC_ASSIGN_OR_RETURN(const json* list, Require(object, path));
  if (!list->is_array()) {
    return Error("field '" + path + "' is " + JsonTypeName(*list) + ", not an array");
  }
  std::vector<int64_t> numbers;
  for (size_t index = 0; index < list->size(); ++index) {
    ZC_ASSIGN_OR_RETURN(
        int64_t number,
        GetInt((*list)[index], "number").WithContext(path + "[" + std::to_string(index) + "]"));
    numbers.push_back(number);
  }
  return numbers;
}

// check_run "rerequested" (one run) and check_suite "rerequested" (all of our runs on a sha).
Result<WebhookEvent> ParseRerequestEvent(const json& payload, WebhookEvent event) {
  if (event.action != "rerequested") {
    return Ignore(event, event.event + " action '" + event.action + "' is not acted on");
  }
  ZC_RETURN_IF_ERROR(ParseCommon(payload, event));
  const std::string object = event.event;  // "check_run" or "check_suite"
  ZC_ASSIGN_OR_RETURN(event.head_sha, GetString(payload, object + ".head_sha"));
  ZC_ASSIGN_OR_RETURN(event.pr_numbers, PullRequestNumbers(payload, object + ".pull_requests"));
  if (object == "check_run") {
    ZC_ASSIGN_OR_RETURN(event.check_run_id, GetInt(payload, "check_run.id"));
    ZC_ASSIGN_OR_RETURN(event.check_run_name, GetString(payload, "check_run.name"));
    ZC_ASSIGN_OR_RETURN(event.external_id, GetOptionalString(payload, "check_run.external_id"));
  }
  event.kind = WebhookKind::kCheckRunRerequested;
  return event;
}

Result<WebhookEvent> ParsePing(const json& payload, WebhookEvent event) {
  ZC_ASSIGN_OR_RETURN(event.repo_full_name, GetOptionalString(payload, "repository.full_name"));
  ZC_ASSIGN_OR_RETURN(event.sender, GetOptionalString(payload, "sender.login"));
  event.kind = WebhookKind::kPing;
  return event;
}

}  // namespace

Result<PullRequestInfo> ParsePullRequestObject(const json& object) {
  if (!object.is_object()) {
    return Error(std::string("pull request is ") + JsonTypeName(object) + ", not an object");
  }
  PullRequestInfo info;
  ZC_ASSIGN_OR_RETURN(info.number, GetInt(object, "number"));
  const json* draft = Find(object, "draft");
  if (draft != nullptr && !draft->is_null()) {
    if (!draft->is_boolean()) {
      return Error(std::string("field 'draft' is ") + JsonTypeName(*draft) + ", not a boolean");
    }
    info.draft = draft->get<bool>();
  }
  ZC_ASSIGN_OR_RETURN(info.state, GetOptionalString(object, "state"));
  ZC_ASSIGN_OR_RETURN(info.author, GetOptionalString(object, "user.login"));
  ZC_ASSIGN_OR_RETURN(info.html_url, GetOptionalString(object, "html_url"));
  ZC_ASSIGN_OR_RETURN(info.title, GetOptionalString(object, "title"));
  ZC_ASSIGN_OR_RETURN(info.head, ParseBranch(object, "head"));
  ZC_ASSIGN_OR_RETURN(info.base, ParseBranch(object, "base"));
  return info;
}

}  // namespace github_internal

const char* WebhookKindName(WebhookKind kind) {
  switch (kind) {
    case WebhookKind::kPullRequest:
      return "pull_request";
    case WebhookKind::kRetestComment:
      return "retest_comment";
    case WebhookKind::kCheckRunRerequested:
      return "check_run_rerequested";
    case WebhookKind::kPing:
      return "ping";
    case WebhookKind::kIgnored:
      return "ignored";
  }
  return "unknown";
}

Result<WebhookEvent> ParseWebhook(std::string_view event_header, std::string_view raw_body) {
  using namespace github_internal;
  std::string event_name(Trim(event_header));
  if (event_name.empty()) return Error("webhook: the X-GitHub-Event header is missing");
  const std::string context = "webhook '" + event_name + "'";
  json payload = json::parse(raw_body, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) return Error(context + ": the body is not valid JSON");
  if (!payload.is_object()) {
    return Error(context + ": the body is " + JsonTypeName(payload) + ", not an object");
  }
  WebhookEvent event;
  event.event = event_name;
  const json* action = Find(payload, "action");
  if (action != nullptr && action->is_string()) event.action = action->get<std::string>();

  static const std::set<std::string> kWithAction = {"pull_request", "issue_comment", "check_run",
                                                    "check_suite"};
  if (kWithAction.count(event_name) > 0 && (action == nullptr || !action->is_string())) {
    return Error(context + ": field 'action' is missing or not a string");
  }
  Result<WebhookEvent> parsed = Error("");
  if (event_name == "pull_request") {
    parsed = ParsePullRequestEvent(payload, std::move(event));
  } else if (event_name == "issue_comment") {
    parsed = ParseIssueCommentEvent(payload, std::move(event));
  } else if (event_name == "check_run" || event_name == "check_suite") {
    parsed = ParseRerequestEvent(payload, std::move(event));
  } else if (event_name == "ping") {
    parsed = ParsePing(payload, std::move(event));
  } else {
    parsed = Ignore(event, "event '" + event_name + "' is not acted on");
  }
  return std::move(parsed).WithContext(context);
}

}  // namespace zooci
