#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "onnx/onnx_io.h"

namespace zooci {
namespace {

// Packs `values` as little-endian `T`s, the layout of ONNX raw_data.
template <typename T>
std::string Pack(std::initializer_list<T> values) {
  std::string bytes;
  for (T value : values) bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
  return bytes;
}

std::string Bytes(std::initializer_list<uint8_t> values) {
  return Pack<uint8_t>(values);
}

onnx::TensorProto MakeTensor(const std::string& name, ElemType type, std::vector<int64_t> dims) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(static_cast<int32_t>(type));
  for (int64_t dim : dims) proto.add_dims(dim);
  return proto;
}

Result<Value> DecodeTensor(const onnx::TensorProto& proto) {
  return DecodeValue(proto.SerializeAsString(), ValueKind::kTensor);
}

std::string ErrorOf(const Result<Value>& value) {
  return value.ok() ? "<ok: " + value->Describe() + ">" : value.error().message();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One element type: its packed payload for shape `dims` and how ONNX writes the same values
// into a typed field.
struct TypeCase {
  ElemType type;
  std::vector<int64_t> dims;
  std::string packed;
  std::function<void(onnx::TensorProto*)> fill_typed;
};

template <typename T>
std::function<void(onnx::TensorProto*)> Int32Field(std::initializer_list<T> values) {
  std::vector<int32_t> ints(values.begin(), values.end());
  return [ints](onnx::TensorProto* proto) {
    for (int32_t value : ints) proto->add_int32_data(value);
  };
}

std::vector<TypeCase> AllTypeCases() {
  constexpr float kFloatMax = std::numeric_limits<float>::max();
  constexpr double kDoubleMin = std::numeric_limits<double>::lowest();
  return {
      {ElemType::kFloat,
       {2, 2},
       Pack<float>({1.5f, -2.25f, 0.0f, kFloatMax}),
       [=](onnx::TensorProto* p) {
         for (float v : {1.5f, -2.25f, 0.0f, kFloatMax}) p->add_float_data(v);
       }},
      {ElemType::kUint8, {4}, Bytes({0, 1, 200, 255}), Int32Field<int32_t>({0, 1, 200, 255})},
      {ElemType::kInt8,
       {4},
       Bytes({0x80, 0xff, 0x00, 0x7f}),
       Int32Field<int32_t>({-128, -1, 0, 127})},
      {ElemType::kUint16,
       {4},
       Pack<uint16_t>({0, 1, 0x1234, 0xffff}),
       Int32Field<int32_t>({0, 1, 0x1234, 0xffff})},
      {ElemType::kInt16,
       {2, 2},
       Pack<int16_t>({-32768, -1, 0, 32767}),
       Int32Field<int32_t>({-32768, -1, 0, 32767})},
      {ElemType::kInt32,
       {3},
       Pack<int32_t>({INT32_MIN, -7, INT32_MAX}),
       Int32Field<int32_t>({INT32_MIN, -7, INT32_MAX})},
      {ElemType::kInt64,
       {3},
       Pack<int64_t>({INT64_MIN, -7, INT64_MAX}),
       [](onnx::TensorProto* p) {
         for (int64_t v : {INT64_MIN, int64_t{-7}, INT64_MAX}) p->add_int64_data(v);
       }},
      {ElemType::kBool, {4}, Bytes({1, 0, 0, 1}), Int32Field<int32_t>({1, 0, 0, 1})},
      {ElemType::kFloat16,
       {3},
       Pack<uint16_t>({0x3c00, 0xc000, 0x7bff}),
       Int32Field<int32_t>({0x3c00, 0xc000, 0x7bff})},
      {ElemType::kDouble,
       {3},
       Pack<double>({0.1, -1e300, kDoubleMin}),
       [=](onnx::TensorProto* p) {
         for (double v : {0.1, -1e300, kDoubleMin}) p->add_double_data(v);
       }},
      {ElemType::kUint32,
       {3},
       Pack<uint32_t>({0, 0x12345678, 0xffffffff}),
       [](onnx::TensorProto* p) {
         for (uint64_t v : {0ull, 0x12345678ull, 0xffffffffull}) p->add_uint64_data(v);
       }},
      {ElemType::kUint64,
       {3},
       Pack<uint64_t>({0, 0x123456789abcdefull, UINT64_MAX}),
       [](onnx::TensorProto* p) {
         for (uint64_t v : {uint64_t{0}, uint64_t{0x123456789abcdef}, UINT64_MAX})
           p->add_uint64_data(v);
       }},
      {ElemType::kComplex64,
       {2},
       Pack<float>({1.0f, -1.0f, 0.5f, 2.0f}),
       [](onnx::TensorProto* p) {
         for (float v : {1.0f, -1.0f, 0.5f, 2.0f}) p->add_float_data(v);
       }},
      {ElemType::kComplex128,
       {1},
       Pack<double>({3.0, -4.0}),
       [](onnx::TensorProto* p) {
         for (double v : {3.0, -4.0}) p->add_double_data(v);
       }},
      {ElemType::kBfloat16,
       {3},
       Pack<uint16_t>({0x3f80, 0xc000, 0xff80}),
       Int32Field<int32_t>({0x3f80, 0xc000, 0xff80})},
      {ElemType::kFloat8E4M3FN,
       {4},
       Bytes({0x00, 0x38, 0x7e, 0xff}),
       Int32Field<int32_t>({0x00, 0x38, 0x7e, 0xff})},
      {ElemType::kFloat8E4M3FNUZ,
       {4},
       Bytes({0x00, 0x40, 0x80, 0xff}),
       Int32Field<int32_t>({0x00, 0x40, 0x80, 0xff})},
      {ElemType::kFloat8E5M2,
       {4},
       Bytes({0x3c, 0x7b, 0xfc, 0x01}),
       Int32Field<int32_t>({0x3c, 0x7b, 0xfc, 0x01})},
      {ElemType::kFloat8E5M2FNUZ,
       {4},
       Bytes({0x40, 0x7f, 0x80, 0xfe}),
       Int32Field<int32_t>({0x40, 0x7f, 0x80, 0xfe})},
      // Sub-byte types: two elements per byte, also in int32_data.
      {ElemType::kUint4, {3}, Bytes({0x21, 0x0f}), Int32Field<int32_t>({0x21, 0x0f})},
      {ElemType::kInt4, {4}, Bytes({0xf7, 0x18}), Int32Field<int32_t>({0xf7, 0x18})},
  };
}

TEST(ValueCodecTest, EveryElementTypeDecodesFromRawData) {
  for (const TypeCase& type_case : AllTypeCases()) {
    SCOPED_TRACE(ElemTypeName(type_case.type));
    onnx::TensorProto proto = MakeTensor("t", type_case.type, type_case.dims);
    proto.set_raw_data(type_case.packed);
    auto value = DecodeTensor(proto);
    ASSERT_TRUE(value.ok()) << ErrorOf(value);
    EXPECT_EQ(value->kind, ValueKind::kTensor);
    EXPECT_EQ(value->name, "t");
    EXPECT_EQ(value->tensor.elem_type, type_case.type);
    EXPECT_EQ(value->tensor.shape, type_case.dims);
    EXPECT_EQ(value->tensor.data, type_case.packed);
  }
}

TEST(ValueCodecTest, EveryElementTypeDecodesFromTypedFieldToTheSameBytes) {
  for (const TypeCase& type_case : AllTypeCases()) {
    SCOPED_TRACE(ElemTypeName(type_case.type));
    onnx::TensorProto proto = MakeTensor("t", type_case.type, type_case.dims);
    type_case.fill_typed(&proto);
    auto value = DecodeTensor(proto);
    ASSERT_TRUE(value.ok()) << ErrorOf(value);
    EXPECT_EQ(value->tensor.elem_type, type_case.type);
    EXPECT_EQ(value->tensor.shape, type_case.dims);
    EXPECT_EQ(value->tensor.data, type_case.packed);
  }
}

TEST(ValueCodecTest, StringTensorDecodesFromStringData) {
  std::vector<std::string> words = {"alpha", "", std::string("nul\0byte", 8)};
  onnx::TensorProto proto = MakeTensor("words", ElemType::kString, {3});
  for (const std::string& word : words) proto.add_string_data(word);
  auto value = DecodeTensor(proto);
  ASSERT_TRUE(value.ok()) << ErrorOf(value);
  EXPECT_EQ(value->tensor.elem_type, ElemType::kString);
  EXPECT_EQ(value->tensor.strings, words);
  EXPECT_TRUE(value->tensor.data.empty());
}

TEST(ValueCodecTest, StringTensorWithRawDataIsAnError) {
  onnx::TensorProto proto = MakeTensor("words", ElemType::kString, {1});
  proto.set_raw_data("abc");
  auto value = DecodeTensor(proto);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "'words'")) << ErrorOf(value);
}

