// compare: element-wise comparison of an expected and an actual Value (contract in compare.h).
//
// Payloads are packed little-endian (onnx_io.h) and read with memcpy; this file assumes a
// little-endian host. No element is read before its tensor's payload size has been checked
// against the shape, so corrupt values give a structure error instead of an out-of-bounds read.
#include "compare/compare.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace zooci {
namespace {

static_assert(std::endian::native == std::endian::little, "payloads are read as little-endian");

// ---- Shapes, indices and paths -----------------------------------------------------------------

// Row-major multi-dimensional index of `flat_index` in `shape` (empty for a scalar). Requires
// 0 <= flat_index < product(shape).
std::vector<int64_t> UnflattenIndex(int64_t flat_index, const std::vector<int64_t>& shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t dim_idx = shape.size(); dim_idx-- > 0;) {
    index[dim_idx] = flat_index % shape[dim_idx];
    flat_index /= shape[dim_idx];
  }
  return index;
}

// "message" at top level, "[1][0]: message" inside sequences.
std::string AtPath(const std::string& path, const std::string& message) {
  return path.empty() ? message : path + ": " + message;
}

// ---- Decoding and formatting elements ----------------------------------------------------------

template <typename T>
T Load(const char* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

// IEEE 754 binary16 to binary32. Exact for every input: normals, subnormals, signed zeros,
// infinities and NaNs (the payload is kept in the top mantissa bits).
float HalfToFloat(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000) << 16;
  const uint32_t exponent = (half >> 10) & 0x1F;
  const uint32_t mantissa = half & 0x3FF;
  if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  if (exponent != 0) {  // normal: rebias the exponent from 15 to 127
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
  // Zero or subnormal: mantissa * 2^-24, exactly representable as a float.
  const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  return sign != 0 ? -magnitude : magnitude;
}

// bfloat16 is the upper half of a binary32.
float Bfloat16ToFloat(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

// Shortest text that reads back as the same value in T's precision, so two different elements
// never print alike (at most 9 significant digits for float, 17 for double). "inf", "-inf", "nan".
template <typename T>
std::string FormatShortest(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<T>(value));
  return std::string(buffer, result.ptr);
}

// How to read and print the real numbers that make up a floating-point element.
struct RealLayout {
  size_t part_bytes;
  int parts_per_element;  // 1 for real types; 2 (real, imaginary) for complex types
  double (*decode)(const char* bytes);
  std::string (*format)(double value);
};

// The layout of a type compared within tolerance; nullopt for types compared exactly.
std::optional<RealLayout> RealLayoutFor(ElemType type) {
  constexpr auto kFloat = [](const char* bytes) -> double { return Load<float>(bytes); };
  constexpr auto kDouble = [](const char* bytes) { return Load<double>(bytes); };
  constexpr auto kHalf = [](const char* bytes) -> double {
    return HalfToFloat(Load<uint16_t>(bytes));
  };
  constexpr auto kBfloat16 = [](const char* bytes) -> double {
    return Bfloat16ToFloat(Load<uint16_t>(bytes));
  };
  switch (type) {
    case ElemType::kFloat:
      return RealLayout{4, 1, kFloat, FormatShortest<float>};
    case ElemType::kDouble:
      return RealLayout{8, 1, kDouble, FormatShortest<double>};
    case ElemType::kFloat16:
      return RealLayout{2, 1, kHalf, FormatShortest<float>};
    case ElemType::kBfloat16:
      return RealLayout{2, 1, kBfloat16, FormatShortest<float>};
    case ElemType::kComplex64:
      return RealLayout{4, 2, kFloat, FormatShortest<float>};
    case ElemType::kComplex128:
      return RealLayout{8, 2, kDouble, FormatShortest<double>};
    default:
      return std::nullopt;
  }
}

// Formats one element of a fixed-size type compared byte-exactly. Bools that are neither 0 nor
// 1, and float8 elements, print as their raw byte.
std::string FormatExactElement(ElemType type, const char* bytes) {
  switch (type) {
    case ElemType::kInt8:
      return std::to_string(Load<int8_t>(bytes));
    case ElemType::kUint8:
      return std::to_string(Load<uint8_t>(bytes));
    case ElemType::kInt16:
      return std::to_string(Load<int16_t>(bytes));
    case ElemType::kUint16:
      return std::to_string(Load<uint16_t>(bytes));
    case ElemType::kInt32:
      return std::to_string(Load<int32_t>(bytes));
    case ElemType::kUint32:
      return std::to_string(Load<uint32_t>(bytes));
    case ElemType::kInt64:
      return std::to_string(Load<int64_t>(bytes));
    case ElemType::kUint64:
      return std::to_string(Load<uint64_t>(bytes));
    default:
      break;
  }
  const auto byte = Load<uint8_t>(bytes);
  if (type == ElemType::kBool && byte <= 1) return byte == 1 ? "true" : "false";
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02x", static_cast<unsigned>(byte));
  return buffer;
}

// Double-quoted, with quotes, backslashes and non-printable bytes escaped.
std::string QuoteString(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    char escaped[8] = {c, '\0'};
    if (c == '"' || c == '\\') {
      std::snprintf(escaped, sizeof escaped, "\\%c", c);
    } else if (byte < 0x20 || byte >= 0x7F) {
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(byte));
    }
    quoted += escaped;
  }
  return quoted + "\"";
}

