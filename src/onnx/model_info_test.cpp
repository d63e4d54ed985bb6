#include <onnx/onnx_pb.h>

#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "onnx/onnx_io.h"
#include "testing/testing.h"

namespace zooci {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string ErrorOf(const Result<ModelInfo>& info) {
  return info.ok() ? "<ok>" : info.error().message();
}

// Adds a tensor type with `dims` ("N" for a symbolic dim, "?" for an unknown one, else a number).
void SetTensorType(onnx::TypeProto* type, ElemType elem_type,
                   const std::vector<std::string>& dims) {
  auto* tensor = type->mutable_tensor_type();
  tensor->set_elem_type(static_cast<int32_t>(elem_type));
  auto* shape = tensor->mutable_shape();
  for (const std::string& dim : dims) {
    auto* dim_proto = shape->add_dim();
    if (dim == "?") continue;
    if (std::isdigit(static_cast<unsigned char>(dim[0]))) {
      dim_proto->set_dim_value(std::stoll(dim));
    } else {
      dim_proto->set_dim_param(dim);
    }
  }
}

onnx::ValueInfoProto* AddTensor(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                                const std::string& name, ElemType elem_type,
                                const std::vector<std::string>& dims) {
  auto* info = list->Add();
  info->set_name(name);
  SetTensorType(info->mutable_type(), elem_type, dims);
  return info;
}

// A small model: y = Add(x, w) with w an initializer that is also listed as an input, plus
// sequence, optional and map typed values.
onnx::ModelProto MakeModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("zooci-test");
  model.set_producer_version("1.2.3");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto* ml_opset = model.add_opset_import();
  ml_opset->set_domain("ai.onnx.ml");
  ml_opset->set_version(3);

  auto* graph = model.mutable_graph();
  graph->set_name("g");
  AddTensor(graph->mutable_input(), "x", ElemType::kFloat, {"N", "3"});
  AddTensor(graph->mutable_input(), "w", ElemType::kFloat, {"3"});
  auto* seq = graph->add_input();
  seq->set_name("s");
  seq->mutable_type()
      ->mutable_sequence_type()
      ->mutable_elem_type()
      ->mutable_tensor_type()
      ->set_elem_type(static_cast<int32_t>(ElemType::kInt64));
  auto* opt = graph->add_input();
  opt->set_name("o");
  SetTensorType(opt->mutable_type()->mutable_optional_type()->mutable_elem_type(), ElemType::kFloat,
                {"3"});

  auto* initializer = graph->add_initializer();
  initializer->set_name("w");
  initializer->set_data_type(static_cast<int32_t>(ElemType::kFloat));
  initializer->add_dims(3);
  for (float value : {1.0f, 2.0f, 3.0f}) initializer->add_float_data(value);

  auto* node = graph->add_node();
  node->set_op_type("Add");
  node->add_input("x");
  node->add_input("w");
  node->add_output("y");

  AddTensor(graph->mutable_output(), "y", ElemType::kFloat, {"N", "3"});
  auto* map = graph->add_output();
  map->set_name("m");
  auto* map_type = map->mutable_type()->mutable_map_type();
  map_type->set_key_type(static_cast<int32_t>(ElemType::kInt64));
  map_type->mutable_value_type()->mutable_tensor_type()->set_elem_type(
      static_cast<int32_t>(ElemType::kFloat));
  return model;
}

class ModelInfoTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::ScratchDir("model_info_test"); }

  fs::path WriteModel(const std::string& name, const std::string& bytes) {
    fs::path path = dir_->path() / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::unique_ptr<TempDir> dir_;
};

TEST_F(ModelInfoTest, ReadsVersionsOpsetsAndProducer) {
  auto info = ReadModelInfo(WriteModel("model.onnx", MakeModel().SerializeAsString()));
  ASSERT_TRUE(info.ok()) << ErrorOf(info);
  EXPECT_EQ(info->ir_version, 8);
  EXPECT_EQ(info->opset_import, (std::map<std::string, int64_t>{{"", 13}, {"ai.onnx.ml", 3}}));
  EXPECT_EQ(info->producer_name, "zooci-test");
  EXPECT_EQ(info->producer_version, "1.2.3");
}

TEST_F(ModelInfoTest, InputsExcludeInitializersAndKeepOrder) {
  auto info = ReadModelInfo(WriteModel("model.onnx", MakeModel().SerializeAsString()));
  ASSERT_TRUE(info.ok()) << ErrorOf(info);
  ASSERT_EQ(info->inputs.size(), 3u);
  EXPECT_EQ(info->inputs[0].name, "x");
  EXPECT_EQ(info->inputs[1].name, "s");
  EXPECT_EQ(info->inputs[2].name, "o");
}