TEST(ValueCodecTest, StringCountMismatchIsAnError) {
  onnx::TensorProto proto = MakeTensor("words", ElemType::kString, {2});
  proto.add_string_data("only one");
  auto value = DecodeTensor(proto);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "string_data has 1 values, the shape needs 2"))
      << ErrorOf(value);
}

TEST(ValueCodecTest, ScalarWithoutDimsHasOneElement) {
  onnx::TensorProto proto = MakeTensor("s", ElemType::kFloat, {});
  proto.add_float_data(4.5f);
  auto value = DecodeTensor(proto);
  ASSERT_TRUE(value.ok()) << ErrorOf(value);
  EXPECT_TRUE(value->tensor.shape.empty());
  EXPECT_EQ(value->tensor.ElementCount(), 1);
  EXPECT_EQ(value->tensor.data, Pack<float>({4.5f}));
  EXPECT_EQ(value->Describe(), "float[]");

  onnx::TensorProto raw = MakeTensor("s", ElemType::kInt64, {});
  raw.set_raw_data(Pack<int64_t>({-9}));
  auto raw_value = DecodeTensor(raw);
  ASSERT_TRUE(raw_value.ok()) << ErrorOf(raw_value);
  EXPECT_EQ(raw_value->tensor.data, Pack<int64_t>({-9}));
}

