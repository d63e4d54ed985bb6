// Generators for network operators: Softmax and friends, convolutions, pooling, matrix products,
// normalisations, reductions, ArgMax/ArgMin, CumSum and TopK.
#include <algorithm>
#include <cmath>

#include "difftest/internal.h"

namespace zooci::difftest_internal {
namespace {

int64_t RandomAxis(Rng& rng, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  return rng.Int(-r, r - 1);
}

GenerateFn SoftmaxLike(const std::string& op) {
  return [op](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
    std::vector<AttrSpec> attrs;
    if (ctx.rng.Chance(0.75)) attrs.push_back(IntAttr("axis", RandomAxis(ctx.rng, shape.size())));
    return SingleNode(op, {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
  };
}

// Spatial geometry shared by convolutions and pooling.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads, input;
  std::string auto_pad = "NOTSET";
};

Window RandomWindow(Rng& rng, int spatial, bool dilations, bool pads_below_kernel) {
  Window window;
  for (int dim_idx = 0; dim_idx < spatial; ++dim_idx) {
    int64_t kernel = rng.Int(1, 3);
    int64_t dilation = dilations && rng.Chance(0.3) ? 2 : 1;
    int64_t extent = dilation * (kernel - 1) + 1;
    window.kernel.push_back(kernel);
    window.dilations.push_back(dilation);
    window.strides.push_back(rng.Chance(0.35) ? 2 : 1);
    window.input.push_back(rng.Int(extent, extent + (spatial == 3 ? 2 : 4)));
  }
  window.pads.resize(static_cast<size_t>(2 * spatial));
  for (int dim_idx = 0; dim_idx < spatial; ++dim_idx) {
    int64_t limit = pads_below_kernel ? window.kernel[static_cast<size_t>(dim_idx)] - 1 : 2;
    window.pads[static_cast<size_t>(dim_idx)] = rng.Int(0, std::min<int64_t>(limit, 2));
    window.pads[static_cast<size_t>(dim_idx + spatial)] = rng.Int(0, std::min<int64_t>(limit, 2));
  }
  double pick = rng.Uniform(0, 1);
  if (pick > 0.9)
    window.auto_pad = "SAME_UPPER";
  else if (pick > 0.82)
    window.auto_pad = "SAME_LOWER";
  else if (pick > 0.75)
    window.auto_pad = "VALID";
  return window;
}

void AddWindowAttrs(Rng& rng, const Window& window, bool dilations, bool kernel_optional,
                    std::vector<AttrSpec>* attrs) {
  if (!kernel_optional || rng.Chance(0.7))
    attrs->push_back(IntsAttr("kernel_shape", window.kernel));
  if (rng.Chance(0.8)) attrs->push_back(IntsAttr("strides", window.strides));
  // Dilations other than 1 are always written: the input sizes and pads were drawn for them.
  bool dilated = std::any_of(window.dilations.begin(), window.dilations.end(),
                             [](int64_t dilation) { return dilation != 1; });
  if (dilations && (rng.Chance(0.8) || dilated)) {
    attrs->push_back(IntsAttr("dilations", window.dilations));
  }
  if (window.auto_pad == "NOTSET") {
    if (rng.Chance(0.85)) attrs->push_back(IntsAttr("pads", window.pads));
  } else {
    attrs->push_back(StringAttr("auto_pad", window.auto_pad));
  }
}

ModelSpec GenerateConv(GenContext& ctx) {
  int spatial = ctx.rng.Chance(0.15) ? 3 : static_cast<int>(ctx.rng.Int(1, 2));
  Window window = RandomWindow(ctx.rng, spatial, true, false);
  int64_t group = ctx.rng.Chance(0.3) ? ctx.rng.Int(2, 3) : 1;
  int64_t in_per_group = ctx.rng.Int(1, 3);
  int64_t out_per_group = ctx.rng.Int(1, 3);
  if (group > 1 && ctx.rng.Chance(0.5)) in_per_group = 1;  // depthwise
  std::vector<int64_t> x_shape = {ctx.rng.Int(1, 2), group * in_per_group};
  std::vector<int64_t> w_shape = {group * out_per_group, in_per_group};
  for (int dim_idx = 0; dim_idx < spatial; ++dim_idx) {
    x_shape.push_back(window.input[static_cast<size_t>(dim_idx)]);
    w_shape.push_back(window.kernel[static_cast<size_t>(dim_idx)]);
  }
  std::vector<AttrSpec> attrs;
  AddWindowAttrs(ctx.rng, window, true, true, &attrs);
  if (group > 1 || ctx.rng.Chance(0.2)) attrs.push_back(IntAttr("group", group));
  std::vector<Tensor> constants = {RandomTensor(ctx.rng, "w", ctx.type, w_shape, Domain::kSmall)};
  if (ctx.rng.Chance(0.6)) {
    constants.push_back(RandomTensor(ctx.rng, "b", ctx.type, {w_shape[0]}, Domain::kSmall));
  }
  return SingleNode("Conv", {RandomTensor(ctx.rng, "x", ctx.type, x_shape)}, constants, attrs);
}

ModelSpec GenerateConvTranspose(GenContext& ctx) {
  int spatial = static_cast<int>(ctx.rng.Int(1, 2));
  Window window = RandomWindow(ctx.rng, spatial, true, true);
  if (window.auto_pad == "SAME_LOWER" || window.auto_pad == "SAME_UPPER") {
    window.auto_pad = "NOTSET";  // SAME padding of ConvTranspose is ambiguous across versions
  }
  int64_t group = ctx.rng.Chance(0.25) ? 2 : 1;
  int64_t in_per_group = ctx.rng.Int(1, 3);
  int64_t out_per_group = ctx.rng.Int(1, 3);
  std::vector<int64_t> x_shape = {ctx.rng.Int(1, 2), group * in_per_group};
  std::vector<int64_t> w_shape = {group * in_per_group, out_per_group};
  std::vector<int64_t> output_padding;
  for (int dim_idx = 0; dim_idx < spatial; ++dim_idx) {
    size_t d = static_cast<size_t>(dim_idx);
    x_shape.push_back(ctx.rng.Int(1, 4));
    // The output, stride * (in - 1) + extent - pads, must stay at least 1.
    int64_t extent = window.dilations[d] * (window.kernel[d] - 1) + 1;
    int64_t room = window.strides[d] * (x_shape.back() - 1) + extent - 1;
    int64_t& pad_begin = window.pads[d];
    int64_t& pad_end = window.pads[d + static_cast<size_t>(spatial)];
    pad_begin = std::min(pad_begin, room);
    pad_end = std::min(pad_end, room - pad_begin);
    w_shape.push_back(window.kernel[d]);
    int64_t limit = std::max(window.strides[d], window.dilations[d]) - 1;
    output_padding.push_back(ctx.rng.Int(0, limit));
  }
  std::vector<AttrSpec> attrs;
  AddWindowAttrs(ctx.rng, window, true, true, &attrs);
  if (group > 1) attrs.push_back(IntAttr("group", group));
  bool any_output_padding =
      std::any_of(output_padding.begin(), output_padding.end(), [](int64_t p) { return p > 0; });
  if (any_output_padding && ctx.rng.Chance(0.5)) {
    attrs.push_back(IntsAttr("output_padding", output_padding));
  }
  std::vector<Tensor> constants = {RandomTensor(ctx.rng, "w", ctx.type, w_shape, Domain::kSmall)};
  if (ctx.rng.Chance(0.5)) {
    constants.push_back(
        RandomTensor(ctx.rng, "b", ctx.type, {group * out_per_group}, Domain::kSmall));
  }
  return SingleNode("ConvTranspose", {RandomTensor(ctx.rng, "x", ctx.type, x_shape)}, constants,
                    attrs);
}

GenerateFn Pool(const std::string& op) {
  return [op](GenContext& ctx) {
    int spatial = ctx.rng.Chance(0.15) ? 1 : static_cast<int>(ctx.rng.Int(2, 2));
    bool dilations = op == "MaxPool";
    Window window = RandomWindow(ctx.rng, spatial, dilations, true);
    std::vector<int64_t> x_shape = {ctx.rng.Int(1, 2), ctx.rng.Int(1, 3)};
    for (int64_t size : window.input) x_shape.push_back(size);
    std::vector<AttrSpec> attrs;
    AddWindowAttrs(ctx.rng, window, dilations, false, &attrs);
    if (op != "LpPool" && ctx.rng.Chance(0.35)) attrs.push_back(IntAttr("ceil_mode", 1));
    if (op == "AveragePool" && ctx.rng.Chance(0.5)) {
      attrs.push_back(IntAttr("count_include_pad", 1));
    }
    if (op == "LpPool" && ctx.rng.Chance(0.6)) attrs.push_back(IntAttr("p", ctx.rng.Int(1, 3)));
    return SingleNode(op, {RandomTensor(ctx.rng, "x", ctx.type, x_shape)}, {}, attrs);
  };
}

GenerateFn GlobalPool(const std::string& op) {
  return [op](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 3, 4, 5, 200);
    std::vector<AttrSpec> attrs;
    if (op == "GlobalLpPool" && ctx.rng.Chance(0.6))
      attrs.push_back(IntAttr("p", ctx.rng.Int(1, 3)));
    return SingleNode(op, {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
  };
}

ModelSpec GenerateGemm(GenContext& ctx) {
  int64_t m = ctx.rng.Int(1, 6), k = ctx.rng.Int(1, 6), n = ctx.rng.Int(1, 6);
  bool trans_a = ctx.rng.Chance(0.3), trans_b = ctx.rng.Chance(0.4);
  std::vector<AttrSpec> attrs;
  if (trans_a) attrs.push_back(IntAttr("transA", 1));
  if (trans_b) attrs.push_back(IntAttr("transB", 1));
  if (ctx.rng.Chance(0.3)) attrs.push_back(FloatAttr("alpha", 0.5f));
  if (ctx.rng.Chance(0.3)) attrs.push_back(FloatAttr("beta", 2.0f));
  Tensor a = RandomTensor(ctx.rng, "a", ctx.type,
                          trans_a ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k});
  Tensor b = RandomTensor(ctx.rng, "b", ctx.type,
                          trans_b ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n});
  std::vector<Tensor> inputs = {a};
  std::vector<Tensor> constants;
  (ctx.rng.Chance(0.5) ? constants : inputs).push_back(b);
  std::vector<std::string> order = {"a", "b"};
  if (ctx.rng.Chance(0.7)) {
    const std::vector<std::vector<int64_t>> c_shapes = {{n}, {1, n}, {m, n}, {m, 1}, {}};
    constants.push_back(RandomTensor(ctx.rng, "c", ctx.type, ctx.rng.Pick(c_shapes)));
    order.push_back("c");
  }
  return SingleNode("Gemm", inputs, constants, attrs, 1, order);
}

ModelSpec GenerateMatMul(GenContext& ctx) {
  int64_t m = ctx.rng.Int(1, 5), k = ctx.rng.Int(1, 5), n = ctx.rng.Int(1, 5);
  std::vector<int64_t> batch = RandomShape(ctx.rng, 0, 2, 3);
  std::vector<int64_t> a_shape = batch, b_shape = BroadcastPartner(ctx.rng, batch);
  a_shape.insert(a_shape.end(), {m, k});
  b_shape.insert(b_shape.end(), {k, n});
  if (ctx.rng.Chance(0.15))
    a_shape = {k};
  else if (ctx.rng.Chance(0.15))
    b_shape = {k};
  Tensor a = RandomTensor(ctx.rng, "a", ctx.type, a_shape);
  Tensor b = RandomTensor(ctx.rng, "b", ctx.type, b_shape);
  if (ctx.rng.Chance(0.5)) return SingleNode("MatMul", {a}, {b}, {});
  return SingleNode("MatMul", {a, b}, {}, {});
}

ModelSpec GenerateBatchNormalization(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 2, 4, 5, 200);
  int64_t channels = shape[1];
  std::vector<Tensor> constants = {
      RandomTensor(ctx.rng, "scale", ctx.type, {channels}, Domain::kSmall),
      RandomTensor(ctx.rng, "bias", ctx.type, {channels}, Domain::kSmall),
      RandomTensor(ctx.rng, "mean", ctx.type, {channels}, Domain::kSmall),
      RandomTensor(ctx.rng, "var", ctx.type, {channels}, Domain::kPositive)};
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.4)) attrs.push_back(FloatAttr("epsilon", 0.01f));
  return SingleNode("BatchNormalization", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, constants,
                    attrs);
}

