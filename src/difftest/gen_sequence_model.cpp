// Generators for normalisation, contraction, quantisation, sampling and recurrent operators:
// LayerNormalization, Einsum (a fixed list of equations), Det, Dropout (inference), GridSample,
// QuantizeLinear, DequantizeLinear, RNN, GRU and LSTM (small sizes, default activations).
#include <cmath>

#include "difftest/internal.h"

namespace zooci::difftest_internal {
namespace {

// Values on a 1/1024 grid (exact in float), in [lo, hi].
std::vector<double> GridValues(Rng& rng, int64_t count, double lo, double hi) {
  std::vector<double> values(static_cast<size_t>(count));
  for (double& value : values) value = std::round(rng.Uniform(lo, hi) * 1024) / 1024;
  return values;
}

ModelSpec GenerateLayerNormalization(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4, 5, 120);
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axis = ctx.rng.Chance(0.3) ? -1 : ctx.rng.Int(-rank, rank - 1);
  size_t axis_idx = static_cast<size_t>(axis < 0 ? axis + rank : axis);
  std::vector<int64_t> normalised(shape.begin() + static_cast<std::ptrdiff_t>(axis_idx),
                                  shape.end());
  std::vector<AttrSpec> attrs;
  if (axis != -1 || ctx.rng.Chance(0.3)) attrs.push_back(IntAttr("axis", axis));
  if (ctx.rng.Chance(0.4)) attrs.push_back(FloatAttr("epsilon", 0.01f));
  std::vector<Tensor> constants = {RandomTensor(ctx.rng, "scale", ctx.type, normalised)};
  if (ctx.rng.Chance(0.6)) constants.push_back(RandomTensor(ctx.rng, "bias", ctx.type, normalised));
  // Mean and InvStdDev too at times (the schema types them float: stash_type's default).
  int outputs = ctx.rng.Chance(0.25) ? 3 : 1;
  return SingleNode("LayerNormalization", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, constants,
                    attrs, outputs);
}

// Einsum: matmul, transpose, batch matmul, trace, sums, dot and outer products, an ellipsis.
ModelSpec GenerateEinsum(GenContext& ctx) {
  auto dim = [&] { return ctx.rng.Int(1, 4); };
  int64_t b = dim(), i = dim(), j = dim(), k = dim();
  struct Form {
    const char* equation;
    std::vector<std::vector<int64_t>> shapes;
  };
  std::vector<Form> forms = {
      {"ij,jk->ik", {{i, j}, {j, k}}},
      {"ij->ji", {{i, j}}},
      {"bij,bjk->bik", {{b, i, j}, {b, j, k}}},
      {"ii->", {{i, i}}},
      {"ii->i", {{i, i}}},
      {"ij->", {{i, j}}},
      {"ij->i", {{i, j}}},
      {"i,i->", {{i}, {i}}},
      {"i,j->ij", {{i}, {j}}},
      {"bij->bji", {{b, i, j}}},
      {"...ij,...jk->...ik", {{b, i, j}, {b, j, k}}},
      {"ij,kj", {{i, j}, {k, j}}},  // implicit output: ik
  };
  const Form& form = ctx.rng.Pick(forms);
  std::vector<Tensor> inputs;
  for (size_t input_idx = 0; input_idx < form.shapes.size(); ++input_idx) {
    inputs.push_back(RandomTensor(ctx.rng, "x" + std::to_string(input_idx), ctx.type,
                                  form.shapes[input_idx], Domain::kSmall));
  }
  return SingleNode("Einsum", inputs, {}, {StringAttr("equation", form.equation)});
}

// Det of well-conditioned matrices: small entries plus 2 on the diagonal.
ModelSpec GenerateDet(GenContext& ctx) {
  int64_t n = ctx.rng.Int(1, 3);
  std::vector<int64_t> shape = {n, n};
  if (ctx.rng.Chance(0.4)) shape.insert(shape.begin(), ctx.rng.Int(1, 3));
  std::vector<double> values = GridValues(ctx.rng, Elements(shape), -1, 1);
  for (size_t idx = 0; idx < values.size(); ++idx) {
    int64_t in_matrix = static_cast<int64_t>(idx) % (n * n);
    if (in_matrix / n == in_matrix % n) values[idx] += 2;
  }
  ModelSpec spec = SingleNode("Det", {MakeTensor("x", ctx.type, shape, values)}, {}, {});
  spec.output_ranks["y"] = static_cast<int64_t>(shape.size()) - 2;
  return spec;
}

// Dropout in inference (no training_mode): the identity, and a mask of all true.
ModelSpec GenerateDropout(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  std::vector<Tensor> constants;
  std::vector<std::string> order = {"x"};
  if (ctx.rng.Chance(0.4)) {
    constants.push_back(FloatConstant("ratio", ElemType::kFloat, {0.25}, std::vector<int64_t>{}));
    order.push_back("ratio");
  }
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.3)) attrs.push_back(IntAttr("seed", 3));
  return SingleNode("Dropout", {RandomTensor(ctx.rng, "x", ctx.type, shape)}, constants, attrs,
                    ctx.rng.Chance(0.5) ? 2 : 1, order);
}