TEST(ValueCodecTest, ZeroSizeTensorDecodesWithEmptyPayload) {
  onnx::TensorProto raw = MakeTensor("empty", ElemType::kFloat, {0, 3});
  raw.set_raw_data("");
  auto from_raw = DecodeTensor(raw);
  ASSERT_TRUE(from_raw.ok()) << ErrorOf(from_raw);
  EXPECT_EQ(from_raw->tensor.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(from_raw->tensor.ElementCount(), 0);
  EXPECT_TRUE(from_raw->tensor.data.empty());

  auto without_payload = DecodeTensor(MakeTensor("empty", ElemType::kInt32, {3, 0}));
  ASSERT_TRUE(without_payload.ok()) << ErrorOf(without_payload);
  EXPECT_TRUE(without_payload->tensor.data.empty());
}

TEST(ValueCodecTest, RawDataShorterThanShapeIsAnError) {
  onnx::TensorProto proto = MakeTensor("input_x", ElemType::kFloat, {2, 3});
  proto.set_raw_data(std::string(20, '\0'));
  auto value = DecodeTensor(proto);
  ASSERT_FALSE(value.ok());
  std::string message = ErrorOf(value);
  EXPECT_TRUE(Contains(message, "'input_x'")) << message;
  EXPECT_TRUE(Contains(message, "raw_data has 20 bytes, the shape needs 24")) << message;
}

TEST(ValueCodecTest, RawDataLongerThanShapeIsAnError) {
  onnx::TensorProto proto = MakeTensor("y", ElemType::kInt16, {2});
  proto.set_raw_data(std::string(6, '\0'));
  auto value = DecodeTensor(proto);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "raw_data has 6 bytes, the shape needs 4"))
      << ErrorOf(value);
}