ModelSpec GenerateInstanceNormalization(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 3, 4, 5, 200);
  if (shape.back() * (shape.size() == 4 ? shape[2] : 1) < 2) shape.back() = 2;  // variance of 1
  std::vector<Tensor> constants = {
      RandomTensor(ctx.rng, "scale", ctx.type, {shape[1]}, Domain::kSmall),
      RandomTensor(ctx.rng, "bias", ctx.type, {shape[1]}, Domain::kSmall)};
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.4)) attrs.push_back(FloatAttr("epsilon", 0.01f));
  return SingleNode("InstanceNormalization", {RandomTensor(ctx.rng, "x", ctx.type, shape)},
                    constants, attrs);
}

ModelSpec GenerateLRN(GenContext& ctx) {
  std::vector<int64_t> shape = {ctx.rng.Int(1, 2), ctx.rng.Int(1, 6), ctx.rng.Int(1, 4),
                                ctx.rng.Int(1, 4)};
  std::vector<AttrSpec> attrs = {IntAttr("size", 2 * ctx.rng.Int(0, 2) + 1)};
  if (ctx.rng.Chance(0.5)) attrs.push_back(FloatAttr("alpha", 0.01f));
  if (ctx.rng.Chance(0.5)) attrs.push_back(FloatAttr("beta", 0.5f));
  if (ctx.rng.Chance(0.5)) attrs.push_back(FloatAttr("bias", 2.0f));
  return SingleNode("LRN", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
}

ModelSpec GenerateLpNormalization(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.7)) attrs.push_back(IntAttr("axis", RandomAxis(ctx.rng, shape.size())));
  if (ctx.rng.Chance(0.6)) attrs.push_back(IntAttr("p", ctx.rng.Int(1, 2)));
  return SingleNode("LpNormalization",
                    {RandomTensor(ctx.rng, "x", ctx.type, shape, Domain::kNonZero)}, {}, attrs);
}

