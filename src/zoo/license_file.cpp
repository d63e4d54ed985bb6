// IdentifyLicenseFile: the standard licence texts, recognised by sentences only they contain
// (compared after normalization, so line breaks, punctuation and case do not matter).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "zoo/license_internal.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

using zoo_internal::NormalizedText;

constexpr size_t kMaxFileBytes = size_t{1} << 20;  // the standard texts are all far shorter
// A file this short that holds no standard text may be a plain statement ("Released under the MIT
// license."); licence texts themselves are longer.
constexpr size_t kShortStatementBytes = 512;

struct StandardText {
  std::string spdx;
  // Normalized phrases that must all appear; the first is quoted as evidence.
  std::vector<std::string> required;
  // Phrases of related texts that must not appear (BSD-2 has no endorsement clause).
  std::vector<std::string> forbidden;
  std::string note;  // added to the evidence
};

const char kMitGrant[] =
    "permission is hereby granted free of charge to any person obtaining a copy of this software "
    "and associated documentation files";
const char kBsdConditions[] =
    "redistribution and use in source and binary forms with or without modification are "
    "permitted provided that the following conditions are met";
const char kBsdEndorsement[] = "endorse or promote products derived from this software";
const char kBsdAdvertising[] =
    "all advertising materials mentioning features or use of this software must display";

// The CC BY family: "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International
// Public License", "Creative Commons Legal Code / Attribution-NoDerivs 3.0 Unported".
void AddCreativeCommons(std::vector<StandardText>* texts) {
  struct Variant {
    const char* suffix;
    const char* words_4;
    const char* words_3;
  };
  const Variant variants[] = {
      {"", "", ""},
      {"-SA", " sharealike", " sharealike"},
      {"-ND", " noderivatives", " noderivs"},
      {"-NC", " noncommercial", " noncommercial"},
      {"-NC-SA", " noncommercial sharealike", " noncommercial sharealike"},
      {"-NC-ND", " noncommercial noderivatives", " noncommercial noderivs"},
  };
  for (const Variant& variant : variants) {
    texts->push_back({std::string("CC-BY") + variant.suffix + "-4.0",
                      {std::string("creative commons attribution") + variant.words_4 +
                       " 4.0 international public license"},
                      {},
                      ""});
    texts->push_back({std::string("CC-BY") + variant.suffix + "-3.0",
                      {std::string("creative commons legal code attribution") + variant.words_3 +
                       " 3.0 unported"},
                      {},
                      ""});
  }
}

const std::vector<StandardText>& StandardTexts() {
  static const std::vector<StandardText> texts = [] {
    std::vector<StandardText> list = {
        {"Apache-2.0",
         {"apache license version 2.0 january 2004", "grant of copyright license"},
         {},
         ""},
        // The notice of the licence's appendix ("... you may not use this file except in
        // compliance with the License."), also written about "the software".
        {"Apache-2.0",
         {"licensed under the apache license version 2.0 the license you may not use"},
         {},
         ""},
        {"MIT",
         {kMitGrant,
          "the above copyright notice and this permission notice shall be included in all copies "
          "or substantial portions of the software"},
         // X11 and its relatives add a clause on the use of the holder's name.
         {"except as contained in this notice the name of"},
         ""},
        {"MIT-0",
         {kMitGrant, "to permit persons to whom the software is furnished to do so"},
         {"subject to the following conditions", "shall be included in all copies"},
         "without the attribution condition"},
        {"BSD-4-Clause", {kBsdAdvertising, kBsdConditions, kBsdEndorsement}, {}, ""},
        {"BSD-3-Clause",
         {kBsdEndorsement, kBsdConditions},
         {kBsdAdvertising,
          "no express or implied licenses to any party s patent rights are granted"},
         "BSD conditions with the endorsement clause"},
        {"BSD-2-Clause",
         {kBsdConditions,
          "redistributions in binary form must reproduce the above copyright notice"},
         {kBsdEndorsement, kBsdAdvertising, "no express or implied licenses to any party s"},
         "no endorsement clause"},
        {"ISC",
         {"permission to use copy modify and or distribute this software for any purpose with or "
          "without fee is hereby granted provided that the above copyright notice and this "
          "permission notice appear in all copies"},
         {},
         ""},
        {"Zlib",
         {"altered source versions must be plainly marked as such and must not be misrepresented "
          "as being the original software",
          "this notice may not be removed or altered from any source distribution"},
         {},
         ""},
        {"BSL-1.0", {"boost software license version 1.0 august 17th 2003"}, {}, ""},
        {"Unlicense",
         {"this is free and unencumbered software released into the public domain"},
         {},
         ""},
        {"GPL-1.0", {"gnu general public license version 1 february 1989"}, {}, ""},
        {"GPL-2.0", {"gnu general public license version 2 june 1991"}, {}, ""},
        {"GPL-3.0", {"gnu general public license version 3 29 june 2007"}, {}, ""},
        {"LGPL-2.0", {"gnu library general public license version 2 june 1991"}, {}, ""},
        {"LGPL-2.1", {"gnu lesser general public license version 2.1 february 1999"}, {}, ""},
        {"LGPL-3.0", {"gnu lesser general public license version 3 29 june 2007"}, {}, ""},
        {"AGPL-3.0", {"gnu affero general public license version 3 19 november 2007"}, {}, ""},
        {"MPL-1.1", {"mozilla public license version 1.1", "covered code"}, {}, ""},
        {"MPL-2.0", {"mozilla public license version 2.0", "covered software"}, {}, ""},
        {"EPL-1.0", {"eclipse public license v 1.0"}, {}, ""},
        {"EPL-2.0", {"eclipse public license v 2.0"}, {}, ""},
        {"CC0-1.0", {"cc0 1.0 universal", "statement of purpose"}, {}, ""},
    };
    AddCreativeCommons(&list);
    return list;
  }();
  return texts;
}