TEST_F(ModelInfoTest, ListsOperatorsOnceInNodeOrderWithTheirDomain) {
  onnx::ModelProto model = MakeModel();
  auto* graph = model.mutable_graph();
  for (const auto& [domain, op] : std::vector<std::pair<std::string, std::string>>{
           {"ai.onnx.preview.training", "Adam"}, {"", "Add"}, {"ai.onnx", "Relu"}}) {
    auto* node = graph->add_node();
    node->set_domain(domain);
    node->set_op_type(op);
  }
  auto info = ReadModelInfo(WriteModel("model.onnx", model.SerializeAsString()));
  ASSERT_TRUE(info.ok()) << ErrorOf(info);
  EXPECT_EQ(info->operators,
            (std::vector<std::string>{"Add", "ai.onnx.preview.training.Adam", "Relu"}));
}

TEST_F(ModelInfoTest, DescribesTensorSequenceAndOptionalInputs) {
  auto info = ReadModelInfo(WriteModel("model.onnx", MakeModel().SerializeAsString()));
  ASSERT_TRUE(info.ok()) << ErrorOf(info);
  ASSERT_EQ(info->inputs.size(), 3u);
  const ValueInfo& x = info->inputs[0];
  EXPECT_EQ(x.kind, ValueKind::kTensor);
  EXPECT_EQ(x.elem_type, ElemType::kFloat);
  EXPECT_TRUE(x.supported);
  EXPECT_EQ(x.type_description, "tensor(float)[N,3]");

  const ValueInfo& s = info->inputs[1];
  EXPECT_EQ(s.kind, ValueKind::kSequence);
  EXPECT_EQ(s.elem_type, ElemType::kInt64);
  EXPECT_TRUE(s.supported);
  EXPECT_EQ(s.type_description, "seq(tensor(int64))");

  const ValueInfo& o = info->inputs[2];
  EXPECT_EQ(o.kind, ValueKind::kOptional);
  EXPECT_EQ(o.elem_type, ElemType::kFloat);
  EXPECT_TRUE(o.supported);
  EXPECT_EQ(o.type_description, "optional(tensor(float)[3])");
}

TEST_F(ModelInfoTest, MapOutputIsUnsupported) {
  auto info = ReadModelInfo(WriteModel("model.onnx", MakeModel().SerializeAsString()));
  ASSERT_TRUE(info.ok()) << ErrorOf(info);
  ASSERT_EQ(info->outputs.size(), 2u);
  EXPECT_EQ(info->outputs[0].name, "y");
  EXPECT_TRUE(info->outputs[0].supported);
  EXPECT_EQ(info->outputs[0].type_description, "tensor(float)[N,3]");
  EXPECT_EQ(info->outputs[1].name, "m");
  EXPECT_FALSE(info->outputs[1].supported);
  EXPECT_EQ(info->outputs[1].type_description, "map(int64,tensor(float))");
}

TEST_F(ModelInfoTest, DescribesUnknownDimsMissingShapesAndOtherTypes) {
  onnx::ModelProto model = MakeModel();
  auto* graph = model.mutable_graph();
  graph->clear_output();
  AddTensor(graph->mutable_output(), "unknown_dim", ElemType::kUint8, {"?", "2"});
  auto* no_shape = graph->add_output();
  no_shape->set_name("no_shape");
  no_shape->mutable_type()->mutable_tensor_type()->set_elem_type(
      static_cast<int32_t>(ElemType::kInt32));
  auto* sparse = graph->add_output();
  sparse->set_name("sparse");
  sparse->mutable_type()->mutable_sparse_tensor_type()->set_elem_type(
      static_cast<int32_t>(ElemType::kDouble));
  auto* untyped = graph->add_output();
  untyped->set_name("untyped");
  auto info = ReadModelInfo(WriteModel("model.onnx", model.SerializeAsString()));
  ASSERT_TRUE(info.ok()) << ErrorOf(info);
  ASSERT_EQ(info->outputs.size(), 4u);
  EXPECT_EQ(info->outputs[0].type_description, "tensor(uint8)[?,2]");
  EXPECT_EQ(info->outputs[1].type_description, "tensor(int32)");
  EXPECT_TRUE(info->outputs[1].supported);
  EXPECT_EQ(info->outputs[2].type_description, "sparse_tensor(double)");
  EXPECT_FALSE(info->outputs[2].supported);
  EXPECT_EQ(info->outputs[3].type_description, "undefined");
  EXPECT_FALSE(info->outputs[3].supported);
}

TEST_F(ModelInfoTest, MissingFileIsAnErrorNamingIt) {
  fs::path path = dir_->path() / "absent.onnx";
  auto info = ReadModelInfo(path);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(Contains(ErrorOf(info), path.string())) << ErrorOf(info);
}

TEST_F(ModelInfoTest, EmptyFileIsAnError) {
  fs::path path = WriteModel("empty.onnx", "");
  auto info = ReadModelInfo(path);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(Contains(ErrorOf(info), path.string())) << ErrorOf(info);
  EXPECT_TRUE(Contains(ErrorOf(info), "empty")) << ErrorOf(info);
}

TEST_F(ModelInfoTest, TruncatedModelIsAnErrorMentioningThePath) {
  std::string bytes = MakeModel().SerializeAsString();
  fs::path path = WriteModel("truncated.onnx", bytes.substr(0, bytes.size() / 2));
  auto info = ReadModelInfo(path);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(Contains(ErrorOf(info), path.string())) << ErrorOf(info);
  EXPECT_TRUE(Contains(ErrorOf(info), "not a valid ModelProto")) << ErrorOf(info);
}

