// Array: elements as double, rounding to element types, and conversion from and to the packed
// little-endian tensors of the onnx module.
#include <cmath>
#include <cstring>
#include <limits>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// An IEEE-754 binary format narrower than double: `mantissa_bits` stored fraction bits, normal
// exponents down to `min_exponent`, largest finite value `max_finite`.
struct FloatFormat {
  int mantissa_bits;
  int min_exponent;
  double max_finite;
};
constexpr FloatFormat kHalf{10, -14, 65504.0};
constexpr FloatFormat kBfloat16{7, -126, 3.3895313892515355e38};

// Rounds `value` to the nearest number of `format`, ties to even (the default rounding mode of
// std::nearbyint), overflowing to infinity and underflowing through subnormals to zero.
double RoundToFormat(double value, const FloatFormat& format) {
  if (!std::isfinite(value) || value == 0.0) return value;
  int exponent = 0;
  std::frexp(std::fabs(value), &exponent);  // |value| = m * 2^exponent, m in [0.5, 1)
  const int unit_exponent = std::max(exponent - 1, format.min_exponent) - format.mantissa_bits;
  const double quantum = std::ldexp(1.0, unit_exponent);
  const double rounded = std::nearbyint(value / quantum) * quantum;
  if (std::fabs(rounded) > format.max_finite) return std::copysign(HUGE_VAL, value);
  return rounded;
}

uint16_t HalfBits(double value) {
  value = RoundToFormat(value, kHalf);
  const uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  const double magnitude = std::fabs(value);
  if (std::isnan(value)) return 0x7e00;
  if (std::isinf(value)) return sign | 0x7c00;
  if (magnitude < std::ldexp(1.0, -14)) {  // subnormal: multiples of 2^-24
    return sign | static_cast<uint16_t>(magnitude * std::ldexp(1.0, 24));
  }
  int exponent = 0;
  const double fraction = std::frexp(magnitude, &exponent);  // [0.5, 1)
  const auto mantissa = static_cast<uint16_t>((fraction * 2.0 - 1.0) * 1024.0);
  return sign | static_cast<uint16_t>((exponent - 1 + 15) << 10) | mantissa;
}

double HalfValue(uint16_t bits) {
  const double sign = (bits & 0x8000) ? -1.0 : 1.0;
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  if (exponent == 0x1f) return mantissa ? std::nan("") : sign * HUGE_VAL;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

uint16_t Bfloat16Bits(double value) {
  if (std::isnan(value)) return 0x7fc0;
  const auto rounded = static_cast<float>(RoundToFormat(value, kBfloat16));
  uint32_t bits = 0;
  std::memcpy(&bits, &rounded, sizeof(bits));
  return static_cast<uint16_t>(bits >> 16);
}

double Bfloat16Value(uint16_t bits) {
  const uint32_t wide = uint32_t{bits} << 16;
  float value = 0;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

// Integers: truncated, then wrapped modulo 2^bits (as C++ conversions do); the 64-bit types,
// which a double cannot exceed without losing the value anyway, saturate.
template <typename Int>
double WrapInteger(double value) {
  if (std::isnan(value)) return 0.0;
  const double truncated = std::trunc(value);
  if constexpr (sizeof(Int) == 8) {
    if (truncated <= static_cast<double>(std::numeric_limits<Int>::min()))
      return static_cast<double>(std::numeric_limits<Int>::min());
    if (truncated >= static_cast<double>(std::numeric_limits<Int>::max()))
      return static_cast<double>(std::numeric_limits<Int>::max());
    return truncated;
  } else {
    const int64_t whole = ToInt(truncated);
    return static_cast<double>(static_cast<Int>(static_cast<uint64_t>(whole)));
  }
}

template <typename Element>
void Unpack(const std::string& data, std::vector<double>& values) {
  values.resize(data.size() / sizeof(Element));
  for (size_t idx = 0; idx < values.size(); ++idx) {
    Element element;
    std::memcpy(&element, data.data() + idx * sizeof(Element), sizeof(Element));
    values[idx] = static_cast<double>(element);
  }
}

template <typename Element>
void Pack(const std::vector<double>& values, std::string& data) {
  data.resize(values.size() * sizeof(Element));
  for (size_t idx = 0; idx < values.size(); ++idx) {
    Element element;
    if constexpr (std::is_integral_v<Element>) {
      element = static_cast<Element>(WrapInteger<Element>(values[idx]));
    } else {
      element = static_cast<Element>(values[idx]);
    }
    std::memcpy(data.data() + idx * sizeof(Element), &element, sizeof(Element));
  }
}

}  // namespace

int64_t Array::size() const {
  return ShapeSize(shape);
}

int64_t ShapeSize(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

std::vector<int64_t> Strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t axis = static_cast<int64_t>(shape.size()) - 2; axis >= 0; --axis)
    strides[axis] = strides[axis + 1] * shape[axis + 1];
  return strides;
}

