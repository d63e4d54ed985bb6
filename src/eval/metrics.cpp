// Classification metrics, the confusion-matrix SVG and README table lookup.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

#include "eval/metrics.h"

namespace zooci {
namespace {

// ---- Text helpers --------------------------------------------------------------------------

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// Replaces what XML 1.0 cannot hold (invalid UTF-8, control characters, U+FFFE/U+FFFF) by '?'.
// The result is valid UTF-8.
std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  for (size_t idx = 0; idx < text.size();) {
    const auto lead = static_cast<unsigned char>(text[idx]);
    if (lead < 0x80) {
      out += (lead < 0x20 && lead != '\t' && lead != '\n' && lead != '\r') ? '?' : text[idx];
      ++idx;
      continue;
    }
    const size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                          : lead >= 0xE0 && lead <= 0xEF ? 3
                          : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                         : 0;
    uint32_t code_point = lead & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
    bool valid = length > 0 && idx + length <= text.size();
    for (size_t offset = 1; valid && offset < length; ++offset) {
      const auto next = static_cast<unsigned char>(text[idx + offset]);
      valid = (next & 0xC0) == 0x80;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    valid = valid && !(length == 3 && code_point < 0x800) &&
            !(length == 4 && (code_point < 0x10000 || code_point > 0x10FFFF)) &&
            !(code_point >= 0xD800 && code_point <= 0xDFFF) && code_point != 0xFFFE &&
            code_point != 0xFFFF;
    if (!valid) {
      out += '?';
      ++idx;
      continue;
    }
    out.append(text.substr(idx, length));
    idx += length;
  }
  return out;
}

// Keeps at most `max_chars` code points of valid UTF-8, marking a cut with "…".
std::string TruncateUtf8(const std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t idx = 0; idx < text.size(); ++idx) {
    if ((static_cast<unsigned char>(text[idx]) & 0xC0) == 0x80) continue;
    if (++chars > max_chars) return text.substr(0, idx) + "\u2026";
  }
  return text;
}

// A coordinate or percentage with two decimals; never NaN (callers pass finite values).
std::string Num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", std::isfinite(value) ? value : 0.0);
  return buffer;
}

double Percent(int64_t part, int64_t total) {
  return total > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(total) : 0.0;
}

}  // namespace

// ---- Metrics -----------------------------------------------------------------------------------

Result<ClassificationMetrics> ComputeMetrics(const std::vector<int64_t>& labels,
                                             const std::vector<std::vector<int64_t>>& ranked,
                                             const std::vector<std::string>& class_names,
                                             int top_k) {
  if (labels.size() != ranked.size()) {
    return Error("metrics: " + std::to_string(labels.size()) + " labels but " +
                 std::to_string(ranked.size()) + " predictions");
  }
  if (top_k < 1) return Error("metrics: top_k must be at least 1, got " + std::to_string(top_k));
  const auto classes = static_cast<int64_t>(class_names.size());
  ClassificationMetrics metrics;
  metrics.top_k = top_k;
  metrics.class_names = class_names;
  metrics.per_class_total.assign(class_names.size(), 0);
  metrics.per_class_correct.assign(class_names.size(), 0);
  metrics.confusion.assign(class_names.size(), std::vector<int64_t>(class_names.size(), 0));
  for (size_t sample = 0; sample < labels.size(); ++sample) {
    const int64_t label = labels[sample];
    const std::vector<int64_t>& row = ranked[sample];
    if (label < 0 || label >= classes) {
      return Error("metrics: sample " + std::to_string(sample) + " has label " +
                   std::to_string(label) + ", outside the " + std::to_string(classes) + " classes");
    }
    if (row.empty()) return Error("metrics: sample " + std::to_string(sample) + " has no ranking");
    ++metrics.total;
    ++metrics.per_class_total[label];
    const int64_t predicted = row[0];
    if (predicted == label) {
      ++metrics.top1_correct;
      ++metrics.per_class_correct[label];
    }
    if (predicted >= 0 && predicted < classes) {
      ++metrics.confusion[label][predicted];
    } else {
      ++metrics.other_predictions;
    }
    const size_t considered = std::min(row.size(), static_cast<size_t>(top_k));
    if (std::find(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(considered), label) !=
        row.begin() + static_cast<std::ptrdiff_t>(considered)) {
      ++metrics.topk_correct;
    }
  }
  // With no samples both percentages are 0 (not NaN).
  metrics.top1_percent = Percent(metrics.top1_correct, metrics.total);
  metrics.topk_percent = Percent(metrics.topk_correct, metrics.total);
  return metrics;
}