// GridSample: grid points in [-1.2, 1.2] on a 1/1024 grid shifted by 1/4096, so that no point
// falls exactly half-way between two pixels (where nearest's rounding would decide).
ModelSpec GenerateGridSample(GenContext& ctx) {
  int64_t batch = ctx.rng.Int(1, 2), channels = ctx.rng.Int(1, 2);
  std::vector<int64_t> shape = {batch, channels, ctx.rng.Int(1, 4), ctx.rng.Int(1, 4)};
  std::vector<int64_t> grid_shape = {batch, ctx.rng.Int(1, 3), ctx.rng.Int(1, 3), 2};
  std::vector<double> grid = GridValues(ctx.rng, Elements(grid_shape), -1.2, 1.2);
  for (double& value : grid) value += 1.0 / 4096;
  std::vector<AttrSpec> attrs;
  if (ctx.rng.Chance(0.7)) {
    attrs.push_back(
        StringAttr("mode", ctx.rng.Pick(std::vector<std::string>{"bilinear", "nearest", "bicubic"})));
  }
  if (ctx.rng.Chance(0.6)) {
    attrs.push_back(StringAttr("padding_mode", ctx.rng.Pick(std::vector<std::string>{
                                                   "zeros", "border", "reflection"})));
  }
  if (ctx.rng.Chance(0.5)) attrs.push_back(IntAttr("align_corners", ctx.rng.Int(0, 1)));
  return SingleNode("GridSample",
                    {RandomTensor(ctx.rng, "x", ctx.type, shape),
                     MakeTensor("grid", ctx.type, grid_shape, grid)},
                    {}, attrs);
}

// Scales are powers of two, so x / scale is exact in float and double alike: the rounding and
// the saturation decide, not the division's error.
double PowerOfTwoScale(Rng& rng) {
  return rng.Pick(std::vector<double>{0.5, 0.25, 0.125, 1.0 / 64, 2});
}

// Per-tensor (scalar scale) or per-axis (1-D scale along `axis`): the scale's shape and the axis
// attribute when per-axis.
struct QuantParams {
  std::vector<int64_t> param_shape;
  std::vector<AttrSpec> attrs;
};
QuantParams QuantizationParams(Rng& rng, const std::vector<int64_t>& shape) {
  QuantParams params;
  if (!shape.empty() && rng.Chance(0.4)) {
    int64_t rank = static_cast<int64_t>(shape.size());
    int64_t axis = rng.Int(-rank, rank - 1);
    params.param_shape = {shape[static_cast<size_t>(axis < 0 ? axis + rank : axis)]};
    if (axis != 1 || rng.Chance(0.3)) params.attrs.push_back(IntAttr("axis", axis));
  }
  return params;
}

