// Loading and running whole models: refusals, initializers (inline and external), subgraphs,
// sequences, and the operator table.
#include <fstream>

#include "reference/internal.h"
#include "reference/test_util.h"
#include "testing/testing.h"

namespace zooci::reference::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ModelTest, AnUnknownOperatorIsRefusedAtLoadInOneLine) {
  NodeModel model("FancyNewOp", 13);
  model.FloatInput({1}, {1});
  EXPECT_EQ(model.ErrorOf(), "operator FancyNewOp (opset 13) not implemented");
  NodeModel custom("Gelu", 1, "com.microsoft");
  custom.FloatInput({1}, {1});
  EXPECT_EQ(custom.ErrorOf(), "operator com.microsoft.Gelu (opset 1) not implemented");
}

// An operator version that does not exist yet at the model's opset is not implemented either.
TEST(ModelTest, AnOperatorOlderThanItsFirstVersionIsRefused) {
  NodeModel model("Trilu", 13);  // Trilu-14
  model.FloatInput({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(model.ErrorOf(), "operator Trilu (opset 13) not implemented");
}

TEST(ModelTest, OpsetsNewerThan17AreRefused) {
  NodeModel model("Relu", 18);
  model.FloatInput({1}, {1});
  EXPECT_THAT(model.ErrorOf(), HasSubstr("opset 18 not supported"));
}

TEST(ModelTest, AnInputNotFedIsAnError) {
  NodeModel model("Relu", 14);
  model.FloatInput({1}, {1});
  Result<std::unique_ptr<ReferenceModel>> loaded =
      LoadReferenceModelFromBytes(model.proto().SerializeAsString(), {});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  Result<std::vector<Value>> outputs = (*loaded)->Run({});
  ASSERT_FALSE(outputs.ok());
  EXPECT_EQ(outputs.error().message(), "input 'in0' not fed");
}

TEST(ModelTest, AFedTensorOfAnotherTypeThanDeclaredIsAnError) {
  NodeModel model("Relu", 14);
  model.FloatInput({1}, {1});
  model.proto()
      .mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->set_elem_type(onnx::TensorProto::BFLOAT16);
  EXPECT_EQ(model.ErrorOf(), "input 'in0' is float, the model declares bfloat16");
}

// A malformed node (TopK-11 without its k input) is this node's error, never a crash.
TEST(ModelTest, AMissingInputIsAnErrorNotACrash) {
  NodeModel model("TopK", 11);
  model.FloatInput({3}, {1, 2, 3}).Outputs(2);
  EXPECT_EQ(model.ErrorOf(),
            "node 'under_test' (TopK-11): an input holds fewer elements than the operator reads");
}

// Relu(in0) where in0 is both a graph input and an initializer holding [-1, 2].
onnx::ModelProto ReluWithDefault() {
  NodeModel model("Relu", 14);
  model.FloatInput({2}, {0, 0});
  onnx::TensorProto* initializer = model.proto().mutable_graph()->add_initializer();
  initializer->set_name("in0");
  initializer->set_data_type(onnx::TensorProto::FLOAT);
  initializer->add_dims(2);
  initializer->add_float_data(-1);
  initializer->add_float_data(2);
  return model.proto();
}

TEST(ModelTest, AnInitializerIsTheDefaultOfAnInputOfTheSameName) {
  Result<std::unique_ptr<ReferenceModel>> model =
      LoadReferenceModelFromBytes(ReluWithDefault().SerializeAsString(), {});
  ASSERT_TRUE(model.ok()) << model.error().message();
  Result<std::vector<Value>> defaulted = (*model)->Run({});
  ASSERT_TRUE(defaulted.ok()) << defaulted.error().message();
  EXPECT_THAT(ValuesOf((*defaulted)[0]), ElementsAre(0, 2));
  Value fed = Value::FromTensor(zooci::testing::FloatTensor("in0", {2}, {3, -3}));
  Result<std::vector<Value>> overridden = (*model)->Run({fed});
  ASSERT_TRUE(overridden.ok()) << overridden.error().message();
  EXPECT_THAT(ValuesOf((*overridden)[0]), ElementsAre(3, 0));
}

TEST(ModelTest, ExternalDataIsReadInsideTheModelDirectoryOnly) {
  auto dir = zooci::testing::ScratchDir("reference-external");
  onnx::ModelProto proto = ReluWithDefault();
  onnx::TensorProto* weights = proto.mutable_graph()->mutable_initializer(0);
  weights->clear_float_data();
  weights->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* location = weights->add_external_data();
  location->set_key("location");
  location->set_value("weights.bin");
  auto* offset = weights->add_external_data();
  offset->set_key("offset");
  offset->set_value("4");
  const float values[] = {99, -5, 6};
  zooci::testing::WriteTestFile(dir->path() / "weights.bin",
                                std::string(reinterpret_cast<const char*>(values), sizeof(values)));
  zooci::testing::WriteTestFile(dir->path() / "model.onnx", proto.SerializeAsString());
  Result<std::unique_ptr<ReferenceModel>> model = LoadReferenceModel(dir->path() / "model.onnx");
  ASSERT_TRUE(model.ok()) << model.error().message();
  Result<std::vector<Value>> outputs = (*model)->Run({});
  ASSERT_TRUE(outputs.ok()) << outputs.error().message();
  EXPECT_THAT(ValuesOf((*outputs)[0]), ElementsAre(0, 6));

  location->set_value("../outside.bin");
  zooci::testing::WriteTestFile(dir->path() / "model.onnx", proto.SerializeAsString());
  Result<std::unique_ptr<ReferenceModel>> outside = LoadReferenceModel(dir->path() / "model.onnx");
  ASSERT_FALSE(outside.ok());
  EXPECT_THAT(outside.error().message(), HasSubstr("outside the model's directory"));
}

// A graph whose only node is Constant(value_float = `value`), producing `output`.
onnx::GraphProto ConstantGraph(const std::string& name, const std::string& output, float value) {
  onnx::GraphProto graph;
  graph.set_name(name);
  onnx::NodeProto* node = graph.add_node();
  node->set_op_type("Constant");
  node->add_output(output);
  onnx::AttributeProto* attribute = node->add_attribute();
  attribute->set_name("value_float");
  attribute->set_type(onnx::AttributeProto::FLOAT);
  attribute->set_f(value);
  graph.add_output()->set_name(output);
  return graph;
}

TEST(ControlFlowTest, IfRunsTheBranchItsConditionPicks) {
  for (bool condition : {true, false}) {
    NodeModel model("If", 16);
    model.Input(ElemType::kBool, {}, {condition ? 1.0 : 0.0});
    onnx::AttributeProto* then_branch = model.node().add_attribute();
    then_branch->set_name("then_branch");
    then_branch->set_type(onnx::AttributeProto::GRAPH);
    *then_branch->mutable_g() = ConstantGraph("then", "t", 1);
    onnx::AttributeProto* else_branch = model.node().add_attribute();
    else_branch->set_name("else_branch");
    else_branch->set_type(onnx::AttributeProto::GRAPH);
    *else_branch->mutable_g() = ConstantGraph("else", "e", 2);
    EXPECT_THAT(model.Values(), ElementsAre(condition ? 1 : 2));
  }
}

// Loop(M = 4, cond = true, sum = 0) with body sum' = sum + iteration, scanning each sum'.
TEST(ControlFlowTest, LoopCarriesValuesAndStacksScanOutputs) {
  NodeModel model("Loop", 16);
  model.IntInput({}, {4}).Input(ElemType::kBool, {}, {1}).IntInput({}, {0}).Outputs(2);
  onnx::GraphProto body;
  body.set_name("body");
  for (const char* name : {"iteration", "cond_in", "sum_in"}) body.add_input()->set_name(name);
  onnx::NodeProto* add = body.add_node();
  add->set_op_type("Add");
  add->add_input("sum_in");
  add->add_input("iteration");
  add->add_output("sum_out");
  onnx::NodeProto* keep_going = body.add_node();
  keep_going->set_op_type("Identity");
  keep_going->add_input("cond_in");
  keep_going->add_output("cond_out");
  onnx::NodeProto* scanned = body.add_node();
  scanned->set_op_type("Identity");
  scanned->add_input("sum_out");
  scanned->add_output("scan_out");
  for (const char* name : {"cond_out", "sum_out", "scan_out"}) body.add_output()->set_name(name);
  onnx::AttributeProto* attribute = model.node().add_attribute();
  attribute->set_name("body");
  attribute->set_type(onnx::AttributeProto::GRAPH);
  *attribute->mutable_g() = body;
  EXPECT_THAT(model.Values(0), ElementsAre(0 + 0 + 1 + 2 + 3));
  EXPECT_THAT(model.Values(1), ElementsAre(0, 1, 3, 6));
}

TEST(SequenceTest, SplitToSequenceThenConcatFromSequenceRoundTrips) {
  NodeModel split("SplitToSequence", 11);
  split.FloatInput({3, 2}, {1, 2, 3, 4, 5, 6}).Attr("keepdims", int64_t{0});
  Result<std::vector<Value>> sequence = split.Run();
  ASSERT_TRUE(sequence.ok()) << sequence.error().message();
  ASSERT_EQ((*sequence)[0].kind, ValueKind::kSequence);
  ASSERT_EQ((*sequence)[0].elements.size(), 3u);
  EXPECT_THAT((*sequence)[0].elements[1].tensor.shape, ElementsAre(2));

  NodeModel concat("ConcatFromSequence", 11);
  concat.ValueInput((*sequence)[0]).Attr("axis", int64_t{1}).Attr("new_axis", int64_t{1});
  std::vector<int64_t> shape;
  EXPECT_THAT(concat.Values(0, &shape), ElementsAre(1, 3, 5, 2, 4, 6));
  EXPECT_THAT(shape, ElementsAre(2, 3));
}

TEST(OperatorTableTest, ListsEveryOperatorWithItsVersions) {
  std::vector<ReferenceOperator> operators = ReferenceOperators();
  auto clip = std::find_if(operators.begin(), operators.end(),
                           [](const ReferenceOperator& op) { return op.op_type == "Clip"; });
  ASSERT_NE(clip, operators.end());
  EXPECT_THAT(clip->versions, ElementsAre(1, 6, 11, 12, 13));
  EXPECT_GT(operators.size(), 150u);
}

}  // namespace
}  // namespace zooci::reference::testing
