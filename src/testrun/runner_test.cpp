// RunTestCase on real cases run by the real zooci-worker: a passing case, then the same case
// broken in one way at a time, each asserting the exact failure it gets.
#include <gtest/gtest.h>

#include <cmath>

#include "testing/testing.h"
#include "testrun/testrun.h"

namespace zooci {
namespace {

using testing::FloatTensor;

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir("runner-test");
    auto executor = MakeSandboxExecutor(testing::RealWorkerConfig(dir_->path()));
    ASSERT_TRUE(executor.ok()) << executor.error().message();
    executor_ = std::move(*executor);
    case_dir_ = dir_->path() / "add_one";
  }

  // y = x + 1 with x = [1, 2, 3]; `expected` replaces the reference output.
  void WriteAddOneCase(const Value& expected) {
    testing::WriteCase(case_dir_, testing::AddOneModel(),
                       {Value::FromTensor(FloatTensor("x", {3}, {1, 2, 3}))}, {expected});
  }
  void WriteAddOneCase(const std::vector<float>& expected_values) {
    WriteAddOneCase(Value::FromTensor(FloatTensor("y", {3}, expected_values)));
  }

  CaseResult Run(const TestOptions& options = {}) {
    auto discovery = DiscoverCases({case_dir_}, std::nullopt);
    EXPECT_TRUE(discovery.ok()) << discovery.error().message();
    EXPECT_EQ(discovery->cases.size(), 1u);
    return RunTestCase(discovery->cases.at(0), *executor_, options);
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Executor> executor_;
  fs::path case_dir_;
};

TEST_F(RunnerTest, MatchingOutputsPass) {
  WriteAddOneCase({2, 3, 4});
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kPass) << result.message;
  ASSERT_EQ(result.data_sets.size(), 1u);
  ASSERT_EQ(result.data_sets[0].outputs.size(), 1u);
  EXPECT_EQ(result.data_sets[0].outputs[0].elements, 3);
  EXPECT_EQ(result.id, "add_one");
}

TEST_F(RunnerTest, PrepareCaseBindsReferenceOutputsByModelName) {
  // The reference file names no output: it binds to the model's first output by position.
  WriteAddOneCase(Value::FromTensor(FloatTensor("", {3}, {2, 3, 4})));
  auto discovery = DiscoverCases({case_dir_}, std::nullopt);
  ASSERT_TRUE(discovery.ok()) << discovery.error().message();
  SessionConfig session;
  session.intra_op_threads = 1;
  auto prepared = PrepareCase(discovery->cases.at(0), session);
  ASSERT_TRUE(prepared.ok()) << prepared.error().message();
  EXPECT_EQ(prepared->request.session.intra_op_threads, 1);
  ASSERT_EQ(prepared->request.data_sets.size(), 1u);
  EXPECT_EQ(prepared->request.data_sets[0].inputs.at(0).name, "x");
  ASSERT_EQ(prepared->expected.size(), 1u);
  ASSERT_EQ(prepared->expected[0].size(), 1u);
  EXPECT_EQ(prepared->expected[0][0].name, "y");
  EXPECT_EQ(testing::FloatValues(prepared->expected[0][0].tensor), (std::vector<float>{2, 3, 4}));
  // A malformed case is an error naming what is wrong, never a half-prepared request.
  TestCase broken = discovery->cases.at(0);
  broken.discovery_error = "archive: truncated";
  auto refused = PrepareCase(broken, session);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), "archive: truncated");
}

TEST_F(RunnerTest, OneElementBeyondToleranceFails) {
  WriteAddOneCase({2, 3.01f, 4});
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kFail);
  const OutputComparison& output = result.data_sets.at(0).outputs.at(0);
  EXPECT_EQ(output.mismatches, 1);
  ASSERT_TRUE(output.first_mismatch.has_value());
  EXPECT_EQ(output.first_mismatch->index, std::vector<int64_t>{1});
  EXPECT_EQ(output.first_mismatch->expected, "3.01");
  EXPECT_EQ(output.first_mismatch->actual, "3");
  EXPECT_NE(result.message.find("test_data_set_0: output 'y': 1 of 3 elements differ"),
            std::string::npos)
      << result.message;
}

TEST_F(RunnerTest, LooserToleranceAcceptsTheSameDifference) {
  WriteAddOneCase({2, 3.01f, 4});
  TestOptions options;
  options.tolerance.per_output["y"] = {0.01, 0};
  EXPECT_EQ(Run(options).status, CaseStatus::kPass);
}

TEST_F(RunnerTest, NaNInTheReferenceFails) {
  WriteAddOneCase({2, std::nanf(""), 4});
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kFail);
  EXPECT_EQ(result.data_sets.at(0).outputs.at(0).first_mismatch->expected, "nan");
}

TEST_F(RunnerTest, WrongDtypeFails) {
  Value expected;
  expected.tensor.name = "y";
  expected.tensor.elem_type = ElemType::kDouble;
  expected.tensor.shape = {3};
  std::vector<double> values{2, 3, 4};
  expected.tensor.data.assign(reinterpret_cast<const char*>(values.data()),
                              values.size() * sizeof(double));
  WriteAddOneCase(expected);
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kFail);
  EXPECT_EQ(result.data_sets.at(0).outputs.at(0).structure_error,
            "dtype: expected double, got float");
}

TEST_F(RunnerTest, WrongShapeFails) {
  WriteAddOneCase(Value::FromTensor(FloatTensor("y", {1, 3}, {2, 3, 4})));
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kFail);
  EXPECT_EQ(result.data_sets.at(0).outputs.at(0).structure_error, "shape: expected [1,3], got [3]");
}