// ---- Accumulating results ----------------------------------------------------------------------

// Running totals of one CompareValues call, across all tensors of a sequence.
struct Accumulator {
  Tolerance tolerance;
  int64_t elements = 0;
  int64_t mismatches = 0;
  double max_abs_error = 0;
  double max_rel_error = 0;
  std::optional<Mismatch> first_mismatch;
};

// Whether `actual` is within tolerance of `expected`; NaN matches only NaN, an infinity only
// the same infinity. Pairs of finite numbers are folded into the error maxima.
bool RealMatches(double expected, double actual, Accumulator* acc) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return expected == actual;
  const double abs_error = std::fabs(expected - actual);
  acc->max_abs_error = std::max(acc->max_abs_error, abs_error);
  if (expected != 0) {
    acc->max_rel_error = std::max(acc->max_rel_error, abs_error / std::fabs(expected));
  }
  return abs_error <= acc->tolerance.atol + acc->tolerance.rtol * std::fabs(expected);
}

// Counts the elements of `expected` (same shape as `actual`) at `path`, and as mismatches those
// for which `matches(flat_idx)` is false. `format_element(tensor, flat_idx)` is called for the
// first mismatch only, so a large failing tensor is not formatted in full.
template <typename Matches, typename FormatElement>
void CountMismatches(const Tensor& expected, const Tensor& actual, const std::string& path,
                     Matches matches, FormatElement format_element, Accumulator* acc) {
  const int64_t count = expected.ElementCount();
  for (int64_t flat_idx = 0; flat_idx < count; ++flat_idx) {
    if (matches(flat_idx)) continue;
    ++acc->mismatches;
    if (acc->first_mismatch) continue;
    acc->first_mismatch =
        Mismatch{UnflattenIndex(flat_idx, expected.shape), flat_idx, path,
                 format_element(expected, flat_idx), format_element(actual, flat_idx)};
  }
  acc->elements += count;
}

// ---- Element families (both payloads already checked against the common shape) ----------------

