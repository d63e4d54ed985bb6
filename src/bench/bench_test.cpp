// The benchmark pipeline: inputs, stopping rules and validity, baselines, reports. Models run
// in-process on the FakeBackend (echo sessions), or in the real sandbox with ONNX Runtime.
#include "bench/bench.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace zooci {
namespace {

using testing::ScratchDir;
using testing::WriteTestFile;

BenchOptions QuickOptions() {
  BenchOptions options;
  options.plan.warmup_runs = 2;
  options.plan.min_duration_ms = 0;
  options.plan.min_queries = 50;
  options.plan.max_duration_ms = 10000;
  return options;
}

TEST(BenchInputsTest, GeneratesSeededInputsWithTheBatchAsLeadingDim) {
  auto dir = ScratchDir("bench");
  WriteTestFile(dir->path() / "m.onnx", testing::IdentityModel());
  BenchOptions options = QuickOptions();
  options.batch = 4;
  auto inputs = PrepareBenchInputs(dir->path() / "m.onnx", options);
  ASSERT_TRUE(inputs.ok()) << inputs.error().message();
  EXPECT_EQ(inputs->source, "generated, seed 1");
  ASSERT_EQ(inputs->resolved_dims.size(), 1u);
  EXPECT_EQ(inputs->resolved_dims[0], "N=4 (batch)");
  auto again = PrepareBenchInputs(dir->path() / "m.onnx", options);
  EXPECT_EQ(again->data_sets[0].inputs[0].bytes, inputs->data_sets[0].inputs[0].bytes);
  options.seed = 2;
  auto other = PrepareBenchInputs(dir->path() / "m.onnx", options);
  EXPECT_NE(other->data_sets[0].inputs[0].bytes, inputs->data_sets[0].inputs[0].bytes);
}

TEST(BenchInputsTest, UnresolvedFreeDimensionIsAnErrorNamingIt) {
  auto dir = ScratchDir("bench");
  // AddOneModel's input is float[N, M]-like? Use the corpus's dynamic models instead: build one
  // whose second dimension is free.
  std::string model = testing::IdentityModel();
  WriteTestFile(dir->path() / "m.onnx", model);
  BenchOptions options = QuickOptions();
  options.dims["N"] = 3;
  auto inputs = PrepareBenchInputs(dir->path() / "m.onnx", options);
  ASSERT_TRUE(inputs.ok()) << inputs.error().message();
  EXPECT_EQ(inputs->resolved_dims[0], "N=3 (--dim)");
}

TEST(BenchInputsTest, TestDataIsUsedAndTiledToTheBatch) {
  auto dir = ScratchDir("bench");
  Value x = Value::FromTensor(testing::FloatTensor("x", {1, 2}, {1, 2}));
  testing::WriteCase(dir->path(), testing::IdentityModel(), {x}, {x});
  BenchOptions options = QuickOptions();
  options.batch = 3;
  auto inputs = PrepareBenchInputs(dir->path() / "model.onnx", options);
  ASSERT_TRUE(inputs.ok()) << inputs.error().message();
  EXPECT_EQ(inputs->source, "test data (1 set), tiled to batch 3");
  ASSERT_EQ(inputs->input_shapes.size(), 1u);
  EXPECT_EQ(inputs->input_shapes[0], "x: float[3,2]");
}

TEST(BenchRunTest, MinimumsMetIsValid) {
  auto executor = MakeInProcessExecutor(testing::MakeFakeBackend());
  auto dir = ScratchDir("bench");
  WriteTestFile(dir->path() / "m.onnx", testing::IdentityModel());
  BenchOptions options = QuickOptions();
  auto inputs = PrepareBenchInputs(dir->path() / "m.onnx", options);
  ASSERT_TRUE(inputs.ok());
  auto result = RunBenchmark(*executor, dir->path() / "m.onnx", *inputs, options);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_TRUE(result->valid) << result->invalid_reason;
  EXPECT_GE(result->queries, 50);
  EXPECT_EQ(result->warmup_ms.size(), 2u);
  EXPECT_EQ(result->latency_ms.count, result->queries);
  EXPECT_GT(result->samples_per_s, 0);
}

TEST(BenchRunTest, StoppedEarlyIsInvalidWithTheReason) {
  auto executor = MakeInProcessExecutor(testing::MakeFakeBackend());
  auto dir = ScratchDir("bench");
  WriteTestFile(dir->path() / "m.onnx", testing::IdentityModel());
  BenchOptions options = QuickOptions();
  options.plan.min_queries = 1000;
  options.plan.max_queries = 10;
  auto inputs = PrepareBenchInputs(dir->path() / "m.onnx", options);
  auto result = RunBenchmark(*executor, dir->path() / "m.onnx", *inputs, options);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->valid);
  EXPECT_EQ(result->queries, 10);
  EXPECT_NE(result->invalid_reason.find("the minimum is 1000 queries"), std::string::npos)
      << result->invalid_reason;
  EXPECT_NE(result->invalid_reason.find("--max-queries reached"), std::string::npos);

  options = QuickOptions();
  options.plan.min_duration_ms = 60000;
  options.plan.max_duration_ms = 100;
  result = RunBenchmark(*executor, dir->path() / "m.onnx", *inputs, options);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->valid);
  EXPECT_NE(result->invalid_reason.find("--max-duration-ms reached"), std::string::npos);
}

