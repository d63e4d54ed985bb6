// ModelProto header information: IR version, opsets, graph inputs and outputs.
#include <algorithm>
#include <onnx/onnx_pb.h>

#include <set>

#include "onnx/onnx_io.h"
#include "onnx/proto_helpers.h"
#include "onnx/proto_parse.h"

namespace zooci {
namespace {

std::string DescribeShape(const onnx::TensorShapeProto& shape) {
  std::string text = "[";
  for (int dim_idx = 0; dim_idx < shape.dim_size(); ++dim_idx) {
    if (dim_idx > 0) text += ",";
    const auto& dim = shape.dim(dim_idx);
    if (dim.has_dim_value()) {
      text += std::to_string(dim.dim_value());
    } else if (dim.has_dim_param()) {
      text += dim.dim_param();
    } else {
      text += "?";
    }
  }
  return text + "]";
}

// Describes `type` and fills kind/elem_type/supported of `info`. Bounded by protobuf's
// recursion limit at parse time.
std::string DescribeType(const onnx::TypeProto& type, ValueInfo* info, bool outermost) {
  switch (type.value_case()) {
    case onnx::TypeProto::kTensorType: {
      const auto& tensor = type.tensor_type();
      auto elem_type = static_cast<ElemType>(tensor.elem_type());
      if (outermost) {
        info->kind = ValueKind::kTensor;
        info->has_shape = tensor.has_shape();
        for (const auto& dim : tensor.shape().dim()) {
          info->shape.push_back({dim.has_dim_value() ? dim.dim_value() : -1, dim.dim_param()});
        }
      }
      info->elem_type = elem_type;
      std::string text = "tensor(" + ElemTypeName(elem_type) + ")";
      return tensor.has_shape() ? text + DescribeShape(tensor.shape()) : text;
    }
    case onnx::TypeProto::kSequenceType:
      if (outermost) info->kind = ValueKind::kSequence;
      return "seq(" + DescribeType(type.sequence_type().elem_type(), info, false) + ")";
    case onnx::TypeProto::kOptionalType:
      if (outermost) info->kind = ValueKind::kOptional;
      return "optional(" + DescribeType(type.optional_type().elem_type(), info, false) + ")";
    case onnx::TypeProto::kMapType:
      info->supported = false;
      return "map(" + ElemTypeName(static_cast<ElemType>(type.map_type().key_type())) + "," +
             DescribeType(type.map_type().value_type(), info, false) + ")";
    case onnx::TypeProto::kSparseTensorType:
      info->supported = false;
      return "sparse_tensor(" +
             ElemTypeName(static_cast<ElemType>(type.sparse_tensor_type().elem_type())) + ")";
    case onnx::TypeProto::kOpaqueType:
      info->supported = false;
      return "opaque(" + type.opaque_type().name() + ")";
    default:
      info->supported = false;
      return "undefined";
  }
}

ValueInfo ToValueInfo(const onnx::ValueInfoProto& proto) {
  ValueInfo info;
  info.name = proto.name();
  info.type_description = DescribeType(proto.type(), &info, /*outermost=*/true);
  return info;
}

}  // namespace

std::string DescribeTypeProto(const onnx::TypeProto& type) {
  ValueInfo scratch;
  return DescribeType(type, &scratch, /*outermost=*/true);
}

Result<ModelInfo> ReadModelInfo(const fs::path& path, const ModelLoadLimits& limits) {
  auto context = "model " + path.string();
  auto bytes = ReadFile(path, limits.max_file_bytes);
  if (!bytes.ok()) return bytes.error().WithContext(context);
  onnx::ModelProto model;
  Status parsed = ParseProtoBytes(*bytes, &model, "ModelProto", limits.max_recursion_depth);
  if (!parsed.ok()) return parsed.error().WithContext(context);
  if (!model.has_graph()) return Error(context + ": the model has no graph");

  ModelInfo info;
  info.ir_version = model.ir_version();
  info.producer_name = model.producer_name();
  info.producer_version = model.producer_version();
  for (const auto& opset : model.opset_import())
    info.opset_import[opset.domain()] = opset.version();

  // Before IR 4 initializers are also listed as graph inputs; they are not fed by test data.
  std::set<std::string> initializer_names;
  for (const auto& initializer : model.graph().initializer()) {
    initializer_names.insert(initializer.name());
    if (initializer.data_location() != onnx::TensorProto::EXTERNAL) continue;
    for (const auto& entry : initializer.external_data()) {
      if (entry.key() != "location") continue;
      auto& locations = info.external_data_locations;
      if (std::find(locations.begin(), locations.end(), entry.value()) == locations.end()) {
        locations.push_back(entry.value());
      }
    }
  }
  for (const auto& input : model.graph().input()) {
    if (initializer_names.count(input.name()) > 0) continue;
    info.inputs.push_back(ToValueInfo(input));
  }
  for (const auto& output : model.graph().output()) info.outputs.push_back(ToValueInfo(output));
  for (const auto& node : model.graph().node()) {
    bool default_domain = node.domain().empty() || node.domain() == "ai.onnx";
    std::string op = default_domain ? node.op_type() : node.domain() + "." + node.op_type();
    if (std::find(info.operators.begin(), info.operators.end(), op) == info.operators.end())
      info.operators.push_back(std::move(op));
  }
  return info;
}

}  // namespace zooci