TEST_F(RunnerTest, MissingOutputFileIsAnError) {
  WriteAddOneCase({2, 3, 4});
  fs::remove(case_dir_ / "test_data_set_0" / "output_0.pb");
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kError);
  EXPECT_EQ(result.message, "test_data_set_0: no output_0.pb (nothing to compare)");
}

TEST_F(RunnerTest, MissingInputIsAnError) {
  WriteAddOneCase({2, 3, 4});
  fs::remove(case_dir_ / "test_data_set_0" / "input_0.pb");
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kError);
  EXPECT_EQ(result.message, "test_data_set_0: no data for model input 'x' (input_0.pb missing)");
}

TEST_F(RunnerTest, MalformedInputFileIsAnErrorNamingTheFile) {
  WriteAddOneCase({2, 3, 4});
  testing::WriteTestFile(case_dir_ / "test_data_set_0" / "input_0.pb", "\xff\xff\xff garbage");
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kError);
  EXPECT_NE(result.message.find("test_data_set_0/input_0.pb: not a valid TensorProto"),
            std::string::npos)
      << result.message;
}

TEST_F(RunnerTest, InputNamingAnUnknownModelInputIsAnError) {
  testing::WriteCase(case_dir_, testing::AddOneModel(),
                     {Value::FromTensor(FloatTensor("nope", {3}, {1, 2, 3}))},
                     {Value::FromTensor(FloatTensor("y", {3}, {2, 3, 4}))});
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kError);
  EXPECT_NE(result.message.find("names 'nope', which is not a model input (inputs: 'x')"),
            std::string::npos)
      << result.message;
}

TEST_F(RunnerTest, TruncatedModelIsAnError) {
  WriteAddOneCase({2, 3, 4});
  std::string model = testing::AddOneModel();
  testing::WriteTestFile(case_dir_ / "model.onnx", model.substr(0, model.size() - 7));
  CaseResult result = Run();
  EXPECT_EQ(result.status, CaseStatus::kError);
  EXPECT_NE(result.message.find("not a valid ModelProto"), std::string::npos) << result.message;
}

TEST_F(RunnerTest, ListedFailureIsExpectedAndListedPassIsUnexpected) {
  TestOptions options;
  options.expect_fail = {{"add_one", "known bad reference", 1}};
  WriteAddOneCase({9, 9, 9});
  CaseResult failing = Run(options);
  EXPECT_EQ(failing.status, CaseStatus::kExpectedFail);
  EXPECT_EQ(failing.actual_status, CaseStatus::kFail);
  EXPECT_EQ(failing.expect_fail_reason, "known bad reference");
  WriteAddOneCase({2, 3, 4});
  EXPECT_EQ(Run(options).status, CaseStatus::kUnexpectedPass);
}

TEST_F(RunnerTest, FailedStepSaysWhereTheCaseStopped) {
  WriteAddOneCase({2, 3, 4});
  CaseResult passed = Run();
  EXPECT_EQ(passed.failed_step, FailedStep::kNone);
  EXPECT_EQ(passed.operators, std::vector<std::string>{"Add"});

  WriteAddOneCase({2, 3, 5});
  EXPECT_EQ(Run().failed_step, FailedStep::kCompare);

  // A rank-2 input where the model declares rank 1: ONNX Runtime refuses to run it.
  testing::WriteCase(case_dir_, testing::AddOneModel(),
                     {Value::FromTensor(FloatTensor("x", {1, 3}, {1, 2, 3}))},
                     {Value::FromTensor(FloatTensor("y", {1, 3}, {2, 3, 4}))});
  CaseResult run_error = Run();
  EXPECT_EQ(run_error.status, CaseStatus::kError) << run_error.message;
  EXPECT_EQ(run_error.failed_step, FailedStep::kRun) << run_error.message;

  testing::WriteCase(case_dir_, testing::UnaryOpModel("NoSuchOperator"),
                     {Value::FromTensor(FloatTensor("x", {1, 3}, {1, 2, 3}))},
                     {Value::FromTensor(FloatTensor("y", {1, 3}, {1, 2, 3}))});
  CaseResult refused = Run();
  EXPECT_EQ(refused.status, CaseStatus::kError);
  EXPECT_EQ(refused.failed_step, FailedStep::kLoad) << refused.message;
  EXPECT_EQ(refused.operators, std::vector<std::string>{"NoSuchOperator"});

  fs::remove(case_dir_ / "test_data_set_0" / "input_0.pb");
  CaseResult no_input = Run();
  EXPECT_EQ(no_input.failed_step, FailedStep::kReadData) << no_input.message;
  EXPECT_EQ(no_input.operators, std::vector<std::string>{"NoSuchOperator"});
}

TEST_F(RunnerTest, SummaryCountsAndClosingLine) {
  WriteAddOneCase({2, 3, 4});
  auto discovery = DiscoverCases({case_dir_}, std::nullopt);
  ASSERT_TRUE(discovery.ok());
  TestOptions options;
  options.jobs = 2;
  TestReport report = RunTestCases(discovery->cases, *executor_, options);
  EXPECT_EQ(report.summary.passed, 1);
  EXPECT_EQ(report.summary.failed, 0);
  std::string text = FormatTextReport(report, false);
  EXPECT_TRUE(EndsWith(text, "\n1 passed, 0 failed\n")) << text;
  EXPECT_NE(FormatJsonReport(report).find("\"status\": \"pass\""), std::string::npos);
}

}  // namespace
}  // namespace zooci