// float, double, float16, bfloat16 within tolerance; complex types part by part.
void CompareRealElements(const Tensor& expected, const Tensor& actual, const RealLayout& layout,
                         const std::string& path, Accumulator* acc) {
  const size_t element_bytes = layout.part_bytes * layout.parts_per_element;
  auto matches = [&](int64_t flat_idx) {
    bool all_parts_match = true;
    for (int part_idx = 0; part_idx < layout.parts_per_element; ++part_idx) {
      const size_t offset = flat_idx * element_bytes + part_idx * layout.part_bytes;
      // No short-circuit: the error maxima must see every part.
      all_parts_match &= RealMatches(layout.decode(expected.data.data() + offset),
                                     layout.decode(actual.data.data() + offset), acc);
    }
    return all_parts_match;
  };
  auto format = [&](const Tensor& tensor, int64_t flat_idx) {
    const char* bytes = tensor.data.data() + flat_idx * element_bytes;
    if (layout.parts_per_element == 1) return layout.format(layout.decode(bytes));
    return "(" + layout.format(layout.decode(bytes)) + "," +
           layout.format(layout.decode(bytes + layout.part_bytes)) + ")";
  };
  CountMismatches(expected, actual, path, matches, format, acc);
}

// Integers, bools and float8: equal iff the element's bytes are equal.
void CompareExactElements(const Tensor& expected, const Tensor& actual, const std::string& path,
                          Accumulator* acc) {
  const size_t element_bytes = ElemTypeSize(expected.elem_type);
  auto bytes = [&](const Tensor& tensor, int64_t flat_idx) {
    return tensor.data.data() + flat_idx * element_bytes;
  };
  auto matches = [&](int64_t flat_idx) {
    return std::memcmp(bytes(expected, flat_idx), bytes(actual, flat_idx), element_bytes) == 0;
  };
  auto format = [&](const Tensor& tensor, int64_t flat_idx) {
    return FormatExactElement(tensor.elem_type, bytes(tensor, flat_idx));
  };
  CountMismatches(expected, actual, path, matches, format, acc);
}

// int4/uint4: two elements per byte, the first in the low nibble; the padding nibble of an odd
// count is not compared.
void CompareNibbleElements(const Tensor& expected, const Tensor& actual, const std::string& path,
                           Accumulator* acc) {
  auto nibble = [](const Tensor& tensor, int64_t flat_idx) {
    const auto byte = static_cast<uint8_t>(tensor.data[flat_idx / 2]);
    return (flat_idx % 2 == 0) ? (byte & 0x0F) : (byte >> 4);
  };
  auto matches = [&](int64_t flat_idx) {
    return nibble(expected, flat_idx) == nibble(actual, flat_idx);
  };
  const bool is_signed = expected.elem_type == ElemType::kInt4;
  auto format = [&](const Tensor& tensor, int64_t flat_idx) {
    const int value = nibble(tensor, flat_idx);
    return std::to_string(is_signed && value >= 8 ? value - 16 : value);
  };
  CountMismatches(expected, actual, path, matches, format, acc);
}

void CompareStringElements(const Tensor& expected, const Tensor& actual, const std::string& path,
                           Accumulator* acc) {
  auto matches = [&](int64_t flat_idx) {
    return expected.strings[flat_idx] == actual.strings[flat_idx];
  };
  auto format = [](const Tensor& tensor, int64_t flat_idx) {
    return QuoteString(tensor.strings[flat_idx]);
  };
  CountMismatches(expected, actual, path, matches, format, acc);
}

// ---- Structure ---------------------------------------------------------------------------------

// Checks that the shape is valid and that the payload holds exactly that many elements of the
// type. Returns the structure error, "" when the payload may be read element-wise (and
// ElementCount() is exact). `side` is "expected" or "actual".
std::string CheckPayload(const Tensor& tensor, const char* side) {
  const std::string what =
      std::string(side) + " " + ElemTypeName(tensor.elem_type) + FormatDims(tensor.shape);
  int64_t elements = 1;
  for (const int64_t dim : tensor.shape) {
    if (dim < 0 || __builtin_mul_overflow(elements, dim, &elements)) {
      return "data: " + what + " has an invalid shape";
    }
  }
  uint64_t held = tensor.data.size();
  uint64_t needed = 0;
  const char* unit = "bytes";
  if (tensor.elem_type == ElemType::kString) {
    held = tensor.strings.size();
    needed = elements;
    unit = "strings";
  } else if (tensor.elem_type == ElemType::kInt4 || tensor.elem_type == ElemType::kUint4) {
    needed = elements / 2 + elements % 2;
  } else if (const uint64_t element_bytes = ElemTypeSize(tensor.elem_type); element_bytes == 0) {
    return "dtype: cannot compare elements of type " + ElemTypeName(tensor.elem_type);
  } else if (__builtin_mul_overflow(static_cast<uint64_t>(elements), element_bytes, &needed)) {
    return "data: " + what + " has an invalid shape";
  }
  if (held == needed) return "";
  return "data: " + what + " holds " + std::to_string(held) + " " + unit + ", needs " +
         std::to_string(needed);
}

