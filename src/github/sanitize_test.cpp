// SanitizeUntrusted, QuoteUntrustedBlock and CutUtf8: what a hostile submission could put into
// a PR comment or check-run summary, and what comes out.
#include <random>

#include <gtest/gtest.h>

#include "github/github.h"

namespace zooci {
namespace {

const std::string kZwj = "\xE2\x80\x8D";  // U+200D ZERO WIDTH JOINER

std::string S(std::string_view text) {
  return SanitizeUntrusted(text, 10'000);
}

bool IsValidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[pos]);
    size_t length = lead < 0x80           ? 1
                    : (lead >> 5) == 0x6  ? 2
                    : (lead >> 4) == 0xE  ? 3
                    : (lead >> 3) == 0x1E ? 4
                                          : 0;
    if (length == 0 || pos + length > text.size()) return false;
    for (size_t i = 1; i < length; ++i) {
      if ((static_cast<unsigned char>(text[pos + i]) & 0xC0) != 0x80) return false;
    }
    pos += length;
  }
  return true;
}

// Whether `text` holds a run of 7 or more hex digits (a commit autolink).
bool HasLongHexRun(std::string_view text) {
  size_t run = 0;
  for (char c : text) {
    run = std::isxdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
    if (run >= 7) return true;
  }
  return false;
}

TEST(SanitizeUntrustedTest, PlainTextStaysReadable) {
  EXPECT_EQ(S("ResNet 50 v2, int8 (quantised)."), "ResNet 50 v2, int8 (quantised).");
  EXPECT_EQ(S("résumé 模型 🙂"), "résumé 模型 🙂");
  EXPECT_EQ(S("resnet50-v2-7.onnx"), "resnet50\\-v2\\-7.onnx");
  EXPECT_EQ(S(""), "");
}

TEST(SanitizeUntrustedTest, MentionsDoNotPing) {
  EXPECT_EQ(S("thanks @octocat!"), "thanks @" + kZwj + "octocat\\!");
  EXPECT_EQ(S("cc @onnx/core-team"), "cc @" + kZwj + "onnx/core\\-team");
  EXPECT_EQ(S("mail me: a@b.example"), "mail me: a@" + kZwj + "b.example");
  EXPECT_EQ(S("@ alone"), "@ alone");
}

TEST(SanitizeUntrustedTest, IssueAndCommitReferencesDoNotLink) {
  EXPECT_EQ(S("fixes #123"), "fixes \\#" + kZwj + "123");
  EXPECT_EQ(S("see GH-123 and gh-4"), "see GH\\-" + kZwj + "123 and gh\\-" + kZwj + "4");
  EXPECT_EQ(S("onnx/models#12"), "onnx/models\\#" + kZwj + "12");
  std::string sha = S("6dcb09b5b57875f334f61aebed695e2e4193db5e");
  EXPECT_FALSE(HasLongHexRun(sha)) << sha;
  EXPECT_EQ(sha, "6dcb09" + kZwj + "b5b578" + kZwj + "75f334" + kZwj + "f61aeb" + kZwj + "ed695e" +
                     kZwj + "2e4193" + kZwj + "db5e");
  EXPECT_FALSE(HasLongHexRun(S("onnx/models@6dcb09b")));
  EXPECT_FALSE(HasLongHexRun(S("DEADBEEFCAFE")));
  EXPECT_EQ(S("abc123"), "abc123");  // six hex digits cannot name a commit
}

TEST(SanitizeUntrustedTest, UrlsAreNotAutolinked) {
  EXPECT_EQ(S("https://github.com/onnx/models/pull/1"),
            "https" + kZwj + "://github.com/onnx/models/pull/1");
  EXPECT_EQ(S("HTTP://x.example"), "HTTP" + kZwj + "://x.example");
  EXPECT_EQ(S("www.example.com"), "www" + kZwj + ".example.com");
  EXPECT_EQ(S("mailto:x@y.z"), "mailto" + kZwj + ":x@" + kZwj + "y.z");
}