Array MakeArray(ElemType type, Shape shape) {
  Array array;
  array.type = type;
  array.shape = std::move(shape);
  if (type == ElemType::kString) {
    array.strings.assign(static_cast<size_t>(array.size()), std::string());
  } else {
    array.values.assign(static_cast<size_t>(array.size()), 0.0);
  }
  return array;
}

Array Scalar(ElemType type, double value) {
  Array array = MakeArray(type, {});
  array.values[0] = value;
  return array;
}

int64_t ToInt(double value) {
  if (std::isnan(value)) return 0;
  if (value >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (value <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

std::vector<int64_t> ToInts(const Array& array) {
  std::vector<int64_t> ints;
  ints.reserve(array.values.size());
  for (double value : array.values) ints.push_back(ToInt(value));
  return ints;
}

Array FromInts(const std::vector<int64_t>& values, bool as_vector) {
  Array array =
      MakeArray(ElemType::kInt64, as_vector ? Shape{static_cast<int64_t>(values.size())} : Shape{});
  for (size_t idx = 0; idx < values.size() && idx < array.values.size(); ++idx)
    array.values[idx] = static_cast<double>(values[idx]);
  return array;
}

double RoundToType(ElemType type, double value) {
  switch (type) {
    case ElemType::kFloat:
      return static_cast<float>(value);
    case ElemType::kDouble:
      return value;
    case ElemType::kFloat16:
      return RoundToFormat(value, kHalf);
    case ElemType::kBfloat16:
      return RoundToFormat(value, kBfloat16);
    case ElemType::kBool:
      return value != 0.0 ? 1.0 : 0.0;
    case ElemType::kInt8:
      return WrapInteger<int8_t>(value);
    case ElemType::kUint8:
      return WrapInteger<uint8_t>(value);
    case ElemType::kInt16:
      return WrapInteger<int16_t>(value);
    case ElemType::kUint16:
      return WrapInteger<uint16_t>(value);
    case ElemType::kInt32:
      return WrapInteger<int32_t>(value);
    case ElemType::kUint32:
      return WrapInteger<uint32_t>(value);
    case ElemType::kInt64:
      return WrapInteger<int64_t>(value);
    case ElemType::kUint64:
      return WrapInteger<uint64_t>(value);
    default:
      return value;
  }
}

void RoundToType(Array& array) {
  if (array.type == ElemType::kDouble || array.is_string()) return;
  for (double& value : array.values) value = RoundToType(array.type, value);
}

Result<Array> ArrayFromTensor(const Tensor& tensor) {
  Array array;
  array.type = tensor.elem_type;
  array.shape = tensor.shape;
  const std::string& data = tensor.data;
  switch (tensor.elem_type) {
    case ElemType::kFloat:
      Unpack<float>(data, array.values);
      break;
    case ElemType::kDouble:
      Unpack<double>(data, array.values);
      break;
    case ElemType::kInt8:
      Unpack<int8_t>(data, array.values);
      break;
    case ElemType::kUint8:
      Unpack<uint8_t>(data, array.values);
      break;
    case ElemType::kBool:
      Unpack<uint8_t>(data, array.values);
      break;
    case ElemType::kInt16:
      Unpack<int16_t>(data, array.values);
      break;
    case ElemType::kUint16:
      Unpack<uint16_t>(data, array.values);
      break;
    case ElemType::kInt32:
      Unpack<int32_t>(data, array.values);
      break;
    case ElemType::kUint32:
      Unpack<uint32_t>(data, array.values);
      break;
    case ElemType::kInt64:
      Unpack<int64_t>(data, array.values);
      break;
    case ElemType::kUint64:
      Unpack<uint64_t>(data, array.values);
      break;
    case ElemType::kFloat16:
    case ElemType::kBfloat16: {
      std::vector<double> bits;
      Unpack<uint16_t>(data, bits);
      array.values.resize(bits.size());
      for (size_t idx = 0; idx < bits.size(); ++idx) {
        const auto word = static_cast<uint16_t>(bits[idx]);
        array.values[idx] =
            tensor.elem_type == ElemType::kFloat16 ? HalfValue(word) : Bfloat16Value(word);
      }
      break;
    }
    case ElemType::kString:
      array.strings = tensor.strings;
      break;
    default:
      return Error("element type " + ElemTypeName(tensor.elem_type) + " not supported");
  }
  if (!array.is_string()) RoundToType(array);  // bool bytes other than 0/1
  if (static_cast<int64_t>(array.is_string() ? array.strings.size() : array.values.size()) !=
      array.size()) {
    return Error("tensor '" + tensor.name + "' holds fewer elements than its shape");
  }
  return array;
}

Result<Tensor> TensorFromArray(const Array& array, const std::string& name) {
  Tensor tensor;
  tensor.name = name;
  tensor.elem_type = array.type;
  tensor.shape = array.shape;
  switch (array.type) {
    case ElemType::kFloat:
      Pack<float>(array.values, tensor.data);
      break;
    case ElemType::kDouble:
      Pack<double>(array.values, tensor.data);
      break;
    case ElemType::kInt8:
      Pack<int8_t>(array.values, tensor.data);
      break;
    case ElemType::kUint8:
      Pack<uint8_t>(array.values, tensor.data);
      break;
    case ElemType::kBool:
      Pack<uint8_t>(array.values, tensor.data);
      break;
    case ElemType::kInt16:
      Pack<int16_t>(array.values, tensor.data);
      break;
    case ElemType::kUint16:
      Pack<uint16_t>(array.values, tensor.data);
      break;
    case ElemType::kInt32:
      Pack<int32_t>(array.values, tensor.data);
      break;
    case ElemType::kUint32:
      Pack<uint32_t>(array.values, tensor.data);
      break;
    case ElemType::kInt64:
      Pack<int64_t>(array.values, tensor.data);
      break;
    case ElemType::kUint64:
      Pack<uint64_t>(array.values, tensor.data);
      break;
    case ElemType::kFloat16:
    case ElemType::kBfloat16: {
      std::vector<double> bits(array.values.size());
      for (size_t idx = 0; idx < bits.size(); ++idx) {
        bits[idx] = array.type == ElemType::kFloat16 ? HalfBits(array.values[idx])
                                                     : Bfloat16Bits(array.values[idx]);
      }
      Pack<uint16_t>(bits, tensor.data);
      break;
    }
    case ElemType::kString:
      tensor.strings = array.strings;
      break;
    default:
      return Error("element type " + ElemTypeName(array.type) + " not supported");
  }
  return tensor;
}

Item Item::Sequence(std::vector<Item> elements, ElemType elem_type) {
  Item item;
  item.kind = ValueKind::kSequence;
  item.elements = std::move(elements);
  item.elem_type = elem_type;
  return item;
}

Item Item::Optional(std::optional<Item> element) {
  Item item;
  item.kind = ValueKind::kOptional;
  if (element) item.elements.push_back(std::move(*element));
  return item;
}

Result<Item> ItemFromValue(const Value& value) {
  if (value.kind == ValueKind::kTensor) {
    ZC_ASSIGN_OR_RETURN(Array array, ArrayFromTensor(value.tensor));
    return Item(std::move(array));
  }
  Item item;
  item.kind = value.kind;
  item.declared_elem_kind = value.declared_elem_kind;
  for (const Value& element : value.elements) {
    ZC_ASSIGN_OR_RETURN(Item inner, ItemFromValue(element));
    item.elements.push_back(std::move(inner));
  }
  return item;
}

Result<Value> ValueFromItem(const Item& item, const std::string& name) {
  Value value;
  value.kind = item.kind;
  value.name = name;
  if (item.kind == ValueKind::kTensor) {
    ZC_ASSIGN_OR_RETURN(value.tensor, TensorFromArray(item.array, name));
    return value;
  }
  value.declared_elem_kind = item.declared_elem_kind;
  for (const Item& element : item.elements) {
    ZC_ASSIGN_OR_RETURN(Value inner, ValueFromItem(element, ""));
    value.elements.push_back(std::move(inner));
  }
  return value;
}

}  // namespace zooci::reference
