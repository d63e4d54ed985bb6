// The compatibility matrix: --runtimes parsing, the choice of runtimes and roles (flag over the
// zoo's file over the defaults), and the matrix step through Validate() with in-process test
// runtimes that agree, compute something else, or refuse the model — each judged by its role.
// (tests/cli/validate_runtimes.sh runs the real ONNX Runtime and OpenCV DNN on the example zoo.)
#include <gtest/gtest.h>

#include <cstring>

#include "pipeline/internal.h"
#include "testing/testing.h"

namespace zooci {
namespace {

using pipeline_internal::ChooseRuntimes;
using testing::FloatTensor;
using testing::WriteTestFile;

// ---- --runtimes and the zoo's `runtimes` -------------------------------------------------------

TEST(RuntimesFlagTest, NamesWithOptionalRoles) {
  auto parsed = ParseRuntimesFlag("ort, opencv:required");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].name, "ort");
  EXPECT_FALSE((*parsed)[0].required.has_value());
  EXPECT_EQ((*parsed)[1].name, "opencv");
  EXPECT_EQ((*parsed)[1].required, true);
  EXPECT_EQ(ParseRuntimesFlag("opencv:reported")->at(0).required, false);
  EXPECT_EQ(ParseRuntimesFlag("tvm").error().message(),
            "--runtimes: unknown runtime 'tvm' (valid: ort, opencv, reference)");
  EXPECT_EQ(ParseRuntimesFlag("ort,ort").error().message(), "--runtimes: 'ort' is named twice");
  EXPECT_EQ(ParseRuntimesFlag("opencv:maybe").error().message(),
            "--runtimes: 'opencv:maybe': the role after ':' is required or reported");
  EXPECT_FALSE(ParseRuntimesFlag("ort,,opencv").ok());
}

ZooConfig ConfigWith(std::vector<ZooRuntime> runtimes) {
  ZooConfig config;
  config.runtimes = std::move(runtimes);
  return config;
}

TEST(ChooseRuntimesTest, NothingSetMeansNoMatrix) {
  auto chosen = ChooseRuntimes(ValidateOptions{}, ZooConfig{});
  ASSERT_TRUE(chosen.ok());
  EXPECT_TRUE(chosen->empty());
}

TEST(ChooseRuntimesTest, DefaultsThePrimaryRequiredFirstAndOthersReported) {
  ValidateOptions options;
  options.runtimes = *ParseRuntimesFlag("opencv");
  auto chosen = ChooseRuntimes(options, ZooConfig{});
  ASSERT_TRUE(chosen.ok()) << chosen.error().message();
  ASSERT_EQ(chosen->size(), 2u);
  EXPECT_EQ((*chosen)[0].name, "ort");
  EXPECT_TRUE((*chosen)[0].primary);
  EXPECT_TRUE((*chosen)[0].required);
  EXPECT_EQ((*chosen)[0].role_source, "default");
  EXPECT_EQ((*chosen)[1].name, "opencv");
  EXPECT_FALSE((*chosen)[1].required);
  EXPECT_EQ((*chosen)[1].role_source, "default");
  EXPECT_NE((*chosen)[1].scope.find("eval and bench do not run on it"), std::string::npos);
}

TEST(ChooseRuntimesTest, TheZoosRolesUnlessTheFlagGivesOne) {
  ZooConfig config = ConfigWith({{"opencv", RuntimeRole::kRequired, 7}, {"ort",
                                                                         RuntimeRole::kRequired, 8}});
  auto from_file = ChooseRuntimes(ValidateOptions{}, config);
  ASSERT_TRUE(from_file.ok()) << from_file.error().message();
  ASSERT_EQ(from_file->size(), 2u);
  EXPECT_EQ((*from_file)[0].name, "ort");  // the primary first, whatever the file's order
  EXPECT_EQ((*from_file)[1].name, "opencv");
  EXPECT_TRUE((*from_file)[1].required);
  EXPECT_EQ((*from_file)[1].role_source, "zooci-zoo.yaml:7");
  // The flag replaces the list; a role it leaves open is still the zoo's.
  ValidateOptions options;
  options.runtimes = *ParseRuntimesFlag("ort,opencv");
  auto open_role = ChooseRuntimes(options, config);
  ASSERT_TRUE(open_role.ok());
  EXPECT_TRUE((*open_role)[1].required);
  EXPECT_EQ((*open_role)[1].role_source, "zooci-zoo.yaml:7");
  options.runtimes = *ParseRuntimesFlag("opencv:reported");
  auto demoted = ChooseRuntimes(options, config);
  ASSERT_TRUE(demoted.ok());
  EXPECT_FALSE((*demoted)[1].required);
  EXPECT_EQ((*demoted)[1].role_source, "--runtimes");
  // The flag's list alone: ort only gives a one-runtime matrix.
  options.runtimes = *ParseRuntimesFlag("ort");
  EXPECT_EQ(ChooseRuntimes(options, config)->size(), 1u);
}