TEST(BenchRunTest, OfflineRunsConcurrentQueries) {
  auto executor = MakeInProcessExecutor(testing::MakeFakeBackend());
  auto dir = ScratchDir("bench");
  WriteTestFile(dir->path() / "m.onnx", testing::IdentityModel());
  BenchOptions options = QuickOptions();
  options.scenario = Scenario::kOffline;
  options.plan.concurrency = 3;
  options.plan.min_queries = 300;
  auto inputs = PrepareBenchInputs(dir->path() / "m.onnx", options);
  auto result = RunBenchmark(*executor, dir->path() / "m.onnx", *inputs, options);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(result->concurrency, 3);
  EXPECT_GE(result->queries, 300);
}

TEST(BenchRunTest, ModelThatFailsToLoadIsAnError) {
  auto executor = MakeInProcessExecutor(testing::MakeFakeBackend());
  auto dir = ScratchDir("bench");
  WriteTestFile(dir->path() / "fail.onnx", testing::IdentityModel());
  BenchOptions options = QuickOptions();
  auto inputs = PrepareBenchInputs(dir->path() / "fail.onnx", options);
  auto result = RunBenchmark(*executor, dir->path() / "fail.onnx", *inputs, options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("fake load failure"), std::string::npos);
}

TEST(BenchRunTest, RealSandboxWithOnnxRuntime) {
  auto logs = ScratchDir("bench-logs");
  auto executor = MakeSandboxExecutor(testing::RealWorkerConfig(logs->path()));
  ASSERT_TRUE(executor.ok()) << executor.error().message();
  auto dir = ScratchDir("bench");
  WriteTestFile(dir->path() / "m.onnx", testing::IdentityModel());
  BenchOptions options = QuickOptions();
  auto inputs = PrepareBenchInputs(dir->path() / "m.onnx", options);
  auto result = RunBenchmark(**executor, dir->path() / "m.onnx", *inputs, options);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_TRUE(result->valid);
  EXPECT_EQ(result->runtime.rfind("onnxruntime ", 0), 0u) << result->runtime;
  EXPECT_GT(result->rss_after_load_bytes, 1u << 20);
  EXPECT_GT(result->rss_peak_runs_bytes, 0u);
  EXPECT_TRUE(result->rss_split);
}

BenchResult ResultWithLatencies(std::vector<double> latencies) {
  BenchResult result;
  result.latencies_ms = latencies;
  result.latency_ms = Summarize(latencies);
  result.samples_per_s = 1000.0 / result.latency_ms.mean;
  result.valid = true;
  return result;
}

TEST(BaselineTest, EarlierResultRoundTripsAndDetectsASlowdown) {
  std::vector<double> base, slow;
  for (int index = 0; index < 400; ++index) {
    double jitter = (index % 7) * 0.01;
    base.push_back(10 + jitter);
    slow.push_back(11 + jitter);
  }
  BenchResult earlier = ResultWithLatencies(base);
  auto dir = ScratchDir("baseline");
  WriteTestFile(dir->path() / "base.json", FormatBenchJson(earlier, nullptr));
  auto baseline = ReadBaseline(dir->path() / "base.json");
  ASSERT_TRUE(baseline.ok()) << baseline.error().message();
  ASSERT_TRUE(baseline->latency_ms.has_value());

  BaselineVerdict same = JudgeBaseline(ResultWithLatencies(base), *baseline, 0.05);
  EXPECT_EQ(same.change, Change::kNoSignificantChange);
  EXPECT_FALSE(same.regression);
  BaselineVerdict slower = JudgeBaseline(ResultWithLatencies(slow), *baseline, 0.05);
  EXPECT_EQ(slower.change, Change::kSlower);
  EXPECT_TRUE(slower.regression);
  BaselineVerdict tolerated = JudgeBaseline(ResultWithLatencies(slow), *baseline, 0.2);
  EXPECT_FALSE(tolerated.regression);
}

TEST(BaselineTest, Thresholds) {
  auto dir = ScratchDir("baseline");
  WriteTestFile(dir->path() / "t.json", R"({"max_p90_ms": 10.5, "min_throughput": 50})");
  auto baseline = ReadBaseline(dir->path() / "t.json");
  ASSERT_TRUE(baseline.ok()) << baseline.error().message();
  BaselineVerdict verdict = JudgeBaseline(ResultWithLatencies({10, 10, 12, 12}), *baseline, 0.05);
  EXPECT_TRUE(verdict.regression);
  ASSERT_EQ(verdict.reasons.size(), 2u);
  EXPECT_NE(verdict.reasons[0].find("misses max 10.5"), std::string::npos) << verdict.reasons[0];

  WriteTestFile(dir->path() / "bad.json", R"({"max_p90": 10})");
  auto bad = ReadBaseline(dir->path() / "bad.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("unknown key 'max_p90'"), std::string::npos);
  WriteTestFile(dir->path() / "neg.json", R"({"max_p90_ms": -1})");
  EXPECT_FALSE(ReadBaseline(dir->path() / "neg.json").ok());
  WriteTestFile(dir->path() / "junk.json", "not json");
  EXPECT_FALSE(ReadBaseline(dir->path() / "junk.json").ok());
}

TEST(BenchReportTest, JsonHasTheDocumentedFields) {
  BenchResult result = ResultWithLatencies({1, 2, 3, 4});
  auto json = nlohmann::json::parse(FormatBenchJson(result, nullptr));
  for (const char* key : {"model", "runtime", "execution_provider", "scenario", "batch", "session",
                          "plan", "inputs", "session_create_ms", "warmup_ms", "latency_ms",
                          "queries", "samples_per_s", "memory", "result"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_DOUBLE_EQ(json["latency_ms"]["p50"].get<double>(), 2.5);
  std::string text = FormatBenchText(result, nullptr);
  EXPECT_NE(text.find("p99.9"), std::string::npos);
  EXPECT_NE(text.find("result:     VALID"), std::string::npos);
}

}  // namespace
}  // namespace zooci