ModelSpec GenerateMeanVarianceNormalization(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 4, 4, 4, 200);
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.4)) attrs.push_back(IntsAttr("axes", {2, 3}));
  for (size_t dim_idx = 2; dim_idx < 4; ++dim_idx)
    shape[dim_idx] = std::max<int64_t>(2, shape[dim_idx]);
  return SingleNode("MeanVarianceNormalization", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {},
                    attrs);
}

// A random non-empty subset of the axes of `rank`, each written negative at random.
std::vector<int64_t> RandomAxes(Rng& rng, size_t rank) {
  std::vector<int64_t> axes;
  for (size_t axis = 0; axis < rank; ++axis) {
    if (rng.Chance(0.5))
      axes.push_back(rng.Chance(0.3) ? static_cast<int64_t>(axis) - static_cast<int64_t>(rank)
                                     : static_cast<int64_t>(axis));
  }
  if (axes.empty()) axes.push_back(rng.Int(0, static_cast<int64_t>(rank) - 1));
  return axes;
}

GenerateFn Reduce(const std::string& op, Domain domain) {
  return [op, domain](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4, 5, 120);
    std::vector<AttrSpec> attrs;
    std::vector<Tensor> constants;
    std::vector<std::string> order = {"x"};
    if (ctx.rng.Chance(0.75)) {
      std::vector<int64_t> axes = RandomAxes(ctx.rng, shape.size());
      if (op == "ReduceSum") {
        constants.push_back(Int64Constant("axes", axes));
        order.push_back("axes");
      } else {
        attrs.push_back(IntsAttr("axes", axes));
      }
    }
    if (ctx.rng.Chance(0.5)) attrs.push_back(IntAttr("keepdims", ctx.rng.Int(0, 1)));
    return SingleNode(op, {RandomTensor(ctx.rng, "x", ctx.type, shape, domain)}, constants, attrs,
                      1, order);
  };
}

