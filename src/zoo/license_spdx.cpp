// SPDX licence expressions (SPDX specification, annex D): parsing, canonical spelling, and
// whether an expression is acceptable under an allow-list.
//
//   expression := and-expr ("OR" and-expr)*        AND binds tighter than OR
//   and-expr   := term ("AND" term)*
//   term       := "(" expression ")" | licence ["WITH" exception]
//   licence    := idstring ["+"] | ["DocumentRef-" idstring ":"] "LicenseRef-" idstring
//   idstring   := 1*(ALPHA / DIGIT / "-" / ".")
//
// Operators are accepted in upper or lower case; identifiers compare case-insensitively.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "zoo/license_internal.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

constexpr int kMaxNestingDepth = 32;
constexpr size_t kMaxExpressionBytes = 4096;

// Licences and exceptions in their SPDX spelling: the ones IdentifyLicense* produce and others
// common in model and dataset licensing (spdx.org/licenses).
const std::vector<std::string>& KnownLicenseIds() {
  // clang-format off
  static const std::vector<std::string> ids = {
      "0BSD", "AFL-3.0", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.0",
      "Apache-1.1", "Apache-2.0", "Artistic-2.0", "BSD-1-Clause", "BSD-2-Clause",
      "BSD-2-Clause-Patent", "BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause", "BSL-1.0",
      "CC-BY-1.0", "CC-BY-2.0", "CC-BY-2.5", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-NC-1.0",
      "CC-BY-NC-2.0", "CC-BY-NC-2.5", "CC-BY-NC-3.0", "CC-BY-NC-4.0", "CC-BY-NC-ND-1.0",
      "CC-BY-NC-ND-2.0", "CC-BY-NC-ND-2.5", "CC-BY-NC-ND-3.0", "CC-BY-NC-ND-4.0", "CC-BY-NC-SA-1.0",
      "CC-BY-NC-SA-2.0", "CC-BY-NC-SA-2.5", "CC-BY-NC-SA-3.0", "CC-BY-NC-SA-4.0", "CC-BY-ND-1.0",
      "CC-BY-ND-2.0", "CC-BY-ND-2.5", "CC-BY-ND-3.0", "CC-BY-ND-4.0", "CC-BY-SA-1.0",
      "CC-BY-SA-2.0", "CC-BY-SA-2.5", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0",
      "CDLA-Permissive-1.0", "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "ECL-2.0", "EPL-1.0",
      "EPL-2.0", "EUPL-1.2", "GPL-1.0", "GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0",
      "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0", "GPL-3.0-only", "GPL-3.0-or-later", "ISC",
      "LGPL-2.0", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1", "LGPL-2.1-only",
      "LGPL-2.1-or-later", "LGPL-3.0", "LGPL-3.0-only", "LGPL-3.0-or-later", "MIT", "MIT-0",
      "MPL-1.0", "MPL-1.1", "MPL-2.0", "MS-PL", "NCSA", "ODbL-1.0", "OFL-1.1", "OpenSSL",
      "PDDL-1.0", "PSF-2.0", "Python-2.0", "Unlicense", "UPL-1.0", "WTFPL", "X11", "Zlib",
      // exceptions
      "Classpath-exception-2.0", "GCC-exception-3.1", "LLVM-exception",
  };
  // clang-format on
  return ids;
}

std::string CanonicalId(const std::string& id) {
  return zoo_internal::KnownLicenseSpelling(id).value_or(id);
}

bool IsIdString(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

// A licence: an idstring, or [DocumentRef-x:]LicenseRef-y.
bool IsLicenseIdentifier(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    std::string_view document = text.substr(0, colon);
    if (!StartsWith(document, "DocumentRef-") || !IsIdString(document.substr(12))) return false;
    text = text.substr(colon + 1);
    if (!StartsWith(text, "LicenseRef-")) return false;
  }
  return IsIdString(text);
}

struct SpdxNode {
  enum class Kind { kLicense, kAnd, kOr } kind = Kind::kLicense;
  std::string license;  // as written, without "+"
  bool or_later = false;
  std::string exception;
  std::vector<SpdxNode> operands;  // kAnd / kOr, two or more
};

