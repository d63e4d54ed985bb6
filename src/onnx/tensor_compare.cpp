// ProtoComparer's tensor members: initializers, tensors and sparse tensors, and the element-by-
// element comparison of two payloads, whichever of raw_data, a typed field or an external file
// holds them. External files are read in blocks, never whole.
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

#include "onnx/model_compare_internal.h"
#include "onnx/proto_helpers.h"

namespace zooci {
namespace {

using google::protobuf::RepeatedPtrField;
using google::protobuf::util::MessageDifferencer;

constexpr size_t kPayloadBlockBytes = size_t{1} << 20;
// TensorProto.metadata_props, added to onnx.proto after 1.12: noted, never decisive.
constexpr int kNewerTensorMetadataField = 16;
constexpr int kNoMetadataField = 0;

struct TensorValueComparison {
  // Empty when the element values are equal; else "first at element 17: 0.1 vs 0.2" or
  // "payload of 400 vs 404 bytes".
  std::string difference;
  // Where each side keeps its values: "raw_data", "float_data", "external data 'w.bin'", ...
  std::string encoding_a, encoding_b;
};

// Where a tensor's packed little-endian elements are.
struct Payload {
  std::string encoding;  // "raw_data", "float_data", "external data 'w.bin'"
  // In memory: a view of the proto's raw_data, or `packed` (typed fields converted).
  std::string_view borrowed;
  std::string packed;
  bool uses_packed = false;
  // In a file: `length` bytes from `offset`.
  bool external = false;
  fs::path file;
  uint64_t offset = 0;
  uint64_t length = 0;

  std::string_view memory() const { return uses_packed ? std::string_view(packed) : borrowed; }
  uint64_t size() const { return external ? length : memory().size(); }
};

// Reads a payload in blocks; in-memory payloads are returned as views without copying.
class PayloadReader {
 public:
  explicit PayloadReader(const Payload& payload) : payload_(payload) {}

  // The bytes [offset, offset + size), which the caller keeps within payload.size().
  Result<std::string_view> Read(uint64_t offset, size_t size) {
    if (!payload_.external) return payload_.memory().substr(offset, size);
    if (!file_.is_open()) {
      file_.open(payload_.file, std::ios::binary);
      if (!file_)
        return Error("cannot open '" + payload_.file.string() + "': " + std::strerror(errno));
    }
    buffer_.resize(size);
    file_.seekg(static_cast<std::streamoff>(payload_.offset + offset));
    file_.read(buffer_.data(), static_cast<std::streamsize>(size));
    if (static_cast<size_t>(file_.gcount()) != size) {
      return Error("'" + payload_.file.string() + "' ended early (the file changed while read?)");
    }
    return std::string_view(buffer_.data(), size);
  }

 private:
  const Payload& payload_;
  std::ifstream file_;
  std::vector<char> buffer_;
};

std::string TypedFieldName(ElemType type) {
  switch (type) {
    case ElemType::kFloat:
    case ElemType::kComplex64:
      return "float_data";
    case ElemType::kDouble:
    case ElemType::kComplex128:
      return "double_data";
    case ElemType::kInt64:
      return "int64_data";
    case ElemType::kUint32:
    case ElemType::kUint64:
      return "uint64_data";
    default:
      return "int32_data";
  }
}

// Resolves an external-data reference: the location must stay inside the model's directory
// (symlinks resolved), and the range inside the file.
Status ResolveExternal(const onnx::TensorProto& tensor, const ModelSide& side,
                       ExternalDataBudget* budget, Payload* payload) {
  std::string location;
  std::optional<uint64_t> offset, length;
  for (const auto& entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      Result<int64_t> number = ParseInt(entry.value(), "external data " + entry.key());
      if (!number.ok()) return number.error();
      if (*number < 0) return Error("external data " + entry.key() + " is negative");
      (entry.key() == "offset" ? offset : length) = static_cast<uint64_t>(*number);
    }
  }
  if (location.empty()) return Error("external data without a location");
  const std::string what = "external data '" + location + "'";
  fs::path relative(location);
  if (relative.is_absolute()) return Error(what + ": the location is absolute");
  const fs::path file = side.model_dir / relative;
  if (!IsWithin(side.model_dir, file))
    return Error(what + ": the location leaves the model's directory");
  std::error_code error;
  if (!fs::is_regular_file(file, error)) return Error(what + ": no such file");
  const uint64_t file_bytes = fs::file_size(file, error);
  if (error) return Error(what + ": " + error.message());
  payload->offset = offset.value_or(0);
  if (payload->offset > file_bytes) return Error(what + ": offset is beyond the end of the file");
  payload->length = length.value_or(file_bytes - payload->offset);
  if (payload->length > file_bytes - payload->offset) {
    return Error(what + ": offset + length is beyond the end of the file");
  }
  if (payload->length > budget->remaining_bytes) {
    return Error(what + ": over the limit of external data bytes to compare");
  }
  budget->remaining_bytes -= payload->length;
  payload->external = true;
  payload->file = file;
  payload->encoding = what;
  return OkStatus();
}

Result<Payload> ResolvePayload(const onnx::TensorProto& tensor, const ModelSide& side,
                               ExternalDataBudget* budget) {
  Payload payload;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    ZC_RETURN_IF_ERROR(ResolveExternal(tensor, side, budget, &payload));
    return payload;
  }
  if (tensor.has_raw_data()) {
    payload.encoding = "raw_data";
    payload.borrowed = tensor.raw_data();
    return payload;
  }
  const auto type = static_cast<ElemType>(tensor.data_type());
  ZC_ASSIGN_OR_RETURN(int64_t count, CheckedElementCount(tensor.dims()));
  if (!IsKnownElemType(type)) {
    return Error("data_type " + std::to_string(tensor.data_type()) + " is unknown");
  }
  ZC_ASSIGN_OR_RETURN(payload.packed, DecodeTypedPayload(tensor, type, count));
  payload.uses_packed = true;
  payload.encoding = TypedFieldName(type);
  return payload;
}

