// Generators for tensor-manipulation operators: layout (Transpose, Reshape, Flatten, Squeeze,
// Unsqueeze, DepthToSpace, SpaceToDepth), joining and splitting, indexing (Slice, Gather,
// GatherElements), Pad, Resize, Cast, Tile, Expand, Trilu, Shape, Size, Range, ConstantOfShape.
// Shape-like operands are initializers: that is how exported models carry them, and what OpenCV
// needs to import them.
#include <algorithm>
#include <numeric>

#include "difftest/internal.h"

namespace zooci::difftest_internal {
namespace {

size_t Normalised(int64_t axis, size_t rank) {
  return static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis);
}

int64_t RandomAxis(Rng& rng, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  return rng.Int(-r, r - 1);
}

ModelSpec GenerateTranspose(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 5, 4);
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.8)) {
    std::vector<int64_t> perm(shape.size());
    std::iota(perm.begin(), perm.end(), 0);
    for (size_t idx = perm.size(); idx > 1; --idx) {
      std::swap(perm[idx - 1],
                perm[static_cast<size_t>(ctx.rng.Int(0, static_cast<int64_t>(idx) - 1))]);
    }
    attrs.push_back(IntsAttr("perm", perm));
  }
  return SingleNode("Transpose", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
}

ModelSpec GenerateConcat(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  int64_t axis = RandomAxis(ctx.rng, shape.size());
  int count = static_cast<int>(ctx.rng.Int(1, 3));
  std::vector<Tensor> inputs;
  for (int input_idx = 0; input_idx < count; ++input_idx) {
    std::vector<int64_t> input_shape = shape;
    input_shape[Normalised(axis, shape.size())] = ctx.rng.Int(1, 4);
    inputs.push_back(RandomTensor(ctx.rng, "x" + std::to_string(input_idx), ctx.type, input_shape));
  }
  return SingleNode("Concat", inputs, {}, {IntAttr("axis", axis)});
}

ModelSpec GenerateReshape(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  // A new shape of the same element count: regroup the factors, then mark one dim -1 and keep
  // leading dims equal to the input's as 0 at random.
  std::vector<int64_t> factors;
  for (int64_t dim : shape) {
    int64_t rest = dim;
    for (int64_t f = 2; f <= rest; ++f) {
      while (rest % f == 0) factors.push_back(f), rest /= f;
    }
  }
  std::vector<int64_t> target = {1};
  for (int64_t factor : factors) {
    if (ctx.rng.Chance(0.5))
      target.push_back(factor);
    else
      target.back() *= factor;
  }
  if (ctx.rng.Chance(0.3)) target.push_back(1);
  for (size_t dim_idx = 0; dim_idx < target.size() && dim_idx < shape.size(); ++dim_idx) {
    if (target[dim_idx] == shape[dim_idx] && ctx.rng.Chance(0.4)) target[dim_idx] = 0;
  }
  if (ctx.rng.Chance(0.5))
    target[static_cast<size_t>(ctx.rng.Int(0, static_cast<int64_t>(target.size()) - 1))] = -1;
  return SingleNode("Reshape", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                    {Int64Constant("shape", target)}, {});
}

ModelSpec GenerateFlatten(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.8)) attrs.push_back(IntAttr("axis", ctx.rng.Int(-rank, rank)));
  return SingleNode("Flatten", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
}

ModelSpec GenerateSqueeze(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  std::vector<int64_t> ones;
  for (size_t dim_idx = 0; dim_idx < shape.size(); ++dim_idx) {
    if (ctx.rng.Chance(0.4)) shape[dim_idx] = 1;
    if (shape[dim_idx] == 1 && ctx.rng.Chance(0.7)) ones.push_back(static_cast<int64_t>(dim_idx));
  }
  Tensor x = RandomTensor(ctx.rng, "x", ctx.type, shape);
  if (ones.empty()) return SingleNode("Squeeze", {x}, {}, {});
  return SingleNode("Squeeze", {x}, {Int64Constant("axes", ones)}, {});
}

ModelSpec GenerateUnsqueeze(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 0, 3);
  int64_t out_rank = static_cast<int64_t>(shape.size()) + ctx.rng.Int(1, 2);
  std::vector<int64_t> axes;
  while (static_cast<int64_t>(axes.size()) < out_rank - static_cast<int64_t>(shape.size())) {
    int64_t axis = ctx.rng.Int(-out_rank, out_rank - 1);
    int64_t positive = axis < 0 ? axis + out_rank : axis;
    bool taken = false;
    for (int64_t existing : axes)
      taken |= (existing < 0 ? existing + out_rank : existing) == positive;
    if (!taken) axes.push_back(axis);
  }
  return SingleNode("Unsqueeze", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                    {Int64Constant("axes", axes)}, {});
}

