#include <cctype>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eval/metrics.h"
#include "testing/testing.h"

namespace zooci {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Three classes, seven samples (top_k 2):
//   s0 cat  [cat, dog]      top-1 hit
//   s1 cat  [dog, cat]      top-2 hit
//   s2 dog  [dog, bird]     top-1 hit
//   s3 dog  [bird, cat, dog] miss (dog is third)
//   s4 bird [bird]          top-1 hit, a one-entry ranking
//   s5 bird [7, bird]       top-2 hit; 7 is outside the classes
//   s6 cat  [-1]            miss; -1 is outside the classes
const std::vector<int64_t> kLabels = {0, 0, 1, 1, 2, 2, 0};
const std::vector<std::vector<int64_t>> kRanked = {{0, 1}, {1, 0}, {1, 2}, {2, 0, 1},
                                                   {2},    {7, 2}, {-1}};
const std::vector<std::string> kClasses = {"cat", "dog", "bird"};

TEST(ComputeMetricsTest, CountsAKnownConfusionMatrix) {
  auto metrics = ComputeMetrics(kLabels, kRanked, kClasses, 2);
  ASSERT_TRUE(metrics.ok()) << metrics.error().message();
  EXPECT_EQ(metrics->total, 7);
  EXPECT_EQ(metrics->top_k, 2);
  EXPECT_EQ(metrics->top1_correct, 3);
  EXPECT_EQ(metrics->topk_correct, 5);
  EXPECT_DOUBLE_EQ(metrics->top1_percent, 300.0 / 7);
  EXPECT_DOUBLE_EQ(metrics->topk_percent, 500.0 / 7);
  EXPECT_EQ(metrics->class_names, kClasses);
  EXPECT_EQ(metrics->per_class_total, (std::vector<int64_t>{3, 2, 2}));
  EXPECT_EQ(metrics->per_class_correct, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(metrics->confusion,
            (std::vector<std::vector<int64_t>>{{1, 1, 0}, {0, 1, 1}, {0, 0, 1}}));
  EXPECT_EQ(metrics->other_predictions, 2);
}

TEST(ComputeMetricsTest, TopKUsesAtMostKEntries) {
  auto top1 = ComputeMetrics(kLabels, kRanked, kClasses, 1);
  ASSERT_TRUE(top1.ok());
  EXPECT_EQ(top1->topk_correct, 3);  // same as top-1
  auto top3 = ComputeMetrics(kLabels, kRanked, kClasses, 3);
  ASSERT_TRUE(top3.ok());
  EXPECT_EQ(top3->topk_correct, 6);  // s3 now counts; s6 never does
  auto top100 = ComputeMetrics(kLabels, kRanked, kClasses, 100);
  ASSERT_TRUE(top100.ok());
  EXPECT_EQ(top100->topk_correct, 6);
}

TEST(ComputeMetricsTest, NoSamplesGiveZeroNotNan) {
  auto metrics = ComputeMetrics({}, {}, kClasses, 5);
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->total, 0);
  EXPECT_EQ(metrics->top1_percent, 0);
  EXPECT_EQ(metrics->topk_percent, 0);
}

TEST(ComputeMetricsTest, RejectsBadInput) {
  EXPECT_TRUE(Contains(ComputeMetrics({0}, {}, kClasses, 1).error().message(),
                       "1 labels but 0 predictions"));
  EXPECT_TRUE(Contains(ComputeMetrics({3}, {{0}}, kClasses, 1).error().message(),
                       "sample 0 has label 3, outside the 3 classes"));
  EXPECT_TRUE(Contains(ComputeMetrics({-1}, {{0}}, kClasses, 1).error().message(), "has label -1"));
  EXPECT_TRUE(Contains(ComputeMetrics({0, 1}, {{0}, {}}, kClasses, 1).error().message(),
                       "sample 1 has no ranking"));
  EXPECT_TRUE(Contains(ComputeMetrics({0}, {{0}}, kClasses, 0).error().message(),
                       "top_k must be at least 1"));
}

TEST(ConfusionMatrixSvgTest, IsSelfContainedAndEscaped) {
  std::vector<std::string> names = {"a<b&c", "dog \"x\"", "bird's", "empty", "bad\x01\xff"};
  auto metrics = ComputeMetrics({0, 0, 1, 1, 2}, {{0}, {1}, {1}, {1}, {4}}, names, 1);
  ASSERT_TRUE(metrics.ok());
  std::string svg = ConfusionMatrixSvg(*metrics, "digits & <friends>");
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0), 0u);
  EXPECT_TRUE(Contains(svg, "xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""));
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_TRUE(Contains(svg, ">digits &amp; &lt;friends&gt;</text>"));
  EXPECT_TRUE(Contains(svg, ">a&lt;b&amp;c</text>"));
  EXPECT_TRUE(Contains(svg, ">dog &quot;x&quot;</text>"));
  EXPECT_TRUE(Contains(svg, ">bird&apos;s</text>"));
  EXPECT_TRUE(Contains(svg,
                       ">bad?"
                       "?</text>"));  // control and invalid UTF-8 bytes replaced
  EXPECT_FALSE(Contains(svg, "a<b"));
  EXPECT_FALSE(Contains(Lower(svg), "nan"));  // the "empty" and "bad" rows have no samples
  EXPECT_FALSE(Contains(Lower(svg), "inf"));
  EXPECT_TRUE(Contains(svg, ">2</text>"));  // the count of dog -> dog
  EXPECT_TRUE(Contains(svg, "5 samples, 5 classes, top-1 60.00%"));
}

TEST(ConfusionMatrixSvgTest, LargeAndEmptyMatrices) {
  std::vector<std::string> names;
  std::vector<int64_t> labels;
  std::vector<std::vector<int64_t>> ranked;
  for (int idx = 0; idx < 300; ++idx) {
    names.push_back("class_" + std::to_string(idx));
    labels.push_back(idx);
    ranked.push_back({(idx * 7) % 300});
  }
  auto metrics = ComputeMetrics(labels, ranked, names, 5);
  ASSERT_TRUE(metrics.ok());
  std::string svg = ConfusionMatrixSvg(*metrics, "many");
  EXPECT_TRUE(Contains(svg, "class names omitted"));
  EXPECT_FALSE(Contains(svg, ">class_12</text>"));
  EXPECT_LT(svg.size(), 200000u);
  std::string empty = ConfusionMatrixSvg(ClassificationMetrics{}, "none");
  EXPECT_EQ(empty.substr(empty.size() - 7), "</svg>\n");
  EXPECT_FALSE(Contains(Lower(empty), "nan"));
}

// ---- README tables -----------------------------------------------------------------------------

const char* const kReadme = R"md(# Digits

A line with a | pipe that starts no table.

| Model | Params | Top-1 accuracy (%) | Top-5 |
|:------|-------:|:---:|---|
| [digits_cnn](models/digits.onnx) | 1.2M | **97.33** | 99.9% |
| digits_cnn-int8 | 0.3M | 97.1% | 99.8 |
| `tiny\|net` | 10k | ~ 90.5 ± 0.3 | |

Model | Top-1 accuracy (%)
--- | ---
big_model | *80.25*

```
| Model | Top-1 accuracy (%) |
|---|---|
| fenced | 1.0 |
```
)md";

class ReadmeTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("metrics_test");
    ASSERT_TRUE(dir.ok()) << dir.error().message();
    dir_ = std::make_unique<TempDir>(std::move(dir).value());
    readme_ = dir_->path() / "README.md";
    std::ofstream(readme_) << kReadme;
  }

  double Value(const std::string& column, const std::string& row) {
    Result<double> value = ReadmeTableValue(readme_, column, row);
    EXPECT_TRUE(value.ok()) << value.error().message();
    return value.ok() ? *value : -1;
  }
  std::string ErrorFor(const std::string& column, const std::string& row) {
    Result<double> value = ReadmeTableValue(readme_, column, row);
    EXPECT_FALSE(value.ok());
    return value.ok() ? "" : value.error().message();
  }

  std::unique_ptr<TempDir> dir_;
  fs::path readme_;
};

TEST_F(ReadmeTableTest, FindsValuesThroughMarkup) {
  EXPECT_EQ(Value("Top-1 accuracy (%)", "digits_cnn"), 97.33);  // exact beats digits_cnn-int8
  EXPECT_EQ(Value("  top-1 ACCURACY (%) ", "DIGITS_CNN"), 97.33);
  EXPECT_EQ(Value("Top-1 accuracy (%)", "int8"), 97.1);        // contains; percent sign
  EXPECT_EQ(Value("Top-1 accuracy (%)", "tiny|net"), 90.5);    // escaped pipe, backticks
  EXPECT_EQ(Value("Top-1 accuracy (%)", "big_model"), 80.25);  // second table, no outer pipes
  EXPECT_EQ(Value("Top-5", "digits_cnn"), 99.9);
  EXPECT_EQ(Value("**Params**", "digits_cnn-int8"), 0.3);
}