// Offset of the first byte where the payloads (of equal size) differ; nullopt when equal.
Result<std::optional<uint64_t>> FirstDifferentByte(const Payload& a, const Payload& b) {
  PayloadReader reader_a(a), reader_b(b);
  const uint64_t total_bytes = a.size();
  for (uint64_t offset = 0; offset < total_bytes;) {
    const size_t block_bytes =
        static_cast<size_t>(std::min<uint64_t>(kPayloadBlockBytes, total_bytes - offset));
    ZC_ASSIGN_OR_RETURN(std::string_view block_a, reader_a.Read(offset, block_bytes));
    ZC_ASSIGN_OR_RETURN(std::string_view block_b, reader_b.Read(offset, block_bytes));
    if (block_a != block_b) {
      auto mismatch = std::mismatch(block_a.begin(), block_a.end(), block_b.begin());
      return std::optional<uint64_t>(offset +
                                     static_cast<uint64_t>(mismatch.first - block_a.begin()));
    }
    offset += block_bytes;
  }
  return std::optional<uint64_t>();
}

template <typename T>
T Load(std::string_view bytes) {
  T value{};
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

template <typename T>
std::string ShortestText(T value) {
  char text[64];
  auto result = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, result.ptr);
}

std::string HexBits(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string text = "0x";
  for (size_t byte_idx = bytes.size(); byte_idx-- > 0;) {  // little-endian: most significant last
    const auto byte = static_cast<unsigned char>(bytes[byte_idx]);
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0xF];
  }
  return text;
}

// One element (ElemTypeSize(type) bytes, little-endian) as people read it.
std::string FormatElement(ElemType type, std::string_view bytes) {
  switch (type) {
    case ElemType::kFloat:
      return ShortestText(Load<float>(bytes));
    case ElemType::kDouble:
      return ShortestText(Load<double>(bytes));
    case ElemType::kComplex64:
      return "(" + ShortestText(Load<float>(bytes)) + "," +
             ShortestText(Load<float>(bytes.substr(4))) + ")";
    case ElemType::kComplex128:
      return "(" + ShortestText(Load<double>(bytes)) + "," +
             ShortestText(Load<double>(bytes.substr(8))) + ")";
    case ElemType::kBfloat16: {  // the upper half of a binary32
      const uint32_t bits = uint32_t{Load<uint16_t>(bytes)} << 16;
      float value;
      std::memcpy(&value, &bits, sizeof value);
      return ShortestText(value);
    }
    case ElemType::kUint8:
      return std::to_string(Load<uint8_t>(bytes));
    case ElemType::kInt8:
      return std::to_string(Load<int8_t>(bytes));
    case ElemType::kUint16:
      return std::to_string(Load<uint16_t>(bytes));
    case ElemType::kInt16:
      return std::to_string(Load<int16_t>(bytes));
    case ElemType::kInt32:
      return std::to_string(Load<int32_t>(bytes));
    case ElemType::kInt64:
      return std::to_string(Load<int64_t>(bytes));
    case ElemType::kUint32:
      return std::to_string(Load<uint32_t>(bytes));
    case ElemType::kUint64:
      return std::to_string(Load<uint64_t>(bytes));
    case ElemType::kBool:
      return Load<uint8_t>(bytes) == 0 ? "false" : "true";
    default:  // float16, float8 variants: their bit patterns
      return HexBits(bytes);
  }
}