ModelSpec GenerateSlice(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4, 6);
  std::vector<int64_t> starts, ends, axes, steps;
  for (size_t dim_idx = 0; dim_idx < shape.size(); ++dim_idx) {
    if (!ctx.rng.Chance(0.6) && !(dim_idx + 1 == shape.size() && axes.empty())) continue;
    int64_t dim = shape[dim_idx];
    int64_t step = ctx.rng.Pick(std::vector<int64_t>{1, 1, 2, -1, -2});
    int64_t start = ctx.rng.Int(-dim, dim - 1);
    int64_t end = step > 0 ? ctx.rng.Int(start < 0 ? start + dim + 1 : start + 1, dim + 2)
                           : ctx.rng.Int(-dim - 3, start < 0 ? start + dim - 1 : start - 1);
    if (ctx.rng.Chance(0.1)) end = step > 0 ? INT64_MAX : INT64_MIN;
    starts.push_back(start);
    ends.push_back(end);
    axes.push_back(ctx.rng.Chance(0.3)
                       ? static_cast<int64_t>(dim_idx) - static_cast<int64_t>(shape.size())
                       : static_cast<int64_t>(dim_idx));
    steps.push_back(step);
  }
  std::vector<Tensor> constants = {Int64Constant("starts", starts), Int64Constant("ends", ends),
                                   Int64Constant("axes", axes), Int64Constant("steps", steps)};
  return SingleNode("Slice", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, constants, {});
}

ModelSpec GenerateGather(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 3);
  int64_t axis = RandomAxis(ctx.rng, shape.size());
  int64_t dim = shape[Normalised(axis, shape.size())];
  std::vector<int64_t> indices_shape = RandomShape(ctx.rng, 0, 2, 4);
  std::vector<int64_t> indices(static_cast<size_t>(Elements(indices_shape)));
  for (int64_t& index : indices) index = ctx.rng.Int(-dim, dim - 1);
  std::vector<AttrSpec> attrs;
  if (axis != 0 || ctx.rng.Chance(0.3)) attrs.push_back(IntAttr("axis", axis));
  return SingleNode("Gather", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                    {Int64Constant("indices", indices, indices_shape)}, attrs);
}

ModelSpec GenerateGatherElements(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 3);
  int64_t axis = RandomAxis(ctx.rng, shape.size());
  size_t axis_idx = Normalised(axis, shape.size());
  std::vector<int64_t> indices_shape = shape;
  indices_shape[axis_idx] = ctx.rng.Int(1, 4);
  std::vector<int64_t> indices(static_cast<size_t>(Elements(indices_shape)));
  for (int64_t& index : indices) index = ctx.rng.Int(-shape[axis_idx], shape[axis_idx] - 1);
  return SingleNode("GatherElements", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                    {Int64Constant("indices", indices, indices_shape)}, {IntAttr("axis", axis)});
}

ModelSpec GeneratePad(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4, 5, 120);
  std::string mode = ctx.rng.Pick(std::vector<std::string>{"constant", "reflect", "edge"});
  size_t rank = shape.size();
  std::vector<int64_t> pads(2 * rank);
  for (size_t dim_idx = 0; dim_idx < rank; ++dim_idx) {
    // reflect needs pads below the dim; constant and edge may also crop with negative pads.
    int64_t limit = mode == "reflect" ? shape[dim_idx] - 1 : 2;
    pads[dim_idx] = ctx.rng.Int(0, std::min<int64_t>(limit, 2));
    pads[dim_idx + rank] = ctx.rng.Int(0, std::min<int64_t>(limit, 2));
  }
  std::vector<Tensor> constants = {Int64Constant("pads", pads)};
  std::vector<AttrSpec> attrs;
  if (mode != "constant" || ctx.rng.Chance(0.5)) attrs.push_back(StringAttr("mode", mode));
  if (mode == "constant" && ctx.rng.Chance(0.5)) {
    constants.push_back(FloatConstant("value", ctx.type, {1.5}, std::vector<int64_t>{}));
  }
  return SingleNode("Pad", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, constants, attrs);
}

