// ModelSpec -> ModelProto (outputs typed by ONNX shape inference), tensors from doubles.
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <exception>

#include "difftest/difftest.h"

namespace zooci {
namespace {

template <typename T>
void Pack(const std::vector<double>& values, std::string* out) {
  out->resize(values.size() * sizeof(T));
  for (size_t value_idx = 0; value_idx < values.size(); ++value_idx) {
    T element = static_cast<T>(values[value_idx]);
    std::memcpy(out->data() + value_idx * sizeof(T), &element, sizeof(T));
  }
}

template <typename T>
std::vector<double> Unpack(const std::string& data) {
  std::vector<double> values(data.size() / sizeof(T));
  for (size_t value_idx = 0; value_idx < values.size(); ++value_idx) {
    T element;
    std::memcpy(&element, data.data() + value_idx * sizeof(T), sizeof(T));
    values[value_idx] = static_cast<double>(element);
  }
  return values;
}

void SetAttribute(const AttrSpec& attr, onnx::AttributeProto* proto) {
  proto->set_name(attr.name);
  switch (attr.kind) {
    case AttrSpec::Kind::kInt:
      proto->set_type(onnx::AttributeProto::INT);
      proto->set_i(attr.i);
      break;
    case AttrSpec::Kind::kFloat:
      proto->set_type(onnx::AttributeProto::FLOAT);
      proto->set_f(attr.f);
      break;
    case AttrSpec::Kind::kInts:
      proto->set_type(onnx::AttributeProto::INTS);
      for (int64_t value : attr.ints) proto->add_ints(value);
      break;
    case AttrSpec::Kind::kFloats:
      proto->set_type(onnx::AttributeProto::FLOATS);
      for (float value : attr.floats) proto->add_floats(value);
      break;
    case AttrSpec::Kind::kString:
      proto->set_type(onnx::AttributeProto::STRING);
      proto->set_s(attr.s);
      break;
  }
}

void SetTensorProto(const Tensor& tensor, onnx::TensorProto* proto) {
  proto->set_name(tensor.name);
  proto->set_data_type(static_cast<int32_t>(tensor.elem_type));
  for (int64_t dim : tensor.shape) proto->add_dims(dim);
  proto->set_raw_data(tensor.data);
}

void AddTypedValue(const Tensor& tensor, onnx::ValueInfoProto* value) {
  value->set_name(tensor.name);
  auto* tensor_type = value->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(static_cast<int32_t>(tensor.elem_type));
  auto* shape = tensor_type->mutable_shape();
  for (int64_t dim : tensor.shape) shape->add_dim()->set_dim_value(dim);
}

std::string AttrText(const AttrSpec& attr) {
  std::string text = attr.name + "=";
  switch (attr.kind) {
    case AttrSpec::Kind::kInt:
      return text + std::to_string(attr.i);
    case AttrSpec::Kind::kFloat: {
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "%g", attr.f);
      return text + buffer;
    }
    case AttrSpec::Kind::kInts:
      return text + FormatDims(attr.ints);
    case AttrSpec::Kind::kFloats: {
      std::string list;
      for (float value : attr.floats) {
        char buffer[32];
        std::snprintf(buffer, sizeof(buffer), "%g", value);
        list += std::string(list.empty() ? "" : ",") + buffer;
      }
      return text + "[" + list + "]";
    }
    case AttrSpec::Kind::kString:
      return text + attr.s;
  }
  return text;
}

}  // namespace

Tensor MakeTensor(const std::string& name, ElemType elem_type, std::vector<int64_t> shape,
                  const std::vector<double>& values) {
  Tensor tensor;
  tensor.name = name;
  tensor.elem_type = elem_type;
  tensor.shape = std::move(shape);
  switch (elem_type) {
    case ElemType::kFloat:
      Pack<float>(values, &tensor.data);
      break;
    case ElemType::kDouble:
      Pack<double>(values, &tensor.data);
      break;
    case ElemType::kInt8:
      Pack<int8_t>(values, &tensor.data);
      break;
    case ElemType::kUint8:
      Pack<uint8_t>(values, &tensor.data);
      break;
    case ElemType::kInt16:
      Pack<int16_t>(values, &tensor.data);
      break;
    case ElemType::kInt32:
      Pack<int32_t>(values, &tensor.data);
      break;
    case ElemType::kInt64:
      Pack<int64_t>(values, &tensor.data);
      break;
    case ElemType::kBool: {
      std::vector<double> bits(values.size());
      for (size_t value_idx = 0; value_idx < values.size(); ++value_idx)
        bits[value_idx] = values[value_idx] != 0 ? 1 : 0;
      Pack<uint8_t>(bits, &tensor.data);
      break;
    }
    default:
      break;  // not generated
  }
  return tensor;
}

