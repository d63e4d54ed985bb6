// Markdown inline scanning for README parsing: code spans, links (inline, reference, autolink)
// and markup removal. Every scan is bounded: bracket matching is linear, link destinations are
// at most kMaxDestination bytes and share a per-line scanning budget, labels are at most
// kMaxLabel bytes and nesting is at most kMaxDepth levels deep.
#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "zoo/readme_internal.h"

namespace zooci::zoo_internal {
namespace {

constexpr size_t kNone = std::string_view::npos;
constexpr size_t kMaxDestination = 8192;
constexpr int kMaxDepth = 16;
constexpr size_t kMaxLabel = 999;  // CommonMark: link labels are at most 999 characters

bool IsAsciiPunct(char c) {
  return c >= 0x21 && c <= 0x7e && !std::isalnum(static_cast<unsigned char>(c));
}
bool IsSpaceOrTab(char c) {
  return c == ' ' || c == '\t';
}

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// The length of an autolink "<scheme:target>" starting at `pos` (0 when there is none).
size_t AutolinkLength(std::string_view text, size_t pos) {
  size_t k = pos + 1;
  size_t scheme_begin = k;
  if (k >= text.size() || !std::isalpha(static_cast<unsigned char>(text[k]))) return 0;
  while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) || text[k] == '+' ||
                             text[k] == '.' || text[k] == '-')) {
    ++k;
  }
  size_t scheme_length = k - scheme_begin;
  if (scheme_length < 2 || scheme_length > 32 || k >= text.size() || text[k] != ':') return 0;
  for (++k; k < text.size(); ++k) {
    unsigned char c = static_cast<unsigned char>(text[k]);
    if (c == '>') return k + 1 - pos;
    if (c <= ' ' || c == '<' || c == 0x7f) return 0;
  }
  return 0;
}

// The length of an HTML tag ("<a name=\"x\">", "</a>", "<br/>") starting at `pos`, else 0.
size_t HtmlTagLength(std::string_view text, size_t pos) {
  size_t k = pos + 1;
  if (k < text.size() && text[k] == '/') ++k;
  if (k >= text.size() || !std::isalpha(static_cast<unsigned char>(text[k]))) return 0;
  for (; k < text.size(); ++k) {
    if (text[k] == '>') return k + 1 - pos;
    if (text[k] == '<') return 0;
  }
  return 0;
}

// One line of inline Markdown with its code spans, escapes and matching brackets precomputed.
class InlineScanner {
 public:
  struct Link {
    size_t text_begin = 0, text_end = 0;  // the link text (inside the brackets)
    std::string target;
    size_t end = 0;  // one past the link
  };

  InlineScanner(std::string_view text, const ReferenceMap& refs)
      : text_(text), refs_(refs), code_(CodeSpanMask(text)), escaped_(text.size(), false) {
    for (size_t i = 0; i + 1 < text.size(); ++i) {
      if (code_[i] || escaped_[i] || text[i] != '\\') continue;
      if (IsAsciiPunct(text[i + 1]) && !code_[i + 1]) escaped_[i + 1] = true;
    }
    match_.assign(text.size(), kNone);
    std::vector<size_t> open;
    for (size_t i = 0; i < text.size(); ++i) {
      if (!IsActive(i)) continue;
      if (text[i] == '[') open.push_back(i);
      if (text[i] == ']' && !open.empty()) {
        match_[open.back()] = i;
        open.pop_back();
      }
    }
  }

  // Not in a code span and not backslash-escaped.
  bool IsActive(size_t i) const { return !code_[i] && !escaped_[i]; }
  bool InCode(size_t i) const { return code_[i]; }

  // Parses a link whose text opens with the '[' at `open`.
  std::optional<Link> ParseLinkAt(size_t open) const {
    if (open >= text_.size() || text_[open] != '[' || !IsActive(open)) return std::nullopt;
    size_t close = match_[open];
    if (close == kNone) return std::nullopt;
    Link link{open + 1, close, "", 0};
    size_t after = close + 1;
    if (after < text_.size() && text_[after] == '(' && IsActive(after)) {
      if (ParseDestination(after, &link)) return link;
      return std::nullopt;
    }
    std::string_view label = text_.substr(open + 1, close - open - 1);
    link.end = after;
    if (after < text_.size() && text_[after] == '[' && IsActive(after)) {
      size_t label_close = match_[after];
      if (label_close != kNone) {
        std::string_view explicit_label = text_.substr(after + 1, label_close - after - 1);
        if (!Trim(explicit_label).empty()) label = explicit_label;
        link.end = label_close + 1;
      }
    }
    if (label.size() > kMaxLabel || Trim(label).empty()) return std::nullopt;
    auto found = refs_.find(NormalizeLabel(label));
    if (found == refs_.end()) return std::nullopt;
    link.target = found->second;
    return link;
  }

