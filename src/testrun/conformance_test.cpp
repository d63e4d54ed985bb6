// The conformance table from hand-made reports, the JSON report read back, and the marked
// section of a document replaced.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "testrun/testrun.h"

namespace zooci {
namespace {

CaseResult Case(const std::string& id, std::vector<std::string> operators,
                CaseStatus status = CaseStatus::kPass, FailedStep step = FailedStep::kNone) {
  CaseResult result;
  result.id = id;
  result.status = result.actual_status = status;
  result.failed_step = step;
  result.operators = std::move(operators);
  return result;
}

ConformanceRun RuntimeRun(const std::string& label, std::vector<CaseResult> cases) {
  ConformanceRun run;
  run.label = label;
  run.report.backend = label + "-runtime 1.0";
  run.report.cases = std::move(cases);
  return run;
}

const ConformanceRow* Row(const ConformanceTable& table, const std::string& group) {
  for (const ConformanceRow& row : table.rows) {
    if (row.group == group) return &row;
  }
  return nullptr;
}

TEST(ConformanceTest, GroupsNodeCasesByTheirOperatorAndOthersAsModels) {
  auto table = BuildConformanceTable({RuntimeRun(
      "a", {Case("node/test_relu", {"Relu"}), Case("node/test_resize_x", {"Constant", "Resize"}),
            Case("node/test_softmax_axis_0", {"Softmax"}),
            Case("node/test_softmax_axis_0_expanded", {"Constant", "ReduceMax", "Sub", "Exp"}),
            Case("node/test_softmax_axis_1", {"Softmax"}), Case("simple/test_gemm", {"Gemm"}),
            Case("pytorch-converted/test_Conv2d", {"Conv"}),
            Case("node/test_adam", {"ai.onnx.preview.training.Adam"})})});
  ASSERT_TRUE(table.ok()) << table.error().message();
  std::vector<std::string> groups;
  for (const ConformanceRow& row : table->rows) groups.push_back(row.group);
  EXPECT_EQ(groups, (std::vector<std::string>{"Adam (ai.onnx.preview.training)", "Relu", "Resize",
                                              "Softmax", "Softmax (expanded)",
                                              "models: pytorch-converted", "models: simple"}));
  EXPECT_EQ(Row(*table, "Softmax")->cases, 2);
  EXPECT_EQ(Row(*table, "Softmax (expanded)")->cases, 1);
  EXPECT_EQ(table->cases, 8);
}

TEST(ConformanceTest, ClassifiesEachCaseBeforeItsExpectFailEntry) {
  CaseResult wrong = Case("node/test_a", {"Abs"}, CaseStatus::kExpectedFail, FailedStep::kCompare);
  wrong.actual_status = CaseStatus::kFail;
  CaseResult refused = Case("node/test_b", {"Abs"}, CaseStatus::kError, FailedStep::kLoad);
  CaseResult run_error = Case("node/test_c", {"Abs"}, CaseStatus::kError, FailedStep::kRun);
  CaseResult crashed = Case("node/test_d", {"Abs"}, CaseStatus::kCrash, FailedStep::kRun);
  CaseResult lucky = Case("node/test_e", {"Abs"}, CaseStatus::kUnexpectedPass);
  lucky.actual_status = CaseStatus::kPass;
  lucky.expect_fail_reason = "nondeterministic: the mask is uninitialized memory";
  auto table = BuildConformanceTable(
      {RuntimeRun("a", {wrong, refused, run_error, crashed, lucky, Case("node/test_f", {"Abs"})})});
  ASSERT_TRUE(table.ok()) << table.error().message();
  const ConformanceCell& cell = Row(*table, "Abs")->cells.at(0);
  EXPECT_EQ(cell.passed, 1);
  EXPECT_EQ(cell.unsupported, 1);
  EXPECT_EQ(cell.failed, 4);
  EXPECT_EQ(cell.failure_classes,
            (std::map<std::string, int>{
                {"crash", 1}, {"nondeterministic", 1}, {"run error", 1}, {"wrong output", 1}}));
  EXPECT_EQ(table->totals.at(0).failed, 4);
}

TEST(ConformanceTest, MarkdownHasTotalsAndACellPerRuntime) {
  auto table = BuildConformanceTable(
      {RuntimeRun("a", {Case("node/test_relu", {"Relu"}), Case("node/test_tanh", {"Tanh"})}),
       RuntimeRun("b", {Case("node/test_relu", {"Relu"}, CaseStatus::kFail, FailedStep::kCompare),
                        Case("node/test_tanh", {"Tanh"}, CaseStatus::kError, FailedStep::kLoad)})});
  ASSERT_TRUE(table.ok()) << table.error().message();
  std::string markdown = FormatConformanceMarkdown(*table);
  EXPECT_NE(markdown.find("| a | a-runtime 1.0 | 2 | 2 | · | 0 |\n"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| b | b-runtime 1.0 | 2 | 0 | 1 (wrong output) | 1 |\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| Relu | 1 | 1 | · | · | · | 1 (wrong output) | · |\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| Tanh | 1 | 1 | · | · | · | · | 1 |\n"), std::string::npos) << markdown;
}

TEST(ConformanceTest, ReportsOverDifferentCasesAreAnError) {
  auto table = BuildConformanceTable({RuntimeRun("a", {Case("node/test_relu", {"Relu"})}),
                                      RuntimeRun("b", {Case("node/test_tanh", {"Tanh"})})});
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.error().message(),
            "conformance: the reports of 'a' and 'b' cover different cases");
}

TEST(ConformanceTest, JsonReportReadsBackToTheSameReport) {
  TestReport report;
  report.backend = "onnxruntime 1.30.0";
  report.jobs = 2;
  CaseResult failing =
      Case("node/test_a", {"Constant", "Abs"}, CaseStatus::kExpectedFail, FailedStep::kCompare);
  failing.actual_status = CaseStatus::kFail;
  failing.message = "test_data_set_0: output 'y': 1 of 3 elements differ";
  failing.expect_fail_reason = "known";
  failing.session_create_ns = 1500000;
  failing.duration_ns = 2500000;
  DataSetResult data_set;
  data_set.name = "test_data_set_0";
  data_set.status = CaseStatus::kFail;
  data_set.run_ns = 250000;
  OutputComparison output;
  output.name = "y";
  output.expected_type = output.actual_type = "tensor(float)[3]";
  output.elements = 3;
  output.mismatches = 1;
  output.max_abs_error = std::numeric_limits<double>::infinity();
  output.max_rel_error = 0.5;
  output.first_mismatch = Mismatch{{1}, 1, "", "2", "inf"};
  data_set.outputs.push_back(output);
  failing.data_sets.push_back(data_set);
  report.cases = {failing, Case("node/test_b", {"Relu"})};
  report.unused_expect_fail = {{"node/test_gone", "stale", 7}};
  report.summary = {1, 0, 0, 1, 0, 4000000};

  std::string json = FormatJsonReport(report);
  auto parsed = ParseJsonReport(json);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(FormatJsonReport(*parsed), json);
  EXPECT_EQ(parsed->cases.at(0).failed_step, FailedStep::kCompare);
  EXPECT_EQ(parsed->cases.at(0).actual_status, CaseStatus::kFail);
  EXPECT_TRUE(std::isinf(parsed->cases.at(0).data_sets.at(0).outputs.at(0).max_abs_error));
}

TEST(ConformanceTest, MalformedJsonReportIsAnErrorNamingTheCase) {
  EXPECT_FALSE(ParseJsonReport("[1, 2]").ok());
  auto parsed = ParseJsonReport(
      R"({"backend": "x", "jobs": 1, "cases": [{"id": "node/test_a", "status": "bogus"}]})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message().find("case 'node/test_a'"), std::string::npos)
      << parsed.error().message();
}

TEST(ConformanceTest, ReplacesOnlyTheMarkedSection) {
  std::string document = "intro\n<!-- begin -->\nold\ntable\n<!-- end -->\noutro\n";
  auto replaced = ReplaceMarkedSection(document, "<!-- begin -->", "<!-- end -->", "new\n");
  ASSERT_TRUE(replaced.ok()) << replaced.error().message();
  EXPECT_EQ(*replaced, "intro\n<!-- begin -->\nnew\n<!-- end -->\noutro\n");
  auto again = ReplaceMarkedSection(*replaced, "<!-- begin -->", "<!-- end -->", "new\n");
  EXPECT_EQ(*again, *replaced);
  EXPECT_FALSE(ReplaceMarkedSection("intro\n<!-- end -->\n<!-- begin -->\n", "<!-- begin -->",
                                    "<!-- end -->", "x")
                   .ok());
  EXPECT_FALSE(ReplaceMarkedSection("no markers", "<!-- begin -->", "<!-- end -->", "x").ok());
}

}  // namespace
}  // namespace zooci
