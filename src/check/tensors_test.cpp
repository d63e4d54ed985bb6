#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "check/internal.h"
#include "testing/testing.h"

namespace zooci::check_internal {
namespace {

using onnx::TensorProto;
using Entries = std::vector<std::pair<std::string, std::string>>;

TensorProto Make(ElemType type, const std::vector<int64_t>& dims) {
  TensorProto tensor;
  tensor.set_name("w");
  tensor.set_data_type(static_cast<int32_t>(type));
  for (int64_t dim : dims) tensor.add_dims(dim);
  return tensor;
}

TensorProto RawFloat(const std::vector<int64_t>& dims, size_t bytes) {
  TensorProto tensor = Make(ElemType::kFloat, dims);
  tensor.set_raw_data(std::string(bytes, '\0'));
  return tensor;
}

TensorProto External(const Entries& entries, const std::vector<int64_t>& dims = {2, 3}) {
  TensorProto tensor = Make(ElemType::kFloat, dims);
  tensor.set_data_location(TensorProto::EXTERNAL);
  for (const auto& [key, value] : entries) {
    auto* entry = tensor.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  }
  return tensor;
}

std::string Int64Bytes(const std::vector<int64_t>& values) {
  std::string bytes(values.size() * 8, '\0');
  for (size_t value_idx = 0; value_idx < values.size(); ++value_idx) {
    auto value = static_cast<uint64_t>(values[value_idx]);
    for (size_t byte_idx = 0; byte_idx < 8; ++byte_idx) {
      bytes[value_idx * 8 + byte_idx] = static_cast<char>((value >> (8 * byte_idx)) & 0xff);
    }
  }
  return bytes;
}

// A sparse float tensor of dense shape `dims`; `index_dims` empty means [NNZ] (linear).
onnx::SparseTensorProto Sparse(const std::vector<int64_t>& dims, int64_t nnz,
                               const std::vector<int64_t>& indices,
                               const std::vector<int64_t>& index_dims = {}) {
  onnx::SparseTensorProto sparse;
  for (int64_t dim : dims) sparse.add_dims(dim);
  *sparse.mutable_values() = RawFloat({nnz}, static_cast<size_t>(nnz) * 4);
  TensorProto index_tensor =
      Make(ElemType::kInt64, index_dims.empty() ? std::vector<int64_t>{nnz} : index_dims);
  for (int64_t index : indices) index_tensor.add_int64_data(index);
  *sparse.mutable_indices() = index_tensor;
  return sparse;
}

std::vector<std::string> Codes(std::initializer_list<RuleId> ids) {
  std::vector<std::string> codes;
  for (RuleId id : ids) codes.push_back(RuleCode(id));
  std::sort(codes.begin(), codes.end());
  return codes;
}

class TensorsTest : public ::testing::Test {
 protected:
  TensorsTest() : sink_(Profile::kDefault, &diagnostics_) {
    context_.options = &options_;
    context_.sink = &sink_;
    context_.ir_version = 8;
  }

  static Location Where() {
    Location where;
    where.graph = "g";
    where.field = "initializer 'w'";
    return where;
  }

  // The sorted rule codes reported for one check.
  std::vector<std::string> Reported() {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : diagnostics_) codes.push_back(RuleCode(diagnostic.rule));
    std::sort(codes.begin(), codes.end());
    return codes;
  }
  std::vector<std::string> Check(const TensorProto& tensor) {
    diagnostics_.clear();
    CheckTensor(tensor, context_, Where());
    return Reported();
  }
  std::vector<std::string> CheckSparse(const onnx::SparseTensorProto& sparse) {
    diagnostics_.clear();
    CheckSparseTensor(sparse, context_, Where());
    return Reported();
  }
  std::vector<std::string> CheckType(const onnx::TypeProto& type) {
    diagnostics_.clear();
    CheckDeclaredType(type, context_, Where());
    return Reported();
  }
  std::string FirstMessage() const {
    return diagnostics_.empty() ? std::string() : diagnostics_.front().message;
  }

