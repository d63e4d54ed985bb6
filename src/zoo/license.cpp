// Licences as SPDX identifiers: IdentifyLicenseText (an SPDX tag or expression, licence URLs, then
// the prose of license_prose.cpp) and the normalized text that IdentifyLicenseFile
// (license_file.cpp) shares. The normalized copy of a text (ASCII lower case, words separated by
// single spaces, "2.0" kept) remembers where each character came from, so evidence quotes the
// original words. Unknown or ambiguous text gives "": nothing is guessed.
#include <algorithm>
#include <optional>
#include <regex>  // only on licence URLs, which are short
#include <string>
#include <vector>

#include "zoo/license_internal.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

using zoo_internal::CanonicalSpdxExpression;
using zoo_internal::NormalizedText;
using zoo_internal::OnlyKnownLicenses;

constexpr size_t kMaxTextBytes = size_t{64} << 10;  // README prose considered
constexpr size_t kMaxEvidenceChars = 100;

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string Quote(const std::string& words) {
  return "'" + words + "'";
}

// Text that is an SPDX expression of known licences ("BSD-3-Clause", "`Apache-2.0 OR MIT`").
std::optional<std::string> KnownExpression(std::string_view text) {
  std::string stripped;
  for (char c : Trim(text)) {
    if (c != '*' && c != '`' && c != '"') stripped += c;
  }
  std::string_view candidate = Trim(stripped);
  if (!candidate.empty() && candidate.back() == '.') candidate.remove_suffix(1);
  std::optional<std::string> expression = CanonicalSpdxExpression(candidate);
  if (!expression || !OnlyKnownLicenses(*expression)) return std::nullopt;
  return expression;
}

// ---- Licence URLs ----------------------------------------------------------------------------

constexpr size_t kMaxLicenceUrlChars = 200;

struct UrlLicence {
  std::string id;
  std::string url;
};

// The licence a URL names: apache.org/licenses/LICENSE-2.0, opensource.org/licenses/MIT,
// spdx.org/licenses/..., choosealicense.com/licenses/..., creativecommons.org/licenses/by-nc/4.0,
// gnu.org/licenses/gpl-3.0; "" for any other URL.
std::string LicenceOfUrl(const std::string& url) {
  if (url.size() > kMaxLicenceUrlChars) return "";  // std::regex recursion stays shallow
  static const std::regex apache("apache\\.org/licenses/license-(\\d\\.\\d)");
  static const std::regex by_id(
      "(?:opensource\\.org/licen[cs]es?|spdx\\.org/licenses|choosealicense\\.com/licenses)/"
      "([a-z0-9.+-]+?)(?:\\.html|\\.php)?/?$");
  static const std::regex creative_commons(
      "creativecommons\\.org/licenses/(by(?:-nc)?(?:-sa|-nd)?)/(\\d\\.\\d)");
  static const std::regex gnu("gnu\\.org/licenses/((?:l|a)?gpl)-(\\d\\.\\d)");
  const std::string lower = AsciiLower(url);
  std::smatch match;
  std::string id;
  if (std::regex_search(lower, match, apache)) {
    id = "apache-" + match[1].str();
  } else if (std::regex_search(lower, match, by_id)) {
    id = match[1].str();
  } else if (std::regex_search(lower, match, creative_commons)) {
    id = "cc-" + match[1].str() + "-" + match[2].str();
  } else if (lower.find("creativecommons.org/publicdomain/zero/1.0") != std::string::npos) {
    id = "cc0-1.0";
  } else if (std::regex_search(lower, match, gnu)) {
    id = match[1].str() + "-" + match[2].str();
  }
  return id.empty() ? "" : zoo_internal::KnownLicenseSpelling(id).value_or("");
}

// Replaces every URL ("http://", "https://", "www.") in `text` by spaces, so that
// "github.com/mit-han-lab" names no licence, and returns the licences licence URLs name.
std::vector<UrlLicence> TakeLicenceUrls(std::string* text) {
  std::vector<UrlLicence> licences;
  const std::string lower = AsciiLower(*text);
  for (size_t pos = 0; pos < lower.size();) {
    size_t start = std::string::npos;
    for (std::string_view scheme : {"http://", "https://", "www."}) {
      start = std::min(start, lower.find(scheme, pos));
    }
    if (start == std::string::npos) break;
    size_t end = lower.find_first_of(" \t\r\n()[]<>\"'", start);
    if (end == std::string::npos) end = lower.size();
    std::string id = LicenceOfUrl(text->substr(start, end - start));
    if (!id.empty()) licences.push_back({std::move(id), text->substr(start, end - start)});
    text->replace(start, end - start, end - start, ' ');
    pos = end;
  }
  return licences;
}

}  // namespace

