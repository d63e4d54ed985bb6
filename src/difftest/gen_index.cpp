// Generators for indexing and data-dependent operators: GatherND, ScatterND, ScatterElements,
// OneHot, Compress, ReverseSequence, NonZero, Unique, EyeLike. Indices are always in range, and
// the scatters without a reduction never write one element twice (the result would depend on
// the order of the writes, which ONNX leaves undefined).
#include <algorithm>
#include <map>
#include <numeric>

#include "difftest/internal.h"

namespace zooci::difftest_internal {
namespace {

int64_t RandomAxis(Rng& rng, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  return rng.Int(-r, r - 1);
}

size_t Normalised(int64_t axis, size_t rank) {
  return static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis);
}

// 0..count-1 in a random order.
std::vector<int64_t> Permutation(Rng& rng, int64_t count) {
  std::vector<int64_t> perm(static_cast<size_t>(count));
  std::iota(perm.begin(), perm.end(), 0);
  for (size_t idx = perm.size(); idx > 1; --idx) {
    std::swap(perm[idx - 1], perm[static_cast<size_t>(rng.Int(0, static_cast<int64_t>(idx) - 1))]);
  }
  return perm;
}

ModelSpec GenerateGatherNd(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4, 4, 120);
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t batch_dims = ctx.rng.Chance(0.3) ? ctx.rng.Int(0, std::min<int64_t>(rank - 1, 2)) : 0;
  int64_t depth = ctx.rng.Int(1, rank - batch_dims);  // indices.shape[-1]
  std::vector<int64_t> indices_shape(shape.begin(), shape.begin() + batch_dims);
  for (int64_t extra = ctx.rng.Int(0, 2); extra > 0; --extra) indices_shape.push_back(ctx.rng.Int(1, 3));
  indices_shape.push_back(depth);
  std::vector<int64_t> indices;
  for (int64_t tuple = 0; tuple < Elements(indices_shape) / depth; ++tuple) {
    for (int64_t dim_idx = 0; dim_idx < depth; ++dim_idx) {
      int64_t dim = shape[static_cast<size_t>(batch_dims + dim_idx)];
      indices.push_back(ctx.rng.Int(-dim, dim - 1));
    }
  }
  std::vector<AttrSpec> attrs;
  if (batch_dims != 0 || ctx.rng.Chance(0.2)) attrs.push_back(IntAttr("batch_dims", batch_dims));
  ModelSpec spec = SingleNode("GatherND", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                              {Int64Constant("indices", indices, indices_shape)}, attrs);
  spec.output_ranks["y"] = static_cast<int64_t>(indices_shape.size()) - 1 + rank - batch_dims - depth;
  return spec;
}

ModelSpec GenerateScatterNd(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4, 4, 120);
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t depth = ctx.rng.Int(1, rank);
  std::vector<int64_t> prefix(shape.begin(), shape.begin() + depth);
  int64_t tuples = Elements(prefix);
  std::string reduction =
      ctx.rng.Chance(0.6) ? "none" : ctx.rng.Pick(std::vector<std::string>{"add", "mul"});
  // Distinct tuples without a reduction (a permutation's first `count`), any with one.
  int64_t count = ctx.rng.Int(1, std::min<int64_t>(tuples, 6));
  std::vector<int64_t> flat = Permutation(ctx.rng, tuples);
  std::vector<int64_t> indices;
  for (int64_t tuple_idx = 0; tuple_idx < count; ++tuple_idx) {
    int64_t rest = reduction == "none" ? flat[static_cast<size_t>(tuple_idx)]
                                       : ctx.rng.Int(0, tuples - 1);
    std::vector<int64_t> tuple(static_cast<size_t>(depth));
    for (int64_t dim_idx = depth - 1; dim_idx >= 0; --dim_idx) {
      tuple[static_cast<size_t>(dim_idx)] = rest % prefix[static_cast<size_t>(dim_idx)];
      rest /= prefix[static_cast<size_t>(dim_idx)];
    }
    indices.insert(indices.end(), tuple.begin(), tuple.end());
  }
  std::vector<int64_t> indices_shape = {count, depth};
  if (count % 2 == 0 && ctx.rng.Chance(0.3)) indices_shape = {2, count / 2, depth};
  std::vector<int64_t> updates_shape(indices_shape.begin(), indices_shape.end() - 1);
  updates_shape.insert(updates_shape.end(), shape.begin() + depth, shape.end());
  std::vector<AttrSpec> attrs;
  if (reduction != "none" || ctx.rng.Chance(0.3)) attrs.push_back(StringAttr("reduction", reduction));
  Tensor data = RandomTensor(ctx.rng, "x", ctx.type, shape);
  Tensor updates = RandomTensor(ctx.rng, "updates", ctx.type, updates_shape);
  return SingleNode("ScatterND", {data, updates}, {Int64Constant("indices", indices, indices_shape)},
                    attrs, 1, {"x", "indices", "updates"});
}