TEST_F(ModelInfoTest, RandomBytesAreAnError) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::string bytes(1 + rng() % 4096, '\0');
    for (char& byte : bytes) byte = static_cast<char>(rng());
    fs::path path = WriteModel("random.onnx", bytes);
    auto info = ReadModelInfo(path);
    ASSERT_FALSE(info.ok()) << round;
    EXPECT_TRUE(Contains(ErrorOf(info), path.string())) << ErrorOf(info);
  }
}

TEST_F(ModelInfoTest, ModelWithoutGraphIsAnError) {
  onnx::ModelProto model = MakeModel();
  model.clear_graph();
  fs::path path = WriteModel("no_graph.onnx", model.SerializeAsString());
  auto info = ReadModelInfo(path);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(Contains(ErrorOf(info), path.string())) << ErrorOf(info);
  EXPECT_TRUE(Contains(ErrorOf(info), "no graph")) << ErrorOf(info);
}

TEST_F(ModelInfoTest, FileOverMaxFileBytesIsAnError) {
  std::string bytes = MakeModel().SerializeAsString();
  fs::path path = WriteModel("model.onnx", bytes);
  ModelLoadLimits limits;
  limits.max_file_bytes = bytes.size() - 1;
  auto info = ReadModelInfo(path, limits);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(Contains(ErrorOf(info), path.string())) << ErrorOf(info);
  EXPECT_TRUE(Contains(ErrorOf(info), std::to_string(bytes.size()))) << ErrorOf(info);

  limits.max_file_bytes = bytes.size();
  EXPECT_TRUE(ReadModelInfo(path, limits).ok());
}

// A graph input whose type is seq(seq(...tensor(float)...)) `depth` levels deep.
onnx::ModelProto MakeNestedSequenceModel(int depth) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto* input = model.mutable_graph()->add_input();
  input->set_name("deep");
  onnx::TypeProto* type = input->mutable_type();
  for (int level = 0; level < depth; ++level)
    type = type->mutable_sequence_type()->mutable_elem_type();
  type->mutable_tensor_type()->set_elem_type(static_cast<int32_t>(ElemType::kFloat));
  return model;
}

// A graph whose first node is an If whose then_branch holds another If, `depth` levels deep.
onnx::ModelProto MakeNestedIfModel(int depth) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  onnx::GraphProto* graph = model.mutable_graph();
  AddTensor(graph->mutable_input(), "cond", ElemType::kBool, {});
  for (int level = 0; level < depth; ++level) {
    auto* node = graph->add_node();
    node->set_op_type("If");
    node->add_input("cond");
    auto* attribute = node->add_attribute();
    attribute->set_name("then_branch");
    attribute->set_type(onnx::AttributeProto::GRAPH);
    graph = attribute->mutable_g();
  }
  return model;
}

TEST_F(ModelInfoTest, NestingWithinTheLimitIsRead) {
  auto info =
      ReadModelInfo(WriteModel("nested.onnx", MakeNestedSequenceModel(20).SerializeAsString()));
  ASSERT_TRUE(info.ok()) << ErrorOf(info);
  ASSERT_EQ(info->inputs.size(), 1u);
  std::string expected = "tensor(float)";
  for (int level = 0; level < 20; ++level) expected = "seq(" + expected + ")";
  EXPECT_EQ(info->inputs[0].type_description, expected);
  EXPECT_EQ(info->inputs[0].kind, ValueKind::kSequence);
  EXPECT_EQ(info->inputs[0].elem_type, ElemType::kFloat);
}

TEST_F(ModelInfoTest, NestedSequenceTypesBeyondRecursionLimitAreAnError) {
  fs::path path = WriteModel("deep_types.onnx", MakeNestedSequenceModel(300).SerializeAsString());
  auto info = ReadModelInfo(path);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(Contains(ErrorOf(info), path.string())) << ErrorOf(info);
}

TEST_F(ModelInfoTest, NestedIfSubgraphsBeyondRecursionLimitAreAnError) {
  fs::path path = WriteModel("deep_if.onnx", MakeNestedIfModel(300).SerializeAsString());
  auto info = ReadModelInfo(path);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(Contains(ErrorOf(info), path.string())) << ErrorOf(info);
  // A few levels are fine.
  EXPECT_TRUE(
      ReadModelInfo(WriteModel("shallow_if.onnx", MakeNestedIfModel(5).SerializeAsString())).ok());
}

TEST_F(ModelInfoTest, MaxRecursionDepthIsConfigurable) {
  fs::path path = WriteModel("nested.onnx", MakeNestedSequenceModel(20).SerializeAsString());
  ModelLoadLimits limits;
  limits.max_recursion_depth = 10;
  EXPECT_FALSE(ReadModelInfo(path, limits).ok());
  limits.max_recursion_depth = 100;
  EXPECT_TRUE(ReadModelInfo(path, limits).ok());
}

}  // namespace
}  // namespace zooci