// Compares two tensors: dtype, then shape, then payload sizes, then elements. Returns the
// structure error, "" when elements were compared into `acc`.
std::string CompareTensors(const Tensor& expected, const Tensor& actual, const std::string& path,
                           Accumulator* acc) {
  if (expected.elem_type != actual.elem_type) {
    return "dtype: expected " + ElemTypeName(expected.elem_type) + ", got " +
           ElemTypeName(actual.elem_type);
  }
  if (expected.shape != actual.shape) {
    return "shape: expected " + FormatDims(expected.shape) + ", got " + FormatDims(actual.shape);
  }
  for (const auto& [tensor, side] : {std::pair{&expected, "expected"}, {&actual, "actual"}}) {
    if (std::string error = CheckPayload(*tensor, side); !error.empty()) return error;
  }
  if (auto layout = RealLayoutFor(expected.elem_type)) {
    CompareRealElements(expected, actual, *layout, path, acc);
  } else if (expected.elem_type == ElemType::kString) {
    CompareStringElements(expected, actual, path, acc);
  } else if (expected.elem_type == ElemType::kInt4 || expected.elem_type == ElemType::kUint4) {
    CompareNibbleElements(expected, actual, path, acc);
  } else {
    CompareExactElements(expected, actual, path, acc);
  }
  return "";
}

// Compares two values at `path` (inside sequences), adding counts to `acc`. Returns the first
// structure error, prefixed with its path; after an error the counts in `acc` are incomplete.
// An optional adds no path component: it holds at most one value.
std::string CompareValuesAt(const Value& expected, const Value& actual, const std::string& path,
                            Accumulator* acc) {
  if (expected.kind != actual.kind) {
    return AtPath(path, "kind: expected " + ValueKindName(expected.kind) + ", got " +
                            ValueKindName(actual.kind));
  }
  switch (expected.kind) {
    case ValueKind::kTensor: {
      const std::string error = CompareTensors(expected.tensor, actual.tensor, path, acc);
      return error.empty() ? error : AtPath(path, error);
    }
    case ValueKind::kSequence:
      if (expected.elements.size() != actual.elements.size()) {
        return AtPath(path, "sequence length: expected " +
                                std::to_string(expected.elements.size()) + ", got " +
                                std::to_string(actual.elements.size()));
      }
      for (size_t element_idx = 0; element_idx < expected.elements.size(); ++element_idx) {
        std::string error =
            CompareValuesAt(expected.elements[element_idx], actual.elements[element_idx],
                            path + "[" + std::to_string(element_idx) + "]", acc);
        if (!error.empty()) return error;
      }
      return "";
    case ValueKind::kOptional:
      if (expected.elements.empty() != actual.elements.empty()) {
        return AtPath(path, expected.elements.empty() ? "optional: expected none, got a value"
                                                      : "optional: expected a value, got none");
      }
      if (expected.elements.empty()) return "";
      return CompareValuesAt(expected.elements.front(), actual.elements.front(), path, acc);
  }
  return AtPath(path, "kind: unknown value kind");
}

