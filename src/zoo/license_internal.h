// Private to the zoo module: what license.cpp (IdentifyLicenseText), license_prose.cpp (licence
// names in prose), license_file.cpp (LICENSE files) and license_spdx.cpp (SPDX expressions) share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zoo/zoo.h"

namespace zooci::zoo_internal {

// ---- Normalized text (license.cpp) -------------------------------------------------------------

// ASCII lower-case words and version numbers ("2.0") separated by single spaces; every other
// character separates words. `source[i]` is the offset in the original text of text[i].
struct NormalizedText {
  std::string text;
  std::vector<size_t> source;
};
NormalizedText NormalizeLicenseText(std::string_view text);
// The original words behind normalized [begin, end), on one line, shortened to 100 characters.
std::string SourceWords(std::string_view original, const NormalizedText& normalized, size_t begin,
                        size_t end);
// A finding from "SPDX-License-Identifier: X" anywhere in `text`, when X is a well-formed
// expression; nullopt otherwise.
std::optional<LicenseFinding> FindSpdxTag(std::string_view text);

// ---- Prose (license_prose.cpp) -----------------------------------------------------------------

struct ProseFinding {
  LicenseFinding finding;
  bool named = false;  // some licence name appears, even if ambiguous
};
// The licence that prose without URLs names ("Apache License 2.0", "BSD-3", "GPLv2 or later").
ProseFinding IdentifyLicenseProse(std::string_view text);

// ---- SPDX expressions (license_spdx.cpp) -------------------------------------------------------

// `expression` with known identifiers and exceptions in their SPDX spelling ("mit" -> "MIT"),
// operators in upper case and single spaces; nullopt when it is not a well-formed expression.
std::optional<std::string> CanonicalSpdxExpression(std::string_view expression);
// The SPDX spelling of a licence or exception id this module knows ("mit" -> "MIT").
std::optional<std::string> KnownLicenseSpelling(const std::string& id);
// Whether every licence in a well-formed `expression` is on the SPDX list as this module knows
// it (LicenseRef-... is not).
bool OnlyKnownLicenses(std::string_view expression);
// The licence identifiers in a well-formed `expression`, in order ("+" and exceptions removed).
std::vector<std::string> LicenseIdsIn(std::string_view expression);

}  // namespace zooci::zoo_internal