// Whether `phrase` appears in `text` as whole words.
std::optional<size_t> FindWords(const std::string& text, const std::string& phrase) {
  for (size_t pos = text.find(phrase); pos != std::string::npos; pos = text.find(phrase, pos + 1)) {
    const bool starts_word = pos == 0 || text[pos - 1] == ' ';
    const size_t end = pos + phrase.size();
    if (starts_word && (end == text.size() || text[end] == ' ')) return pos;
  }
  return std::nullopt;
}

struct TextMatch {
  const StandardText* text;
  size_t evidence_begin, evidence_end;  // the first required phrase, normalized
};

std::vector<TextMatch> FindStandardTexts(const NormalizedText& normalized) {
  std::vector<TextMatch> matches;
  for (const StandardText& standard : StandardTexts()) {
    std::optional<size_t> first = FindWords(normalized.text, standard.required.front());
    if (!first) continue;
    const bool complete =
        std::all_of(standard.required.begin(), standard.required.end(),
                    [&](const std::string& phrase) { return FindWords(normalized.text, phrase); });
    const bool clean =
        std::none_of(standard.forbidden.begin(), standard.forbidden.end(),
                     [&](const std::string& phrase) { return FindWords(normalized.text, phrase); });
    if (complete && clean) {
      matches.push_back({&standard, *first, *first + standard.required.front().size()});
    }
  }
  return matches;
}

}  // namespace

LicenseFinding IdentifyLicenseFile(std::string_view content) {
  content = content.substr(0, kMaxFileBytes);
  const NormalizedText normalized = zoo_internal::NormalizeLicenseText(content);
  const std::vector<TextMatch> matches = FindStandardTexts(normalized);
  std::vector<std::string> ids;
  for (const TextMatch& match : matches) {
    if (std::find(ids.begin(), ids.end(), match.text->spdx) == ids.end()) {
      ids.push_back(match.text->spdx);
    }
  }
  const std::optional<LicenseFinding> tagged = zoo_internal::FindSpdxTag(content);
  if (tagged) {
    // The tag decides when the texts in the file agree with it.
    const std::vector<std::string> tagged_ids = zoo_internal::LicenseIdsIn(tagged->spdx);
    const bool agree = std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
      return std::find(tagged_ids.begin(), tagged_ids.end(), id) != tagged_ids.end();
    });
    if (agree) return *tagged;
    return {"", tagged->evidence + ", but the file holds the text of " + JoinStrings(ids, ", ")};
  }
  if (ids.size() > 1)
    return {"", "the file holds several licence texts: " + JoinStrings(ids, ", ")};
  if (ids.size() == 1) {
    const TextMatch& match = matches.front();
    std::string evidence =
        "'" +
        zoo_internal::SourceWords(content, normalized, match.evidence_begin, match.evidence_end) +
        "'";
    if (!match.text->note.empty()) evidence += " (" + match.text->note + ")";
    return {ids.front(), evidence};
  }
  if (content.size() < kShortStatementBytes) {
    LicenseFinding statement = IdentifyLicenseText(content);
    if (!statement.spdx.empty()) statement.evidence = "short statement: " + statement.evidence;
    return statement;
  }
  return {"", "no standard licence text recognised"};
}

}  // namespace zooci