// The `scale` input: one power-of-two scale per element of the parameters' shape.
Tensor ScaleConstant(Rng& rng, const QuantParams& params) {
  std::vector<double> scales;
  for (int64_t idx = 0; idx < Elements(params.param_shape); ++idx) {
    scales.push_back(PowerOfTwoScale(rng));
  }
  return FloatConstant("scale", ElemType::kFloat, scales, params.param_shape);
}

ModelSpec GenerateQuantizeLinear(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 0, 4);
  QuantParams params = QuantizationParams(ctx.rng, shape);
  int64_t count = Elements(params.param_shape);
  std::vector<Tensor> constants = {ScaleConstant(ctx.rng, params)};
  if (ctx.rng.Chance(0.75)) {
    bool is_signed = ctx.rng.Chance(0.5);
    std::vector<double> zero_points;
    for (int64_t idx = 0; idx < count; ++idx) {
      zero_points.push_back(static_cast<double>(is_signed ? ctx.rng.Int(-10, 10) : ctx.rng.Int(0, 20)));
    }
    constants.push_back(FloatConstant("zero_point", is_signed ? ElemType::kInt8 : ElemType::kUint8,
                                      zero_points, params.param_shape));
  }
  // Odd multiples of 1/2048 in [-3, 3]: x / scale is then an odd multiple of 1/32 or finer, never
  // half-way between two integers, so no rounding tie. Wide enough to saturate at times
  // (3 / (1/64) = 192).
  std::vector<double> values(static_cast<size_t>(Elements(shape)));
  for (double& value : values) value = static_cast<double>(2 * ctx.rng.Int(-3072, 3071) + 1) / 2048;
  Tensor x = MakeTensor("x", ctx.type, shape, values);
  return SingleNode("QuantizeLinear", {x}, constants, params.attrs);
}

// DequantizeLinear's main type is x's (int8, uint8, int32; int32 has no zero point).
ModelSpec GenerateDequantizeLinear(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 0, 4);
  QuantParams params = QuantizationParams(ctx.rng, shape);
  int64_t count = Elements(params.param_shape);
  std::vector<Tensor> constants = {ScaleConstant(ctx.rng, params)};
  auto draw = [&]() -> double {
    switch (ctx.type) {
      case ElemType::kUint8:
        return static_cast<double>(ctx.rng.Int(0, 255));
      case ElemType::kInt8:
        return static_cast<double>(ctx.rng.Int(-128, 127));
      default:
        return static_cast<double>(ctx.rng.Int(-1000, 1000));
    }
  };
  std::vector<double> values(static_cast<size_t>(Elements(shape)));
  for (double& value : values) value = draw();
  if (ctx.type != ElemType::kInt32 && ctx.rng.Chance(0.75)) {
    std::vector<double> zero_points;
    for (int64_t idx = 0; idx < count; ++idx) zero_points.push_back(draw());
    constants.push_back(FloatConstant("zero_point", ctx.type, zero_points, params.param_shape));
  }
  return SingleNode("DequantizeLinear", {MakeTensor("x", ctx.type, shape, values)}, constants,
                    params.attrs);
}

