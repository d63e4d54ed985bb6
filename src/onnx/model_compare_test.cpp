#include <google/protobuf/unknown_field_set.h>
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "onnx/onnx_io.h"
#include "testing/testing.h"

namespace zooci {
namespace {

constexpr int kWeightCount = 18;  // conv1.weight is [2,1,3,3]

std::string FloatBytes(const std::vector<float>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

std::vector<float> Weights() {
  return std::vector<float>(kWeightCount, 0.1f);
}

void AddFloatInput(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                   const std::string& name, const std::vector<std::string>& dims) {
  auto* tensor_type = list->Add()->mutable_type()->mutable_tensor_type();
  list->Mutable(list->size() - 1)->set_name(name);
  tensor_type->set_elem_type(static_cast<int32_t>(ElemType::kFloat));
  for (const std::string& dim : dims) {
    if (std::isdigit(static_cast<unsigned char>(dim[0]))) {
      tensor_type->mutable_shape()->add_dim()->set_dim_value(std::stoll(dim));
    } else {
      tensor_type->mutable_shape()->add_dim()->set_dim_param(dim);
    }
  }
}

onnx::AttributeProto* AddInts(onnx::NodeProto* node, const std::string& name,
                              const std::vector<int64_t>& values) {
  auto* attribute = node->add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values) attribute->add_ints(value);
  return attribute;
}

// y = Relu(Conv(x, conv1.weight, conv1.bias)), as an exporter would write it: weights in raw_data,
// the bias in float_data, producer metadata and node names set.
onnx::ModelProto BaseModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("pytorch");
  model.set_producer_version("1.7");
  model.set_doc_string("a test model");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto* graph = model.mutable_graph();
  graph->set_name("main");
  AddFloatInput(graph->mutable_input(), "x", {"N", "1", "4", "4"});
  AddFloatInput(graph->mutable_output(), "y", {"N", "2", "4", "4"});
  auto* weight = graph->add_initializer();
  weight->set_name("conv1.weight");
  weight->set_data_type(static_cast<int32_t>(ElemType::kFloat));
  for (int64_t dim : {2, 1, 3, 3}) weight->add_dims(dim);
  weight->set_raw_data(FloatBytes(Weights()));
  auto* bias = graph->add_initializer();
  bias->set_name("conv1.bias");
  bias->set_data_type(static_cast<int32_t>(ElemType::kFloat));
  bias->add_dims(2);
  bias->add_float_data(0.5f);
  bias->add_float_data(-0.5f);
  auto* conv = graph->add_node();
  conv->set_name("Conv_0");
  conv->set_op_type("Conv");
  for (const char* input : {"x", "conv1.weight", "conv1.bias"}) conv->add_input(input);
  conv->add_output("c");
  AddInts(conv, "kernel_shape", {3, 3});
  AddInts(conv, "pads", {1, 1, 1, 1});
  auto* relu = graph->add_node();
  relu->set_name("Relu_1");
  relu->set_op_type("Relu");
  relu->add_input("c");
  relu->add_output("y");
  return model;
}

onnx::TensorProto* FindInitializer(onnx::ModelProto* model, const std::string& name) {
  for (auto& tensor : *model->mutable_graph()->mutable_initializer()) {
    if (tensor.name() == name) return &tensor;
  }
  ADD_FAILURE() << "no initializer " << name;
  return nullptr;
}

class ModelCompareTest : public ::testing::Test {
 protected:
  fs::path Write(const std::string& relative, const onnx::ModelProto& model) {
    std::string bytes;
    model.SerializeToString(&bytes);
    return WriteBytes(relative, bytes);
  }
  fs::path WriteBytes(const std::string& relative, const std::string& bytes) {
    fs::path path = dir_->path() / relative;
    testing::WriteTestFile(path, bytes);
    return path;
  }

  // Compares BaseModel() (in a/) with `other` (in b/).
  ModelComparison CompareWithBase(const onnx::ModelProto& other) {
    return Compare(Write("a/model.onnx", BaseModel()), Write("b/model.onnx", other));
  }
  ModelComparison Compare(const fs::path& a, const fs::path& b) {
    Result<ModelComparison> result = CompareModelFiles(a, b);
    EXPECT_TRUE(result.ok()) << result.error().message();
    return result.ok() ? *result : ModelComparison{ModelSameness::kDifferent, "<error>"};
  }

