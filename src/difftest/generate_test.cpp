// The generator: every model it makes passes the strict checker, a seed names the same models,
// and inputs stay inside the operators' domains.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "check/check.h"
#include "difftest/difftest.h"

namespace zooci {
namespace {

std::string FirstError(const ModelReport& report) {
  for (const Diagnostic& diagnostic : report.diagnostics) {
    if (diagnostic.severity == Severity::kError) {
      return RuleCode(diagnostic.rule) + " " + diagnostic.location.Describe() + ": " +
             diagnostic.message;
    }
  }
  return "";
}

TEST(DifftestGenerateTest, EveryGeneratedModelPassesCheck) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    GenerateOptions options;
    options.seed = seed;
    options.cases_per_op = 8;
    auto cases = GenerateCases(options);
    ASSERT_TRUE(cases.ok()) << cases.error().message();
    ASSERT_GT(cases->size(), 100u);
    for (const GeneratedCase& generated : *cases) {
      auto bytes = BuildModel(generated.spec);
      ASSERT_TRUE(bytes.ok()) << generated.id << " " << generated.spec.Describe() << ": "
                              << bytes.error().message();
      ModelReport report =
          CheckModelBytes(*bytes, fs::temp_directory_path(), CheckOptions{}, generated.id);
      EXPECT_EQ(report.Counts().errors, 0)
          << "seed " << seed << " " << generated.id << " " << generated.spec.Describe() << ": "
          << FirstError(report);
    }
  }
}

TEST(DifftestGenerateTest, SameSeedSameModelsWhateverTheSubset) {
  GenerateOptions all;
  all.seed = 7;
  all.cases_per_op = 6;
  auto everything = GenerateCases(all);
  ASSERT_TRUE(everything.ok());
  auto again = GenerateCases(all);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(everything->size(), again->size());
  for (size_t case_idx = 0; case_idx < everything->size(); ++case_idx) {
    EXPECT_EQ(*BuildModel((*everything)[case_idx].spec), *BuildModel((*again)[case_idx].spec));
  }
  GenerateOptions subset = all;
  subset.ops = {"Conv", "Softmax"};
  auto some = GenerateCases(subset);
  ASSERT_TRUE(some.ok());
  int matched = 0;
  for (const GeneratedCase& generated : *some) {
    if (generated.op == "graph") continue;
    for (const GeneratedCase& full : *everything) {
      if (full.id == generated.id) {
        EXPECT_EQ(*BuildModel(full.spec), *BuildModel(generated.spec)) << generated.id;
        ++matched;
      }
    }
  }
  EXPECT_EQ(matched, 2 * all.cases_per_op);
  GenerateOptions other = all;
  other.seed = 8;
  auto different = GenerateCases(other);
  ASSERT_TRUE(different.ok());
  EXPECT_NE(*BuildModel((*different)[0].spec), *BuildModel((*everything)[0].spec));
}

// Values of the first input of every case of `op`.
std::vector<double> FirstInputs(const std::string& op, int cases_per_op = 30) {
  GenerateOptions options;
  options.ops = {op};
  options.cases_per_op = cases_per_op;
  options.graphs_per_round = 0;
  std::vector<double> values;
  auto cases = GenerateCases(options);
  EXPECT_TRUE(cases.ok());
  for (const GeneratedCase& generated : *cases) {
    std::vector<double> some = TensorValues(generated.spec.inputs[0]);
    values.insert(values.end(), some.begin(), some.end());
  }
  return values;
}

TEST(DifftestGenerateTest, InputsStayInsideTheOperatorsDomains) {
  for (const char* op : {"Log", "Sqrt"}) {
    for (double value : FirstInputs(op)) EXPECT_GT(value, 0.05) << op;
  }
  for (const char* op : {"Asin", "Acos", "Atanh"}) {
    for (double value : FirstInputs(op)) EXPECT_LT(std::abs(value), 0.95) << op;
  }
  for (double value : FirstInputs("Acosh")) EXPECT_GT(value, 1.05);
  for (double value : FirstInputs("Reciprocal")) EXPECT_GE(std::abs(value), 0.5);
  // Pow's base is positive; Div's divisor is bounded away from 0.
  GenerateOptions options;
  options.ops = {"Pow", "Div"};
  options.cases_per_op = 30;
  auto cases = GenerateCases(options);
  ASSERT_TRUE(cases.ok());
  for (const GeneratedCase& generated : *cases) {
    const Tensor& divisor_or_base =
        generated.op == "Pow" ? generated.spec.inputs[0] : generated.spec.inputs[1];
    for (double value : TensorValues(divisor_or_base)) {
      if (generated.op == "Pow") {
        EXPECT_GT(value, 0.05) << generated.id;
      } else {
        EXPECT_GE(std::abs(value), 0.5) << generated.id;
      }
    }
  }
}