ModelSpec GenerateScatterElements(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4, 4, 120);
  size_t rank = shape.size();
  int64_t axis = RandomAxis(ctx.rng, rank);
  size_t axis_idx = Normalised(axis, rank);
  std::vector<int64_t> indices_shape;
  for (int64_t dim : shape) indices_shape.push_back(ctx.rng.Int(1, dim));
  std::string reduction =
      ctx.rng.Chance(0.6) ? "none" : ctx.rng.Pick(std::vector<std::string>{"add", "mul"});
  // Along each line of the axis, distinct positions (the first of a permutation) without a
  // reduction; any positions with one. Written negative at random.
  std::map<int64_t, std::vector<int64_t>> lines;
  std::vector<int64_t> indices(static_cast<size_t>(Elements(indices_shape)));
  int64_t dim = shape[axis_idx];
  for (size_t flat = 0; flat < indices.size(); ++flat) {
    int64_t rest = static_cast<int64_t>(flat), line = 0, along = 0, stride = 1;
    for (size_t dim_idx = rank; dim_idx-- > 0;) {
      int64_t coord = rest % indices_shape[dim_idx];
      rest /= indices_shape[dim_idx];
      if (dim_idx == axis_idx) {
        along = coord;
      } else {
        line += coord * stride;
      }
      stride *= indices_shape[dim_idx];
    }
    int64_t position = ctx.rng.Int(0, dim - 1);
    if (reduction == "none") {
      auto it = lines.find(line);
      if (it == lines.end()) it = lines.emplace(line, Permutation(ctx.rng, dim)).first;
      position = it->second[static_cast<size_t>(along)];
    }
    indices[flat] = ctx.rng.Chance(0.3) ? position - dim : position;
  }
  std::vector<AttrSpec> attrs;
  if (axis != 0 || ctx.rng.Chance(0.3)) attrs.push_back(IntAttr("axis", axis));
  if (reduction != "none" || ctx.rng.Chance(0.3)) attrs.push_back(StringAttr("reduction", reduction));
  Tensor data = RandomTensor(ctx.rng, "x", ctx.type, shape);
  Tensor updates = RandomTensor(ctx.rng, "updates", ctx.type, indices_shape);
  return SingleNode("ScatterElements", {data, updates},
                    {Int64Constant("indices", indices, indices_shape)}, attrs, 1,
                    {"x", "indices", "updates"});
}

// OneHot's main type is its values' (T3); indices are int64 and depth an int64 or float scalar.
ModelSpec GenerateOneHot(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 3, 4, 40);  // inference wants rank >= 1
  int64_t depth = ctx.rng.Int(1, 6);
  std::vector<double> indices(static_cast<size_t>(Elements(shape)));
  for (double& index : indices) index = static_cast<double>(ctx.rng.Int(-depth, depth - 1));
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.6)) attrs.push_back(IntAttr("axis", ctx.rng.Int(-rank - 1, rank)));
  Tensor depth_tensor =
      ctx.rng.Chance(0.5)
          ? Int64Constant("depth", {depth}, std::vector<int64_t>{})
          : FloatConstant("depth", ElemType::kFloat, {static_cast<double>(depth)}, std::vector<int64_t>{});
  Tensor values = FloatConstant("values", ctx.type,
                                {static_cast<double>(ctx.rng.Int(-2, 0)),
                                 static_cast<double>(ctx.rng.Int(1, 3))});
  return SingleNode("OneHot", {MakeTensor("indices", ElemType::kInt64, shape, indices)},
                    {depth_tensor, values}, attrs);
}

ModelSpec GenerateCompress(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 3, 4, 60);
  std::vector<AttrSpec> attrs;
  int64_t length = Elements(shape);
  int64_t output_rank = 1;  // flattened without an axis
  if (ctx.rng.Chance(0.7)) {
    output_rank = static_cast<int64_t>(shape.size());
    int64_t axis = RandomAxis(ctx.rng, shape.size());
    attrs.push_back(IntAttr("axis", axis));
    length = shape[Normalised(axis, shape.size())];
  }
  length = ctx.rng.Chance(0.7) ? length : ctx.rng.Int(1, length);  // may be shorter
  Tensor condition = RandomTensor(ctx.rng, "condition", ElemType::kBool, {length});
  ModelSpec spec = SingleNode("Compress", {RandomTensor(ctx.rng, "x", ctx.type, shape), condition},
                              {}, attrs);
  spec.output_ranks["y"] = output_rank;
  return spec;
}