TEST(ValueCodecTest, TypedFieldCountMismatchIsAnError) {
  onnx::TensorProto floats = MakeTensor("f", ElemType::kFloat, {2});
  for (float v : {1.0f, 2.0f, 3.0f}) floats.add_float_data(v);
  auto value = DecodeTensor(floats);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "'f'")) << ErrorOf(value);
  EXPECT_TRUE(Contains(ErrorOf(value), "float_data has 3 values, the shape needs 2"))
      << ErrorOf(value);

  onnx::TensorProto complex = MakeTensor("c", ElemType::kComplex64, {2});
  for (float v : {1.0f, 2.0f}) complex.add_float_data(v);  // one complex number, not two
  EXPECT_TRUE(
      Contains(ErrorOf(DecodeTensor(complex)), "float_data has 2 values, the shape needs 4"));

  onnx::TensorProto bytes = MakeTensor("b", ElemType::kInt8, {3});
  bytes.add_int32_data(1);
  EXPECT_TRUE(Contains(ErrorOf(DecodeTensor(bytes)), "int32_data has 1 values, the shape needs 3"));

  onnx::TensorProto wrong_field = MakeTensor("w", ElemType::kInt64, {1});
  wrong_field.add_int32_data(5);  // int64 lives in int64_data
  EXPECT_TRUE(Contains(ErrorOf(DecodeTensor(wrong_field)), "int64_data has 0 values"));

  onnx::TensorProto missing = MakeTensor("m", ElemType::kUint32, {2});
  EXPECT_TRUE(
      Contains(ErrorOf(DecodeTensor(missing)), "uint64_data has 0 values, the shape needs 2"));
}

TEST(ValueCodecTest, NegativeDimIsAnError) {
  onnx::TensorProto proto = MakeTensor("neg", ElemType::kFloat, {2, -1});
  proto.set_raw_data("");
  auto value = DecodeTensor(proto);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "'neg'")) << ErrorOf(value);
  EXPECT_TRUE(Contains(ErrorOf(value), "dims[1] is negative (-1)")) << ErrorOf(value);
}

TEST(ValueCodecTest, UnknownDataTypeIsAnError) {
  for (int32_t data_type : {99, 0, -1}) {
    onnx::TensorProto proto = MakeTensor("u", ElemType::kFloat, {1});
    proto.set_data_type(data_type);
    proto.set_raw_data(std::string(4, '\0'));
    auto value = DecodeTensor(proto);
    ASSERT_FALSE(value.ok()) << data_type;
    EXPECT_TRUE(Contains(ErrorOf(value), "unknown data_type " + std::to_string(data_type)))
        << ErrorOf(value);
  }
}

TEST(ValueCodecTest, AbsurdDimsFailQuicklyWithoutAllocating) {
  auto start = std::chrono::steady_clock::now();
  for (ElemType type :
       {ElemType::kFloat, ElemType::kComplex128, ElemType::kString, ElemType::kInt4}) {
    SCOPED_TRACE(ElemTypeName(type));
    onnx::TensorProto overflow = MakeTensor("huge", type, {int64_t{1} << 40, int64_t{1} << 40});
    EXPECT_FALSE(DecodeTensor(overflow).ok());
    onnx::TensorProto overflow_raw = overflow;
    overflow_raw.set_raw_data("abcd");
    EXPECT_FALSE(DecodeTensor(overflow_raw).ok());
    // A product that does not overflow but is far larger than the payload.
    onnx::TensorProto large = MakeTensor("large", type, {int64_t{1} << 25, int64_t{1} << 25});
    EXPECT_FALSE(DecodeTensor(large).ok());
    if (type != ElemType::kString) large.set_raw_data("abcd");
    EXPECT_FALSE(DecodeTensor(large).ok());
    onnx::TensorProto int64_max = MakeTensor("max", type, {INT64_MAX, 2});
    EXPECT_FALSE(DecodeTensor(int64_max).ok());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(ValueCodecTest, ExternalDataLocationIsAnError) {
  onnx::TensorProto proto = MakeTensor("weights", ElemType::kFloat, {1});
  proto.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* location = proto.add_external_data();
  location->set_key("location");
  location->set_value("weights.bin");
  auto value = DecodeTensor(proto);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "'weights'")) << ErrorOf(value);
  EXPECT_TRUE(Contains(ErrorOf(value), "external data")) << ErrorOf(value);
}

TEST(ValueCodecTest, SegmentedTensorIsAnError) {
  onnx::TensorProto proto = MakeTensor("seg", ElemType::kFloat, {1});
  proto.mutable_segment()->set_begin(0);
  proto.mutable_segment()->set_end(1);
  proto.add_float_data(1.0f);
  EXPECT_TRUE(Contains(ErrorOf(DecodeTensor(proto)), "segmented"));
}