 private:
  // Parses "(destination "title")" starting at the '(' at `pos`; sets target and end. Scanning
  // draws on a per-line budget, so failed attempts cannot add up to quadratic time.
  bool ParseDestination(size_t pos, Link* link) const {
    size_t n = std::min(text_.size(), pos + 1 + budget_);  // the end of the text, for this call
    bool parsed = ScanDestination(pos, n, link);
    size_t used = (parsed ? link->end : n) - pos;
    budget_ -= std::min(budget_, used);
    return parsed;
  }

  bool ScanDestination(size_t pos, size_t n, Link* link) const {
    size_t k = pos + 1;
    while (k < n && IsSpaceOrTab(text_[k])) ++k;
    if (k < n && text_[k] == '<') {
      size_t begin = ++k;
      while (k < n && text_[k] != '>' && text_[k] != '<') k += (text_[k] == '\\' ? 2 : 1);
      if (k >= n || text_[k] != '>') return false;
      link->target = std::string(text_.substr(begin, k - begin));
      ++k;
    } else {
      size_t begin = k;
      int depth = 0;
      while (k < n && k - begin <= kMaxDestination) {
        unsigned char c = static_cast<unsigned char>(text_[k]);
        if (c == '\\' && k + 1 < n) {
          k += 2;
          continue;
        }
        if (c <= ' ' || c == 0x7f) break;
        if (c == '(') ++depth;
        if (c == ')' && depth-- == 0) break;
        ++k;
      }
      if (k > n || k - begin > kMaxDestination || depth > 0) return false;
      link->target = std::string(text_.substr(begin, k - begin));
    }
    while (k < n && IsSpaceOrTab(text_[k])) ++k;
    if (k < n && (text_[k] == '"' || text_[k] == '\'' || text_[k] == '(')) {
      char close = text_[k] == '(' ? ')' : text_[k];
      for (++k; k < n && text_[k] != close; ++k) {
        if (text_[k] == '\\') ++k;
      }
      if (k >= n) return false;
      ++k;
      while (k < n && IsSpaceOrTab(text_[k])) ++k;
    }
    if (k >= n || text_[k] != ')') return false;
    link->end = k + 1;
    return true;
  }

  std::string_view text_;
  const ReferenceMap& refs_;
  std::vector<bool> code_;
  std::vector<bool> escaped_;
  std::vector<size_t> match_;  // '[' position -> its matching ']' (kNone when unmatched)
  mutable size_t budget_ = 32 * text_.size() + 4096;  // bytes ParseDestination may still scan
};

std::string StripInlineMarkupAt(std::string_view text, const ReferenceMap& refs, int depth);

void ScanLinks(std::string_view text, size_t begin, size_t end, const InlineScanner& scanner,
               int line, const ReferenceMap& refs, int depth, std::vector<MarkdownLink>* out) {
  size_t i = begin;
  while (i < end) {
    char c = text[i];
    if (!scanner.IsActive(i)) {
      ++i;
      continue;
    }
    if (c == '<') {
      size_t length = AutolinkLength(text, i);
      if (length > 0 && i + length <= end) {
        std::string url(text.substr(i + 1, length - 2));
        out->push_back({url, url, line});
        i += length;
        continue;
      }
    }
    size_t open = (c == '!' && i + 1 < end && text[i + 1] == '[') ? i + 1 : i;
    if (text[open] == '[') {
      auto link = scanner.ParseLinkAt(open);
      if (link && link->end <= end) {
        std::string_view inner = text.substr(link->text_begin, link->text_end - link->text_begin);
        out->push_back({StripInlineMarkupAt(inner, refs, depth + 1), link->target, line});
        if (depth < kMaxDepth) {
          ScanLinks(text, link->text_begin, link->text_end, scanner, line, refs, depth + 1, out);
        }
        i = link->end;
        continue;
      }
    }
    ++i;
  }
}