// "first at element 17: 0.1 vs 0.2" for the element holding byte `byte_offset`.
Result<std::string> DescribeElementDifference(ElemType type, const Payload& a, const Payload& b,
                                              uint64_t byte_offset) {
  PayloadReader reader_a(a), reader_b(b);
  if (type == ElemType::kInt4 || type == ElemType::kUint4) {  // two elements per byte, low first
    ZC_ASSIGN_OR_RETURN(std::string_view byte_a, reader_a.Read(byte_offset, 1));
    ZC_ASSIGN_OR_RETURN(std::string_view byte_b, reader_b.Read(byte_offset, 1));
    const int shift = ((byte_a[0] ^ byte_b[0]) & 0x0F) != 0 ? 0 : 4;
    auto nibble = [&](char byte) {
      int value = (static_cast<unsigned char>(byte) >> shift) & 0x0F;
      return type == ElemType::kInt4 && value >= 8 ? value - 16 : value;
    };
    return "first at element " + std::to_string(byte_offset * 2 + (shift == 4 ? 1 : 0)) + ": " +
           std::to_string(nibble(byte_a[0])) + " vs " + std::to_string(nibble(byte_b[0]));
  }
  const size_t element_bytes = ElemTypeSize(type);
  if (element_bytes == 0) return "first at byte " + std::to_string(byte_offset);
  const uint64_t element_idx = byte_offset / element_bytes;
  if ((element_idx + 1) * element_bytes > a.size()) {  // a payload not a whole number of elements
    return "first at byte " + std::to_string(byte_offset);
  }
  ZC_ASSIGN_OR_RETURN(std::string_view element_a,
                      reader_a.Read(element_idx * element_bytes, element_bytes));
  ZC_ASSIGN_OR_RETURN(std::string_view element_b,
                      reader_b.Read(element_idx * element_bytes, element_bytes));
  return "first at element " + std::to_string(element_idx) + ": " + FormatElement(type, element_a) +
         " vs " + FormatElement(type, element_b);
}

TensorValueComparison CompareStrings(const onnx::TensorProto& a, const onnx::TensorProto& b) {
  TensorValueComparison result{"", "string_data", "string_data"};
  const int common = std::min(a.string_data_size(), b.string_data_size());
  for (int element_idx = 0; element_idx < common; ++element_idx) {
    if (a.string_data(element_idx) != b.string_data(element_idx)) {
      result.difference = "first at element " + std::to_string(element_idx) + ": " +
                          QuotedText(a.string_data(element_idx)) + " vs " +
                          QuotedText(b.string_data(element_idx));
      return result;
    }
  }
  if (a.string_data_size() != b.string_data_size()) {
    result.difference = std::to_string(a.string_data_size()) + " vs " +
                        std::to_string(b.string_data_size()) + " strings";
  }
  return result;
}

// Compares the elements of two tensors that have the same data_type and dims, whatever field or
// external file holds them; streaming, so memory stays at one block per side plus a packed copy
// of a tensor stored in typed fields. Errors (unreadable or unsafe external data, a typed field
// with the wrong element count) name the model and the tensor.
Result<TensorValueComparison> CompareTensorValues(const onnx::TensorProto& a,
                                                  const ModelSide& side_a,
                                                  const onnx::TensorProto& b,
                                                  const ModelSide& side_b,
                                                  ExternalDataBudget* budget) {
  const auto type = static_cast<ElemType>(a.data_type());
  if (type == ElemType::kString && a.data_location() != onnx::TensorProto::EXTERNAL &&
      b.data_location() != onnx::TensorProto::EXTERNAL) {
    return CompareStrings(a, b);
  }
  auto context = [&](const ModelSide& side, const onnx::TensorProto& tensor) {
    return "model " + side.model_path.string() + ": tensor '" + tensor.name() + "'";
  };
  Result<Payload> payload_a = ResolvePayload(a, side_a, budget);
  if (!payload_a.ok()) return payload_a.error().WithContext(context(side_a, a));
  Result<Payload> payload_b = ResolvePayload(b, side_b, budget);
  if (!payload_b.ok()) return payload_b.error().WithContext(context(side_b, b));

  TensorValueComparison result{"", payload_a->encoding, payload_b->encoding};
  if (payload_a->size() != payload_b->size()) {
    result.difference = "payload of " + std::to_string(payload_a->size()) + " vs " +
                        std::to_string(payload_b->size()) + " bytes";
    return result;
  }
  Result<std::optional<uint64_t>> first = FirstDifferentByte(*payload_a, *payload_b);
  if (!first.ok()) return first.error().WithContext("compare tensor '" + a.name() + "'");
  if (!first->has_value()) return result;
  Result<std::string> described = DescribeElementDifference(type, *payload_a, *payload_b, **first);
  if (!described.ok()) return described.error().WithContext("compare tensor '" + a.name() + "'");
  result.difference = std::move(*described);
  return result;
}

}  // namespace