// RNN (1 gate), GRU (3) and LSTM (4) with small sizes and the default activations; weights in
// [-0.5, 0.5] keep the gates away from saturation. Optional B, initial_h (and initial_c, P for
// LSTM), directions, GRU's linear_before_reset, layout.
GenerateFn Recurrent(const std::string& op, int64_t gates) {
  return [op, gates](GenContext& ctx) {
    int64_t seq = ctx.rng.Int(1, 3), batch = ctx.rng.Int(1, 2), input = ctx.rng.Int(1, 3);
    int64_t hidden = ctx.rng.Int(1, 3);
    std::string direction =
        ctx.rng.Pick(std::vector<std::string>{"forward", "forward", "reverse", "bidirectional"});
    int64_t dirs = direction == "bidirectional" ? 2 : 1;
    bool batch_first = ctx.rng.Chance(0.2);
    std::vector<AttrSpec> attrs = {IntAttr("hidden_size", hidden)};
    if (direction != "forward" || ctx.rng.Chance(0.3)) attrs.push_back(StringAttr("direction", direction));
    if (batch_first) attrs.push_back(IntAttr("layout", 1));
    if (op == "GRU" && ctx.rng.Chance(0.5)) attrs.push_back(IntAttr("linear_before_reset", 1));
    auto weights = [&](const std::string& name, std::vector<int64_t> dims) {
      return MakeTensor(name, ElemType::kFloat, dims, GridValues(ctx.rng, Elements(dims), -0.5, 0.5));
    };
    std::vector<int64_t> x_shape = batch_first ? std::vector<int64_t>{batch, seq, input}
                                               : std::vector<int64_t>{seq, batch, input};
    std::vector<int64_t> state_shape = batch_first ? std::vector<int64_t>{batch, dirs, hidden}
                                                   : std::vector<int64_t>{dirs, batch, hidden};
    std::vector<Tensor> inputs = {RandomTensor(ctx.rng, "x", ctx.type, x_shape, Domain::kSmall)};
    std::vector<Tensor> constants = {weights("w", {dirs, gates * hidden, input}),
                                     weights("r", {dirs, gates * hidden, hidden})};
    std::vector<std::string> order = {"x", "w", "r"};
    bool with_b = ctx.rng.Chance(0.6), with_h = ctx.rng.Chance(0.4);
    bool with_c = op == "LSTM" && with_h && ctx.rng.Chance(0.7);
    bool with_p = op == "LSTM" && ctx.rng.Chance(0.3);
    if (with_b || with_h || with_c || with_p) {
      if (with_b) constants.push_back(weights("b", {dirs, 2 * gates * hidden}));
      order.push_back(with_b ? "b" : "");
    }
    // sequence_lens: every sequence full length (an empty name only when more inputs follow).
    if (with_h || with_c || with_p) order.push_back("");
    if (with_h || with_c || with_p) {
      if (with_h) inputs.push_back(RandomTensor(ctx.rng, "initial_h", ctx.type, state_shape, Domain::kSmall));
      order.push_back(with_h ? "initial_h" : "");
    }
    if (with_c || with_p) {
      if (with_c) inputs.push_back(RandomTensor(ctx.rng, "initial_c", ctx.type, state_shape, Domain::kSmall));
      order.push_back(with_c ? "initial_c" : "");
    }
    if (with_p) {
      constants.push_back(weights("p", {dirs, 3 * hidden}));
      order.push_back("p");
    }
    int outputs = static_cast<int>(ctx.rng.Int(1, op == "LSTM" ? 3 : 2));
    return SingleNode(op, inputs, constants, attrs, outputs, order);
  };
}

}  // namespace

void AddSequenceModelGenerators(std::vector<OpGenerator>* table) {
  static const std::vector<ElemType> kFloatOnly = {ElemType::kFloat};
  table->push_back({"LayerNormalization", kFloatTypes, GenerateLayerNormalization});
  table->push_back({"Einsum", kNumericTypes, GenerateEinsum});
  table->push_back({"Det", kFloatTypes, GenerateDet});
  table->push_back({"Dropout", kFloatTypes, GenerateDropout});
  table->push_back({"GridSample", kFloatTypes, GenerateGridSample});
  table->push_back({"QuantizeLinear", kFloatOnly, GenerateQuantizeLinear});
  table->push_back({"DequantizeLinear", {ElemType::kUint8, ElemType::kInt8, ElemType::kInt32},
                    GenerateDequantizeLinear});
  table->push_back({"RNN", kFloatOnly, Recurrent("RNN", 1)});
  table->push_back({"GRU", kFloatOnly, Recurrent("GRU", 3)});
  table->push_back({"LSTM", kFloatOnly, Recurrent("LSTM", 4)});
}

}  // namespace zooci::difftest_internal
