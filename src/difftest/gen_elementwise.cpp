// Generators for elementwise operators: unary math with the domain each is defined on,
// activations with their attributes, binary and variadic operators with broadcasting,
// comparisons, logic, Clip and Where.
#include <cmath>

#include "difftest/internal.h"

namespace zooci::difftest_internal {
namespace {

const std::vector<ElemType> kFloatOnly = {ElemType::kFloat};
const std::vector<ElemType> kSignedTypes = {ElemType::kFloat, ElemType::kDouble, ElemType::kInt32,
                                            ElemType::kInt64};

GenerateFn Unary(const std::string& op, Domain domain) {
  return [op, domain](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 0, 4);
    return SingleNode(op, {RandomTensor(ctx.rng, "x", ctx.type, shape, domain)}, {}, {});
  };
}

// An activation with float attributes, each drawn in [lo, hi] or left at its default.
struct FloatAttrRange {
  const char* name;
  double lo, hi;
};
GenerateFn Activation(const std::string& op, std::vector<FloatAttrRange> ranges,
                      Domain domain = Domain::kAny) {
  return [op, ranges, domain](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
    std::vector<AttrSpec> attrs;
    for (const FloatAttrRange& range : ranges) {
      if (ctx.rng.Chance(0.7)) {
        double value = std::round(ctx.rng.Uniform(range.lo, range.hi) * 64) / 64;
        attrs.push_back(FloatAttr(range.name, static_cast<float>(value)));
      }
    }
    return SingleNode(op, {RandomTensor(ctx.rng, "x", ctx.type, shape, domain)}, {}, attrs);
  };
}

// A two-input operator with multidirectional broadcasting, the operands swapped at random.
GenerateFn Binary(const std::string& op, Domain a_domain, Domain b_domain) {
  return [op, a_domain, b_domain](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 0, 4);
    std::vector<int64_t> partner = BroadcastPartner(ctx.rng, shape);
    bool swap = ctx.rng.Chance(0.3);
    Tensor a = RandomTensor(ctx.rng, "a", ctx.type, swap ? partner : shape, a_domain);
    Tensor b = RandomTensor(ctx.rng, "b", ctx.type, swap ? shape : partner, b_domain);
    return SingleNode(op, {a, b}, {}, {});
  };
}

GenerateFn Variadic(const std::string& op) {
  return [op](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
    int count = static_cast<int>(ctx.rng.Int(1, 3));
    std::vector<Tensor> inputs;
    for (int input_idx = 0; input_idx < count; ++input_idx) {
      std::vector<int64_t> input_shape = input_idx == 0 ? shape : BroadcastPartner(ctx.rng, shape);
      inputs.push_back(
          RandomTensor(ctx.rng, "x" + std::to_string(input_idx), ctx.type, input_shape));
    }
    return SingleNode(op, inputs, {}, {});
  };
}

// Comparisons: values from a small set so that equal elements occur.
GenerateFn Comparison(const std::string& op) {
  return [op](GenContext& ctx) {
    std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
    std::vector<int64_t> partner = BroadcastPartner(ctx.rng, shape);
    auto draw = [&](const std::string& name, const std::vector<int64_t>& dims) {
      std::vector<double> values(static_cast<size_t>(Elements(dims)));
      for (double& value : values) value = static_cast<double>(ctx.rng.Int(-3, 3)) * 0.5;
      if (ctx.type != ElemType::kFloat && ctx.type != ElemType::kDouble) {
        for (double& value : values) value = std::round(value * 2);
      }
      return MakeTensor(name, ctx.type, dims, values);
    };
    return SingleNode(op, {draw("a", shape), draw("b", partner)}, {}, {});
  };
}

ModelSpec GenerateDiv(GenContext& ctx) {
  bool integer = ctx.type == ElemType::kInt32 || ctx.type == ElemType::kInt64;
  // Integer division of a negative dividend truncates or floors depending on the runtime; the
  // specification does not say which, so integer dividends stay non-negative.
  return Binary("Div", integer ? Domain::kNonNegInt : Domain::kAny,
                integer ? Domain::kPositive : Domain::kNonZero)(ctx);
}