// ---- SVG ---------------------------------------------------------------------------------------

std::string ConfusionMatrixSvg(const ClassificationMetrics& metrics, const std::string& title) {
  const size_t n = metrics.class_names.size();
  // Invariant relied on below: confusion is n x n (as ComputeMetrics builds it); a malformed
  // matrix is drawn as far as it goes.
  const double cell = n == 0 ? 40.0 : std::min(40.0, 720.0 / static_cast<double>(n));
  const bool show_names = cell >= 8;
  const bool show_counts = cell >= 20;
  const size_t kMaxNameChars = 24;
  std::vector<std::string> names;
  size_t longest = 0;
  for (const std::string& name : metrics.class_names) {
    std::string clean = TruncateUtf8(SanitizeUtf8(name), kMaxNameChars);
    size_t chars = 0;
    for (char c : clean) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    longest = std::max(longest, chars);
    names.push_back(EscapeXml(clean));
  }
  const double font = std::clamp(cell * 0.6, 7.0, 12.0);
  const double label_space = show_names ? static_cast<double>(longest) * font * 0.6 + 12 : 12;
  const double left = 40 + label_space;
  const double top = 64 + label_space;
  const double grid = cell * static_cast<double>(n);
  const double width = std::max(left + grid + 20, 360.0);
  const double height = top + grid + 56;

  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + Num(width) +
         "\" height=\"" + Num(height) + "\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
         "\" font-family=\"sans-serif\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  svg += "<text x=\"12\" y=\"24\" font-size=\"16\">" + EscapeXml(SanitizeUtf8(title)) + "</text>\n";
  svg += "<text x=\"" + Num(left + grid / 2) + "\" y=\"46\" font-size=\"12\" " +
         "text-anchor=\"middle\">predicted</text>\n";
  svg += "<text transform=\"translate(16," + Num(top + grid / 2) + ") rotate(-90)\" " +
         "font-size=\"12\" text-anchor=\"middle\">true</text>\n";
  svg += "<rect x=\"" + Num(left) + "\" y=\"" + Num(top) + "\" width=\"" + Num(grid) +
         "\" height=\"" + Num(grid) + "\" fill=\"#f7fbff\" stroke=\"#cccccc\"/>\n";
  for (size_t row = 0; row < n && row < metrics.confusion.size(); ++row) {
    const std::vector<int64_t>& counts = metrics.confusion[row];
    int64_t row_total = 0;
    for (int64_t count : counts) row_total += count;
    for (size_t col = 0; col < n && col < counts.size(); ++col) {
      if (counts[col] <= 0) continue;
      // Shade by the share of the true class's samples (row_total > 0 here: no NaN).
      const double share = static_cast<double>(counts[col]) / static_cast<double>(row_total);
      const int red = static_cast<int>(std::lround(247 - share * (247 - 8)));
      const int green = static_cast<int>(std::lround(251 - share * (251 - 48)));
      const int blue = static_cast<int>(std::lround(255 - share * (255 - 107)));
      const double x = left + cell * static_cast<double>(col);
      const double y = top + cell * static_cast<double>(row);
      svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(cell) +
             "\" height=\"" + Num(cell) + "\" fill=\"rgb(" + std::to_string(red) + "," +
             std::to_string(green) + "," + std::to_string(blue) + ")\"><title>" + names[row] +
             " \u2192 " + names[col] + ": " + std::to_string(counts[col]) + "</title></rect>\n";
      if (show_counts) {
        svg += "<text x=\"" + Num(x + cell / 2) + "\" y=\"" + Num(y + cell / 2 + font / 3) +
               "\" font-size=\"" + Num(font) + "\" text-anchor=\"middle\" fill=\"" +
               (share > 0.5 ? "#ffffff" : "#000000") + "\">" + std::to_string(counts[col]) +
               "</text>\n";
      }
    }
  }
  if (show_names) {
    for (size_t idx = 0; idx < n; ++idx) {
      const double center = cell * (static_cast<double>(idx) + 0.5) + font / 3;
      svg += "<text x=\"" + Num(left - 6) + "\" y=\"" + Num(top + center) + "\" font-size=\"" +
             Num(font) + "\" text-anchor=\"end\">" + names[idx] + "</text>\n";
      svg += "<text transform=\"translate(" + Num(left + center) + "," + Num(top - 6) +
             ") rotate(-90)\" font-size=\"" + Num(font) + "\">" + names[idx] + "</text>\n";
    }
  }
  std::string footer = std::to_string(metrics.total) + " samples, " + std::to_string(n) +
                       " classes, top-1 " + Num(metrics.top1_percent) + "%";
  if (metrics.top_k > 1) {
    footer += ", top-" + std::to_string(metrics.top_k) + " " + Num(metrics.topk_percent) + "%";
  }
  if (metrics.other_predictions > 0) {
    footer += ", predictions outside the classes: " + std::to_string(metrics.other_predictions);
  }
  if (!show_names && n > 0) footer += " (class names omitted: too many to read)";
  svg +=
      "<text x=\"12\" y=\"" + Num(top + grid + 32) + "\" font-size=\"12\">" + footer + "</text>\n";
  svg += "</svg>\n";
  return svg;
}