  CheckOptions options_;
  std::vector<Diagnostic> diagnostics_;
  Sink sink_;
  ModelContext context_;
};

// ---- element types, dims, sizes ----------------------------------------------------------------

TEST_F(TensorsTest, InvalidDataType) {
  EXPECT_EQ(Check(RawFloat({2}, 8)), Codes({}));
  TensorProto undefined = RawFloat({2}, 8);
  undefined.set_data_type(0);
  EXPECT_EQ(Check(undefined), Codes({RuleId::kInvalidDataType}));
  EXPECT_NE(FirstMessage().find("UNDEFINED"), std::string::npos) << FirstMessage();
  undefined.set_data_type(99);
  EXPECT_EQ(Check(undefined), Codes({RuleId::kInvalidDataType}));
  EXPECT_NE(FirstMessage().find("99"), std::string::npos) << FirstMessage();
}

TEST_F(TensorsTest, NegativeDimReportedOnceWithoutPayloadFindings) {
  EXPECT_EQ(Check(RawFloat({2, -1, -3}, 20)), Codes({RuleId::kNegativeDim}));
  EXPECT_EQ(FirstMessage(), "dims [2,-1,-3] have a negative dimension");
}

TEST_F(TensorsTest, AbsurdSize) {
  EXPECT_EQ(Check(RawFloat({int64_t{1} << 32, int64_t{1} << 32, 16}, 4)),
            Codes({RuleId::kAbsurdTensorSize}));
  EXPECT_EQ(Check(RawFloat({int64_t{1} << 38, 8}, 4)), Codes({RuleId::kAbsurdTensorSize}));
  // A zero dim makes the count 0 whatever the other dims are.
  EXPECT_EQ(Check(Make(ElemType::kFloat, {int64_t{1} << 62, 4, 0})), Codes({}));
}

TEST_F(TensorsTest, TypeNewerThanIr) {
  TensorProto bfloat = Make(ElemType::kBfloat16, {2});
  bfloat.set_raw_data(std::string(4, '\0'));
  context_.ir_version = 3;
  EXPECT_EQ(Check(bfloat), Codes({RuleId::kTypeNewerThanIr}));
  context_.ir_version = 4;
  EXPECT_EQ(Check(bfloat), Codes({}));
  TensorProto float8 = Make(ElemType::kFloat8E5M2, {2});
  float8.set_raw_data(std::string(2, '\0'));
  context_.ir_version = 8;
  EXPECT_EQ(Check(float8), Codes({RuleId::kTypeNewerThanIr}));
  TensorProto int4 = Make(ElemType::kInt4, {2});
  int4.set_raw_data(std::string(1, '\0'));
  context_.ir_version = 9;
  EXPECT_EQ(Check(int4), Codes({RuleId::kTypeNewerThanIr}));
  context_.ir_version = 0;  // unknown IR: nothing to compare with
  EXPECT_EQ(Check(int4), Codes({}));
}

// ---- inline payload ----------------------------------------------------------------------------

TEST_F(TensorsTest, PassingPayloads) {
  EXPECT_EQ(Check(RawFloat({2, 3}, 24)), Codes({}));
  TensorProto int64 = Make(ElemType::kInt64, {3});
  for (int64_t value : {1, 2, 3}) int64.add_int64_data(value);
  EXPECT_EQ(Check(int64), Codes({}));
  TensorProto strings = Make(ElemType::kString, {2});
  strings.add_string_data("a");
  strings.add_string_data("");
  EXPECT_EQ(Check(strings), Codes({}));
  context_.ir_version = 10;
  TensorProto int4 = Make(ElemType::kInt4, {5});
  int4.set_raw_data(std::string(3, '\0'));
  EXPECT_EQ(Check(int4), Codes({}));
  TensorProto uint4 = Make(ElemType::kUint4, {5});
  for (int32_t pair : {0x12, 0x34, 0x05}) uint4.add_int32_data(pair);
  EXPECT_EQ(Check(uint4), Codes({}));
  TensorProto complex = Make(ElemType::kComplex64, {3});
  for (int entry = 0; entry < 6; ++entry) complex.add_float_data(1.0F);
  EXPECT_EQ(Check(complex), Codes({}));
  TensorProto half = Make(ElemType::kFloat16, {2});
  half.add_int32_data(0x3c00);
  half.add_int32_data(0);
  EXPECT_EQ(Check(half), Codes({}));
  TensorProto uint32 = Make(ElemType::kUint32, {1});
  uint32.add_uint64_data(7);
  EXPECT_EQ(Check(uint32), Codes({}));
  EXPECT_EQ(Check(Make(ElemType::kFloat, {0, 3})), Codes({}));
  EXPECT_EQ(Check(RawFloat({0}, 0)), Codes({}));
}

TEST_F(TensorsTest, PayloadSizeMismatch) {
  EXPECT_EQ(Check(RawFloat({2, 3}, 20)), Codes({RuleId::kPayloadSizeMismatch}));
  EXPECT_EQ(FirstMessage(), "float[2,3] needs 24 bytes of raw_data, has 20");
  TensorProto int64 = Make(ElemType::kInt64, {3});
  int64.add_int64_data(1);
  EXPECT_EQ(Check(int64), Codes({RuleId::kPayloadSizeMismatch}));
  EXPECT_EQ(FirstMessage(), "int64[3] needs 3 entries in int64_data, has 1");
  TensorProto strings = Make(ElemType::kString, {3});
  strings.add_string_data("a");
  EXPECT_EQ(Check(strings), Codes({RuleId::kPayloadSizeMismatch}));
  EXPECT_EQ(Check(Make(ElemType::kFloat, {2, 3})), Codes({RuleId::kPayloadSizeMismatch}));
  EXPECT_EQ(FirstMessage(), "float[2,3] has 6 elements but no data");
  TensorProto int4 = Make(ElemType::kInt4, {5});
  int4.set_raw_data(std::string(5, '\0'));
  context_.ir_version = 10;
  EXPECT_EQ(Check(int4), Codes({RuleId::kPayloadSizeMismatch}));
  TensorProto complex = Make(ElemType::kComplex64, {3});
  for (int entry = 0; entry < 3; ++entry) complex.add_float_data(1.0F);
  EXPECT_EQ(Check(complex), Codes({RuleId::kPayloadSizeMismatch}));
}

TEST_F(TensorsTest, WrongPayloadField) {
  TensorProto int64 = Make(ElemType::kInt64, {1});
  int64.add_float_data(1.0F);
  EXPECT_EQ(Check(int64), Codes({RuleId::kWrongPayloadField}));
  TensorProto strings = Make(ElemType::kString, {1});
  strings.set_raw_data("a");
  EXPECT_EQ(Check(strings), Codes({RuleId::kWrongPayloadField}));
  TensorProto uint32 = Make(ElemType::kUint32, {1});
  uint32.add_int32_data(1);
  EXPECT_EQ(Check(uint32), Codes({RuleId::kWrongPayloadField}));
}

TEST_F(TensorsTest, ConflictingPayload) {
  TensorProto both = RawFloat({1}, 4);
  both.add_float_data(1.0F);
  EXPECT_EQ(Check(both), Codes({RuleId::kConflictingPayload}));
  EXPECT_EQ(Check(RawFloat({0, 3}, 4)), Codes({RuleId::kConflictingPayload}));
  TensorProto empty_with_data = Make(ElemType::kInt64, {0});
  empty_with_data.add_int64_data(5);
  EXPECT_EQ(Check(empty_with_data), Codes({RuleId::kConflictingPayload}));
  TensorProto external = External({{"location", "w.bin"}});
  external.set_raw_data(std::string(24, '\0'));
  EXPECT_EQ(Check(external), Codes({RuleId::kConflictingPayload}));
}

// ---- external data -----------------------------------------------------------------------------

class ExternalTest : public TensorsTest {
 protected:
  ExternalTest() : scratch_(testing::ScratchDir("zooci-tensors")) {
    model_dir_ = scratch_->path() / "model";
    outside_ = scratch_->path() / "outside";
    fs::create_directories(model_dir_);
    fs::create_directories(outside_);
    testing::WriteTestFile(model_dir_ / "w.bin", std::string(32, 'x'));
    testing::WriteTestFile(outside_ / "secret.bin", std::string(24, 's'));
    context_.model_dir = model_dir_;
  }

