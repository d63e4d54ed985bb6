// Private to the reference module: the interpreter's values, the context an operator function
// sees, the operator table, and helpers shared by the operator families (ops_*.cpp).
//
// Conventions every operator function follows:
//  - Elements are held as double whatever the element type (exact for every float type and for
//    integers up to 2^53); operators compute and accumulate in double. After an operator returns,
//    the interpreter rounds each output element to its element type (float32, float16, ...;
//    integers wrap, 64-bit integers saturate), so an operator never rounds by itself.
//  - An operator function handles the operator versions listed beside it in its family's
//    Register*Ops (the since_version of each ONNX schema, as in ONNX's Operators.md), and reads
//    `ctx.version` for what changed between them.
//  - Errors are short and name what is wrong with the node ("axis 4 out of range for rank 2");
//    the interpreter adds the node and the operator.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "onnx/onnx_io.h"

namespace zooci::reference {

using Shape = std::vector<int64_t>;

// A tensor as the interpreter holds it.
struct Array {
  ElemType type = ElemType::kFloat;
  Shape shape;
  std::vector<double> values;        // numeric and bool types, row-major, one per element
  std::vector<std::string> strings;  // kString only

  int64_t size() const;  // element count (1 for a scalar)
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  bool is_string() const { return type == ElemType::kString; }
};

// A zero-filled (or empty-string-filled) array.
Array MakeArray(ElemType type, Shape shape);
Array Scalar(ElemType type, double value);
// Product of dims; 1 for an empty shape.
int64_t ShapeSize(const Shape& shape);
// Row-major strides of `shape` (in elements).
std::vector<int64_t> Strides(const Shape& shape);
// Rounds every element to what `array.type` can hold (see the conventions above).
void RoundToType(Array& array);
double RoundToType(ElemType type, double value);
// A double read as an index or count: truncated, and saturated at the int64 limits (ONNX uses
// INT64_MAX as "to the end"). NaN reads as 0.
int64_t ToInt(double value);
// The elements of a 1-D (or scalar) int tensor such as a shape, axes or pads input.
std::vector<int64_t> ToInts(const Array& array);
Array FromInts(const std::vector<int64_t>& values, bool as_vector = true);

// zooci::Tensor (packed little-endian bytes) <-> Array.
Result<Array> ArrayFromTensor(const Tensor& tensor);
Result<Tensor> TensorFromArray(const Array& array, const std::string& name);

// A value of the graph: a tensor, a sequence of values, or an optional holding zero or one.
struct Item {
  ValueKind kind = ValueKind::kTensor;
  Array array;                                // kTensor
  std::vector<Item> elements;                 // kSequence: the elements; kOptional: zero or one
  ElemType elem_type = ElemType::kUndefined;  // tensor element type of an empty sequence
  // kSequence / kOptional: what the elements are, numbered as SequenceProto.DataType (1 tensor,
  // 3 sequence, 5 optional); what an empty optional or sequence reports.
  int32_t declared_elem_kind = 1;

  Item() = default;
  Item(Array a) : array(std::move(a)) {}  // NOLINT(google-explicit-constructor)
  static Item Sequence(std::vector<Item> elements, ElemType elem_type = ElemType::kUndefined);
  static Item Optional(std::optional<Item> element);
};

Result<Item> ItemFromValue(const Value& value);
Result<Value> ValueFromItem(const Item& item, const std::string& name);

using Outputs = std::vector<Item>;

// What every graph of one model shares.
struct ModelContext {
  std::map<std::string, int64_t> opsets;  // domain ("" for ai.onnx) -> opset version
  fs::path dir;                           // external data is read relative to it
};

// The values visible while a graph runs: its own, then those of the enclosing graphs (a
// subgraph of If, Loop or Scan reads names of the graph around it). Not thread-safe; one per run.
class Scope {
 public:
  Scope(const ModelContext& model, const Scope* outer) : model_(model), outer_(outer) {}
  const Item* Find(const std::string& name) const;
  void Set(const std::string& name, Item item) { values_[name] = std::move(item); }
  // Drops a value of this scope (not of the enclosing ones) that no later node reads.
  void Drop(const std::string& name) { values_.erase(name); }
  const ModelContext& model() const { return model_; }