ModelSpec GenerateResize(GenContext& ctx) {
  std::vector<int64_t> shape = {1, ctx.rng.Int(1, 2), ctx.rng.Int(2, 5), ctx.rng.Int(2, 5)};
  std::string mode = ctx.rng.Pick(std::vector<std::string>{"nearest", "linear", "cubic"});
  std::vector<std::string> transforms = {"half_pixel", "asymmetric", "align_corners",
                                         "pytorch_half_pixel"};
  std::vector<AttrSpec> attrs = {StringAttr("mode", mode)};
  if (ctx.rng.Chance(0.8)) {
    attrs.push_back(StringAttr("coordinate_transformation_mode", ctx.rng.Pick(transforms)));
  }
  if (mode == "nearest" && ctx.rng.Chance(0.6)) {
    attrs.push_back(StringAttr("nearest_mode",
                               ctx.rng.Pick(std::vector<std::string>{
                                   "round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})));
  }
  if (mode == "cubic" && ctx.rng.Chance(0.4)) attrs.push_back(FloatAttr("cubic_coeff_a", -0.5f));
  std::vector<Tensor> constants;
  std::vector<std::string> order = {"x", ""};
  if (ctx.rng.Chance(0.5)) {
    std::vector<double> scales = {1, 1, ctx.rng.Pick(std::vector<double>{0.5, 1.5, 2, 3}),
                                  ctx.rng.Pick(std::vector<double>{0.5, 1.5, 2, 3})};
    constants.push_back(FloatConstant("scales", ElemType::kFloat, scales));
    order.push_back("scales");
  } else {
    std::vector<int64_t> sizes = {shape[0], shape[1], ctx.rng.Int(1, 8), ctx.rng.Int(1, 8)};
    constants.push_back(Int64Constant("sizes", sizes));
    order.push_back("");
    order.push_back("sizes");
  }
  return SingleNode("Resize", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, constants, attrs, 1,
                    order);
}

ModelSpec GenerateCast(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 0, 4);
  static const std::vector<ElemType> kTargets = {ElemType::kFloat, ElemType::kDouble,
                                                 ElemType::kInt32, ElemType::kInt64,
                                                 ElemType::kInt8,  ElemType::kBool};
  ElemType target = ctx.rng.Pick(kTargets);
  return SingleNode("Cast", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {},
                    {IntAttr("to", static_cast<int64_t>(target))});
}

ModelSpec GenerateTile(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 3, 4, 40);
  std::vector<int64_t> repeats;
  for (size_t dim_idx = 0; dim_idx < shape.size(); ++dim_idx) repeats.push_back(ctx.rng.Int(1, 3));
  return SingleNode("Tile", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                    {Int64Constant("repeats", repeats)}, {});
}

ModelSpec GenerateExpand(GenContext& ctx) {
  std::vector<int64_t> target = RandomShape(ctx.rng, 1, 4);
  std::vector<int64_t> shape = BroadcastPartner(ctx.rng, target);
  std::vector<int64_t> requested = target;
  for (size_t dim_idx = 0; dim_idx < requested.size(); ++dim_idx) {
    if (ctx.rng.Chance(0.2)) requested[dim_idx] = 1;  // broadcasts the other way
  }
  return SingleNode("Expand", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                    {Int64Constant("shape", requested)}, {});
}

GenerateFn SpaceDepth(const std::string& op) {
  return [op](GenContext& ctx) {
    int64_t block = ctx.rng.Int(2, 3);
    int64_t channels = ctx.rng.Int(1, 3), height = ctx.rng.Int(1, 3), width = ctx.rng.Int(1, 3);
    std::vector<int64_t> shape =
        op == "DepthToSpace" ? std::vector<int64_t>{1, channels * block * block, height, width}
                             : std::vector<int64_t>{1, channels, height * block, width * block};
    std::vector<AttrSpec> attrs = {IntAttr("blocksize", block)};
    if (op == "DepthToSpace" && ctx.rng.Chance(0.5)) {
      attrs.push_back(StringAttr("mode", ctx.rng.Chance(0.5) ? "CRD" : "DCR"));
    }
    return SingleNode(op, {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
  };
}

ModelSpec GenerateShape(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 0, 4);
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.4)) attrs.push_back(IntAttr("start", ctx.rng.Int(-rank - 1, rank)));
  if (ctx.rng.Chance(0.4)) attrs.push_back(IntAttr("end", ctx.rng.Int(-rank - 1, rank + 1)));
  return SingleNode("Shape", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
}

ModelSpec GenerateSize(GenContext& ctx) {
  return SingleNode("Size", {RandomTensor(ctx.rng, "x", ctx.type, RandomShape(ctx.rng, 0, 4))}, {},
                    {});
}

ModelSpec GenerateSplit(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  int64_t axis = RandomAxis(ctx.rng, shape.size());
  size_t axis_idx = Normalised(axis, shape.size());
  shape[axis_idx] = ctx.rng.Int(2, 6);
  int outputs = static_cast<int>(ctx.rng.Int(2, std::min<int64_t>(3, shape[axis_idx])));
  std::vector<Tensor> constants;
  std::vector<std::string> order = {"x"};
  if (ctx.rng.Chance(0.5) || shape[axis_idx] % outputs != 0) {
    std::vector<int64_t> split(static_cast<size_t>(outputs), 1);
    for (int64_t rest = shape[axis_idx] - outputs; rest > 0; --rest) {
      split[static_cast<size_t>(ctx.rng.Int(0, outputs - 1))] += 1;
    }
    constants.push_back(Int64Constant("split", split));
    order.push_back("split");
  }
  return SingleNode("Split", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, constants,
                    {IntAttr("axis", axis)}, outputs, order);
}

ModelSpec GenerateTrilu(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 2, 4);
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.5)) attrs.push_back(IntAttr("upper", 0));
  std::vector<Tensor> constants;
  if (ctx.rng.Chance(0.6)) {
    constants.push_back(Int64Constant("k", {ctx.rng.Int(-2, 2)}, std::vector<int64_t>{}));
  }
  return SingleNode("Trilu", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, constants, attrs);
}