  std::unique_ptr<TempDir> scratch_;
  fs::path model_dir_;
  fs::path outside_;
};

TEST_F(ExternalTest, InRange) {
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"offset", "8"}, {"length", "24"}})), Codes({}));
  EXPECT_EQ(Check(External({{"location", "./w.bin"}, {"offset", "8"}})), Codes({}));
  // checksum: SHA-1 of the whole file, or of the tensor's range (either case of hex digits).
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"length", "24"}, 
                            {"checksum", "680cb4c5ec5d1bbfa592081dcc915e15b3cd9d3e"}})),
            Codes({}));
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"length", "24"}, 
                            {"checksum", "F7228EA6B178DF32077280927F544CF46831A5E7"}})),
            Codes({}));
  testing::WriteTestFile(model_dir_ / "sub" / "data.bin", std::string(24, 'd'));
  fs::create_symlink("sub/data.bin", model_dir_ / "inside_link.bin");
  EXPECT_EQ(Check(External({{"location", "inside_link.bin"}})), Codes({}));
}

TEST_F(ExternalTest, Checksum) {
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"length", "24"}, {"checksum", "abc"}})),
            Codes({RuleId::kMalformedExternalInfo}));
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"length", "24"},
                            {"checksum", std::string(40, '0')}})),
            Codes({RuleId::kExternalChecksumMismatch}));
}