TEST(ChooseRuntimesTest, ThePrimaryCannotBeOnlyReportedAndNamesMustBeKnown) {
  auto file = ChooseRuntimes(ValidateOptions{}, ConfigWith({{"ort", RuntimeRole::kReported, 3}}));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().message(),
            "zooci-zoo.yaml:3: runtimes.ort: ort runs the test, eval and bench steps, whose "
            "findings decline; it cannot be only reported");
  ValidateOptions options;
  options.runtimes = *ParseRuntimesFlag("ort:reported");
  ASSERT_FALSE(ChooseRuntimes(options, ZooConfig{}).ok());
  EXPECT_EQ(ChooseRuntimes(options, ZooConfig{}).error().message().substr(0, 25),
            "--runtimes: ort:reported:");
  auto unknown = ChooseRuntimes(ValidateOptions{}, ConfigWith({{"tvm", RuntimeRole::kRequired, 4}}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(),
            "zooci-zoo.yaml:4: runtimes.tvm: unknown runtime (valid: ort, opencv, reference)");
}

// ---- The matrix step ----------------------------------------------------------------------------

// A runtime for these tests: refuses models whose file name starts with "refuse", and otherwise
// computes y = x, plus `offset` on element 1 of the first output.
class TestSession final : public Session {
 public:
  TestSession(ModelInfo info, float offset) : info_(std::move(info)), offset_(offset) {}
  const std::vector<ValueInfo>& inputs() const override { return info_.inputs; }
  const std::vector<ValueInfo>& outputs() const override { return info_.outputs; }
  Result<std::vector<Value>> Run(const std::vector<Value>& inputs) override {
    Value output = inputs.at(0);
    output.name = info_.outputs.at(0).name;
    if (offset_ != 0 && output.tensor.data.size() >= 2 * sizeof(float)) {
      float value;
      std::memcpy(&value, output.tensor.data.data() + sizeof(float), sizeof value);
      value += offset_;
      std::memcpy(output.tensor.data.data() + sizeof(float), &value, sizeof value);
    }
    return std::vector<Value>{output};
  }

 private:
  ModelInfo info_;
  float offset_;
};

class TestBackend final : public Backend {
 public:
  TestBackend(std::string name, float offset) : name_(std::move(name)), offset_(offset) {}
  std::string name() const override { return name_; }
  std::string version() const override { return "1.0"; }
  SessionDescription DescribeSession(const SessionConfig&) const override { return {}; }
  Result<std::unique_ptr<Session>> Load(const fs::path& model_path,
                                        const SessionConfig&) override {
    if (StartsWith(model_path.filename().string(), "refuse") ||
        StartsWith(model_path.parent_path().filename().string(), "refuse")) {
      return Error(name_ + ": import: Node [Clip@ai.onnx] parse error: 3 inputs, expected 1");
    }
    ZC_ASSIGN_OR_RETURN(ModelInfo info, ReadModelInfo(model_path));
    return std::unique_ptr<Session>(new TestSession(std::move(info), offset_));
  }

 private:
  std::string name_;
  float offset_;
};

class MatrixStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir("matrix");
    root_ = dir_->path() / "zoo";
    primary_ = MakeInProcessExecutor(std::make_unique<TestBackend>("primary-rt", 0));
    WriteTestFile(root_ / "README.md", "# Zoo\n[M](validated/m)\n");
    WriteTestFile(root_ / "validated/m/README.md",
                  "# M\n|Model|Download|\n|-|-|\n|M|[x](models/m-13.onnx)|\n");
    WriteTestFile(root_ / "validated/m/models/m-13.onnx", testing::IdentityModel());
  }

  // The archive of the ONNX Model Zoo's format: <stem>/model.onnx and test_data_set_0, whose
  // reference output is the input (what an identity computes).
  void WriteArchive(const std::string& stem) {
    fs::path staging = dir_->path() / "staging";
    Value x = Value::FromTensor(FloatTensor("x", {2, 3}, {1, 2, 3, 4, 5, 6}));
    Value y = Value::FromTensor(FloatTensor("y", {2, 3}, {1, 2, 3, 4, 5, 6}));
    testing::WriteCase(staging / stem, testing::IdentityModel(), {x}, {y});
    ExitInfo exit_info;
    auto tar = RunCommand({"tar", "-czf", (root_ / "validated/m/models" / (stem + ".tar.gz")).string(),
                           "-C", staging.string(), stem},
                          &exit_info);
    ASSERT_TRUE(tar.ok() && exit_info.exited && exit_info.exit_code == 0) << exit_info.Describe();
  }

  // Validates with "ort" as the test runtime and "opencv" as the one `other_offset` describes.
  ValidateReport Run(const std::string& runtimes, float other_offset, bool other_starts = true) {
    ValidateOptions options;
    options.zoo = root_;
    options.run_bench = false;
    options.cache_dir = cache_dir_;
    options.runtimes = *ParseRuntimesFlag(runtimes);
    options.make_executor = [&](const std::string& name) -> Result<std::unique_ptr<Executor>> {
      if (!other_starts) return Error("zooci-worker: unknown backend '" + name + "'");
      return MakeInProcessExecutor(std::make_unique<TestBackend>("other-rt", other_offset));
    };
    auto report = Validate(options, *primary_, nullptr);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.error().message());
    return report.ok() ? *report : ValidateReport{};
  }

  static const StepResult& MatrixStep(const ValidateReport& report) {
    static const StepResult kNone;
    if (report.models.size() != 1 || report.models[0].steps.back().name != "matrix") {
      ADD_FAILURE() << "no matrix step";
      return kNone;
    }
    return report.models[0].steps.back();
  }

  static RuntimeMatrix MatrixOf(const StepResult& step) {
    StepDetails details = ParseStepDetails(step.details_json);
    EXPECT_TRUE(details.matrix.has_value()) << step.summary;
    return details.matrix.value_or(RuntimeMatrix{});
  }

  std::unique_ptr<TempDir> dir_;
  fs::path root_;
  fs::path cache_dir_;
  std::unique_ptr<Executor> primary_;
};

TEST_F(MatrixStepTest, NoRuntimesNoStep) {
  ValidateOptions options;
  options.zoo = root_;
  options.run_bench = false;
  auto report = Validate(options, *primary_, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->runtimes.empty());
  for (const StepResult& step : report->models.at(0).steps) EXPECT_NE(step.name, "matrix");
}

TEST_F(MatrixStepTest, AgreeingRuntimesWithinToleranceOfTheReference) {
  WriteArchive("m-13");
  ValidateReport report = Run("ort,opencv", 0);
  ASSERT_EQ(report.runtimes.size(), 2u);
  EXPECT_EQ(report.runtimes[1].backend, "other-rt 1.0");
  const StepResult& step = MatrixStep(report);
  EXPECT_EQ(step.status, StepStatus::kPass) << step.summary;
  EXPECT_TRUE(step.reasons.empty());
  RuntimeMatrix matrix = MatrixOf(step);
  EXPECT_TRUE(matrix.reference);
  EXPECT_EQ(matrix.inputs, "test data: 1 data set (validated/m/models/m-13.tar.gz)");
  ASSERT_EQ(matrix.rows.size(), 2u);
  for (const MatrixRow& row : matrix.rows) {
    EXPECT_EQ(row.status, MatrixStatus::kOk) << row.runtime << ": " << row.reason;
    EXPECT_EQ(row.loads, true);
    EXPECT_EQ(row.within_tolerance, true);
    ASSERT_EQ(row.outputs.size(), 1u);
    EXPECT_EQ(row.outputs[0].name, "y");
    EXPECT_EQ(row.outputs[0].elements, 6);
    EXPECT_EQ(row.outputs[0].max_abs_error, 0);
    EXPECT_TRUE(row.p50_ms.has_value());
    EXPECT_EQ(row.latency_runs, 20);
  }
  ASSERT_EQ(matrix.agreement.size(), 1u);
  EXPECT_EQ(matrix.agreement[0].agrees, true);
}

