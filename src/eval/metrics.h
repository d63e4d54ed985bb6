// Classification metrics from per-sample predictions: top-1/top-k accuracy, per-class accuracy,
// the confusion matrix, and an SVG heatmap of it. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "base/base.h"

namespace zooci {

struct ClassificationMetrics {
  int64_t total = 0;
  int64_t top1_correct = 0;
  int64_t topk_correct = 0;
  int top_k = 5;
  double top1_percent = 0;
  double topk_percent = 0;
  std::vector<std::string> class_names;
  std::vector<int64_t> per_class_total;    // by true label
  std::vector<int64_t> per_class_correct;  // top-1
  // confusion[true][predicted], class_names.size() squared; predictions outside the dataset's
  // classes are counted in `other_predictions` instead.
  std::vector<std::vector<int64_t>> confusion;
  int64_t other_predictions = 0;
};

// `labels[i]` is sample i's true class (0-based, dataset order); `ranked[i]` the model's top-k
// class indices for it, best first, already mapped back to dataset labels (offset removed).
Result<ClassificationMetrics> ComputeMetrics(const std::vector<int64_t>& labels,
                                             const std::vector<std::vector<int64_t>>& ranked,
                                             const std::vector<std::string>& class_names,
                                             int top_k);

// A self-contained SVG heatmap: rows true classes, columns predicted, cell shade by row-normalised
// count, counts printed when the matrix is small enough to read, class names on both axes.
std::string ConfusionMatrixSvg(const ClassificationMetrics& metrics, const std::string& title);

// Looks up a claimed value in a README's Markdown tables: the table whose header has `column`
// (matched ignoring case and surrounding spaces/markup), the row whose first cell contains `row`
// (or the only data row when `row` is empty). Returns the number in the cell ("97.33", "97.3%",
// "**97.3**"). Errors say which of file, column, row or number was not found.
struct ReadmeCell {
  double value = 0;
  int line = 0;  // the row's line (1-based)
};
// ReadmeTableValue with the row's line.
Result<ReadmeCell> ReadmeTableLookup(const fs::path& readme, const std::string& column,
                                     const std::string& row);
Result<double> ReadmeTableValue(const fs::path& readme, const std::string& column,
                                const std::string& row);

}  // namespace zooci