GenerateFn ArgReduce(const std::string& op) {
  return [op](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
    std::vector<AttrSpec> attrs;
    if (ctx.rng.Chance(0.8)) attrs.push_back(IntAttr("axis", RandomAxis(ctx.rng, shape.size())));
    if (ctx.rng.Chance(0.5)) attrs.push_back(IntAttr("keepdims", ctx.rng.Int(0, 1)));
    if (ctx.rng.Chance(0.3)) attrs.push_back(IntAttr("select_last_index", 1));
    return SingleNode(op, {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {}, attrs);
  };
}

ModelSpec GenerateCumSum(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.4)) attrs.push_back(IntAttr("exclusive", 1));
  if (ctx.rng.Chance(0.4)) attrs.push_back(IntAttr("reverse", 1));
  Tensor axis = Int64Constant("axis", {RandomAxis(ctx.rng, shape.size())}, std::vector<int64_t>{});
  return SingleNode("CumSum", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {axis}, attrs);
}

ModelSpec GenerateTopK(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  int64_t axis = RandomAxis(ctx.rng, shape.size());
  int64_t dim =
      shape[static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(shape.size()) : axis)];
  std::vector<AttrSpec> attrs = {IntAttr("axis", axis)};
  if (ctx.rng.Chance(0.4)) attrs.push_back(IntAttr("largest", 0));
  Tensor k = Int64Constant("k", {ctx.rng.Int(1, dim)});
  return SingleNode("TopK", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, {k}, attrs, 2);
}

}  // namespace

