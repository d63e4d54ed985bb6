// Credentials: plain tokens, GitHub App JWTs and cached installation tokens; the wall clock.
#include <chrono>
#include <map>
#include <thread>

#include "github/internal.h"

namespace zooci {
namespace {

using github_internal::Base64UrlEncode;

class SystemWallClockImpl : public WallClock {
 public:
  int64_t NowUnixSeconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void SleepMs(int64_t ms) override {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
};

class StaticToken : public TokenSource {
 public:
  explicit StaticToken(std::string token) : token_(std::move(token)) {}
  Result<std::string> Token(int64_t /*installation_id*/) override { return token_; }
  void Invalidate(int64_t /*installation_id*/) override {}

 private:
  const std::string token_;
};

// Installation tokens are renewed this long before GitHub's expires_at.
constexpr int64_t kRenewMarginSeconds = int64_t{5} * 60;

class AppTokenSource : public TokenSource {
 public:
  AppTokenSource(std::string api_url, GitHubAppCredentials credentials, WallClock& clock,
                 HttpOptions options)
      : api_url_(std::move(api_url)),
        credentials_(std::move(credentials)),
        clock_(clock),
        options_(std::move(options)) {}

  Result<std::string> Token(int64_t installation_id) override {
    if (installation_id <= 0) {
      return Error("GitHub App token: no installation id (the event named no installation)");
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = cache_.find(installation_id);
      if (it != cache_.end() &&
          clock_.NowUnixSeconds() < it->second.expires_at - kRenewMarginSeconds) {
        return it->second.token;
      }
    }
    // Exchanged without the lock: two threads may both renew, which is harmless.
    ZC_ASSIGN_OR_RETURN(Cached fresh, Exchange(installation_id));
    std::lock_guard<std::mutex> lock(mutex_);
    cache_[installation_id] = fresh;
    return fresh.token;
  }

  void Invalidate(int64_t installation_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    cache_.erase(installation_id);
  }

 private:
  struct Cached {
    std::string token;
    int64_t expires_at = 0;
  };

  Result<Cached> Exchange(int64_t installation_id) {
    using namespace github_internal;
    const std::string path =
        "/app/installations/" + std::to_string(installation_id) + "/access_tokens";
    HttpRequest request{"POST", api_url_ + path, path, {}, ""};
    RetryHooks hooks;
    hooks.before_attempt = [&](HttpRequest& attempt) -> Status {
      ZC_ASSIGN_OR_RETURN(
          std::string jwt,
          MakeAppJwt(credentials_.app_id, credentials_.private_key_pem, clock_.NowUnixSeconds()));
      attempt.headers = GitHubHeaders(options_, jwt);
      return OkStatus();
    };
    ZC_ASSIGN_OR_RETURN(
        HttpResponse response,
        SendWithRetries(request, options_, clock_, hooks).WithContext("installation token"));
    nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    const std::string what = "installation token: POST " + path + ": ";
    if (body.is_discarded() || !body.is_object() || !body.contains("token") ||
        !body["token"].is_string() || !body.contains("expires_at") ||
        !body["expires_at"].is_string()) {
      return Error(what + "the answer has no 'token' and 'expires_at' strings");
    }
    std::optional<int64_t> expires_at = ParseIso8601Utc(body["expires_at"].get<std::string>());
    if (!expires_at) {
      return Error(what + "expires_at '" + body["expires_at"].get<std::string>() +
                   "' is not an ISO 8601 UTC time");
    }
    return Cached{body["token"].get<std::string>(), *expires_at};
  }

  const std::string api_url_;
  const GitHubAppCredentials credentials_;
  WallClock& clock_;
  const HttpOptions options_;
  std::mutex mutex_;
  std::map<int64_t, Cached> cache_;  // Guarded by mutex_.
};

}  // namespace

WallClock& SystemWallClock() {
  static SystemWallClockImpl clock;
  return clock;
}

int64_t FakeWallClock::NowUnixSeconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

void FakeWallClock::SleepMs(int64_t ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  sleeps_ms_.push_back(ms);
  if (ms > 0) now_ += (ms + 999) / 1000;
}

void FakeWallClock::Advance(int64_t seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ += seconds;
}

std::vector<int64_t> FakeWallClock::sleeps_ms() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sleeps_ms_;
}

Result<std::string> MakeAppJwt(std::string_view app_id, std::string_view private_key_pem,
                               int64_t now_unix_seconds) {
  if (app_id.empty()) return Error("GitHub App JWT: the app id is empty");
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  nlohmann::json claims = {{"iat", now_unix_seconds - 60},
                           {"exp", now_unix_seconds + 540},
                           {"iss", std::string(app_id)}};
  std::string signing_input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  ZC_ASSIGN_OR_RETURN(
      std::string signature,
      github_internal::SignRs256(private_key_pem, signing_input).WithContext("GitHub App JWT"));
  return signing_input + "." + Base64UrlEncode(signature);
}

Result<std::unique_ptr<TokenSource>> MakeTokenFromFile(const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(
      std::string contents,
      ReadFile(path, uint64_t{64} * 1024).WithContext("token file " + path.string()));
  std::string token(Trim(contents));
  if (token.empty()) return Error("token file " + path.string() + " is empty");
  if (token.find_first_of(" \t\r\n") != std::string::npos) {
    return Error("token file " + path.string() + " holds more than one word");
  }
  return std::unique_ptr<TokenSource>(std::make_unique<StaticToken>(std::move(token)));
}

std::unique_ptr<TokenSource> MakeStaticToken(std::string token) {
  return std::make_unique<StaticToken>(std::move(token));
}

Result<std::unique_ptr<TokenSource>> MakeAppTokenSource(std::string api_url,
                                                        GitHubAppCredentials credentials,
                                                        WallClock& clock, HttpOptions options) {
  while (!api_url.empty() && api_url.back() == '/') api_url.pop_back();
  if (api_url.empty()) return Error("GitHub App: the API URL is empty");
  // Fail at start-up, not at the first event, when the key cannot sign.
  ZC_RETURN_IF_ERROR(
      MakeAppJwt(credentials.app_id, credentials.private_key_pem, clock.NowUnixSeconds()));
  return std::unique_ptr<TokenSource>(std::make_unique<AppTokenSource>(
      std::move(api_url), std::move(credentials), clock, std::move(options)));
}

}  // namespace zooci