 private:
  const ModelContext& model_;
  const Scope* outer_;
  std::map<std::string, Item> values_;
};

// Decodes an initializer or attribute tensor, reading external data inside `model.dir`.
Result<Array> DecodeTensorProto(const onnx::TensorProto& proto, const ModelContext& model);
// Binds `graph`'s initializers in `scope`.
Status BindInitializers(const onnx::GraphProto& graph, Scope& scope);
// Runs the nodes of `graph` in order; every graph input must already be bound in `scope`. A value
// is dropped after the last node that reads it (graph outputs are kept), so memory holds the
// live values only.
Status RunNodes(const onnx::GraphProto& graph, Scope& scope);
// Runs `graph` as a subgraph inside `outer`: its initializers, then `inputs` bound to its graph
// inputs in order; returns its outputs in order.
Result<Outputs> RunGraph(const onnx::GraphProto& graph, const Scope& outer,
                         std::vector<Item> inputs);
// Checks that every node of `graph` and of its subgraphs has an implemented operator at the
// model's opsets; the error is "operator Foo (opset 13) not implemented".
Status CheckOperators(const onnx::GraphProto& graph, const ModelContext& model);

// What an operator function sees of its node: inputs, attributes and the version in force.
class OpContext {
 public:
  // The since_version of the operator's schema that the model's opset selects.
  const int version;

  OpContext(const onnx::NodeProto& node, int version, std::vector<const Item*> inputs,
            const Scope& scope)
      : version(version), node_(node), inputs_(std::move(inputs)), scope_(scope) {}

  const onnx::NodeProto& node() const { return node_; }

  // Inputs as written in the node; an empty name (an omitted optional input) is absent.
  size_t input_count() const { return inputs_.size(); }
  bool has_input(size_t index) const { return index < inputs_.size() && inputs_[index]; }
  // The tensor of input `index`; the interpreter has checked it is present where required
  // (see OpEntry::min_inputs) — call has_input first for optional ones. An absent input reads as
  // an empty tensor, so a malformed node can never make an operator read through a null pointer.
  const Array& input(size_t index) const {
    return has_input(index) ? inputs_[index]->array : kAbsent.array;
  }
  const Item& item(size_t index) const { return has_input(index) ? *inputs_[index] : kAbsent; }
  size_t output_count() const { return static_cast<size_t>(node_.output_size()); }
  bool wants_output(size_t index) const {
    return index < output_count() && !node_.output(static_cast<int>(index)).empty();
  }

  bool has_attr(const std::string& name) const { return FindAttr(name) != nullptr; }
  int64_t Int(const std::string& name, int64_t fallback) const;
  double Float(const std::string& name, double fallback) const;
  std::string String(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> Ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::vector<double> Floats(const std::string& name, std::vector<double> fallback = {}) const;
  std::vector<std::string> Strings(const std::string& name) const;
  Result<Array> TensorAttr(const std::string& name) const;
  const onnx::GraphProto* GraphAttr(const std::string& name) const;

  // Runs a subgraph of this node (If, Loop, Scan, SequenceMap) with `inputs` bound to its graph
  // inputs in order; names of the enclosing scopes stay visible.
  Result<Outputs> RunSubgraph(const onnx::GraphProto& graph, std::vector<Item> inputs) const;

  const onnx::AttributeProto* FindAttr(const std::string& name) const;

 private:
  static inline const Item kAbsent = Item(Array{ElemType::kUndefined, {0}, {}, {}});
  const onnx::NodeProto& node_;
  std::vector<const Item*> inputs_;
  const Scope& scope_;
};

using OpFunction = Result<Outputs> (*)(const OpContext& ctx);

struct OpEntry {
  std::vector<int> versions;  // since_version of each schema handled, ascending
  OpFunction run = nullptr;
  size_t min_inputs = 1;  // inputs that must be present (checked before `run`)
};

// Operators by domain-qualified name ("Conv", "ai.onnx.preview.training.Adam").
class OpTable {
 public:
  void Add(const std::string& op_type, std::vector<int> versions, OpFunction run,
           size_t min_inputs = 1);
  // The entry and the version in force at `opset`; nullptr when none.
  const OpEntry* Find(const std::string& op_type, int64_t opset, int* version) const;
  const std::map<std::string, OpEntry>& entries() const { return entries_; }

