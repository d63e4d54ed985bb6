// TensorProto / SequenceProto / OptionalProto <-> Value.
#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <limits>

#include "onnx/onnx_io.h"
#include "onnx/proto_helpers.h"
#include "onnx/proto_parse.h"

namespace zooci {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 50;

template <typename Field>
Status CheckFieldCount(const Field& field, int64_t expected, const char* field_name) {
  if (field.size() != expected) {
    return Error(std::string(field_name) + " has " + std::to_string(field.size()) +
                 " values, the shape needs " + std::to_string(expected));
  }
  return OkStatus();
}

// Copies typed-field values into packed little-endian storage of `element_bytes` each
// (truncating wider ints: ONNX stores int8/int16/bool/float16 bit patterns in int32_data).
template <typename Field>
std::string PackField(const Field& field, size_t element_bytes) {
  std::string data(static_cast<size_t>(field.size()) * element_bytes, '\0');
  for (int value_idx = 0; value_idx < field.size(); ++value_idx) {
    auto element = field.Get(value_idx);
    std::memcpy(data.data() + static_cast<size_t>(value_idx) * element_bytes, &element,
                element_bytes);
  }
  return data;
}

}  // namespace

Result<int64_t> CheckedElementCount(const google::protobuf::RepeatedField<int64_t>& dims) {
  int64_t count = 1;
  for (int dim_idx = 0; dim_idx < dims.size(); ++dim_idx) {
    int64_t dim = dims.Get(dim_idx);
    if (dim < 0)
      return Error("dims[" + std::to_string(dim_idx) + "] is negative (" + std::to_string(dim) +
                   ")");
    if (dim != 0 && count > kMaxElements / dim) return Error("element count overflows");
    count *= dim;
  }
  return count;
}

uint64_t PackedBytes(ElemType type, int64_t count) {
  if (type == ElemType::kInt4 || type == ElemType::kUint4)
    return (static_cast<uint64_t>(count) + 1) / 2;
  return static_cast<uint64_t>(count) * ElemTypeSize(type);
}

Result<std::string> DecodeTypedPayload(const onnx::TensorProto& proto, ElemType type,
                                       int64_t count) {
  switch (type) {
    case ElemType::kFloat:
    case ElemType::kComplex64: {
      int64_t values = type == ElemType::kComplex64 ? 2 * count : count;
      ZC_RETURN_IF_ERROR(CheckFieldCount(proto.float_data(), values, "float_data"));
      return PackField(proto.float_data(), 4);
    }
    case ElemType::kDouble:
    case ElemType::kComplex128: {
      int64_t values = type == ElemType::kComplex128 ? 2 * count : count;
      ZC_RETURN_IF_ERROR(CheckFieldCount(proto.double_data(), values, "double_data"));
      return PackField(proto.double_data(), 8);
    }
    case ElemType::kInt64:
      ZC_RETURN_IF_ERROR(CheckFieldCount(proto.int64_data(), count, "int64_data"));
      return PackField(proto.int64_data(), 8);
    case ElemType::kUint32:
    case ElemType::kUint64:
      ZC_RETURN_IF_ERROR(CheckFieldCount(proto.uint64_data(), count, "uint64_data"));
      return PackField(proto.uint64_data(), ElemTypeSize(type));
    case ElemType::kInt4:
    case ElemType::kUint4: {
      int64_t packed = static_cast<int64_t>(PackedBytes(type, count));
      ZC_RETURN_IF_ERROR(CheckFieldCount(proto.int32_data(), packed, "int32_data"));
      return PackField(proto.int32_data(), 1);
    }
    default:  // int32 and every narrower type: bit patterns in int32_data
      ZC_RETURN_IF_ERROR(CheckFieldCount(proto.int32_data(), count, "int32_data"));
      return PackField(proto.int32_data(), ElemTypeSize(type));
  }
}

