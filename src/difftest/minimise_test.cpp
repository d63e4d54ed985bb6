// The minimiser on synthetic predicates: it keeps the failure, reduces a graph to the one node
// that fails, halves shapes as far as the failure allows and drops attributes it does not need.
#include <gtest/gtest.h>

#include "difftest/difftest.h"

namespace zooci {
namespace {

Tensor Floats(const std::string& name, std::vector<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  std::vector<double> values(static_cast<size_t>(count));
  for (size_t idx = 0; idx < values.size(); ++idx) values[idx] = static_cast<double>(idx);
  return MakeTensor(name, ElemType::kFloat, std::move(shape), values);
}

// x[4,6] -> Relu -> Softmax(axis=1) -> Add(in1[6]) -> Sigmoid
ModelSpec FourNodeGraph() {
  ModelSpec spec;
  spec.inputs = {Floats("x", {4, 6}), Floats("in1", {6})};
  spec.nodes.push_back({"Relu", {"x"}, {"v0"}, {}});
  AttrSpec axis;
  axis.name = "axis";
  axis.kind = AttrSpec::Kind::kInt;
  axis.i = 1;
  spec.nodes.push_back({"Softmax", {"v0"}, {"v1"}, {axis}});
  spec.nodes.push_back({"Add", {"v1", "in1"}, {"v2"}, {}});
  spec.nodes.push_back({"Sigmoid", {"v2"}, {"v3"}, {}});
  spec.outputs = {"v3"};
  return spec;
}

// What the oracle would give for intermediate values: tensors of the graph's one shape.
MinimiseHooks HooksFor(std::function<bool(const ModelSpec&)> still_fails) {
  MinimiseHooks hooks;
  hooks.still_fails = std::move(still_fails);
  hooks.evaluate = [](const ModelSpec&, const std::vector<std::string>& names) {
    std::vector<Tensor> values;
    for (const std::string& name : names) values.push_back(Floats(name, {4, 6}));
    return Result<std::vector<Tensor>>(values);
  };
  return hooks;
}

// The planted bug: a Softmax whose input has more than one element along axis 1 fails.
bool SoftmaxOverAxisOneFails(const ModelSpec& spec) {
  for (const NodeSpec& node : spec.nodes) {
    if (node.op_type != "Softmax") continue;
    for (const Tensor& input : spec.inputs) {
      if (input.name == node.inputs[0] && input.shape.size() == 2 && input.shape[1] >= 2)
        return true;
    }
    // Inside a graph the input is an intermediate value of the original shape.
    if (spec.nodes.size() > 1) return true;
  }
  return false;
}

TEST(DifftestMinimiseTest, GraphReducesToTheFailingNodeWithHalvedShapes) {
  ModelSpec spec = FourNodeGraph();
  MinimiseResult result = Minimise(spec, HooksFor(SoftmaxOverAxisOneFails));
  ASSERT_EQ(result.spec.nodes.size(), 1u) << result.spec.Describe();
  EXPECT_EQ(result.spec.nodes[0].op_type, "Softmax");
  ASSERT_EQ(result.spec.inputs.size(), 1u);
  EXPECT_EQ(result.spec.inputs[0].name, "v0");  // the intermediate value, now fed
  // [4,6] -> rows halve to 1; columns 6 -> 3 -> 2, and not to 1 (the failure needs 2).
  EXPECT_EQ(result.spec.inputs[0].shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(result.spec.outputs, std::vector<std::string>{"v1"});
  // The axis attribute is not needed by the predicate: dropped.
  EXPECT_TRUE(result.spec.nodes[0].attrs.empty());
  EXPECT_TRUE(SoftmaxOverAxisOneFails(result.spec));
  EXPECT_GT(result.accepted, 0);
}

TEST(DifftestMinimiseTest, HalvingKeepsTheLeadingElementsOfEachRow) {
  ModelSpec spec;
  spec.inputs = {Floats("x", {2, 4})};  // 0..7
  spec.nodes.push_back({"Relu", {"x"}, {"y"}, {}});
  spec.outputs = {"y"};
  // Fails while x has 2 rows: only the columns can halve.
  MinimiseResult result = Minimise(
      spec, HooksFor([](const ModelSpec& candidate) { return candidate.inputs[0].shape[0] == 2; }));
  EXPECT_EQ(result.spec.inputs[0].shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(TensorValues(result.spec.inputs[0]), (std::vector<double>{0, 4}));
}

TEST(DifftestMinimiseTest, NothingSmallerFailsKeepsTheSpecAndRespectsTheBudget) {
  ModelSpec spec = FourNodeGraph();
  MinimiseHooks hooks = HooksFor([](const ModelSpec&) { return false; });
  hooks.max_attempts = 7;
  MinimiseResult result = Minimise(spec, hooks);
  EXPECT_EQ(result.spec.Describe(), spec.Describe());
  EXPECT_EQ(result.attempts, 7);
  EXPECT_EQ(result.accepted, 0);
}

TEST(DifftestMinimiseTest, WithoutIntermediateValuesNodesAreDroppedFromTheEnds) {
  ModelSpec spec = FourNodeGraph();
  MinimiseHooks hooks;
  hooks.still_fails = [](const ModelSpec& candidate) {
    for (const NodeSpec& node : candidate.nodes) {
      if (node.op_type == "Softmax") return true;
    }
    return false;
  };
  hooks.evaluate = [](const ModelSpec&, const std::vector<std::string>&) {
    return Result<std::vector<Tensor>>(Error("no oracle"));
  };
  MinimiseResult result = Minimise(spec, hooks);
  // Without values to feed, the prefix Relu must stay (x feeds it); the suffix goes.
  ASSERT_EQ(result.spec.nodes.size(), 2u) << result.spec.Describe();
  EXPECT_EQ(result.spec.nodes[0].op_type, "Relu");
  EXPECT_EQ(result.spec.nodes[1].op_type, "Softmax");
  EXPECT_EQ(result.spec.outputs, std::vector<std::string>{"v1"});
}

}  // namespace
}  // namespace zooci