 private:
  std::map<std::string, OpEntry> entries_;
};

const OpTable& Operators();

// Families (ops_*.cpp).
void RegisterElementwiseOps(OpTable& table);
void RegisterMathOps(OpTable& table);
void RegisterActivationOps(OpTable& table);
void RegisterConvOps(OpTable& table);
void RegisterPoolOps(OpTable& table);
void RegisterNormalizationOps(OpTable& table);
void RegisterMatrixOps(OpTable& table);
void RegisterShapeOps(OpTable& table);
void RegisterTensorOps(OpTable& table);
void RegisterIndexOps(OpTable& table);
void RegisterOrderOps(OpTable& table);
void RegisterReduceOps(OpTable& table);
void RegisterResizeOps(OpTable& table);
void RegisterSequenceOps(OpTable& table);
void RegisterControlFlowOps(OpTable& table);
void RegisterLossOps(OpTable& table);
void RegisterRecurrentOps(OpTable& table);
void RegisterQuantizationOps(OpTable& table);
void RegisterSignalOps(OpTable& table);
void RegisterDetectionOps(OpTable& table);
void RegisterTextOps(OpTable& table);
void RegisterTrainingOps(OpTable& table);

// ---- Helpers shared by the families (helpers.cpp)
// ------------------------------------------------

// `axis` in [-rank, rank) made non-negative; an error names the axis and the rank.
Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank);
Result<std::vector<int64_t>> NormalizeAxes(const std::vector<int64_t>& axes, int64_t rank);

// numpy (multidirectional) broadcasting of shapes; an error names both shapes.
Result<Shape> BroadcastShapes(const Shape& a, const Shape& b);
// For each element of `out_shape`, the flat index of the element of `in_shape` (right-aligned,
// size-1 dims repeated) it reads.
std::vector<int64_t> BroadcastIndex(const Shape& in_shape, const Shape& out_shape);

// Reducing `shape` over `axes` (normalized, any order): the shape with each reduced dim set to 1
// (`kept_shape`), and for every input element the flat index of the kept-shape element it
// contributes to.
std::vector<int64_t> ReductionIndex(const Shape& shape, const std::vector<int64_t>& axes,
                                    Shape* kept_shape);

// Elements of `input` at flat `indices`, as an array of `shape` (numbers or strings alike).
Array Take(const Array& input, const std::vector<int64_t>& indices, Shape shape);

// Multi-dimensional index <-> flat index.
void Unravel(int64_t flat, const Shape& shape, std::vector<int64_t>& index);
int64_t Ravel(const std::vector<int64_t>& index, const std::vector<int64_t>& strides);

// The geometry of a sliding window over the spatial dims of an [N, C, D1, ..., Dk] input (Conv,
// ConvTranspose and the pools): per spatial dim, from the attributes kernel_shape (or `kernel`
// when given), strides, dilations, pads and auto_pad.
struct Window {
  Shape in;  // input spatial dims
  Shape kernel, strides, dilations, pads_begin, pads_end;
  Shape out;  // output spatial dims
  size_t dims() const { return in.size(); }
};
// Output size per ONNX's Conv/MaxPool docs: floor (or ceil, with `ceil_mode`) of
// (in + pads - dilated kernel) / stride, plus 1; auto_pad SAME_UPPER / SAME_LOWER give
// ceil(in / stride) with the padding split (the odd element at the end / the beginning).
Result<Window> MakeWindow(const OpContext& ctx, const Shape& input_shape, Shape kernel,
                          bool ceil_mode = false);

// Conv-1/11 in double: X [N, C, spatial...] with W [M, C/group, kernel...] and an optional bias
// [M], over 1 to 3 spatial dims; the result has `out_type`. Shared with ConvInteger and
// QLinearConv (which subtract zero points first).
Result<Array> Convolve(const OpContext& ctx, const Array& x, const Array& w, const Array* bias,
                       ElemType out_type);

// numpy.matmul of a and b in double (1-D operands promoted and their dim removed again, batch
// dims broadcast); shared by MatMul, MatMulInteger and QLinearMatMul.
Result<Array> MatMulArrays(const Array& a, const Array& b, ElemType out_type);

// "float[2,3]" for error messages.
std::string Describe(const Array& array);

}  // namespace zooci::reference
