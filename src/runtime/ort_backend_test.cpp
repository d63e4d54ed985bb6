// OrtBackend in process, and the real zooci-worker under the sandbox's limits.
#include <gtest/gtest.h>

#include "runtime/runtime.h"
#include "testing/testing.h"

namespace zooci {
namespace {

class OrtBackendTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::ScratchDir("ort-test"); }
  fs::path WriteModel(const std::string& name, const std::string& bytes) {
    fs::path path = dir_->path() / name;
    testing::WriteTestFile(path, bytes);
    return path;
  }
  static RunRequest Request(const fs::path& model, const Value& input) {
    RunRequest request;
    request.model_path = model;
    request.data_sets.push_back(
        {"test_data_set_0", {{input.name, input.kind, *EncodeValue(input)}}});
    return request;
  }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(OrtBackendTest, ReportsTheLoadedRuntimeVersion) {
  auto backend = MakeOrtBackend();
  EXPECT_EQ(backend->name(), "onnxruntime");
  EXPECT_TRUE(StartsWith(backend->version(), "1.")) << backend->version();
}

TEST_F(OrtBackendTest, RunsAFloatModel) {
  auto executor = MakeInProcessExecutor(MakeOrtBackend());
  Value x = Value::FromTensor(testing::FloatTensor("x", {3}, {1.0f, 2.5f, -4.0f}));
  RunOutcome outcome = executor->Run(Request(WriteModel("add.onnx", testing::AddOneModel()), x));
  ASSERT_EQ(outcome.status, RunStatus::kOk) << outcome.message;
  ASSERT_EQ(outcome.data_sets.size(), 1u);
  ASSERT_EQ(outcome.data_sets[0].status, RunStatus::kOk) << outcome.data_sets[0].error;
  const Value& y = outcome.data_sets[0].outputs.at(0);
  EXPECT_EQ(y.name, "y");
  EXPECT_EQ(y.tensor.shape, std::vector<int64_t>{3});
  EXPECT_EQ(testing::FloatValues(y.tensor), (std::vector<float>{2.0f, 3.5f, -3.0f}));
  EXPECT_GT(outcome.session_create_ns, 0);
}

TEST_F(OrtBackendTest, StringTensorsRoundTrip) {
  auto executor = MakeInProcessExecutor(MakeOrtBackend());
  Value x;
  x.name = "x";
  x.tensor.elem_type = ElemType::kString;
  x.tensor.shape = {2, 3};
  x.tensor.strings = {"a", "", "long string", "é", "x y", "z"};
  RunOutcome outcome =
      executor->Run(Request(WriteModel("id.onnx", testing::IdentityModel(ElemType::kString)), x));
  ASSERT_EQ(outcome.status, RunStatus::kOk) << outcome.message;
  ASSERT_EQ(outcome.data_sets[0].status, RunStatus::kOk) << outcome.data_sets[0].error;
  EXPECT_EQ(outcome.data_sets[0].outputs.at(0).tensor.strings, x.tensor.strings);
}

TEST_F(OrtBackendTest, WrongInputTypeIsADataSetError) {
  auto executor = MakeInProcessExecutor(MakeOrtBackend());
  Value x = Value::FromTensor(testing::Int64Tensor("x", {1, 3}, {1, 2, 3}));
  RunOutcome outcome =
      executor->Run(Request(WriteModel("id.onnx", testing::IdentityModel(ElemType::kFloat)), x));
  ASSERT_EQ(outcome.status, RunStatus::kOk) << outcome.message;
  EXPECT_EQ(outcome.data_sets[0].status, RunStatus::kError);
  EXPECT_NE(outcome.data_sets[0].error.find("tensor(int64)"), std::string::npos)
      << outcome.data_sets[0].error;
}

TEST_F(OrtBackendTest, TruncatedModelIsALoadError) {
  auto executor = MakeInProcessExecutor(MakeOrtBackend());
  std::string model = testing::AddOneModel();
  fs::path path = WriteModel("cut.onnx", model.substr(0, model.size() / 2));
  RunOutcome outcome =
      executor->Run(Request(path, Value::FromTensor(testing::FloatTensor("x", {1}, {1.0f}))));
  EXPECT_EQ(outcome.status, RunStatus::kError);
  EXPECT_NE(outcome.message.find("create session"), std::string::npos) << outcome.message;
}

TEST_F(OrtBackendTest, RunBeyondTheMemoryLimitIsOutOfMemory) {
  auto pool =
      MakeSandboxExecutor(testing::RealWorkerConfig(dir_->path(), 60000, uint64_t{1} << 30));
  ASSERT_TRUE(pool.ok()) << pool.error().message();
  // 60000 x 60000 floats = 14.4 GB, far above the 1 GiB address-space limit.
  Value shape = Value::FromTensor(testing::Int64Tensor("shape", {2}, {60000, 60000}));
  RunOutcome outcome =
      (*pool)->Run(Request(WriteModel("bomb.onnx", testing::MemoryBombModel()), shape));
  EXPECT_EQ(outcome.status, RunStatus::kOutOfMemory)
      << RunStatusName(outcome.status) << ": " << outcome.message;
  // The pool replaced the worker: a small run of the same model works.
  Value small = Value::FromTensor(testing::Int64Tensor("shape", {2}, {2, 2}));
  RunOutcome next = (*pool)->Run(Request(dir_->path() / "bomb.onnx", small));
  ASSERT_EQ(next.status, RunStatus::kOk) << next.message;
  EXPECT_EQ(next.data_sets[0].outputs.at(0).tensor.shape, (std::vector<int64_t>{2, 2}));
}

TEST_F(OrtBackendTest, EndlessRunIsATimeout) {
  auto pool = MakeSandboxExecutor(testing::RealWorkerConfig(dir_->path(), 1500, 0));
  ASSERT_TRUE(pool.ok()) << pool.error().message();
  Value x = Value::FromTensor(testing::FloatTensor("x", {1}, {1.0f}));
  RunOutcome outcome =
      (*pool)->Run(Request(WriteModel("loop.onnx", testing::SlowLoopModel(int64_t{1} << 50)), x));
  EXPECT_EQ(outcome.status, RunStatus::kTimeout) << outcome.message;
  EXPECT_NE(outcome.message.find("1500 ms"), std::string::npos);
}

}  // namespace
}  // namespace zooci
