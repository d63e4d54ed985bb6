// SendWithRetries and its policy: which GitHub answers are worth another try, and how long to
// wait before it (exponential backoff with jitter, Retry-After, x-ratelimit-reset).
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>

#include "github/internal.h"

namespace zooci::github_internal {
namespace {

std::optional<int64_t> HeaderInt(const HttpResponse& response, const std::string& name) {
  auto it = response.headers.find(name);
  if (it == response.headers.end()) return std::nullopt;
  Result<int64_t> value = ParseInt(it->second, name);
  if (!value.ok() || *value < 0) return std::nullopt;
  return *value;
}

double Jitter() {
  thread_local std::mt19937_64 engine(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string Seconds(int64_t ms) {
  return std::to_string((ms + 999) / 1000) + " s";
}

}  // namespace

int64_t BackoffMs(int attempt, const HttpOptions& options, double jitter) {
  int64_t backoff = options.initial_backoff_ms;
  for (int i = 1; i < attempt && backoff < options.max_backoff_ms; ++i) backoff *= 2;
  backoff = std::min(backoff, options.max_backoff_ms);
  return static_cast<int64_t>(static_cast<double>(backoff) * (0.5 + jitter / 2));
}

RetryDecision DecideRetry(const HttpResponse& response, int attempt, const HttpOptions& options,
                          int64_t now_unix_seconds, double jitter) {
  const long status = response.status;
  std::optional<int64_t> retry_after = HeaderInt(response, "retry-after");
  std::optional<int64_t> remaining = HeaderInt(response, "x-ratelimit-remaining");
  std::optional<int64_t> reset = HeaderInt(response, "x-ratelimit-reset");
  const std::string http = "HTTP " + std::to_string(status);
  if (status == 403 || status == 429) {
    if (retry_after) {
      return {true, *retry_after * 1000,
              http + " secondary rate limit (Retry-After: " + std::to_string(*retry_after) + ")"};
    }
    if (remaining && *remaining == 0 && reset) {
      int64_t wait_s = std::max<int64_t>(0, *reset - now_unix_seconds) + 1;
      return {true, wait_s * 1000,
              http + " rate limit (x-ratelimit-remaining: 0, resets in " + std::to_string(wait_s) +
                  " s)"};
    }
    // Without either header GitHub asks for at least a minute's pause on a rate limit.
    bool says_rate_limit =
        AsciiLower(DescribeGitHubError(response.body)).find("rate limit") != std::string::npos;
    if (status == 429 || says_rate_limit) {
      return {true, std::max<int64_t>(60'000, BackoffMs(attempt, options, jitter)),
              http + " rate limit without a reset time"};
    }
    return {false, 0, http};
  }
  if (status >= 500) {
    int64_t wait = retry_after ? *retry_after * 1000 : BackoffMs(attempt, options, jitter);
    return {true, wait, http};
  }
  return {false, 0, http};
}

std::string DescribeGitHubError(std::string_view body) {
  nlohmann::json error = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (error.is_discarded() || !error.is_object() || !error.contains("message") ||
      !error["message"].is_string()) {
    std::string text = CutUtf8(body, 300);
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text.empty() ? "(empty body)" : text;
  }
  std::string description = error["message"].get<std::string>();
  std::vector<std::string> details;
  if (error.contains("errors") && error["errors"].is_array()) {
    for (const nlohmann::json& item : error["errors"]) {
      if (item.is_string()) {
        details.push_back(item.get<std::string>());
      } else if (item.is_object()) {
        auto field = [&](const char* key) {
          return item.contains(key) && item[key].is_string() ? item[key].get<std::string>() : "";
        };
        std::string where = field("resource");
        if (!field("field").empty()) {
          if (!where.empty()) where += '.';
          where += field("field");
        }
        std::string what = !field("message").empty() ? field("message") : field("code");
        details.push_back(where.empty() ? what : where + ": " + what);
      }
    }
  }
  if (!details.empty()) description += " (" + JoinStrings(details, "; ") + ")";
  return description;
}

std::vector<std::string> GitHubHeaders(const HttpOptions& options, std::string_view token) {
  return {"Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28",
          "User-Agent: " + options.user_agent, "Content-Type: application/json",
          "Authorization: Bearer " + std::string(token)};
}

std::optional<int64_t> ParseIso8601Utc(std::string_view text) {
  std::string copy(text);
  std::tm tm = {};
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(copy).substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = rest.find_first_not_of("0123456789", 1);
    rest = rest.substr(digits == std::string_view::npos ? rest.size() : digits);
  }
  if (rest != "Z" && rest != "+00:00") return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm));
}

Result<HttpResponse> SendWithRetries(HttpRequest request, const HttpOptions& options,
                                     WallClock& clock, const RetryHooks& hooks) {
  const std::string what = request.method + " " + request.path;
  int64_t waited_ms = 0;
  bool renewed_token = false;
  for (int attempt = 1;; ++attempt) {
    if (hooks.before_attempt) ZC_RETURN_IF_ERROR(hooks.before_attempt(request).WithContext(what));
    HttpResponse response;
    TransportError transport;
    RetryDecision decision;
    if (!PerformHttp(request, options, &response, &transport)) {
      if (transport.failure == TransportFailure::kMaybeSent && request.method != "GET") {
        return Error(what + ": " + transport.message +
                     " (not retried: GitHub may have acted on the request)");
      }
      decision = {true, BackoffMs(attempt, options, Jitter()), transport.message};
    } else {
      if (response.status == 401 && !renewed_token && hooks.on_unauthorized) {
        renewed_token = true;
        if (hooks.on_unauthorized()) {
          --attempt;  // the same attempt again, with a new token
          continue;
        }
      }
      if (response.status < 400) return response;
      decision = DecideRetry(response, attempt, options, clock.NowUnixSeconds(), Jitter());
      if (!decision.retry) {
        return Error(what + ": " + decision.reason + ": " + DescribeGitHubError(response.body));
      }
      decision.reason += ": " + DescribeGitHubError(response.body);
    }
    if (attempt >= options.max_attempts) {
      return Error(what + ": " + decision.reason + " (gave up after " +
                   Plural(static_cast<size_t>(attempt), "attempt") + ")");
    }
    if (waited_ms + decision.wait_ms > options.max_total_wait_ms) {
      return Error(what + ": " + decision.reason + " (gave up: the next retry, in " +
                   Seconds(decision.wait_ms) + ", would make the wait exceed " +
                   Seconds(options.max_total_wait_ms) + ")");
    }
    clock.SleepMs(decision.wait_ms);
    waited_ms += decision.wait_ms;
  }
}

}  // namespace zooci::github_internal