// ---- README tables -----------------------------------------------------------------------------

namespace {

// Splits a Markdown table row on unescaped '|' ("\|" is a literal pipe); outer pipes optional.
std::vector<std::string> SplitRow(std::string_view line) {
  std::string_view text = Trim(line);
  std::vector<std::string> cells(1);
  for (size_t idx = 0; idx < text.size(); ++idx) {
    if (text[idx] == '\\' && idx + 1 < text.size() && text[idx + 1] == '|') {
      cells.back() += '|';
      ++idx;
    } else if (text[idx] == '|') {
      cells.emplace_back();
    } else {
      cells.back() += text[idx];
    }
  }
  if (StartsWith(text, "|")) cells.erase(cells.begin());
  if (cells.size() > 1 && EndsWith(text, "|") && !EndsWith(text, "\\|")) cells.pop_back();
  return cells;
}

bool IsTableLine(std::string_view line) {
  std::string_view text = Trim(line);
  for (size_t idx = 0; idx < text.size(); ++idx) {
    if (text[idx] == '\\')
      ++idx;
    else if (text[idx] == '|')
      return true;
  }
  return false;
}

bool IsSeparatorRow(const std::vector<std::string>& cells) {
  for (const std::string& cell : cells) {
    std::string_view text = Trim(cell);
    if (StartsWith(text, ":")) text.remove_prefix(1);
    if (EndsWith(text, ":")) text.remove_suffix(1);
    if (text.empty() || text.find_first_not_of('-') != std::string_view::npos) return false;
  }
  return !cells.empty();
}

// Cell text without Markdown markup: links and images keep their text, HTML tags, **, __, ~~
// and backticks go, a whole-cell *x* or _x_ loses its markers, whitespace runs become one space.
std::string CleanCell(std::string_view cell) {
  std::string text;
  for (size_t idx = 0; idx < cell.size(); ++idx) {
    const char c = cell[idx];
    if (c == '[' || (c == '!' && idx + 1 < cell.size() && cell[idx + 1] == '[')) {
      const size_t open = c == '[' ? idx : idx + 1;
      const size_t close = cell.find(']', open);
      if (close != std::string_view::npos && close + 1 < cell.size() && cell[close + 1] == '(') {
        const size_t end = cell.find(')', close);
        if (end != std::string_view::npos) {
          text += cell.substr(open + 1, close - open - 1);
          idx = end;
          continue;
        }
      }
    }
    if (c == '<' && idx + 1 < cell.size() &&
        (std::isalpha(static_cast<unsigned char>(cell[idx + 1])) || cell[idx + 1] == '/')) {
      const size_t end = cell.find('>', idx);
      if (end != std::string_view::npos) {
        text += ' ';
        idx = end;
        continue;
      }
    }
    const std::string_view pair = cell.substr(idx, 2);
    if (pair == "**" || pair == "__" || pair == "~~") {
      ++idx;
      continue;
    }
    if (c == '`') continue;
    text += c;
  }
  std::string_view trimmed = Trim(text);
  while (trimmed.size() >= 2 && trimmed.front() == trimmed.back() &&
         (trimmed.front() == '*' || trimmed.front() == '_')) {
    trimmed = Trim(trimmed.substr(1, trimmed.size() - 2));
  }
  std::string collapsed;
  for (char ch : trimmed) {
    const bool space = ch == ' ' || ch == '\t';
    if (space && !collapsed.empty() && collapsed.back() == ' ') continue;
    collapsed += space ? ' ' : ch;
  }
  return collapsed;
}

// The first unsigned decimal number in `text` ("97.3%" -> 97.3, "~ .5" -> 0.5).
std::optional<double> FirstNumber(std::string_view text) {
  auto digit = [&](size_t idx) {
    return idx < text.size() && std::isdigit(static_cast<unsigned char>(text[idx]));
  };
  for (size_t start = 0; start < text.size(); ++start) {
    if (!digit(start) && !(text[start] == '.' && digit(start + 1))) continue;
    size_t end = start;
    while (digit(end)) ++end;
    if (end < text.size() && text[end] == '.' && digit(end + 1)) {
      ++end;
      while (digit(end)) ++end;
    }
    Result<double> value = ParseDouble(text.substr(start, end - start), "number");
    if (value.ok()) return *value;
  }
  return std::nullopt;
}

struct TableRow {
  size_t line = 0;  // 1-based
  std::vector<std::string> cells;
};

struct Table {
  std::vector<std::string> header;
  std::vector<TableRow> rows;
};

// Markdown pipe tables: a header row, a separator row with as many cells, then data rows up to
// the first line without a pipe. Fenced code blocks are skipped.
std::vector<Table> ParseTables(const std::string& markdown) {
  std::vector<std::string> lines = SplitString(markdown, '\n');
  std::vector<Table> tables;
  bool in_fence = false;
  for (size_t idx = 0; idx < lines.size(); ++idx) {
    std::string_view text = Trim(lines[idx]);
    if (StartsWith(text, "```") || StartsWith(text, "~~~")) {
      in_fence = !in_fence;
      continue;
    }
    if (in_fence || !IsTableLine(text) || idx + 1 >= lines.size()) continue;
    std::vector<std::string> header = SplitRow(text);
    std::vector<std::string> separator = SplitRow(lines[idx + 1]);
    if (!IsTableLine(lines[idx + 1]) || !IsSeparatorRow(separator) ||
        separator.size() != header.size()) {
      continue;
    }
    Table table;
    for (const std::string& cell : header) table.header.push_back(CleanCell(cell));
    idx += 2;
    for (; idx < lines.size() && IsTableLine(lines[idx]); ++idx) {
      table.rows.push_back({idx + 1, SplitRow(lines[idx])});
    }
    tables.push_back(std::move(table));
    --idx;  // the loop's ++idx revisits the line that ended the table
  }
  return tables;
}

struct Candidate {
  const TableRow* row;
  std::string first_cell;
  std::string cell;
  std::optional<double> value;
};

std::string Describe(const Candidate& candidate) {
  return "'" + candidate.first_cell + "' (line " + std::to_string(candidate.row->line) + ")";
}

}  // namespace

