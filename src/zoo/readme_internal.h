// Private to the zoo module: the Markdown scanning shared by readme.cpp (block structure),
// readme_inline.cpp (code spans, links, markup removal) and readme_sections.cpp (section lookup).
// Scope: the subset of CommonMark/GFM that zoo READMEs use. Inline constructs (code spans, links)
// never span lines; setext headings are not recognized. Indented code blocks are (four spaces
// after a blank line, outside list items), as zoo pages indent whole scripts that way.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "zoo/zoo.h"

namespace zooci::zoo_internal {

// ---- Blocks (readme.cpp) -----------------------------------------------------------------------

enum class LineKind {
  kBlank,    // only whitespace
  kText,     // Markdown text (after HTML comments are removed, something is left)
  kComment,  // not blank, but only HTML comment (<!-- ... -->) text
  kFence,    // a code fence delimiter (``` or ~~~)
  kCode,     // inside a fenced code block (an unclosed fence runs to the end of the document),
             // or a line of an indented code block
};

struct ClassifiedLine {
  LineKind kind = LineKind::kBlank;
  std::string visible;     // the line with HTML comments removed; "" for kFence and kCode
  bool opens_fence = false;  // kFence: an opening fence (else a closing one)
  std::string info;          // an opening fence's info string, trimmed
  bool indented = false;     // kCode: part of an indented code block
};

// Classifies every line of a document (lines without their line terminators).
std::vector<ClassifiedLine> ClassifyLines(const std::vector<std::string>& lines);

// The level (1-6) of an ATX heading line ("## Text"), or 0 when `visible` is not one.
int AtxHeadingLevel(std::string_view visible);

// The cells of a pipe-table line: split on '|' that is neither escaped ("\|") nor inside a code
// span, an optional leading and trailing pipe dropped, each cell trimmed with "\|" turned into
// "|". nullopt when the line has no such pipe or is a block quote ("> ...").
std::optional<std::vector<std::string>> SplitTableRow(std::string_view visible);
// Whether `cells` form a GFM delimiter row: every cell ":?-+:?".
bool IsDelimiterRow(const std::vector<std::string>& cells);

// ---- Inline (readme_inline.cpp) ----------------------------------------------------------------

// Reference definitions, by NormalizeLabel(label) -> target as written.
using ReferenceMap = std::map<std::string, std::string>;

// A link label for lookup: case-folded (ASCII), inner whitespace collapsed, trimmed.
std::string NormalizeLabel(std::string_view label);

// Parses a reference definition line "[label]: target" or "[label]: <target> \"title\"" (at most
// 3 spaces of indentation; footnotes "[^1]: ..." are not definitions). Returns {label, target}.
std::optional<std::pair<std::string, std::string>> ParseReferenceDefinition(std::string_view line);

// Marks the bytes of `text` that belong to code spans (backtick runs included).
std::vector<bool> CodeSpanMask(std::string_view text);

// Appends, in order of their opening bracket, the links in one line of Markdown text (HTML
// comments removed): inline links and images, reference links whose label is in `refs`, and
// autolinks "<scheme:...>". Links inside code spans are skipped; an image inside a link text is
// reported after the link. Each link's text has its markup removed.
void ExtractLinks(std::string_view text, int line, const ReferenceMap& refs,
                  std::vector<MarkdownLink>* out);

// Markdown inline text to plain text: links and images become their text, code spans their
// content, HTML tags are dropped, "*", "**", "__", "~~" and backslash escapes are removed, and
// whitespace is collapsed. Single "_" is kept (model names use it).
std::string StripInlineMarkup(std::string_view text, const ReferenceMap& refs = {});

}  // namespace zooci::zoo_internal
