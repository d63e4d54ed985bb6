// OpenCvBackend with the real OpenCV DNN: in process on small models built in code, and as the
// backend of the real zooci-worker (--backend opencv) under the sandbox.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/runtime.h"
#include "testing/testing.h"

namespace zooci {
namespace {

class OpenCvBackendTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::ScratchDir("opencv-test"); }
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
  // Runs `model` on `input` in process with `backend`; the one output, or a test failure.
  static Value RunOne(std::unique_ptr<Backend> backend, const fs::path& model, const Value& input) {
    auto executor = MakeInProcessExecutor(std::move(backend));
    RunOutcome outcome = executor->Run(Request(model, input));
    EXPECT_EQ(outcome.status, RunStatus::kOk) << outcome.message;
    if (outcome.status != RunStatus::kOk) return {};
    EXPECT_EQ(outcome.data_sets.at(0).status, RunStatus::kOk) << outcome.data_sets[0].error;
    if (outcome.data_sets[0].outputs.empty()) return {};
    return outcome.data_sets[0].outputs.at(0);
  }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(OpenCvBackendTest, ReportsTheLoadedOpenCvVersion) {
  auto backend = MakeOpenCvBackend();
  EXPECT_EQ(backend->name(), "opencv-dnn");
  EXPECT_TRUE(StartsWith(backend->version(), "4.")) << backend->version();
}

TEST_F(OpenCvBackendTest, DescribesInputsAndOutputsFromTheModelFile) {
  auto session = MakeOpenCvBackend()->Load(
      WriteModel("mm.onnx", testing::MatMulModel({1, 2, 3, 4, 5, 6})), SessionConfig{});
  ASSERT_TRUE(session.ok()) << session.error().message();
  ASSERT_EQ((*session)->inputs().size(), 1u);  // the initializer w is not an input
  EXPECT_EQ((*session)->inputs()[0].name, "x");
  EXPECT_EQ((*session)->inputs()[0].elem_type, ElemType::kFloat);
  ASSERT_EQ((*session)->outputs().size(), 1u);
  EXPECT_EQ((*session)->outputs()[0].name, "y");
}

TEST_F(OpenCvBackendTest, AddKeepsTheDeclaredOneDimensionalShape) {
  Value x = Value::FromTensor(testing::FloatTensor("x", {3}, {1.0f, 2.5f, -4.0f}));
  Value y = RunOne(MakeOpenCvBackend(), WriteModel("add.onnx", testing::AddOneModel()), x);
  EXPECT_EQ(y.name, "y");
  EXPECT_EQ(y.tensor.elem_type, ElemType::kFloat);
  EXPECT_EQ(y.tensor.shape, std::vector<int64_t>{3});
  EXPECT_EQ(testing::FloatValues(y.tensor), (std::vector<float>{2.0f, 3.5f, -3.0f}));
}

TEST_F(OpenCvBackendTest, ReluClampsNegatives) {
  Value x = Value::FromTensor(testing::FloatTensor("x", {2, 3}, {-1, 0, 2, -0.5f, 3, -7}));
  Value y = RunOne(MakeOpenCvBackend(), WriteModel("relu.onnx", testing::UnaryOpModel("Relu")), x);
  EXPECT_EQ(y.tensor.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(testing::FloatValues(y.tensor), (std::vector<float>{0, 0, 2, 0, 3, 0}));
}

TEST_F(OpenCvBackendTest, MatMulComputesTheProduct) {
  // [[1,2,3],[4,5,6]] x [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
  Value x = Value::FromTensor(testing::FloatTensor("x", {2, 3}, {1, 2, 3, 4, 5, 6}));
  Value y = RunOne(MakeOpenCvBackend(),
                   WriteModel("mm.onnx", testing::MatMulModel({1, 0, 0, 1, 1, 1})), x);
  EXPECT_EQ(y.tensor.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(testing::FloatValues(y.tensor), (std::vector<float>{4, 5, 10, 11}));
}

TEST_F(OpenCvBackendTest, AgreesWithOnnxRuntime) {
  std::vector<float> weights = {0.25f, -1.5f, 3.0f, 0.125f, -2.0f, 0.5f};
  fs::path model = WriteModel("mm.onnx", testing::MatMulModel(weights));
  std::vector<float> values;
  for (int element_idx = 0; element_idx < 5 * 3; ++element_idx)
    values.push_back(std::sin(static_cast<float>(element_idx)) * 10.0f);
  Value x = Value::FromTensor(testing::FloatTensor("x", {5, 3}, values));
  Value opencv = RunOne(MakeOpenCvBackend(), model, x);
  Value ort = RunOne(MakeOrtBackend(), model, x);
  ASSERT_EQ(opencv.tensor.shape, ort.tensor.shape);
  std::vector<float> opencv_values = testing::FloatValues(opencv.tensor);
  std::vector<float> ort_values = testing::FloatValues(ort.tensor);
  ASSERT_EQ(opencv_values.size(), 10u);
  for (size_t element_idx = 0; element_idx < ort_values.size(); ++element_idx) {
    EXPECT_NEAR(opencv_values[element_idx], ort_values[element_idx], 1e-4f) << element_idx;
  }
}

TEST_F(OpenCvBackendTest, Int64InputsAndOutputsKeepTheirType) {
  Value x = Value::FromTensor(testing::Int64Tensor("x", {2, 3}, {1, -2, 3, 40, 500, -6000}));
  Value y = RunOne(MakeOpenCvBackend(),
                   WriteModel("id.onnx", testing::IdentityModel(ElemType::kInt64)), x);
  EXPECT_EQ(y.tensor.elem_type, ElemType::kInt64);
  EXPECT_EQ(y.tensor.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(y.tensor.data, x.tensor.data);
}

TEST_F(OpenCvBackendTest, UnsupportedOperatorIsAOneLineImportErrorNamingIt) {
  auto executor = MakeInProcessExecutor(MakeOpenCvBackend());
  Value x = Value::FromTensor(testing::FloatTensor("x", {1, 3}, {1, 2, 3}));
  RunOutcome outcome =
      executor->Run(Request(WriteModel("hardmax.onnx", testing::UnaryOpModel("Hardmax")), x));
  ASSERT_EQ(outcome.status, RunStatus::kError);
  const std::string& message = outcome.message;
  EXPECT_TRUE(StartsWith(message, "opencv-dnn: import: ")) << message;
  EXPECT_NE(message.find("Node [Hardmax@ai.onnx]"), std::string::npos) << message;
  EXPECT_NE(message.find("of type \"Hardmax\""), std::string::npos) << message;
  // OpenCV's boilerplate is gone: no newline, version banner, source path or error code.
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("OpenCV("), std::string::npos) << message;
  EXPECT_EQ(message.find(".cpp"), std::string::npos) << message;
  EXPECT_EQ(message.find("(-2:"), std::string::npos) << message;
}

TEST_F(OpenCvBackendTest, TruncatedModelIsALoadError) {
  auto executor = MakeInProcessExecutor(MakeOpenCvBackend());
  std::string model = testing::MatMulModel({1, 2, 3, 4, 5, 6});
  fs::path path = WriteModel("cut.onnx", model.substr(0, model.size() / 2));
  RunOutcome outcome =
      executor->Run(Request(path, Value::FromTensor(testing::FloatTensor("x", {1, 3}, {1, 2, 3}))));
  EXPECT_EQ(outcome.status, RunStatus::kError);
  EXPECT_NE(outcome.message.find("cut.onnx"), std::string::npos) << outcome.message;
}

TEST_F(OpenCvBackendTest, UnsupportedInputTypeIsADataSetError) {
  auto executor = MakeInProcessExecutor(MakeOpenCvBackend());
  Value x;
  x.name = "x";
  x.tensor.elem_type = ElemType::kString;
  x.tensor.shape = {1, 3};
  x.tensor.strings = {"a", "b", "c"};
  RunOutcome outcome =
      executor->Run(Request(WriteModel("id.onnx", testing::IdentityModel(ElemType::kFloat)), x));
  ASSERT_EQ(outcome.status, RunStatus::kOk) << outcome.message;
  EXPECT_EQ(outcome.data_sets[0].status, RunStatus::kError);
  EXPECT_NE(outcome.data_sets[0].error.find("opencv-dnn: input type string not supported"),
            std::string::npos)
      << outcome.data_sets[0].error;
}

TEST_F(OpenCvBackendTest, TheWorkerRunsOpenCvWhenAsked) {
  SandboxConfig config = testing::RealWorkerConfig(dir_->path());
  config.backend = "opencv";
  auto pool = MakeSandboxExecutor(config);
  ASSERT_TRUE(pool.ok()) << pool.error().message();
  auto description = (*pool)->BackendDescription();
  ASSERT_TRUE(description.ok()) << description.error().message();
  EXPECT_TRUE(StartsWith(*description, "opencv-dnn 4.")) << *description;
  Value x = Value::FromTensor(testing::FloatTensor("x", {2}, {1.0f, -1.0f}));
  RunOutcome outcome = (*pool)->Run(Request(WriteModel("add.onnx", testing::AddOneModel()), x));
  ASSERT_EQ(outcome.status, RunStatus::kOk) << outcome.message;
  EXPECT_EQ(testing::FloatValues(outcome.data_sets.at(0).outputs.at(0).tensor),
            (std::vector<float>{2.0f, 0.0f}));
}

TEST_F(OpenCvBackendTest, AnUnknownBackendNameIsReported) {
  SandboxConfig config = testing::RealWorkerConfig(dir_->path());
  config.backend = "tensorflow";
  auto pool = MakeSandboxExecutor(config);
  ASSERT_TRUE(pool.ok()) << pool.error().message();
  auto description = (*pool)->BackendDescription();
  ASSERT_FALSE(description.ok());
  EXPECT_NE(description.error().message().find("unknown backend 'tensorflow'"), std::string::npos)
      << description.error().message();
}

}  // namespace
}  // namespace zooci
