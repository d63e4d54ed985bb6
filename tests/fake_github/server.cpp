// fake-github's server: GitHub's endpoints with their validation, recording, injected
// failures and the /_fake control endpoints (the command line is in fake_github.cpp).
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>

#include "fake.h"

namespace fake_github {
namespace {

constexpr const char* kDocs = "https://docs.github.com/rest";

int64_t RealNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class FakeGitHub {
 public:
  explicit FakeGitHub(Options options) : options_(std::move(options)) {
    failures_ = options_.failures;
    if (!options_.record_path.empty()) record_.open(options_.record_path, std::ios::app);
  }

  void Register(httplib::Server& server) {
    using Request = const httplib::Request&;
    using Response = httplib::Response&;
    server.Post(R"(/repos/([^/]+/[^/]+)/check-runs)", [this](Request q, Response r) {
      Api(q, r, Auth::kInstallation, [&](const json& body) { return CreateCheckRun(q, body); });
    });
    server.Patch(R"(/repos/([^/]+/[^/]+)/check-runs/(\d+))", [this](Request q, Response r) {
      Api(q, r, Auth::kInstallation, [&](const json& body) { return UpdateCheckRun(q, body); });
    });
    server.Get(R"(/repos/([^/]+/[^/]+)/check-runs/(\d+))", [this](Request q, Response r) {
      Api(q, r, Auth::kInstallation,
          [&](const json&) { return Lookup(check_runs_, q.matches[2]); });
    });
    server.Post(R"(/repos/([^/]+/[^/]+)/statuses/([^/]+))", [this](Request q, Response r) {
      Api(q, r, Auth::kInstallation, [&](const json& body) { return CreateStatus(q, body); });
    });
    server.Post(R"(/repos/([^/]+/[^/]+)/issues/(\d+)/comments)", [this](Request q, Response r) {
      Api(q, r, Auth::kInstallation, [&](const json& body) { return CreateComment(q, body); });
    });
    server.Patch(R"(/repos/([^/]+/[^/]+)/issues/comments/(\d+))", [this](Request q, Response r) {
      Api(q, r, Auth::kInstallation, [&](const json& body) { return UpdateComment(q, body); });
    });
    server.Get(R"(/repos/([^/]+/[^/]+)/pulls/(\d+))", [this](Request q, Response r) {
      Api(q, r, Auth::kInstallation, [&](const json&) {
        return Lookup(pulls_, q.matches[1].str() + "#" + q.matches[2].str());
      });
    });
    server.Post(R"(/app/installations/(\d+)/access_tokens)", [this](Request q, Response r) {
      Api(q, r, Auth::kAppJwt, [&](const json&) { return IssueToken(); });
    });
    server.Get("/_fake/requests", [this](Request, Response r) {
      std::lock_guard<std::mutex> lock(mutex_);
      r.set_content(json(records_).dump(2), "application/json");
    });
    server.Get("/_fake/state", [this](Request, Response r) {
      std::lock_guard<std::mutex> lock(mutex_);
      json state = {{"check_runs", json::array()},
                    {"statuses", statuses_},
                    {"comments", json::array()},
                    {"annotations", annotations_}};
      for (const auto& [id, run] : check_runs_) state["check_runs"].push_back(run);
      for (const auto& [id, comment] : comments_) state["comments"].push_back(comment);
      r.set_content(state.dump(2), "application/json");
    });
    server.Post("/_fake/fail", [this](Request q, Response r) {
      Failure failure;
      if (!ParseFailure(q.get_param_value("count"), q.get_param_value("kind"), &failure)) {
        r.status = 400;
        return;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      failures_.push_back(failure);
    });
    server.Post("/_fake/clock", [this](Request q, Response r) {
      char* end = nullptr;
      std::string advance = q.get_param_value("advance");
      long long seconds = std::strtoll(advance.c_str(), &end, 10);
      if (advance.empty() || *end != '\0') {
        r.status = 400;
        return;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      clock_offset_ += seconds;
    });
    server.Put(R"(/_fake/repos/([^/]+/[^/]+)/pulls/(\d+))", [this](Request q, Response r) {
      json pull = json::parse(q.body, nullptr, false);
      if (!pull.is_object()) {
        r.status = 400;
        return;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      pulls_[q.matches[1].str() + "#" + q.matches[2].str()] = pull;
    });
    for (const char* pattern : {".*"}) {
      auto not_found = [this](Request q, Response r) {
        Api(q, r, Auth::kNone, [](const json&) { return Reply{404, NotFound()}; });
      };
      server.Get(pattern, not_found);
      server.Post(pattern, not_found);
      server.Patch(pattern, not_found);
      server.Put(pattern, not_found);
      server.Delete(pattern, not_found);
    }
  }

 private:
  enum class Auth { kNone, kInstallation, kAppJwt };
  struct Reply {
    int status = 200;
    json body;
    std::map<std::string, std::string> headers = {};
  };

  static json Message(const std::string& message) {
    return {{"message", message}, {"documentation_url", kDocs}};
  }
  static json NotFound() { return Message("Not Found"); }

  int64_t Now() const { return RealNow() + clock_offset_; }

  // Checks, answers and records one API request. Holds mutex_ throughout: requests are
  // handled one at a time, in arrival order.
  template <typename Handler>
  void Api(const httplib::Request& request, httplib::Response& response, Auth auth,
           Handler handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    json body;
    Reply reply = Answer(request, auth, handler, &body);
    int64_t reset = Now() + 3600;
    response.status = reply.status;
    response.set_header("X-GitHub-Api-Version-Selected", "2022-11-28");
    response.set_header("X-GitHub-Request-Id", "FAKE:" + std::to_string(records_.size() + 1));
    if (reply.headers.count("x-ratelimit-remaining") == 0) {
      rate_remaining_ = std::max(0, rate_remaining_ - 1);
      response.set_header("x-ratelimit-limit", "5000");
      response.set_header("x-ratelimit-remaining", std::to_string(rate_remaining_));
      response.set_header("x-ratelimit-reset", std::to_string(reset));
      response.set_header("x-ratelimit-resource", "core");
    }
    for (const auto& [name, value] : reply.headers) response.set_header(name, value);
    response.set_content(reply.body.dump(), "application/json; charset=utf-8");
    Record(request, body, reply);
  }

  template <typename Handler>
  Reply Answer(const httplib::Request& request, Auth auth, Handler& handler, json* body) {
    if (!request.body.empty()) {
      *body = json::parse(request.body, nullptr, false);
      if (body->is_discarded()) {
        *body = request.body;
        return {400, Message("Problems parsing JSON")};
      }
    }
    if (std::optional<Reply> failure = InjectedFailure()) return *failure;
    if (!request.has_header("User-Agent") || request.get_header_value("User-Agent").empty()) {
      return {403, Message("Request forbidden by administrative rules. Please make sure your "
                           "request has a User-Agent header.")};
    }
    std::string version = request.get_header_value("X-GitHub-Api-Version");
    if (version != "2022-11-28") {
      return {400, Message(version.empty() ? "The X-GitHub-Api-Version header is required "
                                             "(GitHub would assume 2022-11-28)"
                                           : "API version '" + version + "' is not supported.")};
    }
    if (request.get_header_value("Accept").find("application/vnd.github+json") ==
        std::string::npos) {
      return {400, Message("Accept must be application/vnd.github+json")};
    }
    if (std::optional<Reply> denied = Authenticate(request, auth)) return *denied;
    if (!request.body.empty() && !body->is_object()) {
      return {400, Message("Problems parsing JSON (the body is not an object)")};
    }
    if (body->is_null()) *body = json::object();
    return handler(*body);
  }

  std::optional<Reply> InjectedFailure() {
    if (failures_.empty()) return std::nullopt;
    Failure failure = failures_.front();
    if (--failures_.front().count == 0) failures_.pop_front();
    if (failure.kind == "ratelimit") {
      int64_t reset = Now() + (failure.seconds > 0 ? failure.seconds : 30);
      return Reply{403,
                   Message("API rate limit exceeded for installation. If you reach out to "
                           "GitHub Support for help, please include the request ID FAKE."),
                   {{"x-ratelimit-limit", "5000"},
                    {"x-ratelimit-remaining", "0"},
                    {"x-ratelimit-used", "5000"},
                    {"x-ratelimit-reset", std::to_string(reset)},
                    {"x-ratelimit-resource", "core"}}};
    }
    std::map<std::string, std::string> headers;
    int seconds = failure.kind == "secondary" && failure.seconds == 0 ? 30 : failure.seconds;
    if (seconds > 0) headers["Retry-After"] = std::to_string(seconds);
    if (failure.kind == "secondary") {
      return Reply{403,
                   Message("You have exceeded a secondary rate limit. Please wait a few minutes "
                           "before you try again."),
                   headers};
    }
    int status = std::stoi(failure.kind);
    std::string message = status == 401   ? "Bad credentials"
                          : status == 429 ? "Too many requests"
                          : status >= 500 ? "Server Error"
                                          : "Injected failure";
    return Reply{status, Message(message), headers};
  }

  std::optional<Reply> Authenticate(const httplib::Request& request, Auth auth) {
    if (auth == Auth::kNone) return std::nullopt;
    std::string header = request.get_header_value("Authorization");
    std::string credential;
    for (const char* scheme : {"Bearer ", "token "}) {
      if (header.rfind(scheme, 0) == 0) credential = header.substr(std::string(scheme).size());
    }
    if (credential.empty()) return Reply{401, Message("Requires authentication")};
    if (auth == Auth::kAppJwt) {
      std::optional<std::string> problem =
          CheckAppJwt(credential, options_.app_public_key_pem, options_.app_id, Now());
      if (problem) return Reply{401, Message(*problem)};
      return std::nullopt;
    }
    bool strict = !options_.token.empty() || !options_.app_public_key_pem.empty();
    auto issued = issued_tokens_.find(credential);
    bool valid = !strict || credential == options_.token ||
                 (issued != issued_tokens_.end() && issued->second > Now());
    if (!valid) return Reply{401, Message("Bad credentials")};
    return std::nullopt;
  }

  Reply IssueToken() {
    std::string token = RandomToken("ghs_");
    int64_t expires_at = Now() + options_.token_ttl_seconds;
    issued_tokens_[token] = expires_at;
    json permissions = {{"checks", "write"}, {"statuses", "write"}, {"pull_requests", "write"},
                        {"issues", "write"}, {"contents", "read"},  {"metadata", "read"}};
    return {201,
            {{"token", token},
             {"expires_at", Iso8601(expires_at)},
             {"permissions", permissions},
             {"repository_selection", "all"}}};
  }

  static Reply Invalid(const std::vector<FieldError>& errors, const std::string& docs) {
    json list = json::array();
    for (const FieldError& error : errors) {
      list.push_back({{"resource", error.resource},
                      {"field", error.field},
                      {"code", error.code},
                      {"message", error.message}});
    }
    return {422,
            {{"message", "Validation Failed"},
             {"errors", list},
             {"documentation_url", docs},
             {"status", "422"}}};
  }

  Reply Lookup(const std::map<std::string, json>& table, const std::string& key) {
    auto it = table.find(key);
    if (it == table.end()) return {404, NotFound()};
    return {200, it->second};
  }

  std::string Url(const httplib::Request& request) const {
    return "http://" + request.get_header_value("Host") + request.path;
  }

  void ApplyOutput(json& run, const json& body) {
    if (!body.contains("output") || body["output"].is_null()) return;
    const json& output = body["output"];
    int64_t added =
        output.contains("annotations") ? static_cast<int64_t>(output["annotations"].size()) : 0;
    for (const json& annotation : output.value("annotations", json::array())) {
      json stored = annotation;
      stored["check_run_id"] = run["id"];
      annotations_.push_back(stored);
    }
    int64_t count = run["output"].value("annotations_count", int64_t{0}) + added;
    run["output"] = {{"title", output.value("title", "")},
                     {"summary", output.value("summary", "")},
                     {"text", output.value("text", run["output"].value("text", json()))},
                     {"annotations_count", count},
                     {"annotations_url", run["url"].get<std::string>() + "/annotations"}};
  }

  void ApplyStatus(json& run, const json& body) {
    for (const char* key : {"name", "details_url", "external_id", "started_at"}) {
      if (body.contains(key)) run[key] = body[key];
    }
    if (body.contains("status")) run["status"] = body["status"];
    if (body.contains("conclusion") && !body["conclusion"].is_null()) {
      run["conclusion"] = body["conclusion"];
      run["status"] = "completed";  // a conclusion completes the run
    }
    if (run["status"] == "completed" && run["completed_at"].is_null()) {
      run["completed_at"] = body.value("completed_at", Iso8601(Now()));
    }
  }

  Reply CreateCheckRun(const httplib::Request& request, const json& body) {
    auto errors = ValidateCheckRun(body, /*create=*/true);
    if (!errors.empty())
      return Invalid(errors, std::string(kDocs) + "/checks/runs#create-a-check-run");
    int64_t id = next_id_++;
    std::string repo = request.matches[1];
    json run = {
        {"id", id},
        {"node_id", "CR_fake" + std::to_string(id)},
        {"head_sha", body["head_sha"]},
        {"external_id", body.value("external_id", "")},
        {"url", Url(request) + "/" + std::to_string(id)},
        {"html_url", "https://github.com/" + repo + "/runs/" + std::to_string(id)},
        {"details_url", body.value("details_url", "")},
        {"status", "queued"},
        {"conclusion", nullptr},
        {"started_at", Iso8601(Now())},
        {"completed_at", nullptr},
        {"output",
         {{"title", nullptr}, {"summary", nullptr}, {"text", nullptr}, {"annotations_count", 0}}},
        {"name", body["name"]},
        {"check_suite", {{"id", id + 1'000'000}}},
        {"app", {{"id", 1}, {"slug", "zooci"}, {"name", "ZooCI"}}},
        {"pull_requests", json::array()}};
    run["output"]["annotations_url"] = run["url"].get<std::string>() + "/annotations";
    ApplyStatus(run, body);
    ApplyOutput(run, body);
    check_runs_[std::to_string(id)] = run;
    return {201, run};
  }

  Reply UpdateCheckRun(const httplib::Request& request, const json& body) {
    auto it = check_runs_.find(request.matches[2]);
    if (it == check_runs_.end()) return {404, NotFound()};
    auto errors = ValidateCheckRun(body, /*create=*/false);
    bool completes = body.value("status", "") == "completed";
    bool has_conclusion = (body.contains("conclusion") && !body["conclusion"].is_null()) ||
                          !it->second["conclusion"].is_null();
    if (completes && !has_conclusion) {
      errors.push_back({"CheckRun", "conclusion", "missing_field",
                        "conclusion is required when status is completed"});
    }
    if (!errors.empty())
      return Invalid(errors, std::string(kDocs) + "/checks/runs#update-a-check-run");
    ApplyStatus(it->second, body);
    ApplyOutput(it->second, body);
    return {200, it->second};
  }

  Reply CreateStatus(const httplib::Request& request, const json& body) {
    std::string sha = request.matches[2];
    if (!IsCommitSha(sha)) {
      return Invalid({{"Status", "sha", "custom", "No commit found for SHA: " + sha}},
                     std::string(kDocs) + "/commits/statuses#create-a-commit-status");
    }
    auto errors = ValidateStatus(body);
    if (!errors.empty()) {
      return Invalid(errors, std::string(kDocs) + "/commits/statuses#create-a-commit-status");
    }
    int64_t id = next_id_++;
    json status = {{"url", Url(request)},
                   {"avatar_url", nullptr},
                   {"id", id},
                   {"node_id", "SC_fake" + std::to_string(id)},
                   {"state", body["state"]},
                   {"description", body.value("description", json())},
                   {"target_url", body.value("target_url", json())},
                   {"context", body.value("context", "default")},
                   {"sha", sha},
                   {"created_at", Iso8601(Now())},
                   {"updated_at", Iso8601(Now())},
                   {"creator", {{"login", "zooci[bot]"}, {"id", 2}, {"type", "Bot"}}}};
    statuses_.push_back(status);
    return {201, status};
  }

  Reply CreateComment(const httplib::Request& request, const json& body) {
    auto errors = ValidateCommentBody(body);
    if (!errors.empty()) {
      return Invalid(errors, std::string(kDocs) + "/issues/comments#create-an-issue-comment");
    }
    int64_t id = next_id_++;
    std::string repo = request.matches[1];
    std::string number = request.matches[2];
    std::string api = "http://" + request.get_header_value("Host") + "/repos/" + repo;
    json comment = {{"id", id},
                    {"node_id", "IC_fake" + std::to_string(id)},
                    {"url", api + "/issues/comments/" + std::to_string(id)},
                    {"html_url", "https://github.com/" + repo + "/pull/" + number +
                                     "#issuecomment-" + std::to_string(id)},
                    {"body", body["body"]},
                    {"user", {{"login", "zooci[bot]"}, {"id", 2}, {"type", "Bot"}}},
                    {"created_at", Iso8601(Now())},
                    {"updated_at", Iso8601(Now())},
                    {"issue_url", api + "/issues/" + number},
                    {"author_association", "NONE"}};
    comments_[std::to_string(id)] = comment;
    return {201, comment};
  }

  Reply UpdateComment(const httplib::Request& request, const json& body) {
    auto it = comments_.find(request.matches[2]);
    if (it == comments_.end()) return {404, NotFound()};
    auto errors = ValidateCommentBody(body);
    if (!errors.empty()) {
      return Invalid(errors, std::string(kDocs) + "/issues/comments#update-an-issue-comment");
    }
    it->second["body"] = body["body"];
    it->second["updated_at"] = Iso8601(Now());
    return {200, it->second};
  }

  void Record(const httplib::Request& request, const json& body, const Reply& reply) {
    json headers = json::object();
    for (const char* name :
         {"Accept", "X-GitHub-Api-Version", "User-Agent", "Authorization", "Content-Type"}) {
      if (request.has_header(name)) headers[name] = request.get_header_value(name);
    }
    json entry = {{"seq", records_.size() + 1},
                  {"method", request.method},
                  {"path", request.path},
                  {"headers", headers},
                  {"body", body},
                  {"status", reply.status},
                  {"response", reply.body}};
    records_.push_back(entry);
    if (record_.is_open()) {
      record_ << entry.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
      record_.flush();
    }
  }

  const Options options_;
  std::mutex mutex_;  // Guards everything below.
  std::deque<Failure> failures_;
  int64_t clock_offset_ = 0;
  int64_t next_id_ = 5'000'000'001;  // above 2^32: ids must not be truncated to 32 bits
  int rate_remaining_ = 5000;
  std::map<std::string, json> check_runs_;  // by id
  std::map<std::string, json> comments_;    // by id
  std::map<std::string, json> pulls_;       // by "owner/repo#number"
  json statuses_ = json::array();
  json annotations_ = json::array();
  std::map<std::string, int64_t> issued_tokens_;  // token → expires_at
  std::vector<json> records_;
  std::ofstream record_;
};

}  // namespace

bool ParseFailure(const std::string& count, const std::string& spec, Failure* failure) {
  try {
    failure->count = std::stoi(count);
    size_t colon = spec.find(':');
    failure->kind = spec.substr(0, colon);
    failure->seconds = colon == std::string::npos ? 0 : std::stoi(spec.substr(colon + 1));
  } catch (const std::exception&) {
    return false;
  }
  bool numeric =
      !failure->kind.empty() && failure->kind.find_first_not_of("0123456789") == std::string::npos;
  return failure->count > 0 &&
         (numeric || failure->kind == "ratelimit" || failure->kind == "secondary");
}

int Serve(const Options& options) {
  httplib::Server server;
  FakeGitHub fake(options);
  fake.Register(server);
  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host.c_str(), port)) {
    port = -1;
  }
  if (port <= 0) {
    std::cerr << "fake-github: cannot listen on " << options.host << ":" << options.port << "\n";
    return 1;
  }
  // Written whole and renamed into place, so a reader never sees a partial number.
  std::string temp = options.port_file + ".tmp";
  {
    std::ofstream out(temp);
    out << port << "\n";
  }
  if (std::rename(temp.c_str(), options.port_file.c_str()) != 0) {
    std::cerr << "fake-github: cannot write " << options.port_file << "\n";
    return 1;
  }
  return server.listen_after_bind() ? 0 : 1;
}

}  // namespace fake_github
