// Licence names in README prose, read word by word: "Apache License, Version 2.0", "BSD-3",
// "GPLv2 or later", "CC BY-NC 4.0". Each recognizer is a few word comparisons, so any input costs
// linear time (std::regex, which recurses per character, would crash on long hostile text).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "zoo/license_internal.h"
#include "zoo/zoo.h"

namespace zooci::zoo_internal {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string Quote(const std::string& words) {
  return "'" + words + "'";
}

// ---- Words -------------------------------------------------------------------------------

// A word of the normalized text, with letters and digits apart ("apache2" -> "apache" "2", "gplv3"
// -> "gpl" "v" "3") and "+" on its own. [begin, end) is its span in the normalized text.
struct Word {
  std::string text;
  size_t begin = 0, end = 0;
};

bool IsNumber(const std::string& word) {
  return !word.empty() && IsDigit(word.front());
}

std::vector<Word> SplitWords(const std::string& normalized) {
  std::vector<Word> words;
  auto kind = [](char c) { return IsDigit(c) || c == '.' ? 1 : c == '+' ? 2 : 0; };
  for (size_t pos = 0; pos < normalized.size();) {
    if (normalized[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t end = pos + 1;
    while (end < normalized.size() && normalized[end] != ' ' &&
           kind(normalized[end]) == kind(normalized[pos]) && kind(normalized[pos]) != 2) {
      ++end;
    }
    std::string text = normalized.substr(pos, end - pos);
    // "gplv" before a number: the name and "v".
    if (text.size() > 1 && text.back() == 'v' && end < normalized.size() &&
        IsDigit(normalized[end])) {
      words.push_back({text.substr(0, text.size() - 1), pos, end - 1});
      words.push_back({"v", end - 1, end});
    } else {
      words.push_back({std::move(text), pos, end});
    }
    pos = end;
  }
  return words;
}

// Reads words from a position; every Take* advances only when it matches.
class WordCursor {
 public:
  WordCursor(const std::vector<Word>& words, size_t pos) : words_(&words), pos_(pos) {}
  size_t pos() const { return pos_; }
  const std::string& Peek() const {
    static const std::string kNone;
    return pos_ < words_->size() ? (*words_)[pos_].text : kNone;
  }
  bool Take(std::initializer_list<std::string_view> options) {
    if (pos_ >= words_->size()) return false;
    for (std::string_view option : options) {
      if ((*words_)[pos_].text == option) {
        ++pos_;
        return true;
      }
    }
    return false;
  }
  // All of `sequence`, in order, or nothing.
  bool TakeAll(std::initializer_list<std::string_view> sequence) {
    const size_t start = pos_;
    for (std::string_view word : sequence) {
      if (!Take({word})) {
        pos_ = start;
        return false;
      }
    }
    return true;
  }
  std::optional<std::string> TakeNumber() {
    if (!IsNumber(Peek())) return std::nullopt;
    return (*words_)[pos_++].text;
  }

 private:
  const std::vector<Word>* words_;
  size_t pos_;
};

std::string NormalizedVersion(const std::string& version) {
  return version.find('.') == std::string::npos ? version + ".0" : version;
}

bool TakeLicenseWord(WordCursor& cursor) {
  return cursor.Take({"license", "licence", "licenses", "licences", "licensed", "licenced"});
}

// The version after a licence's name ("License, Version 2.0", "v3", "2"), when it is one of
// `versions`.
std::optional<std::string> TakeVersion(WordCursor& cursor,
                                       std::initializer_list<std::string_view> versions) {
  WordCursor attempt = cursor;
  TakeLicenseWord(attempt);
  attempt.Take({"version", "ver", "v"});
  std::optional<std::string> number = attempt.TakeNumber();
  if (!number) return std::nullopt;
  const std::string version = NormalizedVersion(*number);
  if (std::find(versions.begin(), versions.end(), version) == versions.end()) return std::nullopt;
  cursor = attempt;
  return version;
}

// "+", "only", "or later", "or (at your option) any later version".
std::string TakeGnuSuffix(WordCursor& cursor) {
  if (cursor.Take({"+"})) return "-or-later";
  if (cursor.Take({"only"})) return "-only";
  if (cursor.TakeAll({"or", "at", "your", "option", "any", "later", "version"}) ||
      cursor.TakeAll({"or", "any", "later", "version"}) || cursor.TakeAll({"or", "later"}) ||
      cursor.TakeAll({"or", "newer"})) {
    return "-or-later";
  }
  return "";
}

// ---- Licence names ----------------------------------------------------------------------

// Each recognizer reads a licence name at the cursor and returns its SPDX id, advancing the
// cursor past it; "" (cursor unspecified) when the words there are not that licence.
using Recognizer = std::string (*)(WordCursor&);

std::string CreativeCommons(WordCursor& cursor) {
  if (!cursor.Take({"cc"}) && !cursor.TakeAll({"creative", "commons"})) return "";
  if (cursor.Take({"0", "zero"})) {
    cursor.Take({"v"});
    cursor.Take({"1.0", "1"});
    cursor.Take({"universal"});
    return "CC0-1.0";
  }
  TakeLicenseWord(cursor);
  if (!cursor.Take({"by", "attribution"})) return "";
  bool nc = false, sa = false, nd = false;
  while (true) {
    if (cursor.Take({"nc", "noncommercial"}) || cursor.TakeAll({"non", "commercial"})) {
      nc = true;
    } else if (cursor.Take({"sa", "sharealike"}) || cursor.TakeAll({"share", "alike"})) {
      sa = true;
    } else if (cursor.Take({"nd", "noderivatives", "noderivs"}) ||
               cursor.TakeAll({"no", "derivatives"})) {
      nd = true;
    } else {
      break;
    }
  }
  cursor.Take({"international", "unported", "generic"});
  std::optional<std::string> version = TakeVersion(cursor, {"1.0", "2.0", "2.5", "3.0", "4.0"});
  if (!version || (sa && nd)) return "";
  return std::string("CC-BY") + (nc ? "-NC" : "") + (sa ? "-SA" : "") + (nd ? "-ND" : "") + "-" +
         *version;
}

std::string Apache(WordCursor& cursor) {
  if (!cursor.Take({"apache"})) return "";
  cursor.TakeAll({"software", "foundation"});
  std::optional<std::string> version = TakeVersion(cursor, {"1.0", "1.1", "2.0"});
  return version ? "Apache-" + *version : "";
}

// The GNU licences: `prefix` + version + "-only" / "-or-later" when said.
std::string Gnu(WordCursor& cursor, const char* prefix,
                std::initializer_list<std::string_view> versions) {
  std::optional<std::string> version = TakeVersion(cursor, versions);
  return version ? prefix + *version + TakeGnuSuffix(cursor) : "";
}

std::string Lgpl(WordCursor& cursor) {
  if (!cursor.Take({"lgpl"})) {
    cursor.Take({"gnu"});
    if (!cursor.Take({"lesser", "library"}) || !cursor.TakeAll({"general", "public"}) ||
        !TakeLicenseWord(cursor)) {
      return "";
    }
  }
  return Gnu(cursor, "LGPL-", {"2.0", "2.1", "3.0"});
}

std::string Agpl(WordCursor& cursor) {
  if (!cursor.Take({"agpl"})) {
    cursor.Take({"gnu"});
    if (!cursor.TakeAll({"affero", "general", "public"}) || !TakeLicenseWord(cursor)) return "";
  }
  return Gnu(cursor, "AGPL-", {"3.0"});
}

std::string Gpl(WordCursor& cursor) {
  if (!cursor.Take({"gpl"})) {
    cursor.Take({"gnu"});
    if (!cursor.TakeAll({"general", "public"}) || !TakeLicenseWord(cursor)) return "";
  }
  return Gnu(cursor, "GPL-", {"1.0", "2.0", "3.0"});
}

std::string Mozilla(WordCursor& cursor) {
  if (!cursor.Take({"mpl"}) &&
      !(cursor.TakeAll({"mozilla", "public"}) && TakeLicenseWord(cursor))) {
    return "";
  }
  std::optional<std::string> version = TakeVersion(cursor, {"1.0", "1.1", "2.0"});
  return version ? "MPL-" + *version : "";
}

std::string Eclipse(WordCursor& cursor) {
  if (!cursor.Take({"epl"}) &&
      !(cursor.TakeAll({"eclipse", "public"}) && TakeLicenseWord(cursor))) {
    return "";
  }
  std::optional<std::string> version = TakeVersion(cursor, {"1.0", "2.0"});
  return version ? "EPL-" + *version : "";
}

// "BSD-3-Clause", "BSD 3", "3-clause BSD", "new BSD", "BSD (revised)", "simplified BSD".
std::string Bsd(WordCursor& cursor) {
  auto id_of = [](const std::string& clauses) {
    if (clauses == "2" || clauses == "simplified" || clauses == "freebsd") return "BSD-2-Clause";
    if (clauses == "3" || clauses == "new" || clauses == "revised" || clauses == "modified")
      return "BSD-3-Clause";
    if (clauses == "4" || clauses == "original") return "BSD-4-Clause";
    return "";
  };
  std::string clauses = cursor.Peek();
  if (cursor.Take({"2", "3", "4"})) {
    return cursor.Take({"clause"}) && cursor.Take({"bsd"}) ? id_of(clauses) : "";
  }
  if (cursor.Take({"new", "revised", "modified", "simplified", "original"})) {
    return cursor.Take({"bsd"}) ? id_of(clauses) : "";
  }
  if (cursor.TakeAll({"freebsd", "license"})) return id_of("freebsd");
  if (!cursor.Take({"bsd"})) return "";
  clauses = cursor.Peek();
  if (cursor.Take({"2", "3", "4"})) {
    cursor.Take({"clause"});
    return id_of(clauses);
  }
  return cursor.Take({"new", "revised", "simplified", "original"}) ? id_of(clauses) : "";
}

std::string Mit(WordCursor& cursor) {
  if (!cursor.Take({"mit"})) return "";
  if (cursor.Take({"0"}) || cursor.TakeAll({"no", "attribution"})) return "MIT-0";
  TakeLicenseWord(cursor);
  return "MIT";
}

std::string Other(WordCursor& cursor) {
  if (cursor.TakeAll({"boost", "software"}) && TakeLicenseWord(cursor)) {
    TakeVersion(cursor, {"1.0"});
    return "BSL-1.0";
  }
  if (cursor.TakeAll({"bsl", "1.0"})) return "BSL-1.0";
  if (cursor.Take({"isc"})) {
    TakeLicenseWord(cursor);
    return "ISC";
  }
  if (cursor.Take({"unlicense"}) || cursor.TakeAll({"the", "unlicense"})) return "Unlicense";
  if (cursor.Take({"zlib"}) && TakeLicenseWord(cursor)) return "Zlib";
  if (cursor.TakeAll({"x", "11"})) {  // "MIT/X11" names two licences
    TakeLicenseWord(cursor);
    return "X11";
  }
  return "";
}

// A licence family named without its version or variant ("BSD", "GPL", "Apache License",
// "Creative Commons"): the text is then ambiguous.
bool BareFamily(WordCursor& cursor) {
  if (cursor.Take({"gpl", "lgpl", "agpl", "bsd", "mpl", "epl"})) return true;
  if (cursor.Take({"apache"})) return TakeLicenseWord(cursor);
  if (cursor.TakeAll({"creative", "commons"}) || cursor.TakeAll({"cc", "by"})) return true;
  if (cursor.TakeAll({"mozilla", "public"}) || cursor.TakeAll({"eclipse", "public"})) {
    return TakeLicenseWord(cursor);
  }
  cursor.Take({"gnu"});
  cursor.Take({"lesser", "library", "affero"});
  return cursor.TakeAll({"general", "public"}) && TakeLicenseWord(cursor);
}

struct ProseMatch {
  size_t first_word = 0, end_word = 0;  // [first_word, end_word) in the words
  std::string id;                       // "" for a bare family
};

// Licence names in the words, in order. Each word belongs to at most one name, read left to right
// with the most specific recognizer first at each word.
std::vector<ProseMatch> FindProseLicences(const std::vector<Word>& words) {
  static const Recognizer kRecognizers[] = {CreativeCommons, Apache,  Lgpl, Agpl, Gpl,
                                            Mozilla,         Eclipse, Bsd,  Mit,  Other};
  std::vector<ProseMatch> matches;
  for (size_t word_idx = 0; word_idx < words.size();) {
    std::optional<ProseMatch> found;
    for (Recognizer recognizer : kRecognizers) {
      WordCursor cursor(words, word_idx);
      std::string id = recognizer(cursor);
      if (!id.empty()) {
        found = ProseMatch{word_idx, cursor.pos(), std::move(id)};
        break;
      }
    }
    if (!found) {
      WordCursor cursor(words, word_idx);
      if (BareFamily(cursor)) found = ProseMatch{word_idx, cursor.pos(), ""};
    }
    if (found) {
      word_idx = found->end_word;
      matches.push_back(std::move(*found));
    } else {
      ++word_idx;
    }
  }
  return matches;
}

// "Dual licensed", "either", "at your option", "your choice".
bool SaysChoice(const std::vector<Word>& words) {
  for (size_t word_idx = 0; word_idx < words.size(); ++word_idx) {
    WordCursor cursor(words, word_idx);
    if (cursor.Take({"either"}) || cursor.TakeAll({"at", "your", "option"}) ||
        cursor.TakeAll({"your", "choice"}) || (cursor.Take({"dual"}) && TakeLicenseWord(cursor))) {
      return true;
    }
  }
  return false;
}

// Several licences form a choice when "or" separates them ("Apache 2.0 or MIT"), or when the text
// says so ("dual licensed", "either", "at your option") and only connecting words separate them
// ("Apache License 2.0 and the MIT license, at your option").
bool IsChoice(const std::vector<Word>& words, const std::vector<ProseMatch>& matches) {
  const bool said = SaysChoice(words);
  for (size_t match_idx = 1; match_idx < matches.size(); ++match_idx) {
    bool has_or = false, or_only = true, connectors_only = true;
    const size_t gap_begin = matches[match_idx - 1].end_word;
    const size_t gap_end = matches[match_idx].first_word;
    for (size_t word_idx = gap_begin; word_idx < gap_end; ++word_idx) {
      const std::string& word = words[word_idx].text;
      has_or = has_or || word == "or";
      or_only = or_only && (word == "or" || word == "the" || word == "under");
      connectors_only = connectors_only && (word == "or" || word == "the" || word == "under" ||
                                            word == "and" || word == "a");
    }
    const bool separated = gap_end > gap_begin;
    if (!(has_or && or_only) && !(said && separated && connectors_only)) return false;
  }
  return true;
}

}  // namespace

ProseFinding IdentifyLicenseProse(std::string_view text) {
  const NormalizedText normalized = NormalizeLicenseText(text);
  const std::vector<Word> words = SplitWords(normalized.text);
  const std::vector<ProseMatch> matches = FindProseLicences(words);
  if (matches.empty()) return {{"", "no known licence named"}, false};
  auto quoted = [&](const ProseMatch& match) {
    return Quote(SourceWords(text, normalized, words[match.first_word].begin,
                             words[match.end_word - 1].end));
  };
  for (const ProseMatch& match : matches) {
    if (match.id.empty()) {
      return {{"", quoted(match) + " does not say which version or variant"}, true};
    }
  }
  std::vector<std::string> ids, quotes;
  for (const ProseMatch& match : matches) {
    quotes.push_back(quoted(match));
    if (std::find(ids.begin(), ids.end(), match.id) == ids.end()) ids.push_back(match.id);
  }
  if (ids.size() == 1) return {{ids.front(), quotes.front()}, true};
  if (IsChoice(words, matches)) {
    return {{JoinStrings(ids, " OR "), JoinStrings(quotes, " or ")}, true};
  }
  return {{"", "several licences named (" + JoinStrings(quotes, ", ") + ") and not as a choice"},
          true};
}

}  // namespace zooci::zoo_internal
