// Random graphs: 2-4 float nodes over values of one shape, each consuming earlier values (or a
// fresh broadcastable input); every value nothing consumes is a graph output. Only operators
// defined on all of R are used, so no node can feed another a value outside its domain.
#include <algorithm>

#include "difftest/internal.h"

namespace zooci::difftest_internal {

const std::vector<std::string>& GraphOperators() {
  static const std::vector<std::string> ops = {
      "Relu", "Sigmoid", "Tanh", "Abs", "Neg", "LeakyRelu", "Elu", "Softplus",   "Softmax",
      "Sin",  "Cos",     "Add",  "Sub", "Mul", "Max",       "Min", "HardSigmoid"};
  return ops;
}

namespace {

bool IsBinary(const std::string& op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Max" || op == "Min";
}

}  // namespace

ModelSpec RandomGraph(Rng& rng, const std::vector<std::string>& focus) {
  std::vector<std::string> focus_ops;
  for (const std::string& op : focus) {
    if (std::find(GraphOperators().begin(), GraphOperators().end(), op) != GraphOperators().end())
      focus_ops.push_back(op);
  }
  ModelSpec spec;
  std::vector<int64_t> shape = RandomShape(rng, 2, 4, 5, 120);
  spec.inputs.push_back(RandomTensor(rng, "x", ElemType::kFloat, shape));
  std::vector<std::string> values = {"x"};
  int node_count = static_cast<int>(rng.Int(2, 4));
  int focus_node = static_cast<int>(rng.Int(0, node_count - 1));
  for (int node_idx = 0; node_idx < node_count; ++node_idx) {
    NodeSpec node;
    node.op_type = !focus_ops.empty() && node_idx == focus_node ? rng.Pick(focus_ops)
                                                                : rng.Pick(GraphOperators());
    // Mostly chain on the newest value, sometimes branch from an older one.
    const std::string& first = rng.Chance(0.7) ? values.back() : rng.Pick(values);
    node.inputs.push_back(first);
    if (IsBinary(node.op_type)) {
      if (values.size() > 1 && rng.Chance(0.6)) {
        node.inputs.push_back(rng.Pick(values));
      } else {
        std::string name = "in" + std::to_string(spec.inputs.size());
        spec.inputs.push_back(
            RandomTensor(rng, name, ElemType::kFloat, BroadcastPartner(rng, shape)));
        node.inputs.push_back(name);
      }
    }
    if (node.op_type == "Softmax" && rng.Chance(0.8)) {
      node.attrs.push_back(IntAttr("axis", rng.Int(-static_cast<int64_t>(shape.size()),
                                                   static_cast<int64_t>(shape.size()) - 1)));
    }
    if (node.op_type == "LeakyRelu") node.attrs.push_back(FloatAttr("alpha", 0.125f));
    node.outputs.push_back("v" + std::to_string(node_idx));
    values.push_back(node.outputs.back());
    spec.nodes.push_back(std::move(node));
  }
  for (const NodeSpec& node : spec.nodes) {
    bool consumed = false;
    for (const NodeSpec& other : spec.nodes) {
      consumed |= std::find(other.inputs.begin(), other.inputs.end(), node.outputs[0]) !=
                  other.inputs.end();
    }
    if (!consumed) spec.outputs.push_back(node.outputs[0]);
  }
  // An input no node reads (x, when the first node branched from nowhere else) is removed.
  std::erase_if(spec.inputs, [&](const Tensor& input) {
    for (const NodeSpec& node : spec.nodes) {
      if (std::find(node.inputs.begin(), node.inputs.end(), input.name) != node.inputs.end())
        return false;
    }
    return true;
  });
  return spec;
}

}  // namespace zooci::difftest_internal
