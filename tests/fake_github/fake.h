// fake-github: shared declarations of the fake GitHub REST API (see fake_github.cpp).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fake_github {

using nlohmann::json;

// An injected failure: the next `count` API requests get it.
struct Failure {
  int count = 0;
  std::string kind;  // "502", "ratelimit", "secondary"
  int seconds = 0;   // Retry-After or reset delay; 0 = none / default
};

// Parses --fail's N and KIND (also /_fake/fail's count and kind).
bool ParseFailure(const std::string& count, const std::string& spec, Failure* failure);

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port, written to port_file
  std::string port_file;
  std::string record_path;         // JSON lines; empty: kept in memory only
  std::deque<Failure> failures;    // applied in order to the first API requests
  std::string app_public_key_pem;  // set: JWT signatures verified, only issued tokens accepted
  std::string app_id;              // set: the JWT's iss must be it
  std::string token;               // set: this token (and issued ones) accepted, others 401
  int64_t token_ttl_seconds = 3600;
};

// server.cpp: listens as `options` say, writes the port file, serves until killed.
int Serve(const Options& options);

// One complaint about a request body, shaped like an entry of GitHub's "errors" array.
struct FieldError {
  std::string resource;  // "CheckRun", "Status", "IssueComment"
  std::string field;     // "output.annotations[3].annotation_level"
  std::string code;      // "missing_field", "invalid", "too_long", "custom"
  std::string message;   // "annotation_level is not one of notice, warning, failure"
};

// validate.cpp: GitHub's documented request shapes. Each returns every problem found.
std::vector<FieldError> ValidateCheckRun(const json& body, bool create);
std::vector<FieldError> ValidateStatus(const json& body);
std::vector<FieldError> ValidateCommentBody(const json& body);
bool IsCommitSha(std::string_view text);
size_t CountCodePoints(std::string_view text);
std::string Iso8601(int64_t unix_seconds);

// auth.cpp: the App JWT as GitHub checks it. Returns the error message GitHub would give, or
// nullopt when the token is acceptable. `public_key_pem` empty: the signature is not checked.
std::optional<std::string> CheckAppJwt(std::string_view jwt, const std::string& public_key_pem,
                                       const std::string& app_id, int64_t now_unix_seconds);
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string RandomToken(std::string_view prefix);

}  // namespace fake_github
