// onnx: everything ZooCI reads from or writes to ONNX files. Values (tensors, sequences,
// optionals) decoded from TensorProto/SequenceProto/OptionalProto, model loading with limits,
// test-data discovery, and safe extraction of model archives.
//
// Values are held in a runtime-neutral form: numeric tensor payloads are packed little-endian
// bytes exactly as ONNX's raw_data would hold them, whatever field the proto used.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"

namespace zooci {

// ONNX TensorProto.DataType numbering (onnx.proto), kept numerically identical.
enum class ElemType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBfloat16 = 16,
  kFloat8E4M3FN = 17,
  kFloat8E4M3FNUZ = 18,
  kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20,
  kUint4 = 21,
  kInt4 = 22,
};

// "float", "int64", "bfloat16", ...; "elem_type(99)" for unknown numbers.
std::string ElemTypeName(ElemType type);
// Bytes per element for fixed-size types; 0 for string, undefined and sub-byte types.
size_t ElemTypeSize(ElemType type);
bool IsFloatingPoint(ElemType type);  // float, double, float16, bfloat16, float8*, complex*
bool IsKnownElemType(ElemType type);  // a defined type other than kUndefined
// "[1,3,224,224]" for dims or a multi-dimensional index; "[]" for a scalar.
std::string FormatDims(const std::vector<int64_t>& dims);

struct Tensor {
  std::string name;  // the proto's name; may be empty
  ElemType elem_type = ElemType::kUndefined;
  std::vector<int64_t> shape;
  std::string data;                  // packed little-endian elements (non-string types)
  std::vector<std::string> strings;  // elements of a string tensor

  // Product of dims (1 for a scalar). Dims are validated non-negative on decode.
  int64_t ElementCount() const;
};

enum class ValueKind { kTensor, kSequence, kOptional };
std::string ValueKindName(ValueKind kind);  // "tensor", "sequence", "optional"

// A value as a model consumes or produces it.
struct Value {
  ValueKind kind = ValueKind::kTensor;
  std::string name;
  Tensor tensor;                // kind == kTensor
  std::vector<Value> elements;  // kind == kSequence: the elements; kOptional: zero or one
  // Element kind declared by a sequence/optional proto, numbered as SequenceProto.DataType
  // (0 undefined, 1 tensor, 2 sparse tensor, 3 sequence, 4 map, 5 optional).
  int32_t declared_elem_kind = 0;

  static Value FromTensor(Tensor tensor);
  // "float[1,3,224,224]", "seq<float[2]>(3)", "optional(none)".
  std::string Describe() const;
};

// Decodes serialized TensorProto / SequenceProto / OptionalProto bytes as `kind`. Validates
// element type, dims, payload size against element count (no allocation beyond the payload).
Result<Value> DecodeValue(std::string_view bytes, ValueKind kind);
// Encodes a value as the corresponding proto (numeric data into raw_data).
Result<std::string> EncodeValue(const Value& value);
// Reads and decodes a .pb file.
Result<Value> ReadValueFile(const fs::path& path, ValueKind kind);

// ---- Models ------------------------------------------------------------------------------------

// What a graph input or output is, as declared by the model.
struct ValueInfo {
  std::string name;
  ValueKind kind = ValueKind::kTensor;        // maps and sparse tensors are reported as unsupported
  bool supported = true;                      // false for map / sparse / opaque types
  std::string type_description;               // "tensor(float)[N,3,224,224]", "seq(tensor(int64))"
  ElemType elem_type = ElemType::kUndefined;  // innermost tensor element type when known
  // A tensor's declared shape (outermost tensors only): per dim a value >= 0, or -1 with the
  // dim_param name ("" when the dim is unnamed and dynamic).
  struct Dim {
    int64_t value = -1;
    std::string param;
  };
  bool has_shape = false;
  std::vector<Dim> shape;
};

struct ModelInfo {
  int64_t ir_version = 0;
  std::map<std::string, int64_t> opset_import;  // domain ("" = ai.onnx) -> version
  std::string producer_name;
  std::string producer_version;
  std::vector<ValueInfo> inputs;  // graph inputs that are not initializers
  std::vector<ValueInfo> outputs;
  // The operators of the main graph's nodes, each once, in node order: "Conv", or "domain.Op"
  // outside the default domain ("ai.onnx.preview.training.Adam"). Subgraphs are not included.
  std::vector<std::string> operators;
  // The `location` of every main-graph initializer stored as external data, as written (relative
  // to the model's directory; unchecked), each once.
  std::vector<std::string> external_data_locations;
};

struct ModelLoadLimits {
  uint64_t max_file_bytes = (uint64_t{2} << 30) - 1;  // protobuf's 2 GiB limit
  int max_recursion_depth = 256;
};

// Parses a model file's header information (without loading external data). A file that is not
// a parseable ModelProto (empty, truncated, random bytes) is an error naming the file.
Result<ModelInfo> ReadModelInfo(const fs::path& path, const ModelLoadLimits& limits = {});

// ---- Test data ---------------------------------------------------------------------------------

