// Tensor rules: element types, dims, payload fields and sizes, sparse tensors, external data, and
// declared types. Every size is computed with overflow checks; nothing is allocated in proportion
// to a declared size and external data files are stat()ed, never opened.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "check/internal.h"
#include "onnx/onnx_io.h"

namespace zooci::check_internal {
namespace {

// No ONNX file (protobuf plus external data) can carry more than this.
constexpr uint64_t kMaxTensorBytes = uint64_t{1} << 40;

using Dims = google::protobuf::RepeatedField<int64_t>;
using onnx::TensorProto;

// The fields a TensorProto can carry its elements in, indexing kFields.
enum class Field { kRaw, kFloat, kInt32, kString, kInt64, kDouble, kUint64 };

struct FieldInfo {
  const char* name;
  int64_t (*size)(const TensorProto&);  // entries; bytes for raw_data
};
constexpr FieldInfo kFields[] = {
    {"raw_data", [](const TensorProto& t) { return static_cast<int64_t>(t.raw_data().size()); }},
    {"float_data", [](const TensorProto& t) -> int64_t { return t.float_data_size(); }},
    {"int32_data", [](const TensorProto& t) -> int64_t { return t.int32_data_size(); }},
    {"string_data", [](const TensorProto& t) -> int64_t { return t.string_data_size(); }},
    {"int64_data", [](const TensorProto& t) -> int64_t { return t.int64_data_size(); }},
    {"double_data", [](const TensorProto& t) -> int64_t { return t.double_data_size(); }},
    {"uint64_data", [](const TensorProto& t) -> int64_t { return t.uint64_data_size(); }},
};

std::string FieldName(Field field) {
  return kFields[static_cast<int>(field)].name;
}
int64_t FieldSize(const TensorProto& tensor, Field field) {
  return kFields[static_cast<int>(field)].size(tensor);
}

// "1 byte", "24 bytes" for raw_data; "1 entry", "6 entries" for the typed fields.
std::string Amount(int64_t size, Field field) {
  const char* unit =
      field == Field::kRaw ? (size == 1 ? " byte" : " bytes") : (size == 1 ? " entry" : " entries");
  return std::to_string(size) + unit;
}

// The fields holding data, in kFields order. A set raw_data counts even when empty (readers
// prefer it over the typed fields).
std::vector<Field> PresentFields(const TensorProto& tensor) {
  std::vector<Field> present;
  if (tensor.has_raw_data()) present.push_back(Field::kRaw);
  for (int field = 1; field < static_cast<int>(std::size(kFields)); ++field) {
    if (kFields[field].size(tensor) > 0) present.push_back(static_cast<Field>(field));
  }
  return present;
}

// "raw_data and float_data".
std::string JoinFields(const std::vector<Field>& fields) {
  std::string text;
  for (size_t field_idx = 0; field_idx < fields.size(); ++field_idx) {
    if (field_idx > 0) text += field_idx + 1 == fields.size() ? " and " : ", ";
    text += FieldName(fields[field_idx]);
  }
  return text;
}

bool IsFourBit(ElemType type) {
  return type == ElemType::kUint4 || type == ElemType::kInt4;
}

// The typed field onnx.proto assigns to `type` (a known type).
Field TypedField(ElemType type) {
  using enum ElemType;
  if (type == kFloat || type == kComplex64) return Field::kFloat;
  if (type == kDouble || type == kComplex128) return Field::kDouble;
  if (type == kInt64) return Field::kInt64;
  if (type == kUint32 || type == kUint64) return Field::kUint64;
  if (type == kString) return Field::kString;
  return Field::kInt32;
}

// The IR version that introduced `type`; 0 when every IR this checker knows has it.
int64_t MinIrVersion(ElemType type) {
  if (type == ElemType::kBfloat16) return 4;
  if (type >= ElemType::kFloat8E4M3FN && type <= ElemType::kFloat8E5M2FNUZ) return 9;
  return IsFourBit(type) ? 10 : 0;
}

// Product of non-negative dims; nullopt when it overflows int64 (a zero dim wins over overflow).
std::optional<int64_t> ElementCount(const Dims& dims) {
  if (std::find(dims.begin(), dims.end(), 0) != dims.end()) return 0;
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (__builtin_mul_overflow(count, dim, &count)) return std::nullopt;
  }
  return count;
}

// Bytes `count` elements occupy in raw_data; nullopt for strings and on overflow.
std::optional<uint64_t> ByteSize(ElemType type, int64_t count) {
  if (IsFourBit(type)) return (static_cast<uint64_t>(count) + 1) / 2;
  uint64_t bytes = 0;
  size_t elem_size = ElemTypeSize(type);
  if (elem_size == 0 || __builtin_mul_overflow(static_cast<uint64_t>(count), elem_size, &bytes)) {
    return std::nullopt;
  }
  return bytes;
}

std::string DimsText(const Dims& dims) {
  return FormatDims(std::vector<int64_t>(dims.begin(), dims.end()));
}

// Inline payload rules (ZC0403-ZC0405) for a tensor of known type; `count` is its element count
// when the dims are valid and the size is sane.
void CheckPayload(const TensorProto& tensor, ElemType type, std::optional<int64_t> count,
                  const std::vector<Field>& present, const TensorReporter& report) {
  using enum RuleId;
  const Field typed = TypedField(type);
  bool wrong = false;
  for (Field field : present) {
    if (field == typed || (field == Field::kRaw && type != ElemType::kString)) continue;
    wrong = true;
    report(kWrongPayloadField,
           ElemTypeName(type) + " tensor has data in " + FieldName(field) +
               "; its elements belong in " +
               (type == ElemType::kString ? "string_data" : "raw_data or " + FieldName(typed)));
  }
  if (wrong) return;
  if (present.size() > 1) {
    report(kConflictingPayload, "data in both " + JoinFields(present) +
                                    "; readers disagree on which one holds the tensor");
    return;
  }
  if (!count) return;
  if (*count == 0) {
    if (!present.empty() && FieldSize(tensor, present.front()) > 0) {
      report(kConflictingPayload, DescribeTensor(tensor) + " has 0 elements but " +
                                      FieldName(present.front()) + " holds " +
                                      Amount(FieldSize(tensor, present.front()), present.front()));
    }
    return;
  }
  if (present.empty()) {
    report(kPayloadSizeMismatch,
           DescribeTensor(tensor) + " has " + std::to_string(*count) + " elements but no data");
    return;
  }
  const Field field = present.front();
  const int64_t actual = FieldSize(tensor, field);
  int64_t expected = *count;  // fits: the byte size was checked against 1 TiB
  std::string per_entry;
  if (field == Field::kRaw) {
    expected = static_cast<int64_t>(*ByteSize(type, *count));
  } else if (IsFourBit(type)) {
    expected = *count / 2 + *count % 2;
    per_entry = " (2 elements per entry)";
  } else if (type == ElemType::kComplex64 || type == ElemType::kComplex128) {
    expected = *count * 2;
    per_entry = " (2 per element)";
  }
  if (actual != expected) {
    report(kPayloadSizeMismatch, DescribeTensor(tensor) + " needs " + Amount(expected, field) +
                                     (field == Field::kRaw ? " of " : " in ") + FieldName(field) +
                                     per_entry + ", has " + std::to_string(actual));
  }
}

// Entry `pos` of INT64 `indices`: little-endian from raw_data when set, else from int64_data.
int64_t IndexAt(const TensorProto& indices, int64_t pos) {
  if (!indices.has_raw_data()) return indices.int64_data(static_cast<int>(pos));
  uint64_t value = 0;
  for (int64_t byte = 7; byte >= 0; --byte) {
    value = (value << 8) | static_cast<unsigned char>(indices.raw_data()[pos * 8 + byte]);
  }
  return static_cast<int64_t>(value);
}

// In-range and strictly increasing indices: linear ones (`width` 1, below `dense_count` when that
// fits int64) or coordinates (`width` = rank, below each dim, in lexicographic order).
void CheckSparseIndices(const TensorProto& indices, int64_t nnz, int64_t width, const Dims& dims,
                        const TensorReporter& report) {
  const std::optional<int64_t> dense_count = ElementCount(dims);
  auto row_text = [&](int64_t row) {
    if (width == 1) return std::to_string(IndexAt(indices, row));
    std::vector<int64_t> coords;
    for (int64_t axis = 0; axis < width; ++axis) {
      coords.push_back(IndexAt(indices, row * width + axis));
    }
    return FormatDims(coords);
  };
  for (int64_t row = 0; row < nnz; ++row) {
    for (int64_t axis = 0; axis < width; ++axis) {
      const int64_t index = IndexAt(indices, row * width + axis);
      const std::optional<int64_t> bound =
          width == 1 ? dense_count : std::optional<int64_t>(dims[static_cast<int>(axis)]);
      if (index < 0 || (bound && index >= *bound)) {
        report(RuleId::kInvalidSparseTensor,
               "index " + row_text(row) + " (entry " + std::to_string(row) +
                   ") is out of range for dense shape " + DimsText(dims));
        return;
      }
    }
    int order = row == 0 ? 1 : 0;  // this row against the previous one, lexicographically
    for (int64_t axis = 0; axis < width && order == 0; ++axis) {
      const int64_t current = IndexAt(indices, row * width + axis);
      const int64_t previous = IndexAt(indices, (row - 1) * width + axis);
      order = current < previous ? -1 : (current > previous ? 1 : 0);
    }
    if (order <= 0) {
      report(RuleId::kInvalidSparseTensor,
             "index " + row_text(row) + " (entry " + std::to_string(row) + ") does not follow " +
                 row_text(row - 1) + "; indices must be strictly increasing" +
                 (width == 1 ? "" : " in lexicographic order"));
      return;
    }
  }
}

std::string ShapeText(const onnx::TensorShapeProto& shape) {
  std::string text = "[";
  for (int dim_idx = 0; dim_idx < shape.dim_size(); ++dim_idx) {
    if (dim_idx > 0) text += ",";
    const auto& dim = shape.dim(dim_idx);
    text += dim.has_dim_value() ? std::to_string(dim.dim_value())
                                : (dim.dim_param().empty() ? "?" : dim.dim_param());
  }
  return text + "]";
}

// `what` names the nesting so far ("sequence element ").
void CheckTypeProto(const onnx::TypeProto& type, const TensorReporter& report,
                    const std::string& what) {
  auto check_elem_type = [&](int32_t elem_type, const std::string& kind) {
    if (elem_type != 0 && !IsKnownElemType(static_cast<ElemType>(elem_type))) {
      report(RuleId::kInvalidDataType, what + kind + " elem_type " + std::to_string(elem_type) +
                                           " is not a TensorProto.DataType");
    }
  };
  auto check_shape = [&](const onnx::TensorShapeProto& shape, const std::string& kind) {
    for (const auto& dim : shape.dim()) {
      if (dim.has_dim_value() && dim.dim_value() < 0) {
        report(RuleId::kNegativeDim,
               what + kind + " shape " + ShapeText(shape) + " has a negative dimension");
        return;
      }
    }
  };
  switch (type.value_case()) {
    case onnx::TypeProto::kTensorType:
      check_elem_type(type.tensor_type().elem_type(), "tensor");
      check_shape(type.tensor_type().shape(), "tensor");
      break;
    case onnx::TypeProto::kSparseTensorType:
      check_elem_type(type.sparse_tensor_type().elem_type(), "sparse tensor");
      check_shape(type.sparse_tensor_type().shape(), "sparse tensor");
      break;
    case onnx::TypeProto::kSequenceType:
      CheckTypeProto(type.sequence_type().elem_type(), report, what + "sequence element ");
      break;
    case onnx::TypeProto::kOptionalType:
      CheckTypeProto(type.optional_type().elem_type(), report, what + "optional element ");
      break;
    case onnx::TypeProto::kMapType:
      check_elem_type(type.map_type().key_type(), "map key");
      CheckTypeProto(type.map_type().value_type(), report, what + "map value ");
      break;
    default:
      break;
  }
}

}  // namespace