TEST_F(ReadmeTableTest, ErrorsSayWhatIsMissing) {
  std::string message = ErrorFor("Top-10", "digits_cnn");
  EXPECT_TRUE(Contains(message, readme_.string() +
                                    ": no table has a column 'Top-10' (columns "
                                    "seen: Model, Params, Top-1 accuracy (%), Top-5)"))
      << message;
  message = ErrorFor("Top-1 accuracy (%)", "resnet");
  EXPECT_TRUE(Contains(message,
                       "column 'Top-1 accuracy (%)': no row whose first cell contains "
                       "'resnet' (rows: digits_cnn, digits_cnn-int8, tiny|net, big_model)"))
      << message;
  message = ErrorFor("Top-1 accuracy (%)", "fenced");  // tables in code blocks do not count
  EXPECT_TRUE(Contains(message, "no row whose first cell contains 'fenced'")) << message;
  message = ErrorFor("Top-5", "tiny");
  EXPECT_TRUE(Contains(message, "column 'Top-5', row 'tiny|net' (line 9): no number in the cell"))
      << message;
  message = ErrorFor("Top-1 accuracy (%)", "digits");
  EXPECT_TRUE(Contains(message,
                       "row 'digits' is ambiguous: 'digits_cnn' (line 7) = 97.33, "
                       "'digits_cnn-int8' (line 8) = 97.1"))
      << message;
  message = ErrorFor("Top-1 accuracy (%)", "");
  EXPECT_TRUE(Contains(message, "no row given, but the tables with this column have 4 data rows"))
      << message;
  Result<double> missing = ReadmeTableValue(dir_->path() / "NOPE.md", "Top-1", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Contains(missing.error().message(), "NOPE.md")) << missing.error().message();
}

TEST_F(ReadmeTableTest, EmptyRowTakesTheOnlyDataRow) {
  std::ofstream(readme_) << "|Accuracy|\n|--|\n|  **99.1 %** |\n";
  EXPECT_EQ(Value("accuracy", ""), 99.1);
}

// The real ONNX model zoo READMEs (read-only) in shared/reference; the test is skipped when this
// checkout has none.
fs::path ZooClassificationDir() {
  fs::path reference = testing::ReferenceDir();
  if (reference.empty()) return {};
  return reference / "onnx-model-zoo-sample" / "validated" / "vision" / "classification";
}

TEST(ReadmeZooTest, ReadsTheRealModelZooReadmes) {
  const fs::path zoo = ZooClassificationDir();
  if (zoo.empty()) GTEST_SKIP() << "shared/reference/onnx-model-zoo-sample not found";
  const std::string top1 = "Top-1 accuracy (%)";
  // resnet/README.md: "|ResNet50| ... |7|74.93 | 92.38 |", also ResNet50-fp32/-int8/-v2 rows.
  auto resnet50 = ReadmeTableValue(zoo / "resnet/README.md", top1, "ResNet50");
  ASSERT_TRUE(resnet50.ok()) << resnet50.error().message();
  EXPECT_EQ(*resnet50, 74.93);
  auto resnet50_v2 = ReadmeTableValue(zoo / "resnet/README.md", top1, "resnet50-v2");
  ASSERT_TRUE(resnet50_v2.ok()) << resnet50_v2.error().message();
  EXPECT_EQ(*resnet50_v2, 75.81);
  auto top5 = ReadmeTableValue(zoo / "resnet/README.md", "Top-5 accuracy (%)", "ResNet152-v2");
  ASSERT_TRUE(top5.ok()) << top5.error().message();
  EXPECT_EQ(*top5, 94.21);
  auto ambiguous = ReadmeTableValue(zoo / "resnet/README.md", top1, "ResNet1");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_TRUE(Contains(ambiguous.error().message(), "is ambiguous"));
  // mobilenet/README.md: the header line starts with a space.
  auto mobilenet = ReadmeTableValue(zoo / "mobilenet/README.md", top1, "MobileNet v2-1.0-int8");
  ASSERT_TRUE(mobilenet.ok()) << mobilenet.error().message();
  EXPECT_EQ(*mobilenet, 68.30);
  // squeezenet/README.md: "SqueezeNet 1.0" names six rows; only the opset-12 one has numbers.
  auto squeezenet = ReadmeTableValue(zoo / "squeezenet/README.md", top1, "SqueezeNet 1.0");
  ASSERT_TRUE(squeezenet.ok()) << squeezenet.error().message();
  EXPECT_EQ(*squeezenet, 56.85);
}

}  // namespace
}  // namespace zooci