TEST(DifftestGenerateTest, CoverageNamesEveryOpset17OperatorAndWhatIsGenerated) {
  std::vector<OperatorCoverage> coverage = SchemaCoverage();
  std::set<std::string> generated, missing;
  for (const OperatorCoverage& row : coverage) {
    (row.generated ? generated : missing).insert(row.op);
    EXPECT_EQ(row.generated, row.reason.empty()) << row.op;
  }
  EXPECT_GT(coverage.size(), 150u);
  for (const char* op : {"Conv", "Softmax", "Resize", "Gemm", "TopK", "Pad", "CumSum"}) {
    EXPECT_EQ(generated.count(op), 1u) << op;
  }
  EXPECT_EQ(missing.count("Loop"), 1u);
  // Where's first input is its bool condition: its types are T's, not the condition's.
  for (const char* op : {"Where", "GatherND", "ScatterND", "ScatterElements", "OneHot", "Compress",
                         "ReverseSequence", "NonZero", "Unique", "EyeLike", "LayerNormalization",
                         "Einsum", "Det", "Dropout", "GridSample", "QuantizeLinear",
                         "DequantizeLinear", "RNN", "GRU", "LSTM"}) {
    EXPECT_EQ(generated.count(op), 1u) << op;
  }
  EXPECT_EQ(generated.size() + missing.size(), coverage.size());
}

TEST(DifftestGenerateTest, OperatorsAddedLaterPassCheckAndScattersWriteEachElementOnce) {
  GenerateOptions options;
  options.ops = {"Where",  "GatherND", "ScatterND", "ScatterElements", "OneHot", "Compress",
                 "ReverseSequence", "NonZero", "Unique", "EyeLike", "LayerNormalization",
                 "Einsum", "Det", "Dropout", "GridSample", "QuantizeLinear", "DequantizeLinear",
                 "RNN", "GRU", "LSTM"};
  options.cases_per_op = 40;
  options.graphs_per_round = 0;
  auto cases = GenerateCases(options);
  ASSERT_TRUE(cases.ok()) << cases.error().message();
  ASSERT_EQ(cases->size(), options.ops.size() * 40u);
  for (const GeneratedCase& generated : *cases) {
    auto bytes = BuildModel(generated.spec);
    ASSERT_TRUE(bytes.ok()) << generated.id << ": " << bytes.error().message();
    ModelReport report =
        CheckModelBytes(*bytes, fs::temp_directory_path(), CheckOptions{}, generated.id);
    EXPECT_EQ(report.Counts().errors, 0)
        << generated.id << " " << generated.spec.Describe() << ": " << FirstError(report);
    if (generated.op != "ScatterND") continue;
    // Without a reduction, no index tuple twice (the result would depend on the write order).
    bool reduced = false;
    for (const AttrSpec& attr : generated.spec.nodes[0].attrs) {
      reduced |= attr.name == "reduction" && attr.s != "none";
    }
    if (reduced) continue;
    const Tensor& indices = generated.spec.initializers[0];
    int64_t depth = indices.shape.back();
    std::vector<double> values = TensorValues(indices);
    std::set<std::vector<double>> tuples;
    for (size_t start = 0; start < values.size(); start += static_cast<size_t>(depth)) {
      tuples.insert(std::vector<double>(values.begin() + static_cast<std::ptrdiff_t>(start),
                                        values.begin() + static_cast<std::ptrdiff_t>(start) + depth));
    }
    EXPECT_EQ(tuples.size() * static_cast<size_t>(depth), values.size()) << generated.id;
  }
}

TEST(DifftestGenerateTest, UnknownOperatorIsAnErrorListingTheGeneratedOnes) {
  GenerateOptions options;
  options.ops = {"Frobnicate"};
  auto cases = GenerateCases(options);
  ASSERT_FALSE(cases.ok());
  EXPECT_NE(cases.error().message().find("'Frobnicate'"), std::string::npos);
  EXPECT_NE(cases.error().message().find("Conv"), std::string::npos);
}

}  // namespace
}  // namespace zooci