void AddNnGenerators(std::vector<OpGenerator>* table) {
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"}) {
    table->push_back({op, kFloatTypes, SoftmaxLike(op)});
  }
  table->push_back({"Conv", kFloatTypes, GenerateConv});
  table->push_back({"ConvTranspose", kFloatTypes, GenerateConvTranspose});
  for (const char* op : {"MaxPool", "AveragePool", "LpPool"}) {
    table->push_back({op, kFloatTypes, Pool(op)});
  }
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}) {
    table->push_back({op, kFloatTypes, GlobalPool(op)});
  }
  table->push_back({"Gemm", kNumericTypes, GenerateGemm});
  table->push_back({"MatMul", kNumericTypes, GenerateMatMul});
  table->push_back({"BatchNormalization", kFloatTypes, GenerateBatchNormalization});
  table->push_back({"InstanceNormalization", kFloatTypes, GenerateInstanceNormalization});
  table->push_back({"LRN", kFloatTypes, GenerateLRN});
  table->push_back({"LpNormalization", kFloatTypes, GenerateLpNormalization});
  // Float only: libonnx 1.12 cannot infer its function body for double (float constants).
  table->push_back(
      {"MeanVarianceNormalization", {ElemType::kFloat}, GenerateMeanVarianceNormalization});
  // Integer means, logarithms and products (overflow) are left to the float types.
  struct ReduceEntry {
    const char* op;
    Domain domain;
    const std::vector<ElemType>* types;
  };
  static const ReduceEntry kReduce[] = {
      {"ReduceSum", Domain::kAny, &kNumericTypes},
      {"ReduceMean", Domain::kAny, &kFloatTypes},
      {"ReduceMax", Domain::kAny, &kNumericTypes},
      {"ReduceMin", Domain::kAny, &kNumericTypes},
      {"ReduceProd", Domain::kSmall, &kFloatTypes},
      {"ReduceL1", Domain::kAny, &kNumericTypes},
      {"ReduceL2", Domain::kAny, &kFloatTypes},
      {"ReduceLogSum", Domain::kPositive, &kFloatTypes},
      {"ReduceLogSumExp", Domain::kAny, &kFloatTypes},
      {"ReduceSumSquare", Domain::kAny, &kNumericTypes},
  };
  for (const ReduceEntry& entry : kReduce) {
    table->push_back({entry.op, *entry.types, Reduce(entry.op, entry.domain)});
  }
  table->push_back({"ArgMax", kNumericTypes, ArgReduce("ArgMax")});
  table->push_back({"ArgMin", kNumericTypes, ArgReduce("ArgMin")});
  table->push_back({"CumSum", kNumericTypes, GenerateCumSum});
  table->push_back({"TopK", kNumericTypes, GenerateTopK});
}

}  // namespace zooci::difftest_internal
