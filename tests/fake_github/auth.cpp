// fake-github: GitHub App JWTs checked the way GitHub checks them (RS256 signature against the
// app's public key, iat in the past, exp in the future and at most 10 minutes after iat), with
// GitHub's error messages. Written independently of src/github so each checks the other.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <memory>

#include "fake.h"

namespace fake_github {
namespace {

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (true) {
    size_t end = text.find(separator, begin);
    parts.emplace_back(text.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) return parts;
    begin = end + 1;
  }
}

bool VerifyRs256(const std::string& public_key_pem, std::string_view data,
                 std::string_view signature) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())), BIO_free);
  if (!bio) return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

}  // namespace

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    size_t value = kAlphabet.find(c);
    if (value == std::string::npos) return std::nullopt;  // padding is not used in JWTs
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::optional<std::string> CheckAppJwt(std::string_view jwt, const std::string& public_key_pem,
                                       const std::string& app_id, int64_t now_unix_seconds) {
  const std::string kUndecodable = "A JSON web token could not be decoded";
  std::vector<std::string> parts = Split(jwt, '.');
  if (parts.size() != 3) return kUndecodable;
  std::optional<std::string> header_text = Base64UrlDecode(parts[0]);
  std::optional<std::string> claims_text = Base64UrlDecode(parts[1]);
  std::optional<std::string> signature = Base64UrlDecode(parts[2]);
  if (!header_text || !claims_text || !signature) return kUndecodable;
  json header = json::parse(*header_text, nullptr, false);
  json claims = json::parse(*claims_text, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return kUndecodable;
  if (header.value("alg", "") != "RS256") return kUndecodable + " (alg is not RS256)";
  if (!public_key_pem.empty() &&
      !VerifyRs256(public_key_pem, parts[0] + "." + parts[1], *signature)) {
    return kUndecodable + " (the signature does not verify with the app's public key)";
  }
  if (!claims.contains("iat") || !claims["iat"].is_number_integer()) {
    return "'Issued at' claim ('iat') must be an Integer representing the time that the "
           "assertion was issued";
  }
  if (!claims.contains("exp") || !claims["exp"].is_number_integer()) {
    return "'Expiration time' claim ('exp') must be a numeric value representing the future "
           "time at which the assertion expires";
  }
  int64_t iat = claims["iat"].get<int64_t>();
  int64_t exp = claims["exp"].get<int64_t>();
  if (iat > now_unix_seconds) {
    return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
  }
  if (exp <= now_unix_seconds) {
    return "'Expiration time' claim ('exp') must be a numeric value representing the future "
           "time at which the assertion expires";
  }
  if (exp - iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
  if (!claims.contains("iss")) return "'Issuer' claim ('iss') must be present";
  std::string iss =
      claims["iss"].is_string() ? claims["iss"].get<std::string>() : claims["iss"].dump();
  if (!app_id.empty() && iss != app_id) return "Integration not found";
  return std::nullopt;
}

std::string RandomToken(std::string_view prefix) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char bytes[36];
  RAND_bytes(bytes, sizeof(bytes));
  std::string token(prefix);
  for (unsigned char byte : bytes) token += kAlphabet[byte % 62];
  return token;
}

}  // namespace fake_github