  std::unique_ptr<TempDir> dir_ = testing::ScratchDir("model_compare_test");
};

TEST_F(ModelCompareTest, IdenticalFilesAreIdenticalBytes) {
  ModelComparison result = CompareWithBase(BaseModel());
  EXPECT_EQ(result.sameness, ModelSameness::kIdenticalBytes);
  EXPECT_EQ(result.difference, "");
}

TEST_F(ModelCompareTest, MetadataOnlyChangesAreSameGraphAndWeights) {
  onnx::ModelProto other = BaseModel();
  other.set_producer_version("1.9");
  other.set_doc_string("re-exported");
  ModelComparison result = CompareWithBase(other);
  EXPECT_EQ(result.sameness, ModelSameness::kSameGraphAndWeights);
  EXPECT_EQ(result.difference, "metadata only: producer_version '1.7' vs '1.9', doc_string");
}

TEST_F(ModelCompareTest, NodeNamesGraphNameAndOrderOfInitializersAndAttributesAreMetadata) {
  onnx::ModelProto other = BaseModel();
  auto* graph = other.mutable_graph();
  graph->set_name("torch_jit");
  graph->mutable_node(0)->set_name("conv_renamed");
  graph->mutable_node(0)->mutable_attribute()->SwapElements(0, 1);
  graph->mutable_initializer()->SwapElements(0, 1);
  auto* prop = other.add_metadata_props();
  prop->set_key("author");
  prop->set_value("someone");
  ModelComparison result = CompareWithBase(other);
  EXPECT_EQ(result.sameness, ModelSameness::kSameGraphAndWeights);
  EXPECT_EQ(result.difference,
            "metadata only: metadata_props, graph name 'main' vs 'torch_jit', node names, "
            "initializer order");
}

TEST_F(ModelCompareTest, ChangedInitializerElementIsDifferentNamingInitializerAndIndex) {
  onnx::ModelProto other = BaseModel();
  std::vector<float> weights = Weights();
  weights[17] = 0.2f;
  FindInitializer(&other, "conv1.weight")->set_raw_data(FloatBytes(weights));
  ModelComparison result = CompareWithBase(other);
  EXPECT_EQ(result.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(result.difference,
            "initializer 'conv1.weight' differs (first at element 17: 0.1 vs 0.2)");
}

TEST_F(ModelCompareTest, RawDataAndFloatDataHoldingTheSameValuesAreTheSame) {
  onnx::ModelProto other = BaseModel();
  onnx::TensorProto* weight = FindInitializer(&other, "conv1.weight");
  weight->clear_raw_data();
  for (float value : Weights()) weight->add_float_data(value);
  onnx::TensorProto* bias = FindInitializer(&other, "conv1.bias");
  bias->clear_float_data();
  bias->set_raw_data(FloatBytes({0.5f, -0.5f}));
  ModelComparison result = CompareWithBase(other);
  EXPECT_EQ(result.sameness, ModelSameness::kSameGraphAndWeights);
  EXPECT_EQ(result.difference,
            "encoding only: initializer 'conv1.weight' raw_data vs float_data, "
            "initializer 'conv1.bias' float_data vs raw_data");
}

TEST_F(ModelCompareTest, ChangedFloatDataElementIsDifferent) {
  onnx::ModelProto other = BaseModel();
  FindInitializer(&other, "conv1.bias")->set_float_data(1, -0.25f);
  ModelComparison result = CompareWithBase(other);
  EXPECT_EQ(result.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(result.difference,
            "initializer 'conv1.bias' differs (first at element 1: -0.5 vs -0.25)");
}

TEST_F(ModelCompareTest, ChangedNodeOpIsDifferent) {
  onnx::ModelProto other = BaseModel();
  other.mutable_graph()->mutable_node(1)->set_op_type("Sigmoid");
  ModelComparison result = CompareWithBase(other);
  EXPECT_EQ(result.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(result.difference, "graph: node #1 op Relu vs Sigmoid");
}

TEST_F(ModelCompareTest, ChangedAttributeValueIsDifferent) {
  onnx::ModelProto other = BaseModel();
  auto* pads = other.mutable_graph()->mutable_node(0)->mutable_attribute(1);
  for (int pad_idx = 0; pad_idx < pads->ints_size(); ++pad_idx) pads->set_ints(pad_idx, 0);
  ModelComparison result = CompareWithBase(other);
  EXPECT_EQ(result.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(result.difference, "graph: node #0 (Conv) attribute 'pads' [1,1,1,1] vs [0,0,0,0]");
}

TEST_F(ModelCompareTest, MissingAttributeOrInitializerIsDifferent) {
  onnx::ModelProto other = BaseModel();
  other.mutable_graph()->mutable_node(0)->mutable_attribute()->RemoveLast();
  EXPECT_EQ(CompareWithBase(other).difference,
            "graph: node #0 (Conv) attribute 'pads' only in the first model");

  other = BaseModel();
  other.mutable_graph()->mutable_initializer()->RemoveLast();
  EXPECT_EQ(CompareWithBase(other).difference, "initializer 'conv1.bias' only in the first model");
}

TEST_F(ModelCompareTest, InterfaceAndOpsetDifferencesAreDifferent) {
  onnx::ModelProto other = BaseModel();
  other.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(0)
      ->set_dim_value(1);
  EXPECT_EQ(CompareWithBase(other).difference,
            "graph: input 'x' type tensor(float)[N,1,4,4] vs tensor(float)[1,1,4,4]");

  other = BaseModel();
  other.mutable_opset_import(0)->set_domain("ai.onnx");  // the same domain, spelled out
  other.mutable_opset_import(0)->set_version(14);
  EXPECT_EQ(CompareWithBase(other).difference, "opset_import ai.onnx 13 vs 14");

  other = BaseModel();
  other.set_ir_version(7);
  EXPECT_EQ(CompareWithBase(other).difference, "ir_version 8 vs 7");
}

// If(cond) then: Identity(x) else: a subgraph with a Constant; the difference is deep inside.
TEST_F(ModelCompareTest, SubgraphsAreComparedRecursively) {
  auto with_branch = [](float constant_value) {
    onnx::ModelProto model = BaseModel();
    auto* node = model.mutable_graph()->add_node();
    node->set_op_type("If");
    node->add_input("cond");
    node->add_output("z");
    auto* branch = node->add_attribute();
    branch->set_name("else_branch");
    branch->set_type(onnx::AttributeProto::GRAPH);
    auto* body = branch->mutable_g();
    body->set_name("else");
    AddFloatInput(body->mutable_output(), "k", {"1"});
    auto* constant = body->add_node();
    constant->set_op_type("Constant");
    constant->add_output("k");
    auto* value = constant->add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    value->mutable_t()->set_data_type(static_cast<int32_t>(ElemType::kFloat));
    value->mutable_t()->add_dims(1);
    value->mutable_t()->add_float_data(constant_value);
    return model;
  };
  ModelComparison same =
      Compare(Write("a/if.onnx", with_branch(1.5f)), Write("b/if.onnx", [&] {
                onnx::ModelProto model = with_branch(1.5f);
                model.mutable_graph()->mutable_node(2)->mutable_attribute(0)->mutable_g()->set_name(
                    "other");
                return model;
              }()));
  EXPECT_EQ(same.sameness, ModelSameness::kSameGraphAndWeights);
  EXPECT_EQ(same.difference, "metadata only: subgraph names");

  ModelComparison different =
      Compare(Write("a/if.onnx", with_branch(1.5f)), Write("b/if.onnx", with_branch(2.5f)));
  EXPECT_EQ(different.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(different.difference,
            "graph: node #2 (If) attribute 'else_branch': node #0 (Constant) attribute 'value' "
            "differs (first at element 0: 1.5 vs 2.5)");
}

TEST_F(ModelCompareTest, ModelLocalFunctionsAreCompared) {
  auto with_function = [](const std::string& op) {
    onnx::ModelProto model = BaseModel();
    auto* function = model.add_functions();
    function->set_domain("local");
    function->set_name("Twice");
    function->add_input("a");
    function->add_output("b");
    auto* node = function->add_node();
    node->set_op_type(op);
    node->add_input("a");
    node->add_input("a");
    node->add_output("b");
    return model;
  };
  ModelComparison result =
      Compare(Write("a/f.onnx", with_function("Add")), Write("b/f.onnx", with_function("Mul")));
  EXPECT_EQ(result.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(result.difference, "function 'local:Twice': node #0 op Add vs Mul");
}

// Fields of a newer onnx.proto: NodeProto.overload (8) changes computation, NodeProto
// metadata_props (9) does not.
TEST_F(ModelCompareTest, FieldsNewerThanThisBuildAreCompared) {
  auto with_unknown = [](int field_number, const std::string& value) {
    onnx::ModelProto model = BaseModel();
    auto* node = model.mutable_graph()->mutable_node(1);
    node->GetReflection()->MutableUnknownFields(node)->AddLengthDelimited(field_number, value);
    return model;
  };
  ModelComparison overload = CompareWithBase(with_unknown(8, "v2"));
  EXPECT_EQ(overload.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(overload.difference,
            "graph: node #1 (Relu): fields newer than onnx 1.12 (unknown to this build) differ");

  ModelComparison metadata = CompareWithBase(with_unknown(9, "\x0a\x01k\x12\x01v"));
  EXPECT_EQ(metadata.sameness, ModelSameness::kSameGraphAndWeights);
  EXPECT_EQ(metadata.difference, "metadata only: metadata_props");
}

// conv1.weight moved to an external file beside the model.
onnx::ModelProto WithExternalWeights(const std::string& location) {
  onnx::ModelProto model = BaseModel();
  onnx::TensorProto* weight = FindInitializer(&model, "conv1.weight");
  weight->clear_raw_data();
  weight->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* entry = weight->add_external_data();
  entry->set_key("location");
  entry->set_value(location);
  entry = weight->add_external_data();
  entry->set_key("offset");
  entry->set_value("4");
  return model;
}

TEST_F(ModelCompareTest, ExternalDataIsComparedByValue) {
  const fs::path inline_model = Write("a/model.onnx", BaseModel());
  const fs::path external_model = Write("b/model.onnx", WithExternalWeights("weights.bin"));
  WriteBytes("b/weights.bin", "pad!" + FloatBytes(Weights()));
  ModelComparison same = Compare(inline_model, external_model);
  EXPECT_EQ(same.sameness, ModelSameness::kSameGraphAndWeights);
  EXPECT_EQ(same.difference,
            "encoding only: initializer 'conv1.weight' raw_data vs external data 'weights.bin'");

  std::vector<float> weights = Weights();
  weights[3] = -1.0f;
  WriteBytes("b/weights.bin", "pad!" + FloatBytes(weights));
  ModelComparison different = Compare(inline_model, external_model);
  EXPECT_EQ(different.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(different.difference,
            "initializer 'conv1.weight' differs (first at element 3: 0.1 vs -1)");
}

// The archive's copy and the standalone file have the same bytes, but each reads its own
// weights.bin: identical only when the external data is.
TEST_F(ModelCompareTest, IdenticalModelBytesWithDifferentExternalDataAreDifferent) {
  const onnx::ModelProto model = WithExternalWeights("weights.bin");
  const fs::path a = Write("a/model.onnx", model);
  const fs::path b = Write("b/model.onnx", model);
  WriteBytes("a/weights.bin", "pad!" + FloatBytes(Weights()));
  WriteBytes("b/weights.bin", "pad!" + FloatBytes(Weights()));
  EXPECT_EQ(Compare(a, b).sameness, ModelSameness::kIdenticalBytes);

  std::vector<float> weights = Weights();
  weights[17] = 0.2f;
  WriteBytes("b/weights.bin", "pad!" + FloatBytes(weights));
  ModelComparison result = Compare(a, b);
  EXPECT_EQ(result.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(result.difference,
            "initializer 'conv1.weight' differs (first at element 17: 0.1 vs 0.2)");
}

// The byte comparison reads 1 MiB blocks: the external-data key must be seen when a block
// boundary cuts it, or identical model files would hide different weights.
TEST_F(ModelCompareTest, ExternalDataKeyAcrossABlockBoundaryIsSeen) {
  constexpr size_t kBlockBytes = size_t{1} << 20;
  onnx::ModelProto model = WithExternalWeights("weights.bin");
  model.set_doc_string(std::string(kBlockBytes - 1000, 'd'));  // doc_string precedes the graph
  std::string bytes;
  model.SerializeToString(&bytes);
  const size_t key_offset = bytes.find("location");
  ASSERT_NE(key_offset, std::string::npos);
  ASSERT_LE(key_offset, kBlockBytes - 4);
  model.set_doc_string(
      std::string(model.doc_string().size() + (kBlockBytes - 4 - key_offset), 'd'));
  model.SerializeToString(&bytes);
  ASSERT_EQ(bytes.find("location"), kBlockBytes - 4);  // "loca" | "tion"

  const fs::path a = Write("a/model.onnx", model);
  const fs::path b = Write("b/model.onnx", model);
  WriteBytes("a/weights.bin", "pad!" + FloatBytes(Weights()));
  std::vector<float> weights = Weights();
  weights[5] = 0.5f;
  WriteBytes("b/weights.bin", "pad!" + FloatBytes(weights));
  ModelComparison result = Compare(a, b);
  EXPECT_EQ(result.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(result.difference,
            "initializer 'conv1.weight' differs (first at element 5: 0.1 vs 0.5)");
}

// Several blocks of weights: the first difference is found in a later block, at its exact index.
TEST_F(ModelCompareTest, LargeInitializersAreComparedBlockByBlock) {
  constexpr int kLargeCount = 700000;  // 2.8 MB of float32
  auto large_model = [](float changed_value) {
    onnx::ModelProto model = BaseModel();
    auto* tensor = model.mutable_graph()->add_initializer();
    tensor->set_name("large");
    tensor->set_data_type(static_cast<int32_t>(ElemType::kFloat));
    tensor->add_dims(kLargeCount);
    std::vector<float> values(kLargeCount, 1.0f);
    values[654321] = changed_value;
    tensor->set_raw_data(FloatBytes(values));
    return model;
  };
  const fs::path a = Write("a/large.onnx", large_model(1.0f));
  EXPECT_EQ(Compare(a, Write("b/large.onnx", large_model(1.0f))).sameness,
            ModelSameness::kIdenticalBytes);
  ModelComparison result = Compare(a, Write("b/large.onnx", large_model(1.25f)));
  EXPECT_EQ(result.sameness, ModelSameness::kDifferent);
  EXPECT_EQ(result.difference, "initializer 'large' differs (first at element 654321: 1 vs 1.25)");
}

TEST_F(ModelCompareTest, ExternalDataOutsideTheModelDirectoryIsAnError) {
  WriteBytes("outside.bin", "pad!" + FloatBytes(Weights()));
  const fs::path a = Write("a/model.onnx", BaseModel());
  const fs::path b = Write("b/model.onnx", WithExternalWeights("../outside.bin"));
  Result<ModelComparison> result = CompareModelFiles(a, b);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message(),
            "model " + b.string() +
                ": tensor 'conv1.weight': external data '../outside.bin': "
                "the location leaves the model's directory");

  const fs::path missing = Write("c/model.onnx", WithExternalWeights("weights.bin"));
  result = CompareModelFiles(a, missing);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("external data 'weights.bin': no such file"),
            std::string::npos)
      << result.error().message();
}

TEST_F(ModelCompareTest, UnreadableFilesAreErrors) {
  const fs::path model = Write("a/model.onnx", BaseModel());
  const fs::path missing = dir_->path() / "b" / "missing.onnx";
  Result<ModelComparison> result = CompareModelFiles(model, missing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message(), "model " + missing.string() + ": no such file");

  result = CompareModelFiles(dir_->path() / "a", model);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message(),
            "model " + (dir_->path() / "a").string() + ": not a regular file");

  const fs::path garbage =
      WriteBytes("b/garbage.onnx", std::string("\xff\xff\xff\xff not onnx", 13));
  result = CompareModelFiles(model, garbage);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("model " + garbage.string() + ": not a valid ModelProto"),
            std::string::npos)
      << result.error().message();

  const fs::path empty = WriteBytes("b/empty.onnx", "");
  result = CompareModelFiles(model, empty);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message(), "model " + empty.string() + ": file is empty");
}

TEST(ModelSamenessTest, Names) {
  EXPECT_EQ(ModelSamenessName(ModelSameness::kIdenticalBytes), "identical bytes");
  EXPECT_EQ(ModelSamenessName(ModelSameness::kSameGraphAndWeights), "same graph and weights");
  EXPECT_EQ(ModelSamenessName(ModelSameness::kDifferent), "different");
}

}  // namespace
}  // namespace zooci