TEST(ValueCodecTest, TruncatedBytesAreNotAValidTensorProto) {
  onnx::TensorProto proto = MakeTensor("x", ElemType::kFloat, {4});
  proto.set_raw_data(Pack<float>({1, 2, 3, 4}));
  std::string bytes = proto.SerializeAsString();
  auto value = DecodeValue(std::string_view(bytes).substr(0, bytes.size() - 3), ValueKind::kTensor);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "not a valid TensorProto")) << ErrorOf(value);
  // Every shorter prefix lacks part of the payload, the payload or the data type.
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeValue(std::string_view(bytes).substr(0, cut), ValueKind::kTensor).ok())
        << cut;
  }
}

TEST(ValueCodecTest, RandomAndMutatedBytesNeverCrash) {
  onnx::TensorProto tensor = MakeTensor("x", ElemType::kFloat, {2, 2});
  tensor.set_raw_data(Pack<float>({1, 2, 3, 4}));
  onnx::SequenceProto sequence;
  sequence.set_elem_type(onnx::SequenceProto::TENSOR);
  *sequence.add_tensor_values() = tensor;
  const std::string seeds[] = {tensor.SerializeAsString(), sequence.SerializeAsString()};
  std::mt19937 rng(20240501);
  int decoded = 0;
  int failed = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string bytes;
    if (round % 2 == 0) {
      bytes.resize(rng() % 200);
      for (char& byte : bytes) byte = static_cast<char>(rng());
    } else {
      bytes = seeds[(round / 2) % 2];
      for (int flip = 0; flip < 3; ++flip)
        bytes[rng() % bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
    }
    for (ValueKind kind : {ValueKind::kTensor, ValueKind::kSequence, ValueKind::kOptional}) {
      auto value = DecodeValue(bytes, kind);
      if (value.ok()) {
        ++decoded;
        // Whatever decodes is self-consistent: the payload matches the shape.
        const Tensor& tensor = value->tensor;
        if (value->kind == ValueKind::kTensor && ElemTypeSize(tensor.elem_type) > 0) {
          EXPECT_EQ(tensor.data.size(),
                    static_cast<size_t>(tensor.ElementCount()) * ElemTypeSize(tensor.elem_type));
        }
      } else {
        ++failed;
        EXPECT_FALSE(value.error().message().empty());
      }
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(decoded, 0) << "mutations should sometimes still decode";
}

// ---- Sequences and optionals -------------------------------------------------------------------

TEST(ValueCodecTest, SequenceOfTensorsDecodes) {
  onnx::SequenceProto proto;
  proto.set_name("seq");
  proto.set_elem_type(onnx::SequenceProto::TENSOR);
  *proto.add_tensor_values() = MakeTensor("a", ElemType::kFloat, {2});
  proto.mutable_tensor_values(0)->set_raw_data(Pack<float>({1, 2}));
  *proto.add_tensor_values() = MakeTensor("b", ElemType::kFloat, {1});
  proto.mutable_tensor_values(1)->add_float_data(3);
  auto value = DecodeValue(proto.SerializeAsString(), ValueKind::kSequence);
  ASSERT_TRUE(value.ok()) << ErrorOf(value);
  EXPECT_EQ(value->kind, ValueKind::kSequence);
  EXPECT_EQ(value->name, "seq");
  EXPECT_EQ(value->declared_elem_kind, onnx::SequenceProto::TENSOR);
  ASSERT_EQ(value->elements.size(), 2u);
  EXPECT_EQ(value->elements[0].tensor.data, Pack<float>({1, 2}));
  EXPECT_EQ(value->elements[1].tensor.data, Pack<float>({3}));
  EXPECT_EQ(value->elements[1].tensor.shape, std::vector<int64_t>{1});
  EXPECT_EQ(value->Describe(), "seq<float[2]>(2)");
}

TEST(ValueCodecTest, SequenceWithABadTensorIsAnErrorNamingIt) {
  onnx::SequenceProto proto;
  proto.set_elem_type(onnx::SequenceProto::TENSOR);
  *proto.add_tensor_values() = MakeTensor("bad_elem", ElemType::kFloat, {2});
  proto.mutable_tensor_values(0)->set_raw_data("xy");
  auto value = DecodeValue(proto.SerializeAsString(), ValueKind::kSequence);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "'bad_elem'")) << ErrorOf(value);
}