TEST_F(ExternalTest, LocationMissing) {
  EXPECT_EQ(Check(External({{"offset", "0"}})), Codes({RuleId::kExternalLocationMissing}));
  EXPECT_EQ(Check(External({{"location", ""}})), Codes({RuleId::kExternalLocationMissing}));
}

TEST_F(ExternalTest, LocationUnsafe) {
  const std::vector<std::string> unsafe = Codes({RuleId::kExternalLocationUnsafe});
  EXPECT_EQ(Check(External({{"location", "../x"}})), unsafe);
  EXPECT_EQ(Check(External({{"location", "a/../../x"}})), unsafe);
  EXPECT_EQ(Check(External({{"location", "/etc/passwd"}})), unsafe);
  EXPECT_EQ(Check(External({{"location", std::string("w.bin\0/../x", 11)}})), unsafe);
  fs::create_symlink(outside_ / "secret.bin", model_dir_ / "link.bin");
  EXPECT_EQ(Check(External({{"location", "link.bin"}})), unsafe);
  fs::create_symlink(outside_, model_dir_ / "linked_dir");
  EXPECT_EQ(Check(External({{"location", "linked_dir/secret.bin"}})), unsafe);
  fs::create_symlink("..", model_dir_ / "up");
  EXPECT_EQ(Check(External({{"location", "up/outside/secret.bin"}})), unsafe);
}

TEST_F(ExternalTest, LexicalChecksOnlyWithoutModelDir) {
  context_.model_dir.clear();
  EXPECT_EQ(Check(External({{"location", "missing.bin"}})), Codes({}));
  EXPECT_EQ(Check(External({{"location", "../x"}})), Codes({RuleId::kExternalLocationUnsafe}));
}

TEST_F(ExternalTest, FileMissing) {
  EXPECT_EQ(Check(External({{"location", "missing.bin"}})), Codes({RuleId::kExternalFileMissing}));
  fs::create_directories(model_dir_ / "dir");
  EXPECT_EQ(Check(External({{"location", "dir"}})), Codes({RuleId::kExternalFileMissing}));
  EXPECT_EQ(Check(External({{"location", "."}})), Codes({RuleId::kExternalFileMissing}));
}

