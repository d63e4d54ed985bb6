// App JWTs (decoded and verified here with the public key, independently of the module) and
// installation tokens exchanged with the fake GitHub, cached and renewed.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <gtest/gtest.h>

#include "github/fake_github_process.h"
#include "github/github.h"

namespace zooci {
namespace {

using github_testing::FakeGitHubProcess;
using nlohmann::json;

constexpr char kAppId[] = "901234";
constexpr int64_t kInstallation = 2311213;

struct KeyPair {
  std::string private_pkcs8;
  std::string private_pkcs1;  // "BEGIN RSA PRIVATE KEY", as GitHub hands out
  std::string public_pem;
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

// One 2048-bit RSA key for the whole test program (generating one takes a moment).
const KeyPair& TestKeys() {
  static const KeyPair keys = [] {
    KeyPair pair;
    EVP_PKEY* key = EVP_RSA_gen(2048);
    EXPECT_NE(key, nullptr);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    pair.private_pkcs8 = BioText(bio);
    BIO_free(bio);
    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey_traditional(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    pair.private_pkcs1 = BioText(bio);
    BIO_free(bio);
    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    pair.public_pem = BioText(bio);
    BIO_free(bio);
    EVP_PKEY_free(key);
    return pair;
  }();
  return keys;
}

std::string DecodeBase64Url(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4 != 0) text += '=';
  std::string out(text.size(), '\0');
  int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(text.data()),
                             static_cast<int>(text.size()));
  EXPECT_GE(size, 0);
  out.resize(static_cast<size_t>(std::max(size, 0)) - std::count(text.begin(), text.end(), '='));
  return out;
}

bool VerifyWithPublicKey(const std::string& public_pem, const std::string& data,
                         const std::string& signature) {
  BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = key != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

TEST(AppJwtTest, ClaimsAndSignatureVerifyWithThePublicKey) {
  for (const std::string& pem : {TestKeys().private_pkcs8, TestKeys().private_pkcs1}) {
    auto jwt = MakeAppJwt(kAppId, pem, 1'700'000'000);
    ASSERT_TRUE(jwt.ok()) << jwt.error().message();
    std::vector<std::string> parts = SplitString(*jwt, '.');
    ASSERT_EQ(parts.size(), 3u);
    for (const std::string& part : parts) {
      EXPECT_EQ(part.find_first_of("+/="), std::string::npos) << "not base64url: " << part;
    }
    EXPECT_EQ(json::parse(DecodeBase64Url(parts[0])), json({{"alg", "RS256"}, {"typ", "JWT"}}));
    json claims = json::parse(DecodeBase64Url(parts[1]));
    EXPECT_EQ(claims["iat"], 1'700'000'000 - 60);
    EXPECT_EQ(claims["exp"], 1'700'000'000 + 540);
    EXPECT_EQ(claims["iss"], kAppId);
    std::string signature = DecodeBase64Url(parts[2]);
    EXPECT_EQ(signature.size(), 256u);  // RSA-2048
    EXPECT_TRUE(VerifyWithPublicKey(TestKeys().public_pem, parts[0] + "." + parts[1], signature));
    EXPECT_FALSE(
        VerifyWithPublicKey(TestKeys().public_pem, parts[0] + "." + parts[1] + "x", signature));
  }
}

TEST(AppJwtTest, BadKeysAreErrors) {
  EXPECT_FALSE(MakeAppJwt(kAppId, "not a key", 1'700'000'000).ok());
  EXPECT_FALSE(MakeAppJwt(kAppId, TestKeys().public_pem, 1'700'000'000).ok());
  EXPECT_FALSE(MakeAppJwt("", TestKeys().private_pkcs8, 1'700'000'000).ok());
  FakeWallClock clock(1'700'000'000);
  auto source = MakeAppTokenSource("https://api.github.com", {kAppId, "garbage"}, clock);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message().find("PEM"), std::string::npos) << source.error().message();
}

TEST(TokenFromFileTest, ReadsOneWord) {
  auto dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(WriteFileAtomic(dir->path() / "token", "  ghp_abc123\n").ok());
  auto source = MakeTokenFromFile(dir->path() / "token");
  ASSERT_TRUE(source.ok()) << source.error().message();
  EXPECT_EQ(*(*source)->Token(0), "ghp_abc123");
  EXPECT_EQ(*(*source)->Token(77), "ghp_abc123");

  ASSERT_TRUE(WriteFileAtomic(dir->path() / "empty", "\n").ok());
  EXPECT_FALSE(MakeTokenFromFile(dir->path() / "empty").ok());
  ASSERT_TRUE(WriteFileAtomic(dir->path() / "two", "a b\n").ok());
  EXPECT_FALSE(MakeTokenFromFile(dir->path() / "two").ok());
  EXPECT_FALSE(MakeTokenFromFile(dir->path() / "missing").ok());
}

class AppTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create();
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<TempDir>(std::move(dir).value());
    ASSERT_TRUE(WriteFileAtomic(dir_->path() / "app.pub", TestKeys().public_pem).ok());
    fake_ = FakeGitHubProcess::Start(
        {"--app-public-key", (dir_->path() / "app.pub").string(), "--app-id", kAppId});
    ASSERT_NE(fake_, nullptr);
  }

  std::unique_ptr<TokenSource> Source(const std::string& pem) {
    HttpOptions http;
    http.max_attempts = 2;
    auto source = MakeAppTokenSource(fake_->url() + "/", {kAppId, pem}, clock_, http);
    EXPECT_TRUE(source.ok()) << source.error().message();
    return source.ok() ? std::move(source).value() : nullptr;
  }

  // The token exchanges the fake has seen.
  std::vector<json> Exchanges() {
    std::vector<json> exchanges;
    for (const json& record : fake_->Records()) {
      if (record["path"].get<std::string>().find("/access_tokens") != std::string::npos) {
        exchanges.push_back(record);
      }
    }
    return exchanges;
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<FakeGitHubProcess> fake_;
  FakeWallClock clock_{SystemWallClock().NowUnixSeconds()};
};

TEST_F(AppTokenTest, ExchangesTheJwtAndCachesTheToken) {
  auto source = Source(TestKeys().private_pkcs1);
  ASSERT_NE(source, nullptr);
  Result<std::string> token = source->Token(kInstallation);
  ASSERT_TRUE(token.ok()) << token.error().message();
  EXPECT_TRUE(StartsWith(*token, "ghs_"));
  std::vector<json> exchanges = Exchanges();
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0]["method"], "POST");
  EXPECT_EQ(exchanges[0]["path"], "/app/installations/2311213/access_tokens");
  EXPECT_EQ(exchanges[0]["status"], 201);
  EXPECT_EQ(exchanges[0]["headers"]["X-GitHub-Api-Version"], "2022-11-28");
  EXPECT_EQ(exchanges[0]["headers"]["Accept"], "application/vnd.github+json");
  EXPECT_TRUE(StartsWith(exchanges[0]["headers"]["Authorization"].get<std::string>(), "Bearer ey"));

  // Cached: the same token, no second exchange, until 5 minutes before expires_at (1 h). The
  // fake stamps expires_at from its own clock, which runs some seconds ahead of clock_ (set when
  // the fixture was made, before the fake started): a minute of margin on each side.
  clock_.Advance(3600 - 300 - 60);
  fake_->Control("/_fake/clock?advance=" + std::to_string(3600 - 300 - 60));
  EXPECT_EQ(*source->Token(kInstallation), *token);
  EXPECT_EQ(Exchanges().size(), 1u);

  clock_.Advance(120);
  fake_->Control("/_fake/clock?advance=120");
  Result<std::string> renewed = source->Token(kInstallation);
  ASSERT_TRUE(renewed.ok()) << renewed.error().message();
  EXPECT_NE(*renewed, *token);
  EXPECT_EQ(Exchanges().size(), 2u);
}

TEST_F(AppTokenTest, OneTokenPerInstallationAndInvalidateRenews) {
  auto source = Source(TestKeys().private_pkcs8);
  ASSERT_NE(source, nullptr);
  std::string first = *source->Token(kInstallation);
  std::string other = *source->Token(kInstallation + 1);
  EXPECT_NE(first, other);
  EXPECT_EQ(*source->Token(kInstallation), first);
  EXPECT_EQ(Exchanges().size(), 2u);
  source->Invalidate(kInstallation);
  EXPECT_NE(*source->Token(kInstallation), first);
  EXPECT_EQ(Exchanges().size(), 3u);
  EXPECT_EQ(*source->Token(kInstallation + 1), other);

  Result<std::string> none = source->Token(0);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("no installation id"), std::string::npos);
}

TEST_F(AppTokenTest, AKeyGitHubDoesNotKnowIsRefused) {
  EVP_PKEY* other = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, other, nullptr, nullptr, 0, nullptr, nullptr);
  std::string other_pem = BioText(bio);
  BIO_free(bio);
  EVP_PKEY_free(other);
  auto source = Source(other_pem);
  ASSERT_NE(source, nullptr);
  Result<std::string> token = source->Token(kInstallation);
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message().find("POST /app/installations/2311213/access_tokens: HTTP 401"),
            std::string::npos)
      << token.error().message();
  EXPECT_NE(token.error().message().find("A JSON web token could not be decoded"),
            std::string::npos);
}

TEST_F(AppTokenTest, AClockAheadOfGitHubIsRefused) {
  // GitHub rejects an iat in its future: a robot whose clock runs 10 minutes fast cannot
  // authenticate, and the error says why.
  clock_.Advance(600);
  auto source = Source(TestKeys().private_pkcs8);
  ASSERT_NE(source, nullptr);
  Result<std::string> token = source->Token(kInstallation);
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message().find("'Issued at' claim ('iat')"), std::string::npos)
      << token.error().message();
}

}  // namespace
}  // namespace zooci