TEST(ValueCodecTest, SequenceOfMapsIsUnsupported) {
  onnx::SequenceProto proto;
  proto.set_name("maps");
  proto.set_elem_type(onnx::SequenceProto::MAP);
  auto value = DecodeValue(proto.SerializeAsString(), ValueKind::kSequence);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "sequence 'maps'")) << ErrorOf(value);
  EXPECT_TRUE(Contains(ErrorOf(value), "not supported")) << ErrorOf(value);
}

TEST(ValueCodecTest, OptionalWithTensorDecodes) {
  onnx::OptionalProto proto;
  proto.set_name("maybe");
  proto.set_elem_type(onnx::OptionalProto::TENSOR);
  *proto.mutable_tensor_value() = MakeTensor("maybe", ElemType::kInt32, {2});
  proto.mutable_tensor_value()->add_int32_data(7);
  proto.mutable_tensor_value()->add_int32_data(-7);
  auto value = DecodeValue(proto.SerializeAsString(), ValueKind::kOptional);
  ASSERT_TRUE(value.ok()) << ErrorOf(value);
  EXPECT_EQ(value->kind, ValueKind::kOptional);
  ASSERT_EQ(value->elements.size(), 1u);
  EXPECT_EQ(value->elements[0].tensor.data, Pack<int32_t>({7, -7}));
  EXPECT_EQ(value->Describe(), "optional(int32[2])");
}

TEST(ValueCodecTest, OptionalWithoutValueIsNone) {
  onnx::OptionalProto proto;
  proto.set_name("nothing");
  proto.set_elem_type(onnx::OptionalProto::TENSOR);
  auto value = DecodeValue(proto.SerializeAsString(), ValueKind::kOptional);
  ASSERT_TRUE(value.ok()) << ErrorOf(value);
  EXPECT_EQ(value->kind, ValueKind::kOptional);
  EXPECT_TRUE(value->elements.empty());
  EXPECT_EQ(value->declared_elem_kind, onnx::OptionalProto::TENSOR);
  EXPECT_EQ(value->Describe(), "optional(none)");
}

TEST(ValueCodecTest, OptionalOfSequenceDecodes) {
  onnx::OptionalProto proto;
  proto.set_elem_type(onnx::OptionalProto::SEQUENCE);
  auto* sequence = proto.mutable_sequence_value();
  sequence->set_elem_type(onnx::SequenceProto::TENSOR);
  *sequence->add_tensor_values() = MakeTensor("e", ElemType::kBool, {1});
  sequence->mutable_tensor_values(0)->add_int32_data(1);
  auto value = DecodeValue(proto.SerializeAsString(), ValueKind::kOptional);
  ASSERT_TRUE(value.ok()) << ErrorOf(value);
  EXPECT_EQ(value->Describe(), "optional(seq<bool[1]>(1))");
}

TEST(ValueCodecTest, OptionalOfMapIsUnsupported) {
  onnx::OptionalProto proto;
  proto.set_name("m");
  proto.set_elem_type(onnx::OptionalProto::MAP);
  proto.mutable_map_value()->set_key_type(static_cast<int32_t>(ElemType::kInt64));
  auto value = DecodeValue(proto.SerializeAsString(), ValueKind::kOptional);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "optional 'm'")) << ErrorOf(value);
}

// ---- EncodeValue round trips -------------------------------------------------------------------

void ExpectSameValue(const Value& expected, const Value& actual) {
  EXPECT_EQ(actual.kind, expected.kind);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.Describe(), expected.Describe());
  if (expected.kind == ValueKind::kTensor) {
    EXPECT_EQ(actual.tensor.elem_type, expected.tensor.elem_type);
    EXPECT_EQ(actual.tensor.shape, expected.tensor.shape);
    EXPECT_EQ(actual.tensor.data, expected.tensor.data);
    EXPECT_EQ(actual.tensor.strings, expected.tensor.strings);
  }
  ASSERT_EQ(actual.elements.size(), expected.elements.size());
  for (size_t element_idx = 0; element_idx < expected.elements.size(); ++element_idx) {
    ExpectSameValue(expected.elements[element_idx], actual.elements[element_idx]);
  }
}