TEST_F(ExternalTest, HardLink) {
  fs::create_hard_link(model_dir_ / "w.bin", outside_ / "alias.bin");
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"offset", "8"}})),
            Codes({RuleId::kExternalHardLink}));
}

TEST_F(ExternalTest, RangeOutOfFile) {
  const std::vector<std::string> out = Codes({RuleId::kExternalRangeOutOfFile});
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"offset", "16"}, {"length", "24"}})), out);
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"offset", "40"}})), out);
  EXPECT_EQ(
      Check(External({{"location", "w.bin"}, {"offset", "8"}, {"length", "9223372036854775807"}})),
      out);
}

TEST_F(ExternalTest, LengthMismatch) {
  const std::vector<std::string> mismatch = Codes({RuleId::kExternalLengthMismatch});
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"length", "20"}})), mismatch);
  EXPECT_EQ(FirstMessage(), "float[2,3] needs 24 bytes of external data, length is 20");
  EXPECT_EQ(Check(External({{"location", "w.bin"}})), mismatch);  // 32 bytes from offset 0
  TensorProto strings = External({{"location", "w.bin"}});
  strings.set_data_type(static_cast<int32_t>(ElemType::kString));
  EXPECT_EQ(Check(strings), Codes({}));  // no computable byte size
}

TEST_F(ExternalTest, MalformedInfo) {
  const std::vector<std::string> malformed = Codes({RuleId::kMalformedExternalInfo});
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"location", "w.bin"}, {"offset", "8"}})),
            malformed);
  for (const char* bad : {"-5", "1e3", "", " 12", "+8", "0x10", "99999999999999999999"}) {
    EXPECT_EQ(Check(External({{"location", "w.bin"}, {"offset", bad}, {"length", "24"}})),
              malformed)
        << "offset '" << bad << "'";
  }
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"length", "-24"}})), malformed);
}

TEST_F(ExternalTest, UnknownKey) {
  EXPECT_EQ(Check(External({{"location", "w.bin"}, {"offset", "8"}, {"compression", "zstd"}})),
            Codes({RuleId::kExternalUnknownKey}));
}

// ---- sparse tensors ----------------------------------------------------------------------------

TEST_F(TensorsTest, SparsePassing) {
  EXPECT_EQ(CheckSparse(Sparse({10}, 3, {1, 4, 9})), Codes({}));
  EXPECT_EQ(CheckSparse(Sparse({3, 4}, 2, {0, 3, 2, 0}, {2, 2})), Codes({}));
  onnx::SparseTensorProto raw = Sparse({10}, 2, {});
  raw.mutable_indices()->set_raw_data(Int64Bytes({2, 7}));
  EXPECT_EQ(CheckSparse(raw), Codes({}));
}

TEST_F(TensorsTest, SparseInvalid) {
  const std::vector<std::string> invalid = Codes({RuleId::kInvalidSparseTensor});
  EXPECT_EQ(CheckSparse(Sparse({}, 1, {0})), invalid);
  EXPECT_EQ(CheckSparse(Sparse({4, -1}, 1, {0})), invalid);
  onnx::SparseTensorProto values_rank2 = Sparse({4}, 2, {0, 1});
  *values_rank2.mutable_values() = RawFloat({1, 2}, 8);
  EXPECT_EQ(CheckSparse(values_rank2), invalid);
  onnx::SparseTensorProto int32_indices = Sparse({4}, 1, {});
  *int32_indices.mutable_indices() = Make(ElemType::kInt32, {1});
  int32_indices.mutable_indices()->add_int32_data(0);
  EXPECT_EQ(CheckSparse(int32_indices), invalid);
  EXPECT_EQ(CheckSparse(Sparse({4}, 2, {0, 1, 2}, {3})), invalid);                 // count != NNZ
  EXPECT_EQ(CheckSparse(Sparse({3, 4}, 2, {0, 1, 2, 0, 1, 3}, {2, 3})), invalid);  // not [NNZ, 2]
  EXPECT_EQ(CheckSparse(Sparse({4}, 2, {1, 4})), invalid);                         // out of range
  EXPECT_EQ(CheckSparse(Sparse({4}, 2, {3, 1})), invalid);                         // decreasing
  EXPECT_EQ(CheckSparse(Sparse({4}, 2, {1, 1})), invalid);                         // repeated
  EXPECT_EQ(CheckSparse(Sparse({3, 4}, 2, {0, 4, 1, 0}, {2, 2})), invalid);        // out of range
  EXPECT_EQ(CheckSparse(Sparse({3, 4}, 2, {1, 0, 0, 3}, {2, 2})), invalid);        // not sorted
  onnx::SparseTensorProto raw = Sparse({10}, 2, {});
  raw.mutable_indices()->set_raw_data(Int64Bytes({7, 2}));
  EXPECT_EQ(CheckSparse(raw), invalid);
}