ModelSpec GenerateRange(GenContext& ctx) {
  double start = static_cast<double>(ctx.rng.Int(-4, 4));
  double delta = ctx.rng.Pick(std::vector<double>{1, 2, -1, 3});
  double limit = start + delta * static_cast<double>(ctx.rng.Int(1, 8));
  if (ctx.type == ElemType::kFloat || ctx.type == ElemType::kDouble) delta *= 0.5;
  std::vector<int64_t> scalar;
  std::vector<Tensor> inputs = {FloatConstant("start", ctx.type, {start}, scalar),
                                FloatConstant("limit", ctx.type, {limit}, scalar),
                                FloatConstant("delta", ctx.type, {delta}, scalar)};
  // Fed as inputs: a graph of constants only would be folded by every runtime before it runs.
  return SingleNode("Range", inputs, {}, {});
}

ModelSpec GenerateConstantOfShape(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 3);
  // ConstantOfShape's `value` is a tensor attribute: generated as its default (0.0 float).
  std::vector<double> dims(shape.begin(), shape.end());
  return SingleNode(
      "ConstantOfShape",
      {MakeTensor("shape", ElemType::kInt64, {static_cast<int64_t>(shape.size())}, dims)}, {}, {});
}

}  // namespace

void AddTensorGenerators(std::vector<OpGenerator>* table) {
  static const std::vector<ElemType> kInt64Only = {ElemType::kInt64};
  table->push_back({"Transpose", kNumericTypes, GenerateTranspose});
  table->push_back({"Concat", kNumericTypes, GenerateConcat});
  table->push_back({"Reshape", kNumericTypes, GenerateReshape});
  table->push_back({"Flatten", kNumericTypes, GenerateFlatten});
  table->push_back({"Squeeze", kNumericTypes, GenerateSqueeze});
  table->push_back({"Unsqueeze", kNumericTypes, GenerateUnsqueeze});
  table->push_back({"Slice", kNumericTypes, GenerateSlice});
  table->push_back({"Gather", kNumericTypes, GenerateGather});
  table->push_back({"GatherElements", kNumericTypes, GenerateGatherElements});
  table->push_back({"Pad", kNumericTypes, GeneratePad});
  table->push_back({"Resize", kFloatTypes, GenerateResize});
  table->push_back({"Cast", {ElemType::kFloat, ElemType::kInt32, ElemType::kInt64}, GenerateCast});
  table->push_back({"Tile", kNumericTypes, GenerateTile});
  table->push_back({"Expand", kNumericTypes, GenerateExpand});
  table->push_back({"DepthToSpace", kFloatTypes, SpaceDepth("DepthToSpace")});
  table->push_back({"SpaceToDepth", kFloatTypes, SpaceDepth("SpaceToDepth")});
  table->push_back({"Shape", kNumericTypes, GenerateShape});
  table->push_back({"Size", kNumericTypes, GenerateSize});
  table->push_back({"Split", kNumericTypes, GenerateSplit});
  table->push_back({"Trilu", kNumericTypes, GenerateTrilu});
  table->push_back(
      {"Range", {ElemType::kFloat, ElemType::kInt64, ElemType::kInt32}, GenerateRange});
  table->push_back({"ConstantOfShape", kInt64Only, GenerateConstantOfShape});
}

}  // namespace zooci::difftest_internal