void ExpectRoundTrip(const Value& value) {
  auto bytes = EncodeValue(value);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  auto decoded = DecodeValue(*bytes, value.kind);
  ASSERT_TRUE(decoded.ok()) << ErrorOf(decoded);
  ExpectSameValue(value, *decoded);
}

Value FloatTensor(const std::string& name, std::vector<int64_t> shape, std::string data) {
  Tensor tensor;
  tensor.name = name;
  tensor.elem_type = ElemType::kFloat;
  tensor.shape = std::move(shape);
  tensor.data = std::move(data);
  return Value::FromTensor(std::move(tensor));
}

Value Wrap(ValueKind kind, const std::string& name, std::vector<Value> elements) {
  Value value;
  value.kind = kind;
  value.name = name;
  value.elements = std::move(elements);
  return value;
}

TEST(ValueCodecTest, TensorRoundTrips) {
  ExpectRoundTrip(FloatTensor("x", {2, 3}, Pack<float>({1, 2, 3, 4, 5, 6})));
  ExpectRoundTrip(FloatTensor("scalar", {}, Pack<float>({-1})));
  ExpectRoundTrip(FloatTensor("empty", {0, 5}, ""));
  for (const TypeCase& type_case : AllTypeCases()) {
    SCOPED_TRACE(ElemTypeName(type_case.type));
    Tensor tensor;
    tensor.name = "t";
    tensor.elem_type = type_case.type;
    tensor.shape = type_case.dims;
    tensor.data = type_case.packed;
    ExpectRoundTrip(Value::FromTensor(tensor));
  }
}

TEST(ValueCodecTest, StringTensorRoundTrips) {
  Tensor tensor;
  tensor.name = "words";
  tensor.elem_type = ElemType::kString;
  tensor.shape = {2, 2};
  tensor.strings = {"a", "", "longer string", std::string("\0\xff", 2)};
  ExpectRoundTrip(Value::FromTensor(tensor));
}

TEST(ValueCodecTest, SequenceRoundTrips) {
  ExpectRoundTrip(
      Wrap(ValueKind::kSequence, "seq",
           {FloatTensor("a", {1}, Pack<float>({1})), FloatTensor("b", {2}, Pack<float>({2, 3}))}));
  ExpectRoundTrip(Wrap(ValueKind::kSequence, "empty_seq", {}));
}

TEST(ValueCodecTest, NestedSequenceRoundTrips) {
  Value inner_a = Wrap(ValueKind::kSequence, "inner_a", {FloatTensor("a", {1}, Pack<float>({1}))});
  Value inner_b =
      Wrap(ValueKind::kSequence, "inner_b",
           {FloatTensor("b", {1}, Pack<float>({2})), FloatTensor("c", {}, Pack<float>({3}))});
  Value outer = Wrap(ValueKind::kSequence, "outer", {inner_a, inner_b});
  ExpectRoundTrip(outer);
  auto bytes = EncodeValue(outer);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(DecodeValue(*bytes, ValueKind::kSequence)->declared_elem_kind,
            onnx::SequenceProto::SEQUENCE);
}

TEST(ValueCodecTest, OptionalRoundTrips) {
  Value none = Wrap(ValueKind::kOptional, "none", {});
  none.declared_elem_kind = onnx::OptionalProto::TENSOR;
  ExpectRoundTrip(none);
  ExpectRoundTrip(
      Wrap(ValueKind::kOptional, "some", {FloatTensor("some", {2}, Pack<float>({4, 5}))}));
  ExpectRoundTrip(
      Wrap(ValueKind::kOptional, "some_seq",
           {Wrap(ValueKind::kSequence, "s", {FloatTensor("e", {1}, Pack<float>({6}))})}));
  ExpectRoundTrip(
      Wrap(ValueKind::kSequence, "seq_of_optionals",
           {Wrap(ValueKind::kOptional, "o1", {}),
            Wrap(ValueKind::kOptional, "o2", {FloatTensor("t", {1}, Pack<float>({7}))})}));
}