Result<double> ReadmeTableValue(const fs::path& readme, const std::string& column,
                                const std::string& row) {
  ZC_ASSIGN_OR_RETURN(ReadmeCell cell, ReadmeTableLookup(readme, column, row));
  return cell.value;
}

Result<ReadmeCell> ReadmeTableLookup(const fs::path& readme, const std::string& column,
                                     const std::string& row) {
  const std::string file = readme.string();
  ZC_ASSIGN_OR_RETURN(std::string markdown, ReadFile(readme, uint64_t{16} << 20));
  const std::string wanted_column = Lower(CleanCell(column));
  const std::string wanted_row = Lower(CleanCell(row));
  std::vector<Candidate> exact, containing, all_rows;
  std::vector<std::string> columns_seen;
  const std::vector<Table> tables = ParseTables(markdown);  // candidates point into it
  for (const Table& table : tables) {
    size_t col = table.header.size();
    for (size_t idx = 0; idx < table.header.size(); ++idx) {
      if (std::find(columns_seen.begin(), columns_seen.end(), table.header[idx]) ==
          columns_seen.end()) {
        columns_seen.push_back(table.header[idx]);
      }
      if (col == table.header.size() && Lower(table.header[idx]) == wanted_column) col = idx;
    }
    if (col == table.header.size()) continue;
    for (const TableRow& table_row : table.rows) {
      Candidate candidate{&table_row, table_row.cells.empty() ? "" : CleanCell(table_row.cells[0]),
                          col < table_row.cells.size() ? CleanCell(table_row.cells[col]) : "",
                          std::nullopt};
      candidate.value = FirstNumber(candidate.cell);
      const std::string first = Lower(candidate.first_cell);
      all_rows.push_back(candidate);
      if (first == wanted_row) {
        exact.push_back(candidate);
      } else if (first.find(wanted_row) != std::string::npos) {
        containing.push_back(candidate);
      }
    }
  }
  const std::string where = file + ": column '" + column + "'";
  if (all_rows.empty()) {
    if (columns_seen.size() > 30) columns_seen.resize(30);
    return Error(file + ": no table has a column '" + column + "' (columns seen: " +
                 (columns_seen.empty() ? "none, no tables" : JoinStrings(columns_seen, ", ")) +
                 ")");
  }
  std::vector<Candidate> pool;
  if (row.empty()) {
    if (all_rows.size() != 1) {
      return Error(where + ": no row given, but the tables with this column have " +
                   std::to_string(all_rows.size()) + " data rows; name one with 'row'");
    }
    pool = all_rows;
  } else {
    // An exact (cleaned, case-insensitive) first cell wins over one that merely contains `row`.
    pool = exact.empty() ? containing : exact;
  }
  if (pool.empty()) {
    std::vector<std::string> names;
    for (size_t idx = 0; idx < all_rows.size() && idx < 20; ++idx) {
      names.push_back(all_rows[idx].first_cell);
    }
    return Error(where + ": no row whose first cell contains '" + row + "' (rows: " +
                 JoinStrings(names, ", ") + (all_rows.size() > 20 ? ", ..." : "") + ")");
  }
  // Matching rows whose cell holds no number (e.g. an empty cell) are skipped when another
  // matching row has one; several different numbers are ambiguous.
  std::vector<Candidate> numbered;
  for (const Candidate& candidate : pool) {
    if (candidate.value.has_value()) numbered.push_back(candidate);
  }
  if (numbered.empty()) {
    return Error(where + ", row " + Describe(pool[0]) + ": no number in the cell '" + pool[0].cell +
                 "'");
  }
  for (const Candidate& candidate : numbered) {
    if (*candidate.value != *numbered[0].value) {
      std::vector<std::string> matches;
      for (const Candidate& match : numbered) {
        matches.push_back(Describe(match) + " = " + FormatDouble(*match.value));
      }
      return Error(where + ": row '" + row + "' is ambiguous: " + JoinStrings(matches, ", "));
    }
  }
  return ReadmeCell{*numbered[0].value, static_cast<int>(numbered[0].row->line)};
}

}  // namespace zooci