std::string FormatShort(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// Strict non-negative finite number: the whole of `text`, no sign, no whitespace.
Result<double> ParseNonNegative(std::string_view text, const char* what) {
  auto bad = [&](const char* problem) {
    return Error(std::string(what) + " '" + std::string(text) + "' " + problem);
  };
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size()) {
    return bad("is not a number");
  }
  if (ec != std::errc() || !std::isfinite(value)) return bad("is not finite");
  if (value < 0) return bad("is negative");
  return value == 0 ? 0.0 : value;  // -0 becomes 0
}

}  // namespace

const Tolerance& ToleranceConfig::For(const std::string& output_name) const {
  const auto found = per_output.find(output_name);
  return found == per_output.end() ? global : found->second;
}

Result<std::pair<std::string, Tolerance>> ParseToleranceOverride(std::string_view text) {
  auto fail = [text](const std::string& reason) {
    return Error("tolerance override '" + std::string(text) + "': " + reason +
                 " (expected NAME=RTOL,ATOL, e.g. logits=1e-3,1e-5)");
  };
  // Numbers never contain '=', so the last '=' ends the name even if the name contains '='.
  const size_t equals_pos = text.rfind('=');
  if (equals_pos == std::string_view::npos) return fail("missing '='");
  const std::string_view name = text.substr(0, equals_pos);
  if (name.empty()) return fail("empty output name");
  const std::string_view numbers = text.substr(equals_pos + 1);
  const size_t comma_pos = numbers.find(',');
  if (comma_pos == std::string_view::npos) return fail("missing ',' between RTOL and ATOL");
  const Result<double> rtol = ParseNonNegative(numbers.substr(0, comma_pos), "RTOL");
  if (!rtol.ok()) return fail(rtol.error().message());
  const Result<double> atol = ParseNonNegative(numbers.substr(comma_pos + 1), "ATOL");
  if (!atol.ok()) return fail(atol.error().message());
  return std::pair{std::string(name), Tolerance{*rtol, *atol}};
}

std::string OutputComparison::Summary() const {
  std::string line = "output '" + name + "': ";
  if (!structure_error.empty()) return line + structure_error;
  if (passed) {
    return line + std::to_string(elements) + " elements match (max abs err " +
           FormatShort(max_abs_error) + ")";
  }
  line += std::to_string(mismatches) + " of " + std::to_string(elements) + " elements differ";
  // Both maxima stay 0 when only exactly-compared or non-finite elements differ; tolerances are
  // then beside the point.
  if (max_abs_error > 0 || max_rel_error > 0) {
    line += " (max abs err " + FormatShort(max_abs_error) + ", max rel err " +
            FormatShort(max_rel_error) + ", rtol " + FormatShort(tolerance.rtol) + ", atol " +
            FormatShort(tolerance.atol) + ")";
  }
  if (first_mismatch) {
    const Mismatch& first = *first_mismatch;
    line += "; first";
    if (!first.path.empty()) line += " in " + first.path;
    if (!first.index.empty()) line += " at " + FormatDims(first.index);
    line += ": expected " + first.expected + ", got " + first.actual;
  }
  return line;
}

OutputComparison CompareValues(const std::string& name, const Value& expected, const Value& actual,
                               const Tolerance& tolerance) {
  OutputComparison comparison;
  comparison.name = name;
  comparison.tolerance = tolerance;
  comparison.expected_type = expected.Describe();
  comparison.actual_type = actual.Describe();
  Accumulator acc;
  acc.tolerance = tolerance;
  comparison.structure_error = CompareValuesAt(expected, actual, "", &acc);
  // A structure error leaves passed false, every count 0 and first_mismatch unset.
  if (!comparison.structure_error.empty()) return comparison;
  comparison.elements = acc.elements;
  comparison.mismatches = acc.mismatches;
  comparison.max_abs_error = acc.max_abs_error;
  comparison.max_rel_error = acc.max_rel_error;
  comparison.first_mismatch = std::move(acc.first_mismatch);
  comparison.passed = acc.mismatches == 0;
  return comparison;
}

}  // namespace zooci
