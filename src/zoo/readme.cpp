// README parsing: line classification (code fences, HTML comments), ATX headings and their
// section bodies, pipe tables (model tables), links and the SPDX licence identifier.
#include <algorithm>
#include <cctype>
#include <tuple>

#include "zoo/readme_internal.h"
#include "zoo/zoo.h"

namespace zooci {
namespace zoo_internal {
namespace {

constexpr uint64_t kMaxReadmeBytes = uint64_t{64} << 20;

size_t LeadingSpaces(std::string_view text) {
  size_t k = 0;
  while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
  return k;
}

struct Fence {
  char marker = 0;
  size_t length = 0;
};

// An opening code fence: 3+ backticks (info string without backticks) or 3+ tildes. Any
// indentation is accepted (fences inside list items are indented).
std::optional<Fence> OpeningFence(std::string_view line) {
  std::string_view rest = line.substr(LeadingSpaces(line));
  if (rest.empty() || (rest[0] != '`' && rest[0] != '~')) return std::nullopt;
  size_t length = 0;
  while (length < rest.size() && rest[length] == rest[0]) ++length;
  if (length < 3) return std::nullopt;
  if (rest[0] == '`' && rest.substr(length).find('`') != std::string_view::npos) {
    return std::nullopt;  // "```code```" is an inline code span
  }
  return Fence{rest[0], length};
}

bool ClosesFence(std::string_view line, const Fence& fence) {
  std::string_view rest = line.substr(LeadingSpaces(line));
  size_t length = 0;
  while (length < rest.size() && rest[length] == fence.marker) ++length;
  return length >= fence.length && Trim(rest.substr(length)).empty();
}

// Finds "<!--" at or after `from`, outside code spans.
size_t FindCommentStart(std::string_view line, const std::vector<bool>& code, size_t from) {
  for (size_t pos = line.find("<!--", from); pos != std::string_view::npos;
       pos = line.find("<!--", pos + 1)) {
    if (!code[pos]) return pos;
  }
  return std::string_view::npos;
}

bool IsBlockQuote(std::string_view visible) {
  std::string_view rest = visible.substr(LeadingSpaces(visible));
  return !rest.empty() && rest[0] == '>';
}

// "Download (with sample test data)" -> "download (with sample test data)"; '_' and '-' are
// spaces, case is folded and whitespace collapsed.
std::string ColumnKey(std::string_view column) {
  std::string key;
  for (char c : column) {
    char folded = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (folded == '_' || folded == '-' || folded == '\t') folded = ' ';
    if (folded == ' ' && (key.empty() || key.back() == ' ')) continue;
    key += folded;
  }
  while (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Fills the column indices of `table` from its (markup-free) column names; the first matching
// column wins for each role.
void AssignColumns(ModelTable* table) {
  auto assign = [](int* slot, int index) {
    if (*slot < 0) *slot = index;
  };
  for (size_t index = 0; index < table->columns.size(); ++index) {
    std::string key = ColumnKey(table->columns[index]);
    int column = static_cast<int>(index);
    if (key == "model" || key == "model name" || key == "models") {
      assign(&table->model_column, column);
    } else if (StartsWith(key, "download") &&
               (Contains(key, "test data") || Contains(key, "with data") ||
                Contains(key, "sample"))) {
      assign(&table->download_with_data_column, column);
    } else if (StartsWith(key, "compressed")) {  // gpt2-bs: the tar.gz column
      assign(&table->download_with_data_column, column);
    } else if (StartsWith(key, "download")) {
      assign(&table->download_column, column);
    } else if (StartsWith(key, "onnx version")) {
      assign(&table->onnx_version_column, column);
    } else if (key == "opset" || StartsWith(key, "opset version")) {
      assign(&table->opset_column, column);
    }
  }
}

std::vector<std::string> SplitLines(std::string_view text) {
  if (StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

// The first "SPDX-License-Identifier: X" and its 1-based line; {"", 0} when none.
std::pair<std::string, int> SpdxLicense(const std::vector<std::string>& lines) {
  constexpr std::string_view kTag = "SPDX-License-Identifier:";
  for (size_t index = 0; index < lines.size(); ++index) {
    const std::string& line = lines[index];
    size_t pos = line.find(kTag);
    if (pos == std::string::npos) continue;
    std::string_view value = std::string_view(line).substr(pos + kTag.size());
    for (std::string_view end : {"-->", "*/"}) value = value.substr(0, value.find(end));
    value = Trim(value);
    if (!value.empty()) return {std::string(value), static_cast<int>(index) + 1};
  }
  return {"", 0};
}

// The code blocks of a classified document, with their content lines.
std::vector<CodeBlock> CodeBlocks(const std::vector<std::string>& lines,
                                  const std::vector<ClassifiedLine>& classified) {
  std::vector<CodeBlock> blocks;
  auto finish = [&](CodeBlock& block) {
    for (const std::string& line : block.lines) {
      std::string_view text = Trim(line);
      bool comment = StartsWith(text, "#") || StartsWith(text, "//") || StartsWith(text, "--") ||
                     StartsWith(text, "%");
      block.code_lines += !text.empty() && !comment;
    }
    blocks.push_back(std::move(block));
  };
  const int count = static_cast<int>(lines.size());
  for (int index = 0; index < count; ++index) {
    const ClassifiedLine& line = classified[index];
    if (line.kind == LineKind::kFence && line.opens_fence) {
      CodeBlock block;
      block.first_line = index + 1;
      std::string info = AsciiLower(line.info);
      block.language = info.substr(0, info.find_first_of(" \t{,"));
      int next = index + 1;
      for (; next < count && classified[next].kind == LineKind::kCode; ++next) {
        block.lines.push_back(lines[next]);
      }
      block.last_line = next < count ? next + 1 : count;
      finish(block);
      index = next;
    } else if (line.kind == LineKind::kCode && line.indented) {
      CodeBlock block;
      block.first_line = index + 1;
      int next = index;
      int last_code = index;
      for (; next < count && (classified[next].kind == LineKind::kBlank ||
                              (classified[next].kind == LineKind::kCode && classified[next].indented));
           ++next) {
        if (classified[next].kind == LineKind::kCode) last_code = next;
      }
      for (int code = index; code <= last_code; ++code) {
        std::string_view text = lines[code];
        size_t columns = 0, cut = 0;
        while (cut < text.size() && columns < 4 && (text[cut] == ' ' || text[cut] == '\t')) {
          columns += text[cut] == '\t' ? 4 - columns % 4 : 1;
          ++cut;
        }
        block.lines.emplace_back(text.substr(cut));
      }
      block.last_line = last_code + 1;
      finish(block);
      index = last_code;
    }
  }
  return blocks;
}

// Whether a label line holds nothing but the label ("**Description**", "**Use cases:**").
bool LabelOnly(std::string_view visible) {
  std::string_view text = Trim(visible);
  std::string_view marker = text.substr(0, 2);
  size_t close = text.find(marker, 2);
  if (close == std::string_view::npos) return true;
  std::string_view after = Trim(text.substr(close + 2));
  if (StartsWith(after, ":")) after = Trim(after.substr(1));
  return after.empty();
}

// A bold label opening a line: "**Use cases:** text", "**Use cases**: text", "__Description__",
// a line that is only "**Model**". The label text (without ':') when the line is one, else "".
// Labels longer than 60 characters are emphasis, not section titles.
std::string BoldLabel(std::string_view visible) {
  std::string_view text = Trim(visible);
  for (std::string_view marker : {"**", "__"}) {
    if (!StartsWith(text, marker)) continue;
    size_t close = text.find(marker, marker.size());
    if (close == std::string_view::npos || close == marker.size()) continue;
    std::string_view label = Trim(text.substr(marker.size(), close - marker.size()));
    std::string_view after = Trim(text.substr(close + marker.size()));
    bool colon_inside = EndsWith(label, ":");
    if (colon_inside) label = Trim(label.substr(0, label.size() - 1));
    bool colon_after = StartsWith(after, ":");
    if (!(colon_inside || colon_after || after.empty())) continue;
    if (label.empty() || label.size() > 60 || label.find("**") != std::string_view::npos) continue;
    return std::string(label);
  }
  return "";
}

// Whether `text` (after indentation) starts a list item: "* ", "- ", "+ ", "1. ", "1) ".
bool IsListItem(std::string_view text) {
  text = text.substr(LeadingSpaces(text));
  if (text.size() >= 2 && (text[0] == '*' || text[0] == '-' || text[0] == '+') &&
      (text[1] == ' ' || text[1] == '\t')) {
    return true;
  }
  size_t digits = 0;
  while (digits < text.size() && digits < 9 && std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  return digits > 0 && digits + 1 < text.size() && (text[digits] == '.' || text[digits] == ')') &&
         (text[digits + 1] == ' ' || text[digits + 1] == '\t');
}

// Columns of indentation (a tab counts to the next multiple of 4).
size_t IndentColumns(std::string_view text) {
  size_t columns = 0;
  for (char c : text) {
    if (c == ' ') {
      ++columns;
    } else if (c == '\t') {
      columns += 4 - columns % 4;
    } else {
      break;
    }
  }
  return columns;
}

// Turns runs of text lines indented by 4+ columns into indented code (kCode, `indented`): a run
// starts after a blank line (or at the top) and continues across blank lines while the next
// non-blank line is indented too. Not inside a list item (the indentation continues the item),
// i.e. when the nearest less-indented text line above is a list item or part of one.
void MarkIndentedCode(const std::vector<std::string>& lines, std::vector<ClassifiedLine>& out) {
  bool in_list = false;  // the last non-indented text block was a list
  for (size_t index = 0; index < lines.size(); ++index) {
    ClassifiedLine& line = out[index];
    if (line.kind == LineKind::kFence || line.kind == LineKind::kCode) continue;
    if (line.kind != LineKind::kText) continue;
    bool indented = IndentColumns(lines[index]) >= 4;
    bool after_blank = index == 0 || out[index - 1].kind == LineKind::kBlank;
    if (!indented) {
      in_list = IsListItem(lines[index]) || (in_list && !after_blank);
      continue;
    }
    if (!after_blank || in_list) continue;
    // A run of indented lines, blank lines inside it included.
    size_t end = index;
    for (size_t next = index; next < lines.size(); ++next) {
      if (out[next].kind == LineKind::kBlank) continue;
      if (out[next].kind != LineKind::kText || IndentColumns(lines[next]) < 4) break;
      end = next;
    }
    for (size_t code = index; code <= end; ++code) {
      if (out[code].kind == LineKind::kBlank) continue;
      out[code].kind = LineKind::kCode;
      out[code].indented = true;
      out[code].visible.clear();
    }
    index = end;
  }
}

}  // namespace

std::vector<ClassifiedLine> ClassifyLines(const std::vector<std::string>& lines) {
  std::vector<ClassifiedLine> out(lines.size());
  std::optional<Fence> fence;
  bool in_comment = false;
  // A comment that opens a line is an HTML block: the rest of the line that closes it is HTML too.
  bool block_comment = false;
  for (size_t index = 0; index < lines.size(); ++index) {
    std::string_view line = lines[index];
    ClassifiedLine& result = out[index];
    if (fence) {
      result.kind = ClosesFence(line, *fence) ? LineKind::kFence : LineKind::kCode;
      if (result.kind == LineKind::kFence) fence.reset();
      continue;
    }
    if (!in_comment) {
      if ((fence = OpeningFence(line))) {
        result.kind = LineKind::kFence;
        result.opens_fence = true;
        std::string_view rest = Trim(line);
        size_t info_start = rest.find_first_not_of(rest[0]);
        if (info_start != std::string_view::npos) {
          result.info = std::string(Trim(rest.substr(info_start)));
        }
        continue;
      }
    }
    std::vector<bool> code = CodeSpanMask(line);
    size_t pos = 0;
    while (pos < line.size()) {
      if (in_comment) {
        size_t end = line.find("-->", pos);
        if (end == std::string_view::npos) break;
        in_comment = false;
        pos = end + 3;
        if (block_comment) break;
        continue;
      }
      size_t start = FindCommentStart(line, code, pos);
      result.visible += line.substr(pos, std::min(start, line.size()) - pos);
      if (start == std::string_view::npos) break;
      in_comment = true;
      block_comment = pos == 0 && Trim(result.visible).empty();
      pos = start + 4;
    }
    if (!Trim(result.visible).empty()) {
      result.kind = LineKind::kText;
    } else {
      result.kind = Trim(line).empty() ? LineKind::kBlank : LineKind::kComment;
    }
  }
  MarkIndentedCode(lines, out);
  return out;
}

int AtxHeadingLevel(std::string_view visible) {
  size_t indent = 0;
  while (indent < visible.size() && visible[indent] == ' ') ++indent;
  if (indent > 3) return 0;
  size_t level = 0;
  while (indent + level < visible.size() && visible[indent + level] == '#') ++level;
  if (level == 0 || level > 6) return 0;
  size_t after = indent + level;
  if (after < visible.size() && visible[after] != ' ' && visible[after] != '\t') return 0;
  return static_cast<int>(level);
}

std::optional<std::vector<std::string>> SplitTableRow(std::string_view visible) {
  if (IsBlockQuote(visible)) return std::nullopt;
  std::vector<bool> code = CodeSpanMask(visible);
  std::vector<size_t> pipes;
  for (size_t i = 0; i < visible.size(); ++i) {
    if (visible[i] == '\\') {
      ++i;  // "\|" (and any escaped character) never separates cells
      continue;
    }
    if (visible[i] == '|' && !code[i]) pipes.push_back(i);
  }
  if (pipes.empty()) return std::nullopt;
  std::vector<size_t> bounds;  // cell i spans (bounds[i], bounds[i + 1])
  size_t first = LeadingSpaces(visible);
  bool leading = pipes.front() == first;
  size_t last_char = visible.find_last_not_of(" \t");
  bool trailing = pipes.back() == last_char && !(leading && pipes.size() == 1);
  if (!leading) bounds.push_back(first == 0 ? std::string_view::npos : first - 1);
  for (size_t pipe : pipes) bounds.push_back(pipe);
  if (!trailing) bounds.push_back(visible.size());
  std::vector<std::string> cells;
  for (size_t b = 0; b + 1 < bounds.size(); ++b) {
    size_t begin = bounds[b] == std::string_view::npos ? 0 : bounds[b] + 1;
    std::string_view raw = Trim(visible.substr(begin, bounds[b + 1] - begin));
    std::string cell;
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '\\' && k + 1 < raw.size() && raw[k + 1] == '|') continue;
      cell += raw[k];
    }
    cells.push_back(std::move(cell));
  }
  if (cells.empty()) return std::nullopt;
  return cells;
}

bool IsDelimiterRow(const std::vector<std::string>& cells) {
  if (cells.empty()) return false;
  for (const std::string& cell : cells) {
    std::string_view body = cell;
    if (!body.empty() && body.front() == ':') body.remove_prefix(1);
    if (!body.empty() && body.back() == ':') body.remove_suffix(1);
    if (body.empty() || body.find_first_not_of('-') != std::string_view::npos) return false;
  }
  return true;
}

namespace {

Readme ParseDocument(std::string_view text, const fs::path& path) {
  Readme readme;
  readme.path = path;
  readme.lines = SplitLines(text);
  std::tie(readme.spdx_license, readme.spdx_line) = SpdxLicense(readme.lines);
  std::vector<ClassifiedLine> classified = ClassifyLines(readme.lines);
  readme.code_blocks = CodeBlocks(readme.lines, classified);
  const int line_count = static_cast<int>(readme.lines.size());
  auto is_text = [&](int index) { return classified[index].kind == LineKind::kText; };

  // Reference definitions first: a reference link may precede its definition.
  ReferenceMap refs;
  std::vector<std::optional<std::pair<std::string, std::string>>> definitions(line_count);
  for (int index = 0; index < line_count; ++index) {
    if (!is_text(index)) continue;
    definitions[index] = ParseReferenceDefinition(classified[index].visible);
    if (definitions[index]) {  // emplace keeps the first definition of a label
      refs.emplace(NormalizeLabel(definitions[index]->first), definitions[index]->second);
    }
  }

  std::vector<int> heading_level(line_count, 0);
  int current_level = 0;  // of the last ATX heading: labels sit one level below it
  for (int index = 0; index < line_count; ++index) {
    if (!is_text(index)) continue;
    const std::string& visible = classified[index].visible;
    heading_level[index] = AtxHeadingLevel(visible);
    if (heading_level[index] > 0) {
      // The text after the #s, without an optional closing sequence (spaces, then #s).
      std::string_view content = Trim(Trim(visible).substr(heading_level[index]));
      size_t last_other = content.find_last_not_of('#');
      if (last_other == std::string_view::npos) {
        content = {};
      } else if (content[last_other] == ' ' || content[last_other] == '\t') {
        content = Trim(content.substr(0, last_other));
      }
      MarkdownHeading heading;
      heading.level = heading_level[index];
      heading.text = StripInlineMarkup(content, refs);
      heading.line = index + 1;
      readme.headings.push_back(std::move(heading));
      current_level = heading_level[index];
    } else if (std::string label = BoldLabel(visible); !label.empty() &&
                                                       !SplitTableRow(visible).has_value()) {
      MarkdownHeading heading;
      heading.level = std::min(current_level + 1, 7);
      heading.text = StripInlineMarkup(label, refs);
      heading.line = index + 1;
      heading.label = true;
      readme.headings.push_back(std::move(heading));
    }
    if (definitions[index]) {
      readme.links.push_back({definitions[index]->first, definitions[index]->second, index + 1});
    } else {
      ExtractLinks(visible, index + 1, refs, &readme.links);
    }
  }

  for (size_t h = 0; h < readme.headings.size(); ++h) {
    MarkdownHeading& heading = readme.headings[h];
    // A label's own line may carry its first sentence ("**Use cases:** ..."): it is in the body.
    heading.body_first_line = heading.label ? heading.line : heading.line + 1;
    heading.body_last_line = line_count;
    for (size_t next = h + 1; next < readme.headings.size(); ++next) {
      if (readme.headings[next].level <= heading.level) {
        heading.body_last_line = readme.headings[next].line - 1;
        break;
      }
    }
    heading.body_empty = true;
    for (int line = heading.body_first_line; line <= heading.body_last_line; ++line) {
      LineKind kind = classified[line - 1].kind;
      bool filler =
          kind == LineKind::kBlank || kind == LineKind::kComment || heading_level[line - 1] > 0;
      if (heading.label && line == heading.line) filler = LabelOnly(classified[line - 1].visible);
      if (!filler) heading.body_empty = false;
    }
  }

  for (int index = 0; index + 1 < line_count; ++index) {
    if (!is_text(index) || !is_text(index + 1) || heading_level[index] > 0) continue;
    auto header = SplitTableRow(classified[index].visible);
    if (!header) continue;
    auto delimiter = SplitTableRow(classified[index + 1].visible);
    if (!delimiter || !IsDelimiterRow(*delimiter)) continue;
    ModelTable table;
    table.header_line = index + 1;
    for (const std::string& cell : *header) table.columns.push_back(StripInlineMarkup(cell, refs));
    AssignColumns(&table);
    int row = index + 2;
    for (; row < line_count && is_text(row) && heading_level[row] == 0; ++row) {
      auto cells = SplitTableRow(classified[row].visible);
      if (!cells) break;
      ModelTableRow table_row;
      table_row.line = row + 1;
      for (const std::string& cell : *cells) {
        ExtractLinks(cell, row + 1, refs, &table_row.cell_links);
      }
      table_row.cells = std::move(*cells);
      table.rows.push_back(std::move(table_row));
    }
    if (table.model_column >= 0 && table.download_column >= 0) {
      readme.model_tables.push_back(table);
    }
    readme.tables.push_back(std::move(table));
    index = row - 1;
  }
  return readme;
}

}  // namespace
}  // namespace zoo_internal

Readme ParseReadmeText(std::string_view text, const fs::path& path) {
  return zoo_internal::ParseDocument(text, path);
}

Result<Readme> ParseReadme(const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, zoo_internal::kMaxReadmeBytes));
  return ParseReadmeText(text, path);
}

}  // namespace zooci