TEST_F(MatrixStepTest, AReportedRuntimesWrongOutputIsAWarningARequiredOneDeclines) {
  WriteArchive("m-13");
  ValidateReport reported = Run("ort,opencv", 0.5f);
  const StepResult& warned = MatrixStep(reported);
  EXPECT_EQ(warned.status, StepStatus::kPass);
  ASSERT_EQ(warned.reasons.size(), 1u);
  EXPECT_EQ(warned.reasons[0].level, ReasonLevel::kWarning);
  EXPECT_EQ(warned.reasons[0].file, "validated/m/models/m-13.tar.gz");
  EXPECT_EQ(warned.reasons[0].message,
            "reported runtime opencv (other-rt 1.0) computes other outputs than the reference for "
            "the model in validated/m/models/m-13.tar.gz: test_data_set_0: output 'y': 1 of 6 "
            "elements differ (max abs err 0.5, max rel err 0.25, rtol 0.001, atol 1e-05); first at "
            "[0,1]: expected 2, got 2.5");
  RuntimeMatrix matrix = MatrixOf(warned);
  EXPECT_EQ(matrix.rows[1].status, MatrixStatus::kMismatch);
  EXPECT_EQ(matrix.rows[1].within_tolerance, false);
  // The agreement names the first differing element by its flat index, with both values.
  ASSERT_EQ(matrix.agreement.size(), 1u);
  EXPECT_EQ(matrix.agreement[0].agrees, false);
  const MatrixOutput& differing = matrix.agreement[0].outputs.at(0);
  ASSERT_TRUE(differing.first_mismatch.has_value());
  EXPECT_EQ(differing.first_mismatch->flat_index, 1);
  EXPECT_EQ(differing.first_mismatch->expected, "2");
  EXPECT_EQ(differing.first_mismatch->actual, "2.5");

  ValidateReport required = Run("ort,opencv:required", 0.5f);
  const StepResult& declined = MatrixStep(required);
  EXPECT_EQ(declined.status, StepStatus::kFail);
  ASSERT_EQ(declined.reasons.size(), 1u);
  EXPECT_TRUE(declined.reasons[0].declines());
  EXPECT_EQ(declined.reasons[0].message.substr(0, 35), "required runtime opencv (other-rt 1");
}

TEST_F(MatrixStepTest, ARefusalIsReportedInTheRuntimesWords) {
  fs::rename(root_ / "validated/m/models/m-13.onnx", root_ / "validated/m/models/refuse-13.onnx");
  WriteTestFile(root_ / "validated/m/README.md",
                "# M\n|Model|Download|\n|-|-|\n|M|[x](models/refuse-13.onnx)|\n");
  WriteArchive("refuse-13");
  // Both runtimes are TestBackends, so both refuse; the primary's refusal is the test step's.
  ValidateReport report = Run("ort,opencv", 0);
  const StepResult& step = MatrixStep(report);
  RuntimeMatrix matrix = MatrixOf(step);
  ASSERT_EQ(matrix.rows.size(), 2u);
  EXPECT_EQ(matrix.rows[1].status, MatrixStatus::kRefused);
  EXPECT_EQ(matrix.rows[1].loads, false);
  EXPECT_EQ(matrix.rows[1].reason,
            "other-rt: import: Node [Clip@ai.onnx] parse error: 3 inputs, expected 1");
  ASSERT_EQ(step.reasons.size(), 1u);  // opencv's only: the test step judges the primary
  EXPECT_EQ(step.reasons[0].level, ReasonLevel::kWarning);
  EXPECT_EQ(step.reasons[0].message,
            "reported runtime opencv (other-rt 1.0) cannot load the model in "
            "validated/m/models/refuse-13.tar.gz: other-rt: import: Node [Clip@ai.onnx] parse "
            "error: 3 inputs, expected 1");
  EXPECT_EQ(matrix.agreement.at(0).agrees, std::nullopt);
  EXPECT_EQ(matrix.agreement.at(0).note, "not compared: opencv did not run the model (refused)");
}

