// Private to src/github: crypto helpers, the HTTP transport and the retry loop shared by the
// REST client and the installation-token exchange.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "github/github.h"

namespace zooci::github_internal {

// ---- crypto.cpp --------------------------------------------------------------------------------

std::string HmacSha256(std::string_view key, std::string_view data);
std::string Base64UrlEncode(std::string_view bytes);  // no padding
// Decodes base64url with or without padding; nullopt on any other character.
std::optional<std::string> Base64UrlDecode(std::string_view text);
// RSASSA-PKCS1-v1_5 with SHA-256 of `data` under a PEM private key.
Result<std::string> SignRs256(std::string_view private_key_pem, std::string_view data);

// ---- http.cpp ----------------------------------------------------------------------------------

struct HttpRequest {
  std::string method;  // GET, POST, PATCH
  std::string url;
  std::string path;                  // for messages: "/repos/o/r/check-runs"
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when non-empty (or for POST/PATCH)
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-case; the last value of each
  std::string body;
};

// How a transfer failed, when it failed below HTTP.
enum class TransportFailure {
  kNotSent,   // resolving or connecting failed: the request never reached the server
  kMaybeSent  // timed out or broke after sending began: the server may have acted on it
};

struct TransportError {
  TransportFailure failure = TransportFailure::kNotSent;
  std::string message;
};

// One HTTP exchange with libcurl (no redirects, http and https only, timeouts from `options`,
// responses over 16 MiB refused). Returns false with `error` set when no HTTP response came.
bool PerformHttp(const HttpRequest& request, const HttpOptions& options, HttpResponse* response,
                 TransportError* error);

// ---- retry.cpp ---------------------------------------------------------------------------------

// What to do after one attempt.
struct RetryDecision {
  bool retry = false;
  int64_t wait_ms = 0;
  std::string reason;  // "HTTP 502", "rate limit (x-ratelimit-remaining: 0)"
};

// Decides on a response: 5xx and 429 back off exponentially (or as Retry-After says); 403 is
// retried only when it is a rate limit (Retry-After, or x-ratelimit-remaining: 0 → wait until
// x-ratelimit-reset + 1 s). `attempt` counts from 1. `jitter` is in [0, 1).
RetryDecision DecideRetry(const HttpResponse& response, int attempt, const HttpOptions& options,
                          int64_t now_unix_seconds, double jitter);
// Backoff before retry number `attempt` (from 1): initial * 2^(attempt-1), capped, times
// (0.5 + jitter / 2).
int64_t BackoffMs(int attempt, const HttpOptions& options, double jitter);

// GitHub's error body ({"message", "errors": [...], "documentation_url"}) as one line;
// the raw body (cut) when it is not JSON.
std::string DescribeGitHubError(std::string_view body);

// Sends `request` until it succeeds (any status below 400 and not retried), a non-retryable
// answer comes, attempts run out or the next wait would exceed max_total_wait_ms. A 2xx/3xx
// response is returned; everything else is an error naming "METHOD path", the status and
// GitHub's message. `before_attempt` runs before each attempt and may change the request
// (a fresh token after a 401); `on_unauthorized` is called once on a 401, and when it returns
// true the request is tried again without counting as a retry.
struct RetryHooks {
  std::function<Status(HttpRequest&)> before_attempt;
  std::function<bool()> on_unauthorized;
};
Result<HttpResponse> SendWithRetries(HttpRequest request, const HttpOptions& options,
                                     WallClock& clock, const RetryHooks& hooks);

// The common GitHub headers (Accept, X-GitHub-Api-Version, User-Agent, Content-Type) plus
// Authorization: Bearer `token`.
std::vector<std::string> GitHubHeaders(const HttpOptions& options, std::string_view token);

// Parses "2016-07-11T22:14:10Z" (UTC, optional fraction) into Unix seconds.
std::optional<int64_t> ParseIso8601Utc(std::string_view text);

// ---- pull_request.cpp (webhook.cpp) ------------------------------------------------------------

// Reads a pull request object (webhook `pull_request`, or GET /repos/o/r/pulls/N).
Result<PullRequestInfo> ParsePullRequestObject(const nlohmann::json& object);

// ---- sanitize.cpp ------------------------------------------------------------------------------

// `text` cut to at most `max_bytes` bytes on a UTF-8 boundary, ending with a note
// "\n\n… (cut: N bytes in all, GitHub allows M)" when it was cut.
std::string CutWithNote(std::string_view text, size_t max_bytes);
// Cut to `max_chars` code points, ending with "…" when cut.
std::string CutCodePoints(std::string_view text, size_t max_chars);

}  // namespace zooci::github_internal
