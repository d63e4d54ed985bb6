// The checker end to end on models built in code: what it reports, where, and what it does not.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <set>

#include "check/check.h"

namespace zooci {
namespace {

void SetTensorType(onnx::ValueInfoProto* info, const std::string& name, int elem_type,
                   std::vector<std::string> dims) {
  info->set_name(name);
  auto* tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elem_type);
  auto* shape = tensor->mutable_shape();
  for (const std::string& dim : dims) {
    if (!dim.empty() && std::isdigit(static_cast<unsigned char>(dim[0]))) {
      shape->add_dim()->set_dim_value(std::stoll(dim));
    } else {
      shape->add_dim()->set_dim_param(dim);
    }
  }
}

onnx::NodeProto* AddNode(onnx::GraphProto* graph, const std::string& op, const std::string& name,
                         std::vector<std::string> inputs, std::vector<std::string> outputs) {
  auto* node = graph->add_node();
  node->set_op_type(op);
  node->set_name(name);
  for (const auto& input : inputs) node->add_input(input);
  for (const auto& output : outputs) node->add_output(output);
  return node;
}

// x: float[N,4] -> Relu -> Add(w: float[4]) -> y: float[N,4]. Clean in every profile.
onnx::ModelProto BaseModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("zooci-test");
  model.set_doc_string("a test model");
  auto* meta = model.add_metadata_props();
  meta->set_key("license");
  meta->set_value("MIT");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto* graph = model.mutable_graph();
  graph->set_name("main");
  SetTensorType(graph->add_input(), "x", 1, {"N", "4"});
  SetTensorType(graph->add_output(), "y", 1, {"N", "4"});
  auto* w = graph->add_initializer();
  w->set_name("w");
  w->set_data_type(1);
  w->add_dims(4);
  w->set_raw_data(std::string(16, '\0'));
  AddNode(graph, "Relu", "relu", {"x"}, {"r"});
  AddNode(graph, "Add", "add", {"r", "w"}, {"y"});
  return model;
}

ModelReport Check(const onnx::ModelProto& model, Profile profile = Profile::kDefault) {
  CheckOptions options;
  options.profile = profile;
  return CheckModelBytes(model.SerializeAsString(), "", options, "m.onnx");
}

std::multiset<std::string> Codes(const ModelReport& report) {
  std::multiset<std::string> codes;
  for (const Diagnostic& diagnostic : report.diagnostics) codes.insert(RuleCode(diagnostic.rule));
  return codes;
}

const Diagnostic* Find(const ModelReport& report, RuleId id) {
  for (const Diagnostic& diagnostic : report.diagnostics) {
    if (diagnostic.rule == id) return &diagnostic;
  }
  return nullptr;
}

TEST(CheckerTest, BaseModelIsCleanInEveryProfile) {
  for (Profile profile : {Profile::kDefault, Profile::kZoo, Profile::kStrict}) {
    ModelReport report = Check(BaseModel(), profile);
    EXPECT_TRUE(report.diagnostics.empty()) << FormatCheckText({report});
  }
}

TEST(CheckerTest, DanglingInputNamesNodeIndexAndField) {
  auto model = BaseModel();
  model.mutable_graph()->mutable_node(1)->set_input(1, "missing");
  ModelReport report = Check(model);
  const Diagnostic* dangling = Find(report, RuleId::kDanglingInput);
  ASSERT_NE(dangling, nullptr) << FormatCheckText({report});
  EXPECT_EQ(dangling->location.Describe(), "node 'add' (#1) input[1]");
  EXPECT_EQ(dangling->message, "'missing' is produced by nothing");
  EXPECT_EQ(dangling->severity, Severity::kError);
  // The now-unused initializer is reported too; nothing else.
  EXPECT_EQ(Codes(report), (std::multiset<std::string>{"ZC0203", "ZC0211"}));
}

TEST(CheckerTest, ReportsEveryProblemAtOnce) {
  auto model = BaseModel();
  auto* graph = model.mutable_graph();
  graph->mutable_node(0)->set_op_type("Rleu");           // unknown op
  AddNode(graph, "Cast", "cast", {"x"}, {"c"});          // missing 'to', dead node
  graph->mutable_initializer(0)->set_raw_data("short");  // payload size
  model.add_opset_import()->set_domain("ai.onnx");       // duplicate domain
  model.mutable_opset_import(1)->set_version(11);
  ModelReport report = Check(model);
  std::multiset<std::string> codes = Codes(report);
  for (const char* code : {"ZC0301", "ZC0306", "ZC0212", "ZC0403", "ZC0106"}) {
    EXPECT_EQ(codes.count(code), 1u) << code << "\n" << FormatCheckText({report});
  }
}

TEST(CheckerTest, InferenceErrorIsReportedPerNodeWithoutHidingOthers) {
  auto model = BaseModel();
  auto* graph = model.mutable_graph();
  // w becomes float[5]: Add of [N,4] and [5] cannot broadcast.
  graph->mutable_initializer(0)->set_dims(0, 5);
  graph->mutable_initializer(0)->set_raw_data(std::string(20, '\0'));
  // A second, independent problem further down: MatMul of [N,4] by [3,2].
  auto* m = graph->add_initializer();
  m->set_name("m");
  m->set_data_type(1);
  m->add_dims(3);
  m->add_dims(2);
  m->set_raw_data(std::string(24, '\0'));
  AddNode(graph, "MatMul", "mm", {"x", "m"}, {"z"});
  SetTensorType(graph->add_output(), "z", 1, {"N", "2"});
  ModelReport report = Check(model);
  EXPECT_EQ(Codes(report), (std::multiset<std::string>{"ZC0601", "ZC0601"}))
      << FormatCheckText({report});
  EXPECT_EQ(report.diagnostics[0].location.node_name, "add");
  EXPECT_EQ(report.diagnostics[1].location.node_name, "mm");
  EXPECT_EQ(report.diagnostics[0].message.find("op_type:"), std::string::npos);
}