TEST(ValueCodecTest, EncodingASequenceOfMixedKindsIsAnError) {
  Value mixed =
      Wrap(ValueKind::kSequence, "mixed",
           {FloatTensor("a", {1}, Pack<float>({1})), Wrap(ValueKind::kSequence, "s", {})});
  auto bytes = EncodeValue(mixed);
  ASSERT_FALSE(bytes.ok());
  EXPECT_TRUE(Contains(bytes.error().message(), "'mixed'")) << bytes.error().message();
}

// ---- ReadValueFile -----------------------------------------------------------------------------

TEST(ReadValueFileTest, DecodesAFile) {
  auto dir = TempDir::Create("value_codec_test");
  ASSERT_TRUE(dir.ok());
  onnx::TensorProto proto = MakeTensor("x", ElemType::kInt64, {2});
  proto.set_raw_data(Pack<int64_t>({5, 6}));
  fs::path path = dir->path() / "input_0.pb";
  std::ofstream(path, std::ios::binary) << proto.SerializeAsString();
  auto value = ReadValueFile(path, ValueKind::kTensor);
  ASSERT_TRUE(value.ok()) << ErrorOf(value);
  EXPECT_EQ(value->tensor.data, Pack<int64_t>({5, 6}));
}

TEST(ReadValueFileTest, DecodeErrorMentionsTheFileName) {
  auto dir = TempDir::Create("value_codec_test");
  ASSERT_TRUE(dir.ok());
  onnx::TensorProto proto = MakeTensor("x", ElemType::kFloat, {3});
  proto.set_raw_data("short");
  fs::path path = dir->path() / "output_7.pb";
  std::ofstream(path, std::ios::binary) << proto.SerializeAsString();
  auto value = ReadValueFile(path, ValueKind::kTensor);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "output_7.pb")) << ErrorOf(value);
  EXPECT_TRUE(Contains(ErrorOf(value), "raw_data has 5 bytes")) << ErrorOf(value);
}

TEST(ReadValueFileTest, MissingFileErrorMentionsTheFileName) {
  auto dir = TempDir::Create("value_codec_test");
  ASSERT_TRUE(dir.ok());
  auto value = ReadValueFile(dir->path() / "input_3.pb", ValueKind::kTensor);
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(Contains(ErrorOf(value), "input_3.pb")) << ErrorOf(value);
}

// ---- Element types -----------------------------------------------------------------------------

TEST(ElemTypeTest, NamesSizesAndFloatingPointFollowOnnx) {
  EXPECT_EQ(ElemTypeName(ElemType::kFloat16), "float16");
  EXPECT_EQ(ElemTypeName(ElemType::kBfloat16), "bfloat16");
  EXPECT_EQ(ElemTypeName(static_cast<ElemType>(99)), "elem_type(99)");
  EXPECT_EQ(ElemTypeSize(ElemType::kComplex128), 16u);
  EXPECT_EQ(ElemTypeSize(ElemType::kString), 0u);
  EXPECT_EQ(ElemTypeSize(ElemType::kInt4), 0u);
  EXPECT_TRUE(IsFloatingPoint(ElemType::kFloat8E5M2));
  EXPECT_FALSE(IsFloatingPoint(ElemType::kInt32));
  EXPECT_FALSE(IsKnownElemType(ElemType::kUndefined));
  EXPECT_FALSE(IsKnownElemType(static_cast<ElemType>(23)));
  for (int32_t number = 1; number <= 22; ++number) {
    EXPECT_TRUE(IsKnownElemType(static_cast<ElemType>(number))) << number;
  }
  // The installed onnx.proto may predate float8 and int4 (ONNX 1.14/1.16); compare what it has.
  for (int32_t number = 1; number <= 22; ++number) {
    if (!onnx::TensorProto::DataType_IsValid(number)) continue;
    ElemType type = static_cast<ElemType>(number);
    EXPECT_EQ(ElemTypeName(type), [&] {
      std::string name = onnx::TensorProto::DataType_Name(number);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return name;
    }()) << number;
  }
}

}  // namespace
}  // namespace zooci