std::string DescribeTensor(const TensorProto& tensor) {
  return ElemTypeName(static_cast<ElemType>(tensor.data_type())) + DimsText(tensor.dims());
}

void CheckTensor(const TensorProto& tensor, const ModelContext& context, const Location& where) {
  using enum RuleId;
  const TensorReporter report(context, where,
                              tensor.name().empty() ? "tensor" : "tensor '" + tensor.name() + "'");
  const ElemType type = static_cast<ElemType>(tensor.data_type());
  const bool known_type = IsKnownElemType(type);
  if (!known_type) {
    report(kInvalidDataType, tensor.data_type() == 0
                                 ? "data_type is 0 (UNDEFINED)"
                                 : "data_type " + std::to_string(tensor.data_type()) +
                                       " is not a TensorProto.DataType (1-22)");
  } else if (context.ir_version > 0 && MinIrVersion(type) > context.ir_version) {
    report(kTypeNewerThanIr, "element type " + ElemTypeName(type) + " needs IR version " +
                                 std::to_string(MinIrVersion(type)) + ", the model declares IR " +
                                 std::to_string(context.ir_version));
  }

  // The element count and byte size, when the dims (and type) make them meaningful.
  std::optional<int64_t> count;
  std::optional<uint64_t> bytes;
  if (std::any_of(tensor.dims().begin(), tensor.dims().end(),
                  [](int64_t dim) { return dim < 0; })) {
    report(kNegativeDim, "dims " + DimsText(tensor.dims()) + " have a negative dimension");
  } else if (!(count = ElementCount(tensor.dims()))) {
    report(kAbsurdTensorSize,
           "dims " + DimsText(tensor.dims()) + " multiply to more elements than int64 holds");
  } else if (known_type && type != ElemType::kString) {
    bytes = ByteSize(type, *count);
    if (!bytes || *bytes > kMaxTensorBytes) {
      report(kAbsurdTensorSize, DescribeTensor(tensor) + " is " +
                                    (bytes ? std::to_string(*bytes) : std::string("over 2^64")) +
                                    " bytes, more than the 1 TiB any ONNX file can carry");
      count.reset();
      bytes.reset();
    }
  }

  const std::vector<Field> present = PresentFields(tensor);
  if (tensor.data_location() == TensorProto::EXTERNAL) {
    if (!present.empty()) {
      report(kConflictingPayload,
             "data_location is EXTERNAL but the tensor also has inline data in " +
                 JoinFields(present));
    }
    CheckExternalData(tensor, context, report, bytes);
  } else if (known_type) {
    CheckPayload(tensor, type, count, present, report);
  } else if (present.size() > 1) {
    report(kConflictingPayload, "data in both " + JoinFields(present) +
                                    "; readers disagree on which one holds the tensor");
  }
}