namespace {

// Consumes `proto`'s raw_data (moved into the tensor, not copied).
Result<Tensor> DecodeTensorProto(onnx::TensorProto& proto) {
  Tensor tensor;
  tensor.name = proto.name();
  tensor.elem_type = static_cast<ElemType>(proto.data_type());
  if (!IsKnownElemType(tensor.elem_type)) {
    return Error("tensor '" + proto.name() + "': unknown data_type " +
                 std::to_string(proto.data_type()));
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    return Error("tensor '" + proto.name() + "': external data is not supported in test data");
  }
  if (proto.has_segment())
    return Error("tensor '" + proto.name() + "': segmented tensors are not supported");
  auto count = CheckedElementCount(proto.dims());
  if (!count.ok()) return count.error().WithContext("tensor '" + proto.name() + "'");
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  auto context = "tensor '" + proto.name() + "' (" + ElemTypeName(tensor.elem_type) + ")";
  if (tensor.elem_type == ElemType::kString) {
    if (proto.has_raw_data()) return Error(context + ": raw_data is not allowed for strings");
    auto counted = CheckFieldCount(proto.string_data(), *count, "string_data");
    if (!counted.ok()) return counted.error().WithContext(context);
    tensor.strings.assign(proto.string_data().begin(), proto.string_data().end());
    return tensor;
  }
  if (proto.has_raw_data()) {
    uint64_t expected = PackedBytes(tensor.elem_type, *count);
    if (proto.raw_data().size() != expected) {
      return Error(context + ": raw_data has " + std::to_string(proto.raw_data().size()) +
                   " bytes, the shape needs " + std::to_string(expected));
    }
    tensor.data = std::move(*proto.mutable_raw_data());
    return tensor;
  }
  auto payload = DecodeTypedPayload(proto, tensor.elem_type, *count);
  if (!payload.ok()) return payload.error().WithContext(context);
  tensor.data = std::move(*payload);
  return tensor;
}

Result<Value> DecodeSequenceProto(onnx::SequenceProto& proto);
Result<Value> DecodeOptionalProto(onnx::OptionalProto& proto);

Result<Value> DecodeSequenceProto(onnx::SequenceProto& proto) {
  Value value;
  value.kind = ValueKind::kSequence;
  value.name = proto.name();
  value.declared_elem_kind = proto.elem_type();
  switch (proto.elem_type()) {
    case onnx::SequenceProto::TENSOR:
      for (auto& element : *proto.mutable_tensor_values()) {
        ZC_ASSIGN_OR_RETURN(Tensor tensor, DecodeTensorProto(element));
        value.elements.push_back(Value::FromTensor(std::move(tensor)));
      }
      return value;
    case onnx::SequenceProto::SEQUENCE:
      for (auto& element : *proto.mutable_sequence_values()) {
        ZC_ASSIGN_OR_RETURN(Value inner, DecodeSequenceProto(element));
        value.elements.push_back(std::move(inner));
      }
      return value;
    case onnx::SequenceProto::OPTIONAL:
      for (auto& element : *proto.mutable_optional_values()) {
        ZC_ASSIGN_OR_RETURN(Value inner, DecodeOptionalProto(element));
        value.elements.push_back(std::move(inner));
      }
      return value;
    default:
      return Error("sequence '" + proto.name() + "': elem_type " +
                   std::to_string(proto.elem_type()) +
                   " is not supported (tensor, sequence and optional elements are)");
  }
}

Result<Value> DecodeOptionalProto(onnx::OptionalProto& proto) {
  Value value;
  value.kind = ValueKind::kOptional;
  value.name = proto.name();
  value.declared_elem_kind = proto.elem_type();
  if (proto.has_tensor_value()) {
    ZC_ASSIGN_OR_RETURN(Tensor tensor, DecodeTensorProto(*proto.mutable_tensor_value()));
    value.elements.push_back(Value::FromTensor(std::move(tensor)));
  } else if (proto.has_sequence_value()) {
    ZC_ASSIGN_OR_RETURN(Value inner, DecodeSequenceProto(*proto.mutable_sequence_value()));
    value.elements.push_back(std::move(inner));
  } else if (proto.has_optional_value()) {
    ZC_ASSIGN_OR_RETURN(Value inner, DecodeOptionalProto(*proto.mutable_optional_value()));
    value.elements.push_back(std::move(inner));
  } else if (proto.has_map_value() || proto.has_sparse_tensor_value()) {
    return Error("optional '" + proto.name() + "': map and sparse tensor values are not supported");
  }
  return value;
}

void EncodeTensorProto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(static_cast<int32_t>(tensor.elem_type));
  for (int64_t dim : tensor.shape) proto->add_dims(dim);
  if (tensor.elem_type == ElemType::kString) {
    for (const std::string& element : tensor.strings) proto->add_string_data(element);
  } else {
    proto->set_raw_data(tensor.data);
  }
}

