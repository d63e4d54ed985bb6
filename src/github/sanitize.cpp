// Untrusted text made inert for GitHub Markdown (no pings, no references, no markup), and
// cutting on UTF-8 boundaries.
#include <algorithm>

#include "github/internal.h"

namespace zooci {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::string_view kZwj = "\u200D";  // breaks @mentions, #refs, sha and URL autolinks

// Decodes the UTF-8 sequence at text[*pos]; invalid bytes decode to U+FFFD one at a time.
char32_t DecodeNext(std::string_view text, size_t* pos) {
  auto byte = [&](size_t index) { return static_cast<unsigned char>(text[index]); };
  unsigned char lead = byte(*pos);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  size_t length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (lead > 0xF4) length = 0;
  if (length == 0 || *pos + length > text.size()) {
    ++*pos;
    return kReplacement;
  }
  char32_t cp = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    unsigned char next = byte(*pos + i);
    if ((next & 0xC0) != 0x80) {
      ++*pos;
      return kReplacement;
    }
    cp = (cp << 6) | (next & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  static const char32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[length] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    ++*pos;
    return kReplacement;
  }
  *pos += length;
  return cp;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Bidirectional embeddings, overrides, isolates and marks (the "Trojan Source" characters),
// zero-width space and the byte-order mark.
bool IsInvisibleControl(char32_t cp) {
  return cp == 0x061C || cp == 0x200B || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

bool IsControl(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

bool IsAsciiAlnum(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}
bool IsHexDigit(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'f') || (cp >= 'A' && cp <= 'F');
}
char32_t AsciiLowerCp(char32_t cp) {
  return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
}

// Characters with a meaning in GitHub Markdown or HTML, shown literally after a backslash.
bool NeedsEscape(char32_t cp) {
  return cp < 0x80 && std::string_view("\\`*_[]<>#+-!|~$&").find(static_cast<char>(cp)) !=
                          std::string_view::npos;
}

// The text as code points: invalid UTF-8 replaced, controls dropped (line breaks and tabs become
// spaces), runs of spaces collapsed, leading and trailing spaces trimmed.
std::u32string CleanInline(std::string_view text) {
  std::u32string out;
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = DecodeNext(text, &pos);
    if (cp == '\n' || cp == '\r' || cp == '\t' || cp == '\v' || cp == '\f' || cp == 0x2028 ||
        cp == 0x2029) {
      cp = ' ';
    }
    if ((IsControl(cp) && cp != ' ') || IsInvisibleControl(cp)) continue;
    if (cp == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += cp;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Lower-case ASCII `word` ends right before index `end` of `text`.
bool EndsWithWord(const std::u32string& text, size_t end, std::string_view word) {
  if (end < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (AsciiLowerCp(text[end - word.size() + i]) != static_cast<char32_t>(word[i])) return false;
  }
  return true;
}

// The sanitised form of text[index], as one unit that is never split when cutting.
std::string Unit(const std::u32string& text, size_t index, const std::vector<bool>& zwj_after) {
  const char32_t cp = text[index];
  const char32_t next = index + 1 < text.size() ? text[index + 1] : 0;
  std::string unit;
  // A joiner before "://" of a scheme, the ':' of mailto:/xmpp: and the '.' of "www." leaves
  // no URL autolink.
  bool scheme = cp == ':' && next == '/' && index + 2 < text.size() && text[index + 2] == '/';
  bool uri =
      cp == ':' && (EndsWithWord(text, index, "mailto") || EndsWithWord(text, index, "xmpp"));
  bool www = cp == '.' && EndsWithWord(text, index, "www");
  if (scheme || uri || www) unit += kZwj;
  bool leading_list_marker = false;
  if ((cp == '.' || cp == ')') && index > 0) {
    leading_list_marker = std::all_of(text.begin(), text.begin() + static_cast<ptrdiff_t>(index),
                                      [](char32_t c) { return c >= '0' && c <= '9'; });
  }
  if (NeedsEscape(cp) || leading_list_marker || (cp == '=' && index == 0)) unit += '\\';
  AppendUtf8(cp, unit);
  bool breaks_reference = (cp == '@' || cp == '#') && IsAsciiAlnum(next);
  bool github_ref = cp == '-' && next >= '0' && next <= '9' && EndsWithWord(text, index, "gh");
  if (breaks_reference || github_ref || zwj_after[index]) unit += kZwj;
  return unit;
}

}  // namespace

std::string CutUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut));
}

std::string SanitizeUntrusted(std::string_view text, size_t max_bytes) {
  const std::u32string clean = CleanInline(text);
  // Runs of 7 or more hex digits could autolink to a commit: a joiner after every 6th digit.
  std::vector<bool> zwj_after(clean.size(), false);
  for (size_t begin = 0; begin < clean.size();) {
    size_t end = begin;
    while (end < clean.size() && IsHexDigit(clean[end])) ++end;
    if (end - begin >= 7) {
      for (size_t i = begin + 5; i + 1 < end; i += 6) zwj_after[i] = true;
    }
    begin = end == begin ? begin + 1 : end;
  }
  std::vector<std::string> units;
  units.reserve(clean.size());
  size_t total = 0;
  for (size_t index = 0; index < clean.size(); ++index) {
    units.push_back(Unit(clean, index, zwj_after));
    total += units.back().size();
  }
  std::string out;
  if (total <= max_bytes) {
    out.reserve(total);
    for (const std::string& unit : units) out += unit;
    return out;
  }
  std::string marker = "… (cut, " + std::to_string(text.size()) + " bytes in all)";
  if (marker.size() > max_bytes) return max_bytes >= 3 ? "…" : "";
  for (const std::string& unit : units) {
    if (out.size() + unit.size() + 1 + marker.size() > max_bytes) break;
    out += unit;
  }
  if (!out.empty() && out.back() != ' ') out += ' ';
  return out + marker;
}

std::string QuoteUntrustedBlock(std::string_view text, size_t max_bytes) {
  std::string body;
  size_t longest_backticks = 0;
  size_t backticks = 0;
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = DecodeNext(text, &pos);
    if (cp == '\r') {
      if (pos < text.size() && text[pos] == '\n') continue;  // CRLF → LF
      cp = '\n';
    }
    if ((IsControl(cp) && cp != '\n' && cp != '\t') || IsInvisibleControl(cp)) continue;
    backticks = cp == '`' ? backticks + 1 : 0;
    longest_backticks = std::max(longest_backticks, backticks);
    AppendUtf8(cp, body);
  }
  if (!body.empty() && body.back() != '\n') body += '\n';
  const std::string fence(std::max<size_t>(3, longest_backticks + 1), '`');
  const size_t frame = 2 * (fence.size() + 1);
  if (frame + body.size() <= max_bytes) return fence + "\n" + body + fence + "\n";
  const std::string note = "… (cut, " + std::to_string(text.size()) + " bytes in all)\n";
  if (frame + note.size() + 1 > max_bytes) return "";
  std::string kept = CutUtf8(body, max_bytes - frame - note.size() - 1);
  if (!kept.empty() && kept.back() != '\n') {
    size_t line_end = kept.rfind('\n');  // end on a whole line when there is one
    if (line_end == std::string::npos) {
      kept += '\n';
    } else {
      kept.resize(line_end + 1);
    }
  }
  return fence + "\n" + kept + note + fence + "\n";
}

namespace github_internal {

std::string CutWithNote(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::string note = "\n\n… (cut: " + std::to_string(text.size()) +
                     " bytes in all; GitHub allows " + std::to_string(max_bytes) + ")";
  if (note.size() >= max_bytes) return CutUtf8(text, max_bytes);
  return CutUtf8(text, max_bytes - note.size()) + note;
}

std::string CutCodePoints(std::string_view text, size_t max_chars) {
  size_t count = 0;
  std::vector<size_t> starts;
  for (size_t pos = 0; pos < text.size(); ++count) {
    starts.push_back(pos);
    DecodeNext(text, &pos);
  }
  if (count <= max_chars) return std::string(text);
  if (max_chars == 0) return "";
  return std::string(text.substr(0, starts[max_chars - 1])) + "…";
}

}  // namespace github_internal
}  // namespace zooci
