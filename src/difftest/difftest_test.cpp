// RunDifftest end to end on the real sandboxed runtimes: ONNX Runtime agrees with the reference on
// plain operators, a planted Softmax fault is found and minimised to one node, and a seed gives
// the same report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "difftest/difftest.h"
#include "testing/testing.h"

namespace zooci {
namespace {

DifftestExecutors RealExecutors(const fs::path& log_dir, const fs::path& worker = {}) {
  return [log_dir, worker](const std::string& runtime) -> Result<std::unique_ptr<Executor>> {
    SandboxConfig config = testing::RealWorkerConfig(log_dir);
    if (!worker.empty()) config.worker_executable = worker;
    config.backend = runtime;
    return MakeSandboxExecutor(config);
  };
}

TEST(DifftestRunTest, OnnxRuntimeAgreesWithTheReferenceOnPlainOperators) {
  auto scratch = testing::ScratchDir("difftest-agree");
  DifftestOptions options;
  options.generate.ops = {"Relu", "Add", "MatMul", "Transpose"};
  options.generate.cases_per_op = 3;
  options.generate.graphs_per_round = 0;
  options.runtimes = {"ort", "reference"};
  options.time_budget_s = 120;
  auto report = RunDifftest(options, RealExecutors(scratch->path()));
  ASSERT_TRUE(report.ok()) << report.error().message();
  EXPECT_EQ(report->run, report->planned);
  EXPECT_EQ(report->generator_bugs, 0);
  EXPECT_EQ(report->disagreements, 0) << FormatDifftestText(*report);
  EXPECT_EQ(report->runtimes, (std::vector<std::string>{"reference", "ort"}));
  ASSERT_EQ(report->operators.size(), 4u);
  for (const OperatorRow& row : report->operators) {
    EXPECT_EQ(row.generated, 3) << row.op;
    EXPECT_EQ(row.per_runtime.at("ort").agree, 3) << row.op << "\n" << FormatDifftestText(*report);
  }
  EXPECT_NE(report->backends.at("ort").find("onnxruntime"), std::string::npos);
}

// ONNX Runtime has no double Elu kernel: the table counts the refusals and keeps the first
// message, which the JSON report shows as the operator's first_unsupported.
TEST(DifftestRunTest, RefusalsKeepTheRuntimesFirstMessage) {
  auto scratch = testing::ScratchDir("difftest-refusals");
  DifftestOptions options;
  options.generate.ops = {"Elu"};
  options.generate.cases_per_op = 12;
  options.generate.graphs_per_round = 0;
  options.runtimes = {"ort", "reference"};
  options.time_budget_s = 120;
  auto report = RunDifftest(options, RealExecutors(scratch->path()));
  ASSERT_TRUE(report.ok()) << report.error().message();
  ASSERT_EQ(report->operators.size(), 1u);
  const OperatorRow::Cell& cell = report->operators[0].per_runtime.at("ort");
  ASSERT_GT(cell.unsupported, 0) << FormatDifftestText(*report);
  EXPECT_NE(cell.first_unsupported.find("Elu"), std::string::npos) << cell.first_unsupported;
  nlohmann::json json = nlohmann::json::parse(FormatDifftestJson(*report));
  EXPECT_EQ(json["operators"][0]["runtimes"]["ort"]["first_unsupported"], cell.first_unsupported);
}

TEST(DifftestRunTest, PlantedSoftmaxFaultIsFoundAndMinimisedToOneNode) {
  auto scratch = testing::ScratchDir("difftest-planted");
  DifftestOptions options;
  options.generate.ops = {"Softmax", "Relu"};
  options.generate.cases_per_op = 4;
  options.generate.graphs_per_round = 1;
  options.runtimes = {"ort", "reference"};
  options.time_budget_s = 180;
  options.out_dir = scratch->path() / "out";
  auto report = RunDifftest(
      options,
      RealExecutors(scratch->path(), fs::path(ZOOCI_BINARY_DIR) / "zooci-planted-fault-worker"));
  ASSERT_TRUE(report.ok()) << report.error().message();
  EXPECT_GT(report->disagreements, 0);
  int written = 0;
  for (const CaseOutcome& outcome : report->cases) {
    for (const RuntimeResult& result : outcome.results) {
      // Relu is not affected by the fault: only Softmax cases and graphs holding one differ.
      if (outcome.op == "Relu") {
        EXPECT_EQ(result.verdict, DiffVerdict::kAgree) << outcome.description;
      }
      if (result.verdict == DiffVerdict::kDisagree) {
        EXPECT_NE(outcome.description.find("Softmax"), std::string::npos);
      }
    }
    for (const WrittenCase& minimised : outcome.written) {
      ++written;
      EXPECT_EQ(minimised.nodes, 1) << minimised.minimised;
      EXPECT_EQ(minimised.minimised.rfind("Softmax", 0), 0u) << minimised.minimised;
      EXPECT_TRUE(fs::exists(minimised.dir / "model.onnx"));
      EXPECT_TRUE(fs::exists(minimised.dir / "test_data_set_0" / "input_0.pb"));
      EXPECT_TRUE(fs::exists(minimised.dir / "test_data_set_0" / "output_0.pb"));
      // Softmax's outputs are float: zooci test's default tolerance is difftest's own.
      EXPECT_EQ(minimised.replay, "zooci test --runtime ort " + minimised.dir.string());
    }
  }
  EXPECT_GT(written, 0);
}

TEST(DifftestRunTest, SameSeedSameReportModuloTimings) {
  auto scratch = testing::ScratchDir("difftest-seed");
  DifftestOptions options;
  options.generate.seed = 42;
  options.generate.ops = {"Softmax", "Conv", "Gather"};
  options.generate.cases_per_op = 2;
  options.runtimes = {"ort", "reference"};
  options.time_budget_s = 120;
  auto strip = [](const std::string& json_text) {
    nlohmann::json json = nlohmann::json::parse(json_text);
    json.erase("duration_s");
    json.erase("cases_per_second");
    return json.dump();
  };
  auto first = RunDifftest(options, RealExecutors(scratch->path()));
  auto second = RunDifftest(options, RealExecutors(scratch->path()));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(strip(FormatDifftestJson(*first)), strip(FormatDifftestJson(*second)));
}

TEST(DifftestRunTest, TheOracleIsRequired) {
  auto scratch = testing::ScratchDir("difftest-oracle");
  DifftestOptions options;
  options.runtimes = {"ort", "opencv"};
  auto report = RunDifftest(options, RealExecutors(scratch->path()));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message().find("reference"), std::string::npos);
}

}  // namespace
}  // namespace zooci
