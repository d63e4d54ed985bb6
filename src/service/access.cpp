// Dashboard access: bearer tokens, the /login session cookie and the admin forms' CSRF token.
// Every comparison of a secret is constant-time.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

constexpr std::string_view kCookieName = "zooci_session";

std::string Mac(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

bool SecretEquals(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string SessionValue(std::string_view role, std::string_view token) {
  return std::string(role) + "." + Mac(token, "zooci-session:" + std::string(role));
}

}  // namespace

std::string SessionOf(std::string_view cookie_header) {
  size_t pos = 0;
  while (pos < cookie_header.size()) {
    size_t end = cookie_header.find(';', pos);
    if (end == std::string_view::npos) end = cookie_header.size();
    std::string_view pair = cookie_header.substr(pos, end - pos);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.substr(0, kCookieName.size() + 1) == std::string(kCookieName) + "=") {
      return std::string(pair.substr(kCookieName.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

Access AccessOf(const RequestCredentials& request, const AccessTokens& tokens) {
  const std::string_view bearer = "Bearer ";
  if (request.authorization.substr(0, bearer.size()) == bearer) {
    const std::string_view token = std::string_view(request.authorization).substr(bearer.size());
    if (SecretEquals(token, tokens.admin)) return Access::kAdmin;
    if (SecretEquals(token, tokens.viewer)) return Access::kViewer;
    return Access::kNone;
  }
  const std::string session = SessionOf(request.cookie);
  if (session.empty()) return Access::kNone;
  if (!tokens.admin.empty() && SecretEquals(session, SessionValue("admin", tokens.admin))) {
    return Access::kAdmin;
  }
  if (!tokens.viewer.empty() && SecretEquals(session, SessionValue("viewer", tokens.viewer))) {
    return Access::kViewer;
  }
  return Access::kNone;
}

bool CanView(Access access, const AccessTokens& tokens) {
  return tokens.viewer.empty() || access != Access::kNone;
}

std::string SessionCookie(std::string_view token, const AccessTokens& tokens) {
  std::string value;
  if (SecretEquals(token, tokens.admin)) {
    value = SessionValue("admin", tokens.admin);
  } else if (SecretEquals(token, tokens.viewer)) {
    value = SessionValue("viewer", tokens.viewer);
  } else {
    return "";
  }
  return std::string(kCookieName) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
}

std::string CsrfToken(std::string_view session, const AccessTokens& tokens) {
  if (tokens.admin.empty()) return "";
  return Mac(tokens.admin, "zooci-csrf:" + std::string(session));
}

bool CsrfValid(std::string_view session, std::string_view form_token, std::string_view origin,
               std::string_view host, const AccessTokens& tokens) {
  if (session.empty() || tokens.admin.empty()) return false;
  if (!origin.empty() && origin != "http://" + std::string(host) &&
      origin != "https://" + std::string(host)) {
    return false;
  }
  return SecretEquals(form_token, CsrfToken(session, tokens));
}

}  // namespace zooci::service_internal