TEST(SanitizeUntrustedTest, HtmlAndMarkdownAreInert) {
  EXPECT_EQ(S("<img src=x onerror=alert(1)>"), "\\<img src=x onerror=alert(1)\\>");
  EXPECT_EQ(S("<!-- hidden -->"), "\\<\\!\\-\\- hidden \\-\\-\\>");
  EXPECT_EQ(S("[click](https://evil.example)"), "\\[click\\](https" + kZwj + "://evil.example)");
  EXPECT_EQ(S("![x](http://a/b.png)"), "\\!\\[x\\](http" + kZwj + "://a/b.png)");
  EXPECT_EQ(S("**bold** _it_ `code` ~~s~~"), "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~");
  EXPECT_EQ(S("| a | b |"), "\\| a \\| b \\|");
  EXPECT_EQ(S("$x^2$ and \\(y\\)"), "\\$x^2\\$ and \\\\(y\\\\)");
  EXPECT_EQ(S("&#64;octocat &amp;"), "\\&\\#" + kZwj + "64;octocat \\&amp;");
}

TEST(SanitizeUntrustedTest, BlockMarkupAtTheStartIsEscaped) {
  EXPECT_EQ(S("# Title"), "\\# Title");
  EXPECT_EQ(S("> quote"), "\\> quote");
  EXPECT_EQ(S("- item"), "\\- item");
  EXPECT_EQ(S("+ item"), "\\+ item");
  EXPECT_EQ(S("12. item"), "12\\. item");
  EXPECT_EQ(S("3) item"), "3\\) item");
  EXPECT_EQ(S("=== "), "\\===");
  EXPECT_EQ(S("    indented code"), "indented code");
  EXPECT_EQ(S("v1.2 (x)"), "v1.2 (x)");  // not at the start: not a list marker
}

TEST(SanitizeUntrustedTest, OneLineWithoutControlsOrBidi) {
  EXPECT_EQ(S("line one\r\nline two\n\n# heading"), "line one line two \\# heading");
  EXPECT_EQ(S("a\tb\x01\x07\x1b[31mc\x7f"), "a b\\[31mc");
  // "Trojan Source": overrides, isolates and marks are dropped.
  EXPECT_EQ(S("admin\u202E\u2066txt.exe\u2069\u200F"), "admintxt.exe");
  EXPECT_EQ(S("\xEF\xBB\xBFzero\u200Bwidth"), "zerowidth");
  EXPECT_EQ(S("C1\xC2\x85here"), "C1here");
  EXPECT_EQ(S("  padded   out  "), "padded out");
  EXPECT_EQ(S("👩‍💻"), "👩‍💻");  // a joiner inside an emoji sequence stays
}

TEST(SanitizeUntrustedTest, InvalidUtf8IsReplaced) {
  EXPECT_EQ(S("bad\xff byte"), "bad\uFFFD byte");
  EXPECT_EQ(S("\xC0\xAF overlong"), "\uFFFD\uFFFD overlong");
  EXPECT_EQ(S("\xED\xA0\x80 surrogate"), "\uFFFD\uFFFD\uFFFD surrogate");
  EXPECT_EQ(S("cut \xE6\xA8"), "cut \uFFFD\uFFFD");
}

TEST(SanitizeUntrustedTest, CapIsOnACharacterBoundaryWithANote) {
  std::string long_text(1000, 'a');
  std::string capped = SanitizeUntrusted(long_text, 100);
  EXPECT_LE(capped.size(), 100u);
  EXPECT_TRUE(EndsWith(capped, " … (cut, 1000 bytes in all)")) << capped;
  EXPECT_TRUE(StartsWith(capped, "aaaa"));

  std::string wide;
  for (int i = 0; i < 200; ++i) wide += "é模";
  for (size_t cap = 30; cap < 80; ++cap) {
    std::string out = SanitizeUntrusted(wide, cap);
    EXPECT_LE(out.size(), cap);
    EXPECT_TRUE(IsValidUtf8(out)) << cap;
  }
  // An escape is never split: a backslash is always followed by what it escapes.
  std::string stars(300, '*');
  for (size_t cap = 30; cap < 60; ++cap) {
    std::string out = SanitizeUntrusted(stars, cap);
    std::string kept = out.substr(0, out.find(" …"));
    EXPECT_EQ(kept.size() % 2, 0u) << out;
    EXPECT_EQ(kept.find("\\\\"), std::string::npos);
  }
  // Nor a mention breaker: the joiner stays with its '@'.
  std::string mentions;
  for (int i = 0; i < 50; ++i) mentions += "@a";
  for (size_t cap = 30; cap < 60; ++cap) {
    std::string out = SanitizeUntrusted(mentions, cap);
    size_t at = out.rfind('@');
    if (at == std::string::npos) continue;  // nothing but the note fits
    EXPECT_EQ(out.substr(at + 1, kZwj.size()), kZwj) << out;
  }
  EXPECT_EQ(SanitizeUntrusted(long_text, 3), "…");
  EXPECT_EQ(SanitizeUntrusted(long_text, 2), "");
  EXPECT_EQ(SanitizeUntrusted("short", 5), "short");
}