TEST_F(TensorsTest, SparseChecksItsTensors) {
  onnx::SparseTensorProto short_values = Sparse({10}, 3, {1, 4, 9});
  short_values.mutable_values()->set_raw_data(std::string(8, '\0'));
  EXPECT_EQ(CheckSparse(short_values), Codes({RuleId::kPayloadSizeMismatch}));
  EXPECT_EQ(diagnostics_.front().location.field, "initializer 'w' values");
  // Index payload of the wrong size: the tensor finding only, indices are not read.
  EXPECT_EQ(CheckSparse(Sparse({10}, 3, {1, 4})), Codes({RuleId::kPayloadSizeMismatch}));
  EXPECT_EQ(diagnostics_.front().location.field, "initializer 'w' indices");
}

// ---- declared types ----------------------------------------------------------------------------

onnx::TypeProto TensorType(int32_t elem_type, const std::vector<int64_t>& dims) {
  onnx::TypeProto type;
  type.mutable_tensor_type()->set_elem_type(elem_type);
  auto* shape = type.mutable_tensor_type()->mutable_shape();
  for (int64_t dim : dims) shape->add_dim()->set_dim_value(dim);
  shape->add_dim()->set_dim_param("N");
  return type;
}

TEST_F(TensorsTest, DeclaredTypes) {
  EXPECT_EQ(CheckType(TensorType(1, {3, 224})), Codes({}));
  EXPECT_EQ(CheckType(TensorType(0, {3})), Codes({}));  // missing elem_type: reported elsewhere
  EXPECT_EQ(CheckType(TensorType(99, {3})), Codes({RuleId::kInvalidDataType}));
  EXPECT_EQ(CheckType(TensorType(1, {-1, -2})), Codes({RuleId::kNegativeDim}));
  EXPECT_EQ(FirstMessage(), "tensor shape [-1,-2,N] has a negative dimension");

  onnx::TypeProto sequence;
  *sequence.mutable_sequence_type()->mutable_elem_type() = TensorType(1, {-1});
  EXPECT_EQ(CheckType(sequence), Codes({RuleId::kNegativeDim}));
  onnx::TypeProto optional;
  *optional.mutable_optional_type()->mutable_elem_type() = sequence;
  EXPECT_EQ(CheckType(optional), Codes({RuleId::kNegativeDim}));
  onnx::TypeProto map;
  map.mutable_map_type()->set_key_type(7);
  *map.mutable_map_type()->mutable_value_type() = TensorType(42, {2});
  EXPECT_EQ(CheckType(map), Codes({RuleId::kInvalidDataType}));
  onnx::TypeProto sparse;
  sparse.mutable_sparse_tensor_type()->set_elem_type(1);
  sparse.mutable_sparse_tensor_type()->mutable_shape()->add_dim()->set_dim_value(-4);
  EXPECT_EQ(CheckType(sparse), Codes({RuleId::kNegativeDim}));
}

}  // namespace
}  // namespace zooci::check_internal