std::string StripInlineMarkupAt(std::string_view text, const ReferenceMap& refs, int depth) {
  InlineScanner scanner(text, refs);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (scanner.InCode(i)) {  // a whole code span: its content, minus one padding space a side
      size_t run = 0;
      while (i + run < text.size() && text[i + run] == '`') ++run;
      size_t end = i;
      while (end < text.size() && scanner.InCode(end)) ++end;
      std::string_view content;
      if (end - i >= 2 * run) content = text.substr(i + run, end - i - 2 * run);
      if (content.size() >= 2 && content.front() == ' ' && content.back() == ' ' &&
          !Trim(content).empty()) {
        content = content.substr(1, content.size() - 2);
      }
      out += content;
      i = end;
      continue;
    }
    if (c == '\\' && i + 1 < text.size() && IsAsciiPunct(text[i + 1]) && !scanner.InCode(i + 1)) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if (c == '<') {
      if (size_t length = AutolinkLength(text, i); length > 0) {
        out += text.substr(i + 1, length - 2);
        i += length;
        continue;
      }
      if (size_t length = HtmlTagLength(text, i); length > 0) {
        out += ' ';
        i += length;
        continue;
      }
    }
    size_t open = (c == '!' && i + 1 < text.size() && text[i + 1] == '[') ? i + 1 : i;
    if (text[open] == '[' && depth < kMaxDepth) {
      if (auto link = scanner.ParseLinkAt(open)) {
        std::string_view inner = text.substr(link->text_begin, link->text_end - link->text_begin);
        out += StripInlineMarkupAt(inner, refs, depth + 1);
        i = link->end;
        continue;
      }
    }
    if (c == '*' || c == '_' || c == '~') {  // emphasis delimiters: "*", "**", "__", "~~"
      size_t run = 0;
      while (i + run < text.size() && text[i + run] == c) ++run;
      auto is_space = [&](size_t k) { return k >= text.size() || IsSpaceOrTab(text[k]); };
      auto is_alnum = [&](size_t k) {
        return k < text.size() && std::isalnum(static_cast<unsigned char>(text[k]));
      };
      bool literal = (i == 0 || is_space(i - 1)) && is_space(i + run);  // "LFW * accuracy"
      if (c != '*') literal = literal || run < 2 || (i > 0 && is_alnum(i - 1) && is_alnum(i + run));
      if (literal) out += text.substr(i, run);
      i += run;
      continue;
    }
    out += c;
    ++i;
  }
  return CollapseWhitespace(out);
}

}  // namespace

std::string NormalizeLabel(std::string_view label) {
  return CollapseWhitespace(AsciiLower(label));
}

std::optional<std::pair<std::string, std::string>> ParseReferenceDefinition(std::string_view line) {
  size_t k = 0;
  while (k < line.size() && k < 4 && line[k] == ' ') ++k;
  if (k > 3 || k >= line.size() || line[k] != '[') return std::nullopt;
  size_t label_begin = ++k;
  while (k < line.size() && line[k] != ']' && line[k] != '[') k += (line[k] == '\\' ? 2 : 1);
  if (k + 1 >= line.size() || line[k] != ']' || line[k + 1] != ':') return std::nullopt;
  std::string_view label = line.substr(label_begin, k - label_begin);
  if (Trim(label).empty() || label.front() == '^' || label.size() > kMaxLabel) return std::nullopt;
  std::string_view rest = Trim(line.substr(k + 2));
  if (rest.empty()) return std::nullopt;
  std::string target;
  size_t end = 0;
  if (rest.front() == '<') {
    end = rest.find('>');
    if (end == kNone) return std::nullopt;
    target = std::string(rest.substr(1, end - 1));
    ++end;
  } else {
    while (end < rest.size() && !IsSpaceOrTab(rest[end])) ++end;
    target = std::string(rest.substr(0, end));
  }
  std::string_view title = Trim(rest.substr(end));
  if (!title.empty()) {
    char open = title.front();
    char close = open == '(' ? ')' : open;
    bool quoted =
        (open == '"' || open == '\'' || open == '(') && title.size() >= 2 && title.back() == close;
    if (!quoted) return std::nullopt;
  }
  return std::make_pair(std::string(Trim(label)), target);
}

std::vector<bool> CodeSpanMask(std::string_view text) {
  std::vector<bool> mask(text.size(), false);
  // Backtick runs not preceded by an escaping backslash, in order.
  struct Run {
    size_t pos, length;
  };
  std::vector<Run> runs;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '`') {
      i += 2;  // an escaped backtick is literal (a run may still start right after it)
      continue;
    }
    if (text[i] != '`') {
      ++i;
      continue;
    }
    size_t length = 0;
    while (i + length < text.size() && text[i + length] == '`') ++length;
    runs.push_back({i, length});
    i += length;
  }
  // next_same[r]: the next run after r with the same length (a closer), or runs.size().
  std::vector<size_t> next_same(runs.size(), runs.size());
  std::unordered_map<size_t, size_t> last_seen;
  for (size_t r = runs.size(); r-- > 0;) {
    auto found = last_seen.find(runs[r].length);
    if (found != last_seen.end()) next_same[r] = found->second;
    last_seen[runs[r].length] = r;
  }
  // Simplification: "\`" is literal even where CommonMark would end a code span with it.
  for (size_t r = 0; r < runs.size();) {
    size_t closer = next_same[r];
    if (closer == runs.size()) {
      ++r;
      continue;
    }
    size_t end = runs[closer].pos + runs[closer].length;
    for (size_t k = runs[r].pos; k < end; ++k) mask[k] = true;
    r = closer + 1;
  }
  return mask;
}

void ExtractLinks(std::string_view text, int line, const ReferenceMap& refs,
                  std::vector<MarkdownLink>* out) {
  InlineScanner scanner(text, refs);
  ScanLinks(text, 0, text.size(), scanner, line, refs, 0, out);
}

std::string StripInlineMarkup(std::string_view text, const ReferenceMap& refs) {
  return StripInlineMarkupAt(text, refs, 0);
}

}  // namespace zooci::zoo_internal