enum class TokenKind { kOpen, kClose, kAnd, kOr, kWith, kWord };
struct Token {
  TokenKind kind;
  std::string text;
};

std::vector<Token> Tokenize(std::string_view expression) {
  std::vector<Token> tokens;
  for (size_t pos = 0; pos < expression.size();) {
    const char c = expression[pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos;
    } else if (c == '(' || c == ')') {
      tokens.push_back({c == '(' ? TokenKind::kOpen : TokenKind::kClose, std::string(1, c)});
      ++pos;
    } else {
      size_t end = expression.find_first_of(" \t\n\r()", pos);
      if (end == std::string_view::npos) end = expression.size();
      std::string word(expression.substr(pos, end - pos));
      TokenKind kind = TokenKind::kWord;
      if (word == "AND" || word == "and") kind = TokenKind::kAnd;
      if (word == "OR" || word == "or") kind = TokenKind::kOr;
      if (word == "WITH" || word == "with") kind = TokenKind::kWith;
      tokens.push_back({kind, std::move(word)});
      pos = end;
    }
  }
  return tokens;
}

// Recursive descent over the tokens; nullopt on any syntax error.
class SpdxParser {
 public:
  explicit SpdxParser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::optional<SpdxNode> ParseAll() {
    std::optional<SpdxNode> node = ParseBinary(TokenKind::kOr, 0);
    if (!node || next_ != tokens_.size()) return std::nullopt;
    return node;
  }

 private:
  bool At(TokenKind kind) const { return next_ < tokens_.size() && tokens_[next_].kind == kind; }

  // `op` is kOr (operands are AND-expressions) or kAnd (operands are terms).
  std::optional<SpdxNode> ParseBinary(TokenKind op, int depth) {
    auto operand = [&]() {
      return op == TokenKind::kOr ? ParseBinary(TokenKind::kAnd, depth) : ParseTerm(depth);
    };
    std::optional<SpdxNode> first = operand();
    if (!first || !At(op)) return first;
    SpdxNode node;
    node.kind = op == TokenKind::kOr ? SpdxNode::Kind::kOr : SpdxNode::Kind::kAnd;
    node.operands.push_back(std::move(*first));
    while (At(op)) {
      ++next_;
      std::optional<SpdxNode> more = operand();
      if (!more) return std::nullopt;
      node.operands.push_back(std::move(*more));
    }
    return node;
  }

  std::optional<SpdxNode> ParseTerm(int depth) {
    if (At(TokenKind::kOpen)) {
      if (depth >= kMaxNestingDepth) return std::nullopt;
      ++next_;
      std::optional<SpdxNode> inner = ParseBinary(TokenKind::kOr, depth + 1);
      if (!inner || !At(TokenKind::kClose)) return std::nullopt;
      ++next_;
      return inner;
    }
    if (!At(TokenKind::kWord)) return std::nullopt;
    SpdxNode node;
    std::string id = tokens_[next_++].text;
    if (EndsWith(id, "+")) {
      id.pop_back();
      node.or_later = true;
    }
    // "+" belongs to listed licences, not to LicenseRef-...
    if (!IsLicenseIdentifier(id) || (node.or_later && id.find("LicenseRef-") != std::string::npos))
      return std::nullopt;
    node.license = std::move(id);
    if (At(TokenKind::kWith)) {
      ++next_;
      if (!At(TokenKind::kWord) || !IsIdString(tokens_[next_].text)) return std::nullopt;
      node.exception = tokens_[next_++].text;
    }
    return node;
  }

  std::vector<Token> tokens_;
  size_t next_ = 0;
};

std::optional<SpdxNode> ParseSpdx(std::string_view expression) {
  if (expression.size() > kMaxExpressionBytes) return std::nullopt;
  std::vector<Token> tokens = Tokenize(expression);
  if (tokens.empty()) return std::nullopt;
  return SpdxParser(std::move(tokens)).ParseAll();
}

