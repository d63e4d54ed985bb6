// Test support for the reference interpreter: a model of one node, built in code and run through
// the public API (LoadReferenceModelFromBytes), with hand-computed expectations.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "reference/reference.h"

namespace zooci::reference::testing {

// Inputs are named in0, in1, ...; outputs out0, out1, ...
class NodeModel {
 public:
  explicit NodeModel(const std::string& op_type, int64_t opset = 17,
                     const std::string& domain = "");

  NodeModel& Input(ElemType type, std::vector<int64_t> shape, std::vector<double> values);
  NodeModel& FloatInput(std::vector<int64_t> shape, std::vector<double> values) {
    return Input(ElemType::kFloat, std::move(shape), std::move(values));
  }
  NodeModel& IntInput(std::vector<int64_t> shape, std::vector<double> values) {
    return Input(ElemType::kInt64, std::move(shape), std::move(values));
  }
  NodeModel& StringInput(std::vector<int64_t> shape, std::vector<std::string> strings);
  // Any value (a sequence, an optional) as the next input.
  NodeModel& ValueInput(Value value);
  // An input left out (an empty name in the node).
  NodeModel& NoInput();
  NodeModel& Attr(const std::string& name, int64_t value);
  NodeModel& Attr(const std::string& name, double value);
  NodeModel& Attr(const std::string& name, const std::string& value);
  NodeModel& Attr(const std::string& name, std::vector<int64_t> values);
  NodeModel& Attr(const std::string& name, std::vector<double> values);
  NodeModel& Outputs(int count);

  // Loads and runs the model; the error of either step is returned.
  Result<std::vector<Value>> Run() const;
  // Runs and returns output `index` as doubles, with its shape; fails the test on an error.
  std::vector<double> Values(size_t index = 0, std::vector<int64_t>* shape = nullptr) const;
  // The error message of Run (empty when it succeeded).
  std::string ErrorOf() const;

  onnx::ModelProto& proto() { return model_; }
  onnx::NodeProto& node() { return *model_.mutable_graph()->mutable_node(0); }

 private:
  onnx::ModelProto model_;
  std::vector<Value> inputs_;
};

// Elements of a tensor value as doubles.
std::vector<double> ValuesOf(const Value& value);

// Elementwise comparison within 1e-5 (relative) for float results computed by hand.
::testing::Matcher<std::vector<double>> Near(std::vector<double> expected, double tolerance = 1e-5);

}  // namespace zooci::reference::testing
