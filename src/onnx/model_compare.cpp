// CompareModelFiles: is one .onnx file the same model as another? The bytes first (streamed),
// then, only when they differ, the parsed protos field by field with metadata set aside.
//
// Comparison stops at the first difference that changes computation; metadata and encoding
// differences met on the way are only noted, for the one-line summary of kSameGraphAndWeights.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

#include "onnx/model_compare_internal.h"
#include "onnx/proto_helpers.h"

namespace zooci {
namespace {

constexpr size_t kFileBlockBytes = size_t{1} << 20;

// ---- Step 1: the bytes -------------------------------------------------------------------------

// "location" (the key every external-data entry needs) right after its length: 0x08, or 0x00 as
// the last byte of an over-long varint. Never misses a reference; may report one that is not.
constexpr std::string_view kExternalDataKey = "location";
constexpr size_t kMarkerOverlapBytes = kExternalDataKey.size();

bool HasExternalDataMarker(std::string_view bytes) {
  for (size_t pos = bytes.find(kExternalDataKey, 1); pos != std::string_view::npos;
       pos = bytes.find(kExternalDataKey, pos + 1)) {
    if (bytes[pos - 1] == '\x08' || bytes[pos - 1] == '\0') return true;
  }
  return false;
}

struct ByteComparison {
  bool identical = false;
  bool may_reference_external_data = false;  // set when identical
};

Status CheckRegularFile(const fs::path& path) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) return OkStatus();
  if (!fs::exists(path, error)) return Error("model " + path.string() + ": no such file");
  return Error("model " + path.string() + ": not a regular file");
}

Result<ByteComparison> CompareFileBytes(const fs::path& a, const fs::path& b) {
  ZC_RETURN_IF_ERROR(CheckRegularFile(a));
  ZC_RETURN_IF_ERROR(CheckRegularFile(b));
  std::ifstream file_a(a, std::ios::binary), file_b(b, std::ios::binary);
  if (!file_a) return Error("model " + a.string() + ": cannot open: " + std::strerror(errno));
  if (!file_b) return Error("model " + b.string() + ": cannot open: " + std::strerror(errno));
  std::error_code error;
  if (fs::file_size(a, error) != fs::file_size(b, error) || error) return ByteComparison{};

  // block_a keeps the previous block's last bytes in front, so a marker across blocks is seen.
  std::vector<char> block_a(kMarkerOverlapBytes + kFileBlockBytes), block_b(kFileBlockBytes);
  size_t overlap_bytes = 0;
  ByteComparison result{true, false};
  while (true) {
    char* data_a = block_a.data() + kMarkerOverlapBytes;
    file_a.read(data_a, kFileBlockBytes);
    file_b.read(block_b.data(), kFileBlockBytes);
    if (file_a.bad() || file_b.bad()) return Error("read " + a.string() + " and " + b.string());
    const auto got_bytes = static_cast<size_t>(file_a.gcount());
    if (got_bytes != static_cast<size_t>(file_b.gcount())) return ByteComparison{};
    if (got_bytes == 0) return result;
    if (std::memcmp(data_a, block_b.data(), got_bytes) != 0) return ByteComparison{};
    if (!result.may_reference_external_data) {
      result.may_reference_external_data = HasExternalDataMarker(
          std::string_view(data_a - overlap_bytes, overlap_bytes + got_bytes));
    }
    overlap_bytes = std::min(kMarkerOverlapBytes, got_bytes);
    std::memmove(block_a.data() + kMarkerOverlapBytes - overlap_bytes,
                 data_a + got_bytes - overlap_bytes, overlap_bytes);
  }
}

// ---- Step 2: parsing ---------------------------------------------------------------------------

// Parses from the file (no second copy of its bytes in memory), bounded as ReadModelInfo is.
Result<onnx::ModelProto> ParseModelFile(const fs::path& path, const ModelLoadLimits& limits) {
  const std::string context = "model " + path.string();
  std::error_code error;
  const uint64_t file_bytes = fs::file_size(path, error);
  if (error) return Error(context + ": " + error.message());
  if (file_bytes == 0) return Error(context + ": file is empty");
  if (file_bytes > limits.max_file_bytes || file_bytes > static_cast<uint64_t>(INT_MAX)) {
    return Error(context + ": " + std::to_string(file_bytes) + " bytes, over the limit of " +
                 std::to_string(std::min<uint64_t>(limits.max_file_bytes, INT_MAX)));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error(context + ": cannot open: " + std::strerror(errno));
  google::protobuf::io::IstreamInputStream stream(&file);
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetTotalBytesLimit(INT_MAX);
  coded.SetRecursionLimit(limits.max_recursion_depth);
  onnx::ModelProto model;
  if (!model.MergeFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    return Error(context + ": not a valid ModelProto (truncated or corrupt protobuf, or nested " +
                 "deeper than " + std::to_string(limits.max_recursion_depth) + " levels)");
  }
  if (!model.has_graph()) return Error(context + ": the model has no graph");
  return model;
}

fs::path ModelDir(const fs::path& model) {
  return model.has_parent_path() ? model.parent_path() : fs::path(".");
}

bool SameDirectory(const fs::path& a, const fs::path& b) {
  std::error_code error_a, error_b;
  const fs::path canonical_a = fs::weakly_canonical(a, error_a);
  const fs::path canonical_b = fs::weakly_canonical(b, error_b);
  return !error_a && !error_b && canonical_a == canonical_b;
}

}  // namespace

std::string ModelSamenessName(ModelSameness sameness) {
  switch (sameness) {
    case ModelSameness::kIdenticalBytes:
      return "identical bytes";
    case ModelSameness::kSameGraphAndWeights:
      return "same graph and weights";
    case ModelSameness::kDifferent:
      return "different";
  }
  return "unknown";
}

Result<ModelComparison> CompareModelFiles(const fs::path& a, const fs::path& b,
                                          const ModelCompareLimits& limits) {
  ZC_ASSIGN_OR_RETURN(ByteComparison bytes, CompareFileBytes(a, b));
  ModelSide side_a{a, ModelDir(a)}, side_b{b, ModelDir(b)};
  // Identical files that reference external data are the same model only if the data is too.
  if (bytes.identical &&
      (!bytes.may_reference_external_data || SameDirectory(side_a.model_dir, side_b.model_dir))) {
    return ModelComparison{ModelSameness::kIdenticalBytes, ""};
  }
  ZC_ASSIGN_OR_RETURN(onnx::ModelProto model_a, ParseModelFile(a, limits.load));
  ProtoComparer comparer(std::move(side_a), std::move(side_b), limits.max_external_data_bytes);
  if (bytes.identical) return comparer.Compare(model_a, model_a, /*identical_bytes=*/true);
  ZC_ASSIGN_OR_RETURN(onnx::ModelProto model_b, ParseModelFile(b, limits.load));
  return comparer.Compare(model_a, model_b, /*identical_bytes=*/false);
}

}  // namespace zooci