std::string ShortestFloatText(float value) {
  return ShortestText(value);
}

std::string QuotedText(const std::string& text) {
  constexpr size_t kMaxChars = 40;
  std::string shown;
  for (char c : text.substr(0, kMaxChars)) {
    shown += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
  }
  return "'" + shown + (text.size() > kMaxChars ? "...'" : "'");
}

// Initializers are matched by name (their order means nothing); with duplicate names, which
// onnx forbids, by position.
bool ProtoComparer::SameInitializers(const RepeatedPtrField<onnx::TensorProto>& a,
                                     const RepeatedPtrField<onnx::TensorProto>& b,
                                     const std::string& where) {
  auto index = [](const RepeatedPtrField<onnx::TensorProto>& list) {
    std::map<std::string, const onnx::TensorProto*> by_name;
    for (const auto& tensor : list) by_name.emplace(tensor.name(), &tensor);
    return by_name;
  };
  const auto by_name_a = index(a), by_name_b = index(b);
  for (const auto& [name, tensor] : by_name_a) {
    if (by_name_b.count(name) == 0)
      return Differ(
          JoinWhere(where, "initializer " + QuotedText(name) + " only in the first model"));
  }
  for (const auto& [name, tensor] : by_name_b) {
    if (by_name_a.count(name) == 0)
      return Differ(
          JoinWhere(where, "initializer " + QuotedText(name) + " only in the second model"));
  }
  if (a.size() != b.size()) {
    return Differ(JoinWhere(
        where, std::to_string(a.size()) + " initializers vs " + std::to_string(b.size())));
  }
  const bool unique = by_name_a.size() == static_cast<size_t>(a.size());
  bool same_order = true;
  for (int tensor_idx = 0; tensor_idx < a.size(); ++tensor_idx) {
    const onnx::TensorProto& tensor_a = a.Get(tensor_idx);
    same_order = same_order && tensor_a.name() == b.Get(tensor_idx).name();
    const onnx::TensorProto& tensor_b = unique ? *by_name_b.at(tensor_a.name()) : b.Get(tensor_idx);
    if (tensor_a.name() != tensor_b.name()) {
      return Differ(JoinWhere(where, "initializer #" + std::to_string(tensor_idx) + " name " +
                                         QuotedText(tensor_a.name()) + " vs " +
                                         QuotedText(tensor_b.name())));
    }
    if (!SameTensor(tensor_a, tensor_b,
                    JoinWhere(where, "initializer " + QuotedText(tensor_a.name()))))
      return false;
  }
  if (!same_order) NoteMetadata("initializer order");
  return true;
}

bool ProtoComparer::SameTensor(const onnx::TensorProto& a, const onnx::TensorProto& b,
                               const std::string& what) {
  const auto type_a = static_cast<ElemType>(a.data_type());
  const auto type_b = static_cast<ElemType>(b.data_type());
  if (type_a != type_b)
    return Differ(what + " data_type " + ElemTypeName(type_a) + " vs " + ElemTypeName(type_b));
  std::vector<int64_t> dims_a(a.dims().begin(), a.dims().end()),
      dims_b(b.dims().begin(), b.dims().end());
  if (dims_a != dims_b)
    return Differ(what + " dims " + FormatDims(dims_a) + " vs " + FormatDims(dims_b));
  if (!MessageDifferencer::Equals(a.segment(), b.segment()))
    return Differ(what + " segment differs");
  if (a.name() != b.name()) NoteMetadata("tensor names");
  if (a.doc_string() != b.doc_string()) NoteMetadata("tensor doc_strings");
  if (!SameUnknownFields(a, b, kNewerTensorMetadataField, what)) return false;
  Result<TensorValueComparison> values = CompareTensorValues(a, side_a_, b, side_b_, &budget_);
  if (!values.ok()) return Fail(values.error());
  if (!values->difference.empty()) return Differ(what + " differs (" + values->difference + ")");
  if (values->encoding_a != values->encoding_b) {
    NoteEncoding(what + " " + values->encoding_a + " vs " + values->encoding_b);
  }
  return true;
}

bool ProtoComparer::SameSparseTensor(const onnx::SparseTensorProto& a,
                                     const onnx::SparseTensorProto& b, const std::string& what) {
  std::vector<int64_t> dims_a(a.dims().begin(), a.dims().end()),
      dims_b(b.dims().begin(), b.dims().end());
  if (dims_a != dims_b)
    return Differ(what + " dims " + FormatDims(dims_a) + " vs " + FormatDims(dims_b));
  return SameTensor(a.values(), b.values(), what + " values") &&
         SameTensor(a.indices(), b.indices(), what + " indices") &&
         SameUnknownFields(a, b, kNoMetadataField, what);
}

}  // namespace zooci
