// Element-type tables and value descriptions.
#include <string>

#include "onnx/onnx_io.h"

namespace zooci {
namespace {

struct ElemTypeRow {
  ElemType type;
  const char* name;
  size_t size;  // bytes per element; 0 = not fixed-size
  bool floating;
};

constexpr ElemTypeRow kElemTypes[] = {
    {ElemType::kUndefined, "undefined", 0, false},
    {ElemType::kFloat, "float", 4, true},
    {ElemType::kUint8, "uint8", 1, false},
    {ElemType::kInt8, "int8", 1, false},
    {ElemType::kUint16, "uint16", 2, false},
    {ElemType::kInt16, "int16", 2, false},
    {ElemType::kInt32, "int32", 4, false},
    {ElemType::kInt64, "int64", 8, false},
    {ElemType::kString, "string", 0, false},
    {ElemType::kBool, "bool", 1, false},
    {ElemType::kFloat16, "float16", 2, true},
    {ElemType::kDouble, "double", 8, true},
    {ElemType::kUint32, "uint32", 4, false},
    {ElemType::kUint64, "uint64", 8, false},
    {ElemType::kComplex64, "complex64", 8, true},
    {ElemType::kComplex128, "complex128", 16, true},
    {ElemType::kBfloat16, "bfloat16", 2, true},
    {ElemType::kFloat8E4M3FN, "float8e4m3fn", 1, true},
    {ElemType::kFloat8E4M3FNUZ, "float8e4m3fnuz", 1, true},
    {ElemType::kFloat8E5M2, "float8e5m2", 1, true},
    {ElemType::kFloat8E5M2FNUZ, "float8e5m2fnuz", 1, true},
    {ElemType::kUint4, "uint4", 0, false},
    {ElemType::kInt4, "int4", 0, false},
};

const ElemTypeRow* FindRow(ElemType type) {
  for (const ElemTypeRow& row : kElemTypes) {
    if (row.type == type) return &row;
  }
  return nullptr;
}

}  // namespace

std::string FormatDims(const std::vector<int64_t>& dims) {
  std::string text = "[";
  for (size_t dim_idx = 0; dim_idx < dims.size(); ++dim_idx) {
    if (dim_idx > 0) text += ",";
    text += std::to_string(dims[dim_idx]);
  }
  return text + "]";
}

std::string ElemTypeName(ElemType type) {
  const ElemTypeRow* row = FindRow(type);
  if (row == nullptr) return "elem_type(" + std::to_string(static_cast<int32_t>(type)) + ")";
  return row->name;
}

size_t ElemTypeSize(ElemType type) {
  const ElemTypeRow* row = FindRow(type);
  return row == nullptr ? 0 : row->size;
}

bool IsFloatingPoint(ElemType type) {
  const ElemTypeRow* row = FindRow(type);
  return row != nullptr && row->floating;
}

bool IsKnownElemType(ElemType type) {
  return FindRow(type) != nullptr && type != ElemType::kUndefined;
}

int64_t Tensor::ElementCount() const {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

std::string ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kTensor:
      return "tensor";
    case ValueKind::kSequence:
      return "sequence";
    case ValueKind::kOptional:
      return "optional";
  }
  return "unknown";
}

Value Value::FromTensor(Tensor tensor) {
  Value value;
  value.kind = ValueKind::kTensor;
  value.name = tensor.name;
  value.tensor = std::move(tensor);
  return value;
}

std::string Value::Describe() const {
  switch (kind) {
    case ValueKind::kTensor:
      return ElemTypeName(tensor.elem_type) + FormatDims(tensor.shape);
    case ValueKind::kSequence: {
      std::string inner = elements.empty() ? "?" : elements.front().Describe();
      return "seq<" + inner + ">(" + std::to_string(elements.size()) + ")";
    }
    case ValueKind::kOptional:
      return elements.empty() ? "optional(none)" : "optional(" + elements.front().Describe() + ")";
  }
  return "unknown";
}

}  // namespace zooci
