// Small ONNX models and test files built in code.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "testing/testing.h"

namespace zooci::testing {
namespace {

onnx::ModelProto NewModel(int64_t opset) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("zooci-tests");
  auto* import = model.add_opset_import();
  import->set_domain("");
  import->set_version(opset);
  model.mutable_graph()->set_name("test");
  return model;
}

void AddTensorValue(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* values,
                    const std::string& name, ElemType elem_type,
                    const std::vector<std::string>& dims) {
  auto* value = values->Add();
  value->set_name(name);
  auto* tensor_type = value->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(static_cast<int32_t>(elem_type));
  auto* shape = tensor_type->mutable_shape();
  for (const std::string& dim : dims) {
    if (!dim.empty() && std::isdigit(static_cast<unsigned char>(dim[0]))) {
      shape->add_dim()->set_dim_value(std::stoll(dim));
    } else {
      shape->add_dim()->set_dim_param(dim);
    }
  }
}

onnx::NodeProto* AddNode(onnx::GraphProto* graph, const std::string& op_type,
                         const std::vector<std::string>& inputs,
                         const std::vector<std::string>& outputs) {
  auto* node = graph->add_node();
  node->set_op_type(op_type);
  for (const std::string& input : inputs) node->add_input(input);
  for (const std::string& output : outputs) node->add_output(output);
  return node;
}

void AddScalarInitializer(onnx::GraphProto* graph, const std::string& name, ElemType elem_type,
                          const void* value, size_t bytes) {
  auto* tensor = graph->add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(static_cast<int32_t>(elem_type));
  tensor->set_raw_data(std::string(static_cast<const char*>(value), bytes));
}

std::string Serialize(const onnx::ModelProto& model) {
  std::string bytes;
  model.SerializeToString(&bytes);
  return bytes;
}

}  // namespace

std::string IdentityModel(ElemType elem_type, int64_t opset) {
  onnx::ModelProto model = NewModel(opset);
  auto* graph = model.mutable_graph();
  AddTensorValue(graph->mutable_input(), "x", elem_type, {"N", "3"});
  AddTensorValue(graph->mutable_output(), "y", elem_type, {"N", "3"});
  AddNode(graph, "Identity", {"x"}, {"y"});
  return Serialize(model);
}

std::string AddOneModel() {
  onnx::ModelProto model = NewModel(13);
  auto* graph = model.mutable_graph();
  AddTensorValue(graph->mutable_input(), "x", ElemType::kFloat, {"N"});
  AddTensorValue(graph->mutable_output(), "y", ElemType::kFloat, {"N"});
  float one = 1.0f;
  AddScalarInitializer(graph, "one", ElemType::kFloat, &one, sizeof one);
  AddNode(graph, "Add", {"x", "one"}, {"y"});
  return Serialize(model);
}

std::string UnaryOpModel(const std::string& op_type, int64_t opset) {
  onnx::ModelProto model = NewModel(opset);
  auto* graph = model.mutable_graph();
  AddTensorValue(graph->mutable_input(), "x", ElemType::kFloat, {"N", "3"});
  AddTensorValue(graph->mutable_output(), "y", ElemType::kFloat, {"N", "3"});
  AddNode(graph, op_type, {"x"}, {"y"})->set_name(op_type + "_0");
  return Serialize(model);
}

std::string MatMulModel(const std::vector<float>& weights) {
  onnx::ModelProto model = NewModel(13);
  auto* graph = model.mutable_graph();
  AddTensorValue(graph->mutable_input(), "x", ElemType::kFloat, {"N", "3"});
  AddTensorValue(graph->mutable_output(), "y", ElemType::kFloat, {"N", "2"});
  auto* w = graph->add_initializer();
  w->set_name("w");
  w->set_data_type(static_cast<int32_t>(ElemType::kFloat));
  w->add_dims(3);
  w->add_dims(2);
  w->set_raw_data(
      std::string(reinterpret_cast<const char*>(weights.data()), weights.size() * sizeof(float)));
  AddNode(graph, "MatMul", {"x", "w"}, {"y"});
  return Serialize(model);
}

std::string MemoryBombModel() {
  onnx::ModelProto model = NewModel(13);
  auto* graph = model.mutable_graph();
  AddTensorValue(graph->mutable_input(), "shape", ElemType::kInt64, {"2"});
  AddTensorValue(graph->mutable_output(), "y", ElemType::kFloat, {"a", "b"});
  AddNode(graph, "ConstantOfShape", {"shape"}, {"y"});
  return Serialize(model);
}