ModelSpec GenerateMod(GenContext& ctx) {
  bool integer = ctx.type == ElemType::kInt32 || ctx.type == ElemType::kInt64;
  ModelSpec spec = Binary("Mod", Domain::kAny, Domain::kNonZero)(ctx);
  if (!integer)
    spec.nodes[0].attrs.push_back(IntAttr("fmod", 1));
  else if (ctx.rng.Chance(0.5))
    spec.nodes[0].attrs.push_back(IntAttr("fmod", 1));
  return spec;
}

ModelSpec GeneratePRelu(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  std::vector<int64_t> slope_shape = BroadcastPartner(ctx.rng, shape);
  Tensor x = RandomTensor(ctx.rng, "x", ctx.type, shape);
  Tensor slope = RandomTensor(ctx.rng, "slope", ctx.type, slope_shape, Domain::kSmall);
  return SingleNode("PRelu", {x, slope}, {}, {});
}

ModelSpec GenerateClip(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 0, 4);
  Tensor x = RandomTensor(ctx.rng, "x", ctx.type, shape);
  double lo = std::round(ctx.rng.Uniform(-2, 0));
  double hi = lo + std::round(ctx.rng.Uniform(0.5, 3) * 4) / 4;
  if (ctx.type == ElemType::kInt32 || ctx.type == ElemType::kInt64) hi = std::round(hi);
  std::vector<Tensor> constants;
  std::vector<std::string> order = {"x"};
  int form = static_cast<int>(ctx.rng.Int(0, 3));  // both, min only, max only, neither
  if (form == 0 || form == 1) {
    constants.push_back(FloatConstant("min", ctx.type, {lo}, std::vector<int64_t>{}));
    order.push_back("min");
  }
  if (form == 0 || form == 2) {
    constants.push_back(FloatConstant("max", ctx.type, {hi}, std::vector<int64_t>{}));
    if (form == 2) order.push_back("");
    order.push_back("max");
  }
  return SingleNode("Clip", {x}, constants, {}, 1, order);
}

ModelSpec GenerateWhere(GenContext& ctx) {
  std::vector<int64_t> shape = RandomShape(ctx.rng, 1, 4);
  Tensor condition =
      RandomTensor(ctx.rng, "condition", ElemType::kBool, BroadcastPartner(ctx.rng, shape));
  Tensor x = RandomTensor(ctx.rng, "x", ctx.type, shape);
  // "other", not "y": that is the node's output.
  Tensor other = RandomTensor(ctx.rng, "other", ctx.type, BroadcastPartner(ctx.rng, shape));
  return SingleNode("Where", {condition, x, other}, {}, {});
}

ModelSpec GenerateIsInf(GenContext& ctx) {
  ModelSpec spec = Unary("IsInf", Domain::kAny)(ctx);
  if (ctx.rng.Chance(0.5)) spec.nodes[0].attrs.push_back(IntAttr("detect_negative", 0));
  return spec;
}

}  // namespace

