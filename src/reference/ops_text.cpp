// Text: StringNormalizer and TfIdfVectorizer.
#include <map>
#include <set>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

std::string AsciiUpper(std::string text) {
  for (char& ch : text)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return text;
}

// StringNormalizer-10: drops the stopwords (compared ignoring case unless is_case_sensitive=1),
// then applies case_change_action (LOWER, UPPER, NONE; ASCII letters only). Takes [C] or [1, C];
// when every string is dropped the result is one empty string ([1] or [1, 1]).
Result<Outputs> StringNormalizer(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  if (!x.is_string()) return Error("X must hold strings");
  if (x.rank() > 2 || (x.rank() == 2 && x.shape[0] != 1)) return Error("X must be [C] or [1, C]");
  const bool case_sensitive = ctx.Int("is_case_sensitive", 0) != 0;
  const std::string action = ctx.String("case_change_action", "NONE");
  std::set<std::string> stopwords;
  for (const std::string& word : ctx.Strings("stopwords"))
    stopwords.insert(case_sensitive ? word : AsciiLower(word));
  std::vector<std::string> kept;
  for (const std::string& text : x.strings) {
    if (stopwords.count(case_sensitive ? text : AsciiLower(text))) continue;
    kept.push_back(action == "LOWER"   ? AsciiLower(text)
                   : action == "UPPER" ? AsciiUpper(text)
                                       : text);
  }
  if (kept.empty()) kept.push_back("");
  const auto count = static_cast<int64_t>(kept.size());
  Array y = MakeArray(ElemType::kString, x.rank() == 2 ? Shape{1, count} : Shape{count});
  y.strings = std::move(kept);
  return Outputs{std::move(y)};
}

// TfIdfVectorizer-9: counts, in each row of X ([C] or [N, C], integers or strings), the n-grams
// of the pool (pool_int64s or pool_strings; ngram_counts[i] is where the (i+1)-grams start),
// formed from tokens 1 + skip apart for skip in [0, max_skip_count] and n in [min_gram_length,
// max_gram_length] (unigrams counted once). Each pool n-gram k adds to output column
// ngram_indexes[k]. mode TF gives the counts, IDF the weight (default 1) where the count is
// non-zero, TFIDF count * weight.
Result<Outputs> TfIdfVectorizer(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const int64_t min_n = ctx.Int("min_gram_length", 1), max_n = ctx.Int("max_gram_length", 1);
  const int64_t max_skip = ctx.Int("max_skip_count", 0);
  const std::string mode = ctx.String("mode", "TF");
  const std::vector<int64_t> counts = ctx.Ints("ngram_counts");
  const std::vector<int64_t> indexes = ctx.Ints("ngram_indexes");
  const std::vector<double> weights = ctx.Floats("weights");
  const bool strings = x.is_string();
  // Tokens as strings, so integer and string pools are handled alike.
  std::vector<std::string> pool;
  if (strings) {
    pool = ctx.Strings("pool_strings");
  } else {
    for (int64_t value : ctx.Ints("pool_int64s")) pool.push_back(std::to_string(value));
  }
  std::map<std::vector<std::string>, int64_t> ngram_column;
  int64_t ordinal = 0;
  for (size_t level = 0; level < counts.size(); ++level) {
    const auto n = static_cast<int64_t>(level + 1);
    const int64_t begin = counts[level];
    const int64_t end =
        level + 1 < counts.size() ? counts[level + 1] : static_cast<int64_t>(pool.size());
    for (int64_t pos = begin; pos + n <= end; pos += n, ++ordinal) {
      if (ordinal >= static_cast<int64_t>(indexes.size())) return Error("ngram_indexes too short");
      ngram_column[std::vector<std::string>(pool.begin() + pos, pool.begin() + pos + n)] =
          indexes[ordinal];
    }
  }
  int64_t width = 0;
  for (int64_t index : indexes) width = std::max(width, index + 1);

  const int64_t rows = x.rank() == 2 ? x.shape[0] : 1;
  const int64_t cols = x.rank() == 2 ? x.shape[1] : x.size();
  Array y = MakeArray(ElemType::kFloat, x.rank() == 2 ? Shape{rows, width} : Shape{width});
  auto token = [&](int64_t flat) {
    return strings ? x.strings[flat] : std::to_string(ToInt(x.values[flat]));
  };
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t start = 0; start < cols; ++start)
      for (int64_t n = std::max<int64_t>(min_n, 1); n <= max_n; ++n)
        for (int64_t skip = 0; skip <= (n == 1 ? 0 : max_skip); ++skip) {
          if (start + (n - 1) * (skip + 1) >= cols) break;
          std::vector<std::string> gram;
          for (int64_t k = 0; k < n; ++k)
            gram.push_back(token(row * cols + start + k * (skip + 1)));
          auto found = ngram_column.find(gram);
          if (found != ngram_column.end()) y.values[row * width + found->second] += 1.0;
        }
  }
  for (int64_t flat = 0; flat < y.size(); ++flat) {
    const auto column = static_cast<size_t>(flat % width);
    // The weight of a column: that of the pool n-gram mapped to it.
    double weight = 1.0;
    for (size_t k = 0; k < indexes.size() && k < weights.size(); ++k)
      if (static_cast<size_t>(indexes[k]) == column) weight = weights[k];
    double& value = y.values[flat];
    if (mode == "IDF") value = value > 0 ? weight : 0.0;
    if (mode == "TFIDF") value *= weight;
  }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterTextOps(OpTable& table) {
  table.Add("StringNormalizer", {10}, StringNormalizer);
  table.Add("TfIdfVectorizer", {9}, TfIdfVectorizer);
}

}  // namespace zooci::reference
