#include "reference/test_util.h"

#include "reference/internal.h"

namespace zooci::reference::testing {

NodeModel::NodeModel(const std::string& op_type, int64_t opset, const std::string& domain) {
  model_.set_ir_version(8);
  auto* opset_import = model_.add_opset_import();
  opset_import->set_domain("");
  opset_import->set_version(domain.empty() ? opset : 17);
  if (!domain.empty()) {
    opset_import = model_.add_opset_import();
    opset_import->set_domain(domain);
    opset_import->set_version(opset);
  }
  onnx::GraphProto* graph = model_.mutable_graph();
  graph->set_name("node_model");
  onnx::NodeProto* node = graph->add_node();
  node->set_op_type(op_type);
  node->set_domain(domain);
  node->set_name("under_test");
  Outputs(1);
}

NodeModel& NodeModel::Input(ElemType type, std::vector<int64_t> shape, std::vector<double> values) {
  Array array = MakeArray(type, std::move(shape));
  array.values = std::move(values);
  Result<Tensor> tensor = TensorFromArray(array, "");
  EXPECT_TRUE(tensor.ok());
  return ValueInput(Value::FromTensor(*tensor));
}

NodeModel& NodeModel::StringInput(std::vector<int64_t> shape, std::vector<std::string> strings) {
  Array array = MakeArray(ElemType::kString, std::move(shape));
  array.strings = std::move(strings);
  Result<Tensor> tensor = TensorFromArray(array, "");
  EXPECT_TRUE(tensor.ok());
  return ValueInput(Value::FromTensor(*tensor));
}

NodeModel& NodeModel::ValueInput(Value value) {
  const std::string name = "in" + std::to_string(inputs_.size());
  value.name = name;
  node().add_input(name);
  onnx::ValueInfoProto* input = model_.mutable_graph()->add_input();
  input->set_name(name);
  if (value.kind == ValueKind::kTensor) {
    input->mutable_type()->mutable_tensor_type()->set_elem_type(
        static_cast<int>(value.tensor.elem_type));
  }
  inputs_.push_back(std::move(value));
  return *this;
}

NodeModel& NodeModel::NoInput() {
  node().add_input("");
  return *this;
}

NodeModel& NodeModel::Attr(const std::string& name, int64_t value) {
  onnx::AttributeProto* attribute = node().add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(value);
  return *this;
}

NodeModel& NodeModel::Attr(const std::string& name, double value) {
  onnx::AttributeProto* attribute = node().add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::FLOAT);
  attribute->set_f(static_cast<float>(value));
  return *this;
}

NodeModel& NodeModel::Attr(const std::string& name, const std::string& value) {
  onnx::AttributeProto* attribute = node().add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::STRING);
  attribute->set_s(value);
  return *this;
}

NodeModel& NodeModel::Attr(const std::string& name, std::vector<int64_t> values) {
  onnx::AttributeProto* attribute = node().add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values) attribute->add_ints(value);
  return *this;
}

NodeModel& NodeModel::Attr(const std::string& name, std::vector<double> values) {
  onnx::AttributeProto* attribute = node().add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::FLOATS);
  for (double value : values) attribute->add_floats(static_cast<float>(value));
  return *this;
}

NodeModel& NodeModel::Outputs(int count) {
  node().clear_output();
  model_.mutable_graph()->clear_output();
  for (int output_idx = 0; output_idx < count; ++output_idx) {
    const std::string name = "out" + std::to_string(output_idx);
    node().add_output(name);
    model_.mutable_graph()->add_output()->set_name(name);
  }
  return *this;
}

Result<std::vector<Value>> NodeModel::Run() const {
  ZC_ASSIGN_OR_RETURN(std::unique_ptr<ReferenceModel> model,
                      LoadReferenceModelFromBytes(model_.SerializeAsString(), {}));
  return model->Run(inputs_);
}

std::vector<double> NodeModel::Values(size_t index, std::vector<int64_t>* shape) const {
  Result<std::vector<Value>> outputs = Run();
  if (!outputs.ok()) {
    ADD_FAILURE() << outputs.error().message();
    return {};
  }
  if (index >= outputs->size()) {
    ADD_FAILURE() << "no output " << index;
    return {};
  }
  if (shape) *shape = (*outputs)[index].tensor.shape;
  return ValuesOf((*outputs)[index]);
}

std::string NodeModel::ErrorOf() const {
  Result<std::vector<Value>> outputs = Run();
  return outputs.ok() ? "" : outputs.error().message();
}

std::vector<double> ValuesOf(const Value& value) {
  Result<Array> array = ArrayFromTensor(value.tensor);
  if (!array.ok()) {
    ADD_FAILURE() << array.error().message();
    return {};
  }
  return array->values;
}

::testing::Matcher<std::vector<double>> Near(std::vector<double> expected, double tolerance) {
  std::vector<::testing::Matcher<double>> elements;
  for (double value : expected)
    elements.push_back(::testing::DoubleNear(value, tolerance * std::max(1.0, std::abs(value))));
  return ::testing::ElementsAreArray(elements);
}

}  // namespace zooci::reference::testing