TEST(CheckerTest, ValueInfoAndGraphOutputMismatches) {
  auto model = BaseModel();
  SetTensorType(model.mutable_graph()->add_value_info(), "r", 7, {"N", "4"});
  ModelReport report = Check(model);
  ASSERT_EQ(Codes(report), (std::multiset<std::string>{"ZC0603"})) << FormatCheckText({report});
  EXPECT_EQ(report.diagnostics[0].location.Describe(), "node 'relu' (#0) output[0]");

  model = BaseModel();
  model.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(7);
  report = Check(model);
  EXPECT_EQ(Codes(report), (std::multiset<std::string>{"ZC0604"})) << FormatCheckText({report});
}

TEST(CheckerTest, SubgraphScoping) {
  auto model = BaseModel();
  auto* graph = model.mutable_graph();
  SetTensorType(graph->add_input(), "cond", 9, {});
  auto* node = AddNode(graph, "If", "if", {"cond"}, {"out"});
  SetTensorType(graph->add_output(), "out", 1, {"N", "4"});
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* attribute = node->add_attribute();
    attribute->set_name(branch);
    attribute->set_type(onnx::AttributeProto::GRAPH);
    auto* body = attribute->mutable_g();
    body->set_name(branch);
    // Reads outer 'r' (fine) and defines 'b' locally.
    AddNode(body, "Neg", "neg", {"r"}, {std::string("b_") + branch});
    SetTensorType(body->add_output(), std::string("b_") + branch, 1, {"N", "4"});
  }
  ModelReport report = Check(model);
  EXPECT_TRUE(report.diagnostics.empty()) << FormatCheckText({report});

  // A body node redefining an outer name breaks single assignment; the location is the subgraph.
  node->mutable_attribute(0)->mutable_g()->mutable_node(0)->set_output(0, "r");
  node->mutable_attribute(0)->mutable_g()->mutable_output(0)->set_name("r");
  report = Check(model);
  const Diagnostic* duplicate = Find(report, RuleId::kDuplicateDefinition);
  ASSERT_NE(duplicate, nullptr) << FormatCheckText({report});
  EXPECT_EQ(duplicate->location.subgraph_path, "if#2.then_branch");
  EXPECT_EQ(duplicate->location.node_name, "neg");
}

TEST(CheckerTest, OpsetNewerThanCheckerWarnsPerOpAndNeverFails) {
  auto model = BaseModel();
  model.mutable_opset_import(0)->set_version(21);
  model.set_ir_version(10);
  ModelReport report = Check(model);
  EXPECT_EQ(Codes(report), (std::multiset<std::string>{"ZC0108", "ZC0108"}))
      << FormatCheckText({report});
  EXPECT_NE(report.diagnostics[0].message.find("'Relu' at ai.onnx opset 21"), std::string::npos);
  EXPECT_EQ(report.Counts().errors, 0);
}

TEST(CheckerTest, CustomDomainIsInformation) {
  auto model = BaseModel();
  auto* opset = model.add_opset_import();
  opset->set_domain("com.example");
  opset->set_version(1);
  model.mutable_graph()->mutable_node(0)->set_domain("com.example");
  model.mutable_graph()->mutable_node(0)->set_op_type("MyRelu");
  ModelReport report = Check(model);
  ASSERT_EQ(Codes(report), (std::multiset<std::string>{"ZC0302"})) << FormatCheckText({report});
  EXPECT_EQ(report.diagnostics[0].severity, Severity::kInfo);
}

TEST(CheckerTest, StrictRaisesWarningsToErrors) {
  auto model = BaseModel();
  AddNode(model.mutable_graph(), "Neg", "dead", {"x"}, {"unused"});
  EXPECT_EQ(Check(model).diagnostics.at(0).severity, Severity::kWarning);
  EXPECT_EQ(Check(model, Profile::kStrict).diagnostics.at(0).severity, Severity::kError);
}

TEST(CheckerTest, UnparseableInputsAreDiagnostics) {
  CheckOptions options;
  for (std::string bytes : {std::string(), std::string("\xff\xff\xff\xff", 4),
                            BaseModel().SerializeAsString().substr(0, 40)}) {
    ModelReport report = CheckModelBytes(bytes, "", options, "bad.onnx");
    ASSERT_EQ(Codes(report), (std::multiset<std::string>{"ZC0001"}));
  }
}

TEST(CheckerTest, DeepSubgraphNestingIsBounded) {
  auto model = BaseModel();
  auto* graph = model.mutable_graph();
  SetTensorType(graph->add_input(), "cond", 9, {});
  onnx::GraphProto* current = graph;
  for (int level = 0; level < 40; ++level) {
    auto* node = AddNode(current, "If", "if" + std::to_string(level), {"cond"},
                         {"o" + std::to_string(level)});
    auto* attribute = node->add_attribute();
    attribute->set_name("then_branch");
    attribute->set_type(onnx::AttributeProto::GRAPH);
    current = attribute->mutable_g();
    current->set_name("g" + std::to_string(level));
  }
  CheckOptions options;
  ModelReport report = CheckModelBytes(model.SerializeAsString(), "", options, "deep.onnx");
  EXPECT_NE(Find(report, RuleId::kSubgraphTooDeep), nullptr) << FormatCheckText({report});
}

}  // namespace
}  // namespace zooci