Status EncodeSequenceProto(const Value& value, onnx::SequenceProto* proto);
Status EncodeOptionalProto(const Value& value, onnx::OptionalProto* proto);

int32_t ElemKindOf(const Value& value) {
  switch (value.kind) {
    case ValueKind::kTensor:
      return onnx::SequenceProto::TENSOR;
    case ValueKind::kSequence:
      return onnx::SequenceProto::SEQUENCE;
    case ValueKind::kOptional:
      return onnx::SequenceProto::OPTIONAL;
  }
  return 0;
}

Status EncodeSequenceProto(const Value& value, onnx::SequenceProto* proto) {
  proto->set_name(value.name);
  int32_t elem_kind =
      value.elements.empty() ? value.declared_elem_kind : ElemKindOf(value.elements.front());
  proto->set_elem_type(elem_kind == 0 ? onnx::SequenceProto::TENSOR : elem_kind);
  for (const Value& element : value.elements) {
    if (ElemKindOf(element) != proto->elem_type())
      return Error("sequence '" + value.name + "' mixes element kinds");
    if (element.kind == ValueKind::kTensor)
      EncodeTensorProto(element.tensor, element.tensor.name, proto->add_tensor_values());
    if (element.kind == ValueKind::kSequence)
      ZC_RETURN_IF_ERROR(EncodeSequenceProto(element, proto->add_sequence_values()));
    if (element.kind == ValueKind::kOptional)
      ZC_RETURN_IF_ERROR(EncodeOptionalProto(element, proto->add_optional_values()));
  }
  return OkStatus();
}

Status EncodeOptionalProto(const Value& value, onnx::OptionalProto* proto) {
  proto->set_name(value.name);
  if (value.elements.empty()) {
    proto->set_elem_type(value.declared_elem_kind);
    return OkStatus();
  }
  const Value& inner = value.elements.front();
  proto->set_elem_type(ElemKindOf(inner));
  if (inner.kind == ValueKind::kTensor)
    EncodeTensorProto(inner.tensor, inner.tensor.name, proto->mutable_tensor_value());
  if (inner.kind == ValueKind::kSequence)
    return EncodeSequenceProto(inner, proto->mutable_sequence_value());
  if (inner.kind == ValueKind::kOptional)
    return EncodeOptionalProto(inner, proto->mutable_optional_value());
  return OkStatus();
}

}  // namespace

Result<Value> DecodeValue(std::string_view bytes, ValueKind kind) {
  switch (kind) {
    case ValueKind::kTensor: {
      onnx::TensorProto proto;
      ZC_RETURN_IF_ERROR(ParseProtoBytes(bytes, &proto, "TensorProto"));
      ZC_ASSIGN_OR_RETURN(Tensor tensor, DecodeTensorProto(proto));
      return Value::FromTensor(std::move(tensor));
    }
    case ValueKind::kSequence: {
      onnx::SequenceProto proto;
      ZC_RETURN_IF_ERROR(ParseProtoBytes(bytes, &proto, "SequenceProto"));
      return DecodeSequenceProto(proto);
    }
    case ValueKind::kOptional: {
      onnx::OptionalProto proto;
      ZC_RETURN_IF_ERROR(ParseProtoBytes(bytes, &proto, "OptionalProto"));
      return DecodeOptionalProto(proto);
    }
  }
  return Error("unknown value kind");
}

Result<std::string> EncodeValue(const Value& value) {
  std::string bytes;
  switch (value.kind) {
    case ValueKind::kTensor: {
      onnx::TensorProto proto;
      EncodeTensorProto(value.tensor, value.name.empty() ? value.tensor.name : value.name, &proto);
      proto.SerializeToString(&bytes);
      return bytes;
    }
    case ValueKind::kSequence: {
      onnx::SequenceProto proto;
      ZC_RETURN_IF_ERROR(EncodeSequenceProto(value, &proto));
      proto.SerializeToString(&bytes);
      return bytes;
    }
    case ValueKind::kOptional: {
      onnx::OptionalProto proto;
      ZC_RETURN_IF_ERROR(EncodeOptionalProto(value, &proto));
      proto.SerializeToString(&bytes);
      return bytes;
    }
  }
  return Error("unknown value kind");
}

Result<Value> ReadValueFile(const fs::path& path, ValueKind kind) {
  ZC_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path).WithContext("read"));
  return DecodeValue(bytes, kind).WithContext(path.filename().string());
}

}  // namespace zooci