void CheckSparseTensor(const onnx::SparseTensorProto& sparse, const ModelContext& context,
                       const Location& where) {
  const TensorProto& values = sparse.values();
  const TensorProto& indices = sparse.indices();
  Location part = where;
  const std::string whole =
      where.field.empty() ? "sparse tensor '" + values.name() + "'" : where.field;
  part.field = whole + " values";
  CheckTensor(values, context, part);
  part.field = whole + " indices";
  CheckTensor(indices, context, part);

  const TensorReporter reporter(context, where, whole);
  auto report = [&](const std::string& message) {
    reporter(RuleId::kInvalidSparseTensor, message);
  };
  const Dims& dims = sparse.dims();
  const std::string shape = DimsText(dims);
  if (dims.empty()) {
    report("dims (the dense shape) are empty; a sparse tensor needs rank 1 or more");
    return;
  }
  if (std::any_of(dims.begin(), dims.end(), [](int64_t dim) { return dim < 0; })) {
    report("dense shape " + shape + " has a negative dimension");
    return;
  }
  if (values.dims_size() != 1) {
    report("values must be rank 1 ([NNZ]), have dims " + DimsText(values.dims()));
    return;
  }
  const int64_t nnz = values.dims(0);
  if (nnz < 0) return;  // CheckTensor reported the negative dim
  if (indices.data_type() != static_cast<int32_t>(ElemType::kInt64)) {
    report("indices must be int64, are " +
           ElemTypeName(static_cast<ElemType>(indices.data_type())));
    return;
  }
  const int64_t rank = sparse.dims_size();
  const bool linear = indices.dims_size() == 1;
  const bool coordinates = indices.dims_size() == 2 && indices.dims(1) == rank;
  if ((!linear && !coordinates) || indices.dims(0) != nnz) {
    report("indices must have dims [" + std::to_string(nnz) + "] or [" + std::to_string(nnz) + "," +
           std::to_string(rank) + "] for " + std::to_string(nnz) + " values in dense shape " +
           shape + ", have " + DimsText(indices.dims()));
    return;
  }
  // Indices are read only from one inline field holding exactly NNZ * width entries; any other
  // payload is CheckTensor's finding.
  const std::vector<Field> present = PresentFields(indices);
  const int64_t raw_bytes = static_cast<int64_t>(indices.raw_data().size());
  int64_t available = -1;
  if (present.size() == 1 && present[0] == Field::kInt64) available = indices.int64_data_size();
  if (present.size() == 1 && present[0] == Field::kRaw && raw_bytes % 8 == 0) {
    available = raw_bytes / 8;
  }
  const int64_t width = linear ? 1 : rank;
  int64_t expected = 0;
  if (indices.data_location() == TensorProto::EXTERNAL ||
      __builtin_mul_overflow(nnz, width, &expected) || available != expected) {
    return;
  }
  CheckSparseIndices(indices, nnz, width, dims, reporter);
}

void CheckDeclaredType(const onnx::TypeProto& type, const ModelContext& context,
                       const Location& where) {
  CheckTypeProto(type, TensorReporter(context, where, "declared type"), "");
}

}  // namespace zooci::check_internal