void AddElementwiseGenerators(std::vector<OpGenerator>* table) {
  struct UnaryEntry {
    const char* op;
    Domain domain;
    const std::vector<ElemType>* types;
  };
  static const UnaryEntry kUnary[] = {
      {"Abs", Domain::kAny, &kSignedTypes},
      {"Neg", Domain::kAny, &kSignedTypes},
      {"Relu", Domain::kAny, &kSignedTypes},
      {"Sign", Domain::kAny, &kSignedTypes},
      {"Identity", Domain::kAny, &kSignedTypes},
      {"Sigmoid", Domain::kAny, &kFloatTypes},
      {"Tanh", Domain::kAny, &kFloatTypes},
      {"Exp", Domain::kAny, &kFloatTypes},
      {"Log", Domain::kPositive, &kFloatTypes},
      {"Sqrt", Domain::kPositive, &kFloatTypes},
      {"Reciprocal", Domain::kNonZero, &kFloatTypes},
      {"Floor", Domain::kAny, &kFloatTypes},
      {"Ceil", Domain::kAny, &kFloatTypes},
      {"Round", Domain::kAny, &kFloatTypes},
      {"Sin", Domain::kAny, &kFloatTypes},
      {"Cos", Domain::kAny, &kFloatTypes},
      {"Tan", Domain::kUnit, &kFloatTypes},
      {"Asin", Domain::kUnit, &kFloatTypes},
      {"Acos", Domain::kUnit, &kFloatTypes},
      {"Atan", Domain::kAny, &kFloatTypes},
      {"Sinh", Domain::kSmall, &kFloatTypes},
      {"Cosh", Domain::kSmall, &kFloatTypes},
      {"Asinh", Domain::kAny, &kFloatTypes},
      {"Acosh", Domain::kAboveOne, &kFloatTypes},
      {"Atanh", Domain::kUnit, &kFloatTypes},
      {"Erf", Domain::kAny, &kFloatTypes},
      {"Softplus", Domain::kAny, &kFloatTypes},
      {"Softsign", Domain::kAny, &kFloatTypes},
      {"HardSwish", Domain::kAny, &kFloatTypes},
      {"IsNaN", Domain::kAny, &kFloatTypes},
  };
  for (const UnaryEntry& entry : kUnary) {
    table->push_back({entry.op, *entry.types, Unary(entry.op, entry.domain)});
  }
  static const std::vector<ElemType> kBoolOnly = {ElemType::kBool};
  table->push_back({"Not", kBoolOnly, Unary("Not", Domain::kBool)});
  table->push_back({"IsInf", kFloatTypes, GenerateIsInf});

  table->push_back({"Elu", kFloatTypes, Activation("Elu", {{"alpha", 0.1, 2}})});
  table->push_back(
      {"Selu", kFloatTypes, Activation("Selu", {{"alpha", 0.5, 2}, {"gamma", 0.5, 2}})});
  table->push_back({"LeakyRelu", kFloatTypes, Activation("LeakyRelu", {{"alpha", 0.01, 0.5}})});
  table->push_back(
      {"ThresholdedRelu", kFloatTypes, Activation("ThresholdedRelu", {{"alpha", 0.1, 1.5}})});
  table->push_back({"HardSigmoid", kFloatTypes,
                    Activation("HardSigmoid", {{"alpha", 0.1, 0.5}, {"beta", 0.2, 0.8}})});
  table->push_back({"Celu", kFloatOnly, Activation("Celu", {{"alpha", 0.2, 2}})});
  table->push_back(
      {"Shrink", kFloatTypes, Activation("Shrink", {{"bias", 0, 1}, {"lambd", 0.1, 1.5}})});

  table->push_back({"Add", kNumericTypes, Binary("Add", Domain::kAny, Domain::kAny)});
  table->push_back({"Sub", kNumericTypes, Binary("Sub", Domain::kAny, Domain::kAny)});
  table->push_back({"Mul", kNumericTypes, Binary("Mul", Domain::kAny, Domain::kAny)});
  table->push_back({"Div", kNumericTypes, GenerateDiv});
  table->push_back({"Pow", kFloatTypes, Binary("Pow", Domain::kPositive, Domain::kSmall)});
  table->push_back({"Mod", {ElemType::kInt32, ElemType::kInt64, ElemType::kFloat}, GenerateMod});
  table->push_back({"PRelu", kFloatTypes, GeneratePRelu});
  for (const char* op : {"Max", "Min", "Sum", "Mean"}) {
    table->push_back({op, kFloatTypes, Variadic(op)});
  }
  for (const char* op : {"Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"}) {
    table->push_back({op, {ElemType::kFloat, ElemType::kInt64, ElemType::kInt32}, Comparison(op)});
  }
  for (const char* op : {"And", "Or", "Xor"}) {
    table->push_back({op, kBoolOnly, Binary(op, Domain::kBool, Domain::kBool)});
  }
  table->push_back({"Clip", kSignedTypes, GenerateClip});
  table->push_back({"Where", kSignedTypes, GenerateWhere, "T"});
}

}  // namespace zooci::difftest_internal