// One test_data_set_N directory: input_K.pb / output_K.pb numbered from 0 without gaps.
struct DataSet {
  std::string name;  // "test_data_set_0"
  fs::path dir;
  std::vector<fs::path> inputs;
  std::vector<fs::path> outputs;
};

// Lists the test_data_set_* directories of `dir` in numeric order with their files. Fails on
// gaps ("input_2.pb present but input_1.pb missing") and on a data set without output_0.pb;
// other files (README, config.txt) are ignored.
Result<std::vector<DataSet>> FindDataSets(const fs::path& dir);

// A unit `zooci test` runs: one model and its data sets.
struct TestCase {
  std::string id;  // display name, e.g. "node/test_abs"
  fs::path model_path;
  std::vector<DataSet> data_sets;
  std::string discovery_error;  // non-empty: the case is malformed (reported as error)
};

// ---- Archives ----------------------------------------------------------------------------------

struct ExtractLimits {
  uint64_t max_total_bytes = uint64_t{8} << 30;  // sum of regular file sizes
  uint64_t max_entries = 100000;
  // Archive bombs: once more than `ratio_grace_bytes` are extracted, the extracted bytes may be at
  // most `max_ratio` times the archive bytes read so far. Checked while streaming, before each
  // block is written, so a bomb costs at most the grace on disk. Real model archives compress
  // about 1.1:1 (float weights); a tensor of zeros compresses about 1000:1 under gzip.
  uint64_t max_ratio = 100;
  uint64_t ratio_grace_bytes = uint64_t{64} << 20;
};

// Extracts a .tar.gz (or .tgz / .tar) into `dest` (an existing, empty directory). Rejects, with an
// error naming the entry: absolute paths, ".." components, symlinks or hard links whose target
// leaves `dest`, device files and FIFOs, and archives over the limits. Never writes outside
// `dest` and never follows a symlink while writing.
Status ExtractArchive(const fs::path& archive, const fs::path& dest,
                      const ExtractLimits& limits = {});

// The model of an extracted zoo archive (ExtractArchive's `dest`): the one .onnx regular file in
// the tree, as the zoo's own CI requires (`<dir>/<name>.onnx` beside `<dir>/test_data_set_N/`).
// Looks at most 16 directories deep without following directory symlinks, and skips macOS
// AppleDouble files ("._name.onnx"). Fails when there is no model or more than one, naming them.
Result<fs::path> FindArchivedModel(const fs::path& extracted_dir);

// ---- Comparing models --------------------------------------------------------------------------

enum class ModelSameness {
  kIdenticalBytes,       // the files, and any external data they reference, are byte-identical
  kSameGraphAndWeights,  // only metadata or the encoding differs (see CompareModelFiles)
  kDifferent,
};
std::string ModelSamenessName(ModelSameness sameness);  // "identical bytes", "different", ...

struct ModelComparison {
  ModelSameness sameness = ModelSameness::kDifferent;
  // Empty when identical. Otherwise one line for people: for kDifferent the first difference that
  // changes computation ("graph: node #3 op Relu vs Sigmoid", "initializer 'conv1.weight' differs
  // (first at element 17: 0.1 vs 0.2)"); for kSameGraphAndWeights what differs ("metadata only:
  // producer_version '1.7' vs '1.9', doc_string", "encoding only: initializer 'w' raw_data vs
  // float_data").
  std::string difference;
};

struct ModelCompareLimits {
  ModelLoadLimits load;  // per model file
  // External data read for the comparison, both models together.
  uint64_t max_external_data_bytes = uint64_t{64} << 30;
};

// Whether two .onnx files are the same model, e.g. a zoo's standalone model and the copy in its
// archive. The bytes are compared first, streaming; only when they differ are both files parsed
// (memory about the two files' sizes, plus a packed copy of one tensor at a time when a tensor is
// stored in typed fields) and compared field by field. External data is read in blocks, relative
// to each model's directory; a location outside it is an error.
//
// Same graph and weights means equal, in this order: ir_version; opset imports (as a set, "" and
// "ai.onnx" alike); graph inputs and outputs (order, names, full types with shapes); nodes in
// order (op_type, domain, input and output value names, attributes by name with their values,
// subgraphs recursively); initializers and sparse initializers by name (data_type, dims and
// element bytes, so -0.0 differs from 0.0, whether they sit in raw_data, a typed field or external
// data); quantization annotations; model-local functions by domain and name; training info; and
// fields of an onnx.proto newer than this build's (1.12), such as NodeProto.overload.
// Set aside as metadata (noted in `difference`, never decisive): the model's producer_name,
// producer_version, domain, model_version, doc_string and metadata_props; graph names and
// doc_strings; node names (nothing refers to a node by name: values connect nodes, and value
// names are compared) and doc_strings; doc_strings of values, attributes, tensors and functions;
// the names of attribute tensors; value_info (declared intermediate types, not computation); the
// order of initializers; newer metadata_props fields.
//
// Errors: a file missing, unreadable, not a ModelProto or over the limits; external data missing,
// outside the model's directory, out of range or over the limit; a tensor malformed enough that
// its values cannot be read. Each names the file.
Result<ModelComparison> CompareModelFiles(const fs::path& a, const fs::path& b,
                                          const ModelCompareLimits& limits = {});

}  // namespace zooci