// Properties over random input drawn from the characters that matter: the result fits, is
// valid UTF-8, has no unescaped markup, no pinging '@' or linking '#', no commit-length hex run
// and no bidi control.
TEST(SanitizeUntrustedTest, PropertiesHoldForRandomInput) {
  const std::vector<std::string> alphabet = {
      "a", "b", "f", "0", "7", "@", "#", "G", "H", "-", ":", "/", "w", ".", "\\", "`", "*", "_",
      "[", "]", "<", ">", "!", "|", "~", "$", "&", " ", "\n", "\t", "\x01", "\xff", "\xC3",
      "é", "模", "🙂", "\u202E", "\u2066", "\u200D", "\u200B", "h", "t", "p", "s", "x"};
  std::mt19937 random(20240503);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    size_t length = random() % 80;
    for (size_t i = 0; i < length; ++i) text += alphabet[random() % alphabet.size()];
    size_t cap = 3 + random() % 200;
    std::string out = SanitizeUntrusted(text, cap);
    ASSERT_LE(out.size(), cap) << text;
    ASSERT_TRUE(IsValidUtf8(out)) << text;
    ASSERT_FALSE(HasLongHexRun(out)) << text;
    ASSERT_EQ(out.find("\u202E"), std::string::npos) << text;
    ASSERT_EQ(out.find("\u2066"), std::string::npos) << text;
    for (size_t at = out.find("://"); at != std::string::npos; at = out.find("://", at + 1)) {
      ASSERT_GE(at, kZwj.size());
      ASSERT_EQ(out.substr(at - kZwj.size(), kZwj.size()), kZwj) << out;  // no scheme before it
    }
    for (size_t i = 0; i < out.size(); ++i) {
      char c = out[i];
      if (c == '\\') {
        ++i;  // the escaped character
        continue;
      }
      ASSERT_EQ(std::string_view("`*_[]<>#!|~$&").find(c), std::string_view::npos)
          << "unescaped '" << c << "' in " << out << " from " << text;
      if (c == '@' && i + 1 < out.size()) {
        ASSERT_FALSE(std::isalnum(static_cast<unsigned char>(out[i + 1]))) << out;
      }
    }
  }
}

TEST(CutUtf8Test, NeverSplitsASequence) {
  EXPECT_EQ(CutUtf8("aé", 2), "a");
  EXPECT_EQ(CutUtf8("aé", 3), "aé");
  EXPECT_EQ(CutUtf8("🙂x", 3), "");
  EXPECT_EQ(CutUtf8("🙂x", 4), "🙂");
  EXPECT_EQ(CutUtf8("abc", 0), "");
  EXPECT_EQ(CutUtf8("abc", 10), "abc");
}

TEST(QuoteUntrustedBlockTest, FencesOutEverything) {
  std::string block = QuoteUntrustedBlock("@octocat fixes #1 <b>bold</b>\nline 2", 1000);
  EXPECT_EQ(block, "```\n@octocat fixes #1 <b>bold</b>\nline 2\n```\n");

  block = QuoteUntrustedBlock("text\n```\nescaped?\n`````", 1000);
  EXPECT_EQ(block, "``````\ntext\n```\nescaped?\n`````\n``````\n");

  block = QuoteUntrustedBlock("a\u202Eb\r\nc\x1b[0m\td", 1000);
  EXPECT_EQ(block, "```\nab\nc[0m\td\n```\n");
}

TEST(QuoteUntrustedBlockTest, CapKeepsWholeLinesAndTheFence) {
  std::string log;
  for (int i = 0; i < 100; ++i) log += "line " + std::to_string(i) + "\n";
  std::string block = QuoteUntrustedBlock(log, 120);
  EXPECT_LE(block.size(), 120u);
  EXPECT_TRUE(StartsWith(block, "```\nline 0\nline 1\n"));
  EXPECT_TRUE(EndsWith(block, "\n… (cut, " + std::to_string(log.size()) + " bytes in all)\n```\n"))
      << block;
  EXPECT_EQ(QuoteUntrustedBlock(log, 10), "");
}

}  // namespace
}  // namespace zooci