std::string SlowLoopModel(int64_t trip_count) {
  onnx::ModelProto model = NewModel(13);
  auto* graph = model.mutable_graph();
  AddTensorValue(graph->mutable_input(), "x", ElemType::kFloat, {"1"});
  AddTensorValue(graph->mutable_output(), "y", ElemType::kFloat, {"1"});
  AddScalarInitializer(graph, "trip_count", ElemType::kInt64, &trip_count, sizeof trip_count);
  bool keep_going = true;
  AddScalarInitializer(graph, "keep_going", ElemType::kBool, &keep_going, sizeof keep_going);
  auto* loop = AddNode(graph, "Loop", {"trip_count", "keep_going", "x"}, {"y"});
  auto* body_attribute = loop->add_attribute();
  body_attribute->set_name("body");
  body_attribute->set_type(onnx::AttributeProto::GRAPH);
  auto* body = body_attribute->mutable_g();
  body->set_name("body");
  AddTensorValue(body->mutable_input(), "iteration", ElemType::kInt64, {});
  AddTensorValue(body->mutable_input(), "cond_in", ElemType::kBool, {});
  AddTensorValue(body->mutable_input(), "v_in", ElemType::kFloat, {"1"});
  AddTensorValue(body->mutable_output(), "cond_out", ElemType::kBool, {});
  AddTensorValue(body->mutable_output(), "v_out", ElemType::kFloat, {"1"});
  AddNode(body, "Identity", {"cond_in"}, {"cond_out"});
  AddNode(body, "Add", {"v_in", "x"}, {"v_out"});
  return Serialize(model);
}

template <typename T>
Tensor PackedTensor(const std::string& name, ElemType elem_type, std::vector<int64_t> shape,
                    const std::vector<T>& values) {
  Tensor tensor;
  tensor.name = name;
  tensor.elem_type = elem_type;
  tensor.shape = std::move(shape);
  tensor.data.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  return tensor;
}

Tensor FloatTensor(const std::string& name, std::vector<int64_t> shape,
                   const std::vector<float>& values) {
  return PackedTensor(name, ElemType::kFloat, std::move(shape), values);
}

Tensor Int64Tensor(const std::string& name, std::vector<int64_t> shape,
                   const std::vector<int64_t>& values) {
  return PackedTensor(name, ElemType::kInt64, std::move(shape), values);
}

std::vector<float> FloatValues(const Tensor& tensor) {
  std::vector<float> values(tensor.data.size() / sizeof(float));
  std::memcpy(values.data(), tensor.data.data(), values.size() * sizeof(float));
  return values;
}

std::unique_ptr<TempDir> ScratchDir(std::string_view prefix) {
  auto dir = TempDir::Create(prefix);
  if (!dir.ok()) {
    std::fprintf(stderr, "cannot create a scratch directory: %s\n", dir.error().message().c_str());
    std::abort();
  }
  return std::make_unique<TempDir>(std::move(*dir));
}

SandboxConfig RealWorkerConfig(const fs::path& log_dir, int64_t timeout_ms,
                               uint64_t memory_limit_bytes) {
  SandboxConfig config;
  config.worker_executable = fs::path(ZOOCI_BINARY_DIR) / "zooci-worker";
  config.log_dir = log_dir;
  config.timeout_ms = timeout_ms;
  config.memory_limit_bytes = memory_limit_bytes;
  return config;
}

void WriteTestFile(const fs::path& path, std::string_view contents) {
  fs::create_directories(path.parent_path());
  Status written = WriteFileAtomic(path, contents);
  ASSERT_TRUE(written.ok()) << written.error().message();
}

void WriteCase(const fs::path& dir, const std::string& model, const std::vector<Value>& inputs,
               const std::vector<Value>& outputs) {
  WriteTestFile(dir / "model.onnx", model);
  for (size_t input_idx = 0; input_idx < inputs.size(); ++input_idx) {
    auto bytes = EncodeValue(inputs[input_idx]);
    ASSERT_TRUE(bytes.ok());
    WriteTestFile(dir / "test_data_set_0" / ("input_" + std::to_string(input_idx) + ".pb"), *bytes);
  }
  for (size_t output_idx = 0; output_idx < outputs.size(); ++output_idx) {
    auto bytes = EncodeValue(outputs[output_idx]);
    ASSERT_TRUE(bytes.ok());
    WriteTestFile(dir / "test_data_set_0" / ("output_" + std::to_string(output_idx) + ".pb"),
                  *bytes);
  }
}

fs::path ReferenceDir() {
  std::vector<fs::path> candidates;
  if (const char* dir = std::getenv("ZOOCI_REFERENCE_DIR"); dir != nullptr && *dir != '\0') {
    candidates.emplace_back(dir);
  }
  candidates.push_back(fs::path(ZOOCI_SOURCE_DIR) / ".." / "shared" / "reference");
  candidates.emplace_back("/work/shared/reference");
  for (const fs::path& candidate : candidates) {
    std::error_code error;
    if (fs::is_directory(candidate / "onnx-model-zoo-sample", error)) {
      return candidate.lexically_normal();
    }
  }
  return {};
}

}  // namespace zooci::testing