ModelSpec GenerateReverseSequence(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 2, 4, 4, 120);
  bool batch_first = ctx.rng.Chance(0.5);
  int64_t batch = shape[batch_first ? 0 : 1], time = shape[batch_first ? 1 : 0];
  std::vector<int64_t> lens;
  for (int64_t batch_idx = 0; batch_idx < batch; ++batch_idx) lens.push_back(ctx.rng.Int(1, time));
  std::vector<AttrSpec> attrs;
  if (batch_first) {
    attrs = {IntAttr("batch_axis", 0), IntAttr("time_axis", 1)};
  } else if (ctx.rng.Chance(0.4)) {
    attrs = {IntAttr("batch_axis", 1), IntAttr("time_axis", 0)};
  }
  return SingleNode("ReverseSequence", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                    {Int64Constant("sequence_lens", lens)}, attrs);
}

// Values with many zeros (and, for Unique, many repeats): a small set of values.
Tensor FewValues(Rng& rng, const std::string& name, ElemType type, const std::vector<int64_t>& shape,
                 int64_t spread) {
  std::vector<double> values(static_cast<size_t>(Elements(shape)));
  bool floating = type == ElemType::kFloat || type == ElemType::kDouble;
  for (double& value : values) {
    value = static_cast<double>(rng.Int(-spread, spread));
    if (type == ElemType::kBool || type == ElemType::kUint8) value = std::abs(value) > 0 ? 1 : 0;
    if (floating) value *= 0.5;
  }
  return MakeTensor(name, type, shape, values);
}

// Rank 1 and up: for a scalar, ONNX's shape inference gives [0, n] (one row per dim) while
// NonZero "behaves like numpy.nonzero", which treats it as 1-D ([1, n]); runtimes differ.
ModelSpec GenerateNonZero(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4, 4, 120);
  ModelSpec spec = SingleNode("NonZero", {FewValues(ctx.rng, "x", ctx.type, shape, 1)}, {}, {});
  spec.output_ranks["y"] = 2;
  return spec;
}

ModelSpec GenerateUnique(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 3, 4, 60);
  std::vector<AttrSpec> attrs;
  int64_t spread = 2, rank = 1;  // Y flattened without an axis
  if (ctx.rng.Chance(0.4)) {
    rank = static_cast<int64_t>(shape.size());
    attrs.push_back(IntAttr("axis", RandomAxis(ctx.rng, shape.size())));
    spread = 1;  // whole slices repeat more often from fewer values
  }
  if (ctx.rng.Chance(0.4)) attrs.push_back(IntAttr("sorted", ctx.rng.Int(0, 1)));
  int outputs = static_cast<int>(ctx.rng.Int(1, 4));
  ModelSpec spec =
      SingleNode("Unique", {FewValues(ctx.rng, "x", ctx.type, shape, spread)}, {}, attrs, outputs);
  // Y, then indices, inverse_indices and counts (1-D).
  for (int output_idx = 0; output_idx < outputs; ++output_idx) {
    spec.output_ranks[spec.outputs[static_cast<size_t>(output_idx)]] = output_idx == 0 ? rank : 1;
  }
  return spec;
}

ModelSpec GenerateEyeLike(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 2, 2, 5);
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.6)) attrs.push_back(IntAttr("k", ctx.rng.Int(-3, 3)));
  if (ctx.rng.Chance(0.4)) {
    attrs.push_back(IntAttr("dtype", static_cast<int64_t>(ctx.rng.Pick(kNumericTypes))));
  }
  return SingleNode("EyeLike", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
}

}  // namespace

void AddIndexGenerators(std::vector<OpGenerator>* table) {
  static const std::vector<ElemType> kWithBool = {ElemType::kFloat, ElemType::kDouble,
                                                  ElemType::kInt32, ElemType::kInt64,
                                                  ElemType::kBool};
  table->push_back({"GatherND", kNumericTypes, GenerateGatherNd});
  table->push_back({"ScatterND", kNumericTypes, GenerateScatterNd});
  table->push_back({"ScatterElements", kNumericTypes, GenerateScatterElements});
  table->push_back({"OneHot", {ElemType::kFloat, ElemType::kInt64, ElemType::kInt32}, GenerateOneHot,
                    "T3"});
  table->push_back({"Compress", kWithBool, GenerateCompress});
  table->push_back({"ReverseSequence", kNumericTypes, GenerateReverseSequence});
  table->push_back({"NonZero", kWithBool, GenerateNonZero});
  table->push_back({"Unique", {ElemType::kFloat, ElemType::kInt64, ElemType::kDouble}, GenerateUnique});
  table->push_back({"EyeLike", kNumericTypes, GenerateEyeLike});
}

}  // namespace zooci::difftest_internal