namespace zoo_internal {

// Keeps letters and digits (lower-cased), '.' between digits ("2.0") and '+' right after a word
// ("GPL-2.0+"); everything else separates words.
NormalizedText NormalizeLicenseText(std::string_view text) {
  NormalizedText out;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    const bool keep_dot = c == '.' && pos > 0 && pos + 1 < text.size() && IsDigit(text[pos - 1]) &&
                          IsDigit(text[pos + 1]);
    const bool keep_plus = c == '+' && pos > 0 && IsAsciiAlnum(text[pos - 1]);
    if (IsAsciiAlnum(c) || keep_dot || keep_plus) {
      out.text += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      out.source.push_back(pos);
    } else if (!out.text.empty() && out.text.back() != ' ') {
      out.text += ' ';
      out.source.push_back(pos);
    }
  }
  if (!out.text.empty() && out.text.back() == ' ') {
    out.text.pop_back();
    out.source.pop_back();
  }
  return out;
}

// The original words behind normalized [begin, end), on one line and at most kMaxEvidenceChars.
std::string SourceWords(std::string_view original, const NormalizedText& normalized, size_t begin,
                        size_t end) {
  const size_t from = normalized.source[begin];
  const size_t to = normalized.source[end - 1] + 1;
  std::string words;
  for (char c : original.substr(from, to - from)) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space && (words.empty() || words.back() == ' ')) continue;
    words += space ? ' ' : c;
  }
  if (words.size() > kMaxEvidenceChars) words = words.substr(0, kMaxEvidenceChars - 3) + "...";
  return words;
}

std::optional<LicenseFinding> FindSpdxTag(std::string_view text) {
  const std::string lower = AsciiLower(text);
  constexpr std::string_view kTag = "spdx-license-identifier:";
  for (size_t pos = lower.find(kTag); pos != std::string::npos; pos = lower.find(kTag, pos + 1)) {
    const size_t start = pos + kTag.size();
    const size_t end = text.find('\n', start);
    std::string_view value = text.substr(start, end == std::string_view::npos ? end : end - start);
    for (std::string_view close : {"-->", "*/"}) value = value.substr(0, value.find(close));
    std::optional<std::string> expression = CanonicalSpdxExpression(Trim(value));
    if (expression) {
      return LicenseFinding{*expression, "SPDX-License-Identifier: " + std::string(Trim(value))};
    }
  }
  return std::nullopt;
}

}  // namespace zoo_internal

LicenseFinding IdentifyLicenseText(std::string_view text) {
  text = text.substr(0, kMaxTextBytes);
  if (std::optional<LicenseFinding> tagged = zoo_internal::FindSpdxTag(text)) return *tagged;
  if (std::optional<std::string> expression = KnownExpression(text)) {
    return {*expression, Quote(std::string(Trim(text)))};
  }
  std::string without_urls(text);
  const std::vector<UrlLicence> url_licences = TakeLicenceUrls(&without_urls);
  const zoo_internal::ProseFinding prose_finding = zoo_internal::IdentifyLicenseProse(without_urls);
  const LicenseFinding& prose = prose_finding.finding;
  if (prose.spdx.empty() && prose_finding.named) return prose;  // ambiguous

  // A licence URL confirms what the prose names, or is the only evidence.
  const std::vector<std::string> prose_ids = zoo_internal::LicenseIdsIn(prose.spdx);
  std::vector<std::string> other_ids, quoted_urls;
  for (const UrlLicence& url : url_licences) {
    if (std::find(prose_ids.begin(), prose_ids.end(), url.id) != prose_ids.end()) continue;
    if (std::find(other_ids.begin(), other_ids.end(), url.id) == other_ids.end()) {
      other_ids.push_back(url.id);
      quoted_urls.push_back(Quote(url.url));
    }
  }
  if (other_ids.empty()) return prose;
  if (prose_ids.empty() && other_ids.size() == 1) return {other_ids.front(), quoted_urls.front()};
  if (!prose_ids.empty()) quoted_urls.insert(quoted_urls.begin(), prose.evidence);
  return {"", "several licences named (" + JoinStrings(quoted_urls, ", ") + ")"};
}

}  // namespace zooci