std::string Render(const SpdxNode& node, bool parenthesize_or) {
  if (node.kind == SpdxNode::Kind::kLicense) {
    std::string text = CanonicalId(node.license) + (node.or_later ? "+" : "");
    return node.exception.empty() ? text : text + " WITH " + CanonicalId(node.exception);
  }
  const bool is_or = node.kind == SpdxNode::Kind::kOr;
  std::vector<std::string> parts;
  for (const SpdxNode& operand : node.operands) parts.push_back(Render(operand, !is_or));
  std::string text = JoinStrings(parts, is_or ? " OR " : " AND ");
  return is_or && parenthesize_or ? "(" + text + ")" : text;
}

void CollectIds(const SpdxNode& node, std::vector<std::string>* ids) {
  if (node.kind == SpdxNode::Kind::kLicense) {
    ids->push_back(node.license);
    return;
  }
  for (const SpdxNode& operand : node.operands) CollectIds(operand, ids);
}

// How a licence is looked up in an allow-list: lower case, "-only" dropped (GPL-2.0-only is
// GPL-2.0), "-or-later" written as "+", then " with <exception>".
std::string AllowKey(std::string license, bool or_later, const std::string& exception) {
  license = AsciiLower(license);
  if (EndsWith(license, "-only")) license.resize(license.size() - 5);
  if (EndsWith(license, "-or-later")) {
    license.resize(license.size() - 9);
    or_later = true;
  }
  if (or_later) license += "+";
  return exception.empty() ? license : license + " with " + AsciiLower(exception);
}

bool Allowed(const SpdxNode& node, const std::set<std::string>& allowed_keys) {
  switch (node.kind) {
    case SpdxNode::Kind::kAnd:
      return std::all_of(node.operands.begin(), node.operands.end(),
                         [&](const SpdxNode& operand) { return Allowed(operand, allowed_keys); });
    case SpdxNode::Kind::kOr:
      return std::any_of(node.operands.begin(), node.operands.end(),
                         [&](const SpdxNode& operand) { return Allowed(operand, allowed_keys); });
    case SpdxNode::Kind::kLicense:
      break;
  }
  // The licence as written, or "X" for "X or later" (the licensee may choose X), each with its
  // exception or without it (an exception only adds permissions).
  std::vector<std::string> licenses = {AllowKey(node.license, node.or_later, "")};
  if (EndsWith(licenses.front(), "+"))
    licenses.push_back(licenses.front().substr(0, licenses.front().size() - 1));
  for (const std::string& license : licenses) {
    if (allowed_keys.count(license) > 0) return true;
    if (!node.exception.empty() &&
        allowed_keys.count(license + " with " + AsciiLower(node.exception)) > 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

namespace zoo_internal {

std::optional<std::string> KnownLicenseSpelling(const std::string& id) {
  const std::string lower = AsciiLower(id);
  for (const std::string& known : KnownLicenseIds()) {
    if (AsciiLower(known) == lower) return known;
  }
  return std::nullopt;
}

std::optional<std::string> CanonicalSpdxExpression(std::string_view expression) {
  std::optional<SpdxNode> node = ParseSpdx(expression);
  if (!node) return std::nullopt;
  return Render(*node, false);
}

std::vector<std::string> LicenseIdsIn(std::string_view expression) {
  std::vector<std::string> ids;
  if (std::optional<SpdxNode> node = ParseSpdx(expression)) CollectIds(*node, &ids);
  return ids;
}

bool OnlyKnownLicenses(std::string_view expression) {
  std::optional<SpdxNode> node = ParseSpdx(expression);
  if (!node) return false;
  std::vector<std::string> ids;
  CollectIds(*node, &ids);
  return std::all_of(ids.begin(), ids.end(), [](const std::string& id) {
    return zoo_internal::KnownLicenseSpelling(id).has_value();
  });
}

}  // namespace zoo_internal

bool LicenseAllowed(std::string_view spdx_expression, const std::vector<std::string>& allowed) {
  std::optional<SpdxNode> node = ParseSpdx(spdx_expression);
  if (!node) return false;
  std::set<std::string> allowed_keys;
  for (const std::string& entry : allowed) {
    std::optional<SpdxNode> entry_node = ParseSpdx(entry);
    if (entry_node && entry_node->kind == SpdxNode::Kind::kLicense) {
      allowed_keys.insert(
          AllowKey(entry_node->license, entry_node->or_later, entry_node->exception));
    }
  }
  return Allowed(*node, allowed_keys);
}

}  // namespace zooci
