// fake-github: shared declarations of the fake GitHub REST API (see fake_github.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fake_github {

using nlohmann::json;

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