TEST_F(MatrixStepTest, WithoutTestDataRuntimesAreComparedOnGeneratedInputs) {
  ValidateReport report = Run("ort,opencv:required", 0.25f);
  const StepResult& step = MatrixStep(report);
  RuntimeMatrix matrix = MatrixOf(step);
  EXPECT_FALSE(matrix.reference);
  EXPECT_NE(matrix.inputs.find("generated inputs"), std::string::npos) << matrix.inputs;
  EXPECT_TRUE(matrix.rows.at(1).outputs.empty());
  EXPECT_EQ(matrix.rows.at(1).status, MatrixStatus::kOk);
  ASSERT_EQ(step.reasons.size(), 1u);
  EXPECT_TRUE(step.reasons[0].declines());
  const std::string& message = step.reasons[0].message;
  EXPECT_EQ(message.find("required runtime opencv (other-rt 1.0) disagrees with ort on output 'y' "
                         "at flat index 1 of generated: ort "),
            0u)
      << message;
  EXPECT_NE(message.find("(1 of 3 elements beyond rtol 0.001, atol 1e-05; no reference output "
                         "says which is right)"),
            std::string::npos)
      << message;
}

TEST_F(MatrixStepTest, ARuntimeThatCannotStartIsNotCheckedAndSaysWhy) {
  WriteArchive("m-13");
  ValidateReport reported = Run("ort,opencv", 0, /*other_starts=*/false);
  ASSERT_EQ(reported.runtimes.size(), 2u);
  EXPECT_EQ(reported.runtimes[1].not_checked,
            "its worker could not start: zooci-worker: unknown backend 'opencv'");
  const StepResult& warned = MatrixStep(reported);
  ASSERT_EQ(warned.reasons.size(), 1u);
  EXPECT_EQ(warned.reasons[0].level, ReasonLevel::kWarning);
  EXPECT_EQ(MatrixOf(warned).rows.at(1).status, MatrixStatus::kNotChecked);
  // A required runtime that was not checked leaves the model unverified, not declined.
  ValidateReport required = Run("ort,opencv:required", 0, /*other_starts=*/false);
  const StepResult& unverified = MatrixStep(required);
  ASSERT_EQ(unverified.reasons.size(), 1u);
  EXPECT_EQ(unverified.reasons[0].level, ReasonLevel::kUnverified);
  EXPECT_EQ(unverified.reasons[0].message,
            "required runtime opencv was not checked: its worker could not start: zooci-worker: "
            "unknown backend 'opencv'");
}

TEST_F(MatrixStepTest, TheCacheKeysOnTheRuntimesAndTheirRoles) {
  WriteArchive("m-13");
  cache_dir_ = dir_->path() / "cache";
  ValidateReport first = Run("ort,opencv", 0.5f);
  ValidateReport again = Run("ort,opencv", 0.5f);
  EXPECT_FALSE(MatrixStep(first).cached);
  EXPECT_TRUE(MatrixStep(again).cached);
  EXPECT_EQ(MatrixStep(again).reasons.size(), MatrixStep(first).reasons.size());
  EXPECT_EQ(MatrixStep(again).details_json, MatrixStep(first).details_json);
  // Another role, another runtime set: computed afresh, and judged by the new role.
  ValidateReport required = Run("ort,opencv:required", 0.5f);
  EXPECT_FALSE(MatrixStep(required).cached);
  EXPECT_EQ(MatrixStep(required).status, StepStatus::kFail);
  ValidateReport alone = Run("ort", 0.5f);
  EXPECT_FALSE(MatrixStep(alone).cached);
  EXPECT_EQ(MatrixOf(MatrixStep(alone)).rows.size(), 1u);
}

}  // namespace
}  // namespace zooci