std::vector<double> TensorValues(const Tensor& tensor) {
  switch (tensor.elem_type) {
    case ElemType::kFloat:
      return Unpack<float>(tensor.data);
    case ElemType::kDouble:
      return Unpack<double>(tensor.data);
    case ElemType::kInt8:
      return Unpack<int8_t>(tensor.data);
    case ElemType::kUint8:
      return Unpack<uint8_t>(tensor.data);
    case ElemType::kBool:
      return Unpack<uint8_t>(tensor.data);
    case ElemType::kInt16:
      return Unpack<int16_t>(tensor.data);
    case ElemType::kInt32:
      return Unpack<int32_t>(tensor.data);
    case ElemType::kInt64:
      return Unpack<int64_t>(tensor.data);
    default:
      return {};
  }
}

std::string ModelSpec::Describe() const {
  std::string text;
  if (nodes.size() == 1) {
    text = nodes[0].op_type;
    std::string attrs;
    for (const AttrSpec& attr : nodes[0].attrs) {
      attrs += (attrs.empty() ? "" : ",") + AttrText(attr);
    }
    // Small constant operands (pads, axes, k, ...) decide the behaviour as much as attributes.
    std::string constants;
    for (const Tensor& initializer : initializers) {
      if (initializer.ElementCount() > 8) continue;
      std::string values;
      for (double value : TensorValues(initializer)) {
        char buffer[32];
        std::snprintf(buffer, sizeof(buffer), "%g", value);
        values += std::string(values.empty() ? "" : ",") + buffer;
      }
      constants += (constants.empty() ? "" : ",") + initializer.name + "=[" + values + "]";
    }
    if (!constants.empty()) attrs += (attrs.empty() ? "" : "; ") + constants;
    if (!attrs.empty()) text += "(" + attrs + ")";
  } else {
    for (const NodeSpec& node : nodes) text += (text.empty() ? "" : ">") + node.op_type;
  }
  for (const Tensor& input : inputs) {
    text += " " + ElemTypeName(input.elem_type) + FormatDims(input.shape);
  }
  return text;
}

Result<std::string> BuildModel(const ModelSpec& spec) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("zooci-difftest");
  auto* import = model.add_opset_import();
  import->set_domain("");
  import->set_version(spec.opset);
  auto* graph = model.mutable_graph();
  graph->set_name("difftest");
  for (const Tensor& input : spec.inputs) AddTypedValue(input, graph->add_input());
  for (const Tensor& initializer : spec.initializers) {
    SetTensorProto(initializer, graph->add_initializer());
  }
  for (size_t node_idx = 0; node_idx < spec.nodes.size(); ++node_idx) {
    const NodeSpec& node = spec.nodes[node_idx];
    auto* proto = graph->add_node();
    proto->set_name(node.op_type + "_" + std::to_string(node_idx));
    proto->set_op_type(node.op_type);
    for (const std::string& input : node.inputs) proto->add_input(input);
    for (const std::string& output : node.outputs) proto->add_output(output);
    for (const AttrSpec& attr : node.attrs) SetAttribute(attr, proto->add_attribute());
  }
  try {
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception& error) {
    return Error(std::string("shape inference: ") + error.what());
  }
  for (const std::string& output : spec.outputs) {
    const onnx::ValueInfoProto* inferred = nullptr;
    for (const auto& value : graph->value_info()) {
      if (value.name() == output) inferred = &value;
    }
    for (const auto& value : graph->input()) {
      if (value.name() == output) inferred = &value;
    }
    if (inferred == nullptr || !inferred->type().has_tensor_type() ||
        inferred->type().tensor_type().elem_type() == 0) {
      return Error("shape inference gave no type for output '" + output + "'");
    }
    onnx::ValueInfoProto* declared = graph->add_output();
    *declared = *inferred;
    auto rank = spec.output_ranks.find(output);
    auto* tensor_type = declared->mutable_type()->mutable_tensor_type();
    if (!tensor_type->has_shape() && rank != spec.output_ranks.end()) {
      auto* shape = tensor_type->mutable_shape();
      for (int64_t dim_idx = 0; dim_idx < rank->second; ++dim_idx) shape->add_dim();
    }
  }
  graph->clear_value_info();
  std::string bytes;
  if (!model.SerializeToString(&bytes)) return Error("cannot serialize the model");
  return bytes;
}

}  // namespace zooci
