// Activations (Relu, Sigmoid, Clip, ...) and the normalised exponentials along an axis (Softmax,
// LogSoftmax, Hardmax).
#include <cmath>
#include <functional>
#include <limits>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

Array Map(const Array& x, const std::function<double(double)>& fn) {
  Array y = MakeArray(x.type, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) y.values[idx] = fn(x.values[idx]);
  return y;
}

// Relu-1, 6, 13, 14.
Result<Outputs> Relu(const OpContext& ctx) {
  return Outputs{Map(ctx.input(0), [](double x) { return x > 0 ? x : 0.0; })};
}

// LeakyRelu-1, 6, 16: alpha = 0.01.
Result<Outputs> LeakyRelu(const OpContext& ctx) {
  const double alpha = ctx.Float("alpha", 0.01);
  return Outputs{Map(ctx.input(0), [alpha](double x) { return x >= 0 ? x : alpha * x; })};
}

// PRelu-1, 6, 7, 9, 16: slope broadcast to X (7 and later: unidirectionally, numpy-style). For
// opsets before 7, a 1-D slope of X's channel count applies per channel (axis 1).
Result<Outputs> PRelu(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& slope = ctx.input(1);
  Shape slope_shape = slope.shape;
  if (ctx.version < 7 && slope.rank() == 1 && x.rank() > 2 && slope.shape[0] == x.shape[1] &&
      slope.shape[0] != 1) {
    slope_shape = Shape(static_cast<size_t>(x.rank() - 1), 1);
    slope_shape[0] = slope.shape[0];
  }
  ZC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(x.shape, slope_shape));
  if (shape != x.shape)
    return Error("slope " + FormatDims(slope.shape) + " does not broadcast to X " +
                 FormatDims(x.shape));
  const std::vector<int64_t> slope_index = BroadcastIndex(slope_shape, shape);
  Array y = MakeArray(x.type, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    const double value = x.values[idx];
    y.values[idx] = value >= 0 ? value : value * slope.values[slope_index[idx]];
  }
  return Outputs{std::move(y)};
}

// Sigmoid-1, 6, 13.
Result<Outputs> Sigmoid(const OpContext& ctx) {
  return Outputs{Map(ctx.input(0), [](double x) { return 1.0 / (1.0 + std::exp(-x)); })};
}

// Tanh-1, 6, 13.
Result<Outputs> Tanh(const OpContext& ctx) {
  return Outputs{Map(ctx.input(0), [](double x) { return std::tanh(x); })};
}

// HardSigmoid-1, 6: max(0, min(1, alpha * x + beta)), alpha = 0.2, beta = 0.5.
Result<Outputs> HardSigmoid(const OpContext& ctx) {
  const double alpha = ctx.Float("alpha", 0.2);
  const double beta = ctx.Float("beta", 0.5);
  return Outputs{Map(ctx.input(0), [alpha, beta](double x) {
    return std::max(0.0, std::min(1.0, alpha * x + beta));
  })};
}

// HardSwish-14: x * max(0, min(1, x / 6 + 1/2)).
Result<Outputs> HardSwish(const OpContext& ctx) {
  return Outputs{
      Map(ctx.input(0), [](double x) { return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5)); })};
}

// Elu-1, 6: x for x >= 0, alpha * (exp(x) - 1) below; alpha = 1.
Result<Outputs> Elu(const OpContext& ctx) {
  const double alpha = ctx.Float("alpha", 1.0);
  return Outputs{
      Map(ctx.input(0), [alpha](double x) { return x >= 0 ? x : alpha * (std::exp(x) - 1.0); })};
}

// Selu-1, 6: gamma * (x for x > 0, alpha * (exp(x) - 1) below), with ONNX's default constants.
Result<Outputs> Selu(const OpContext& ctx) {
  const double alpha = ctx.Float("alpha", 1.67326319217681884765625);
  const double gamma = ctx.Float("gamma", 1.05070102214813232421875);
  return Outputs{Map(ctx.input(0), [alpha, gamma](double x) {
    return gamma * (x > 0 ? x : alpha * (std::exp(x) - 1.0));
  })};
}

// Celu-12: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)); alpha = 1.
Result<Outputs> Celu(const OpContext& ctx) {
  const double alpha = ctx.Float("alpha", 1.0);
  return Outputs{Map(ctx.input(0), [alpha](double x) {
    return std::max(0.0, x) + std::min(0.0, alpha * (std::exp(x / alpha) - 1.0));
  })};
}

// Softplus-1: log(exp(x) + 1).
Result<Outputs> Softplus(const OpContext& ctx) {
  return Outputs{Map(ctx.input(0), [](double x) { return std::log1p(std::exp(x)); })};
}

// Softsign-1: x / (1 + |x|).
Result<Outputs> Softsign(const OpContext& ctx) {
  return Outputs{Map(ctx.input(0), [](double x) { return x / (1.0 + std::fabs(x)); })};
}

// ThresholdedRelu-10: x for x > alpha, else 0; alpha = 1.
Result<Outputs> ThresholdedRelu(const OpContext& ctx) {
  const double alpha = ctx.Float("alpha", 1.0);
  return Outputs{Map(ctx.input(0), [alpha](double x) { return x > alpha ? x : 0.0; })};
}

// Shrink-9: x + bias below -lambd, x - bias above lambd, 0 between; bias = 0, lambd = 0.5.
Result<Outputs> Shrink(const OpContext& ctx) {
  const double bias = ctx.Float("bias", 0.0);
  const double lambd = ctx.Float("lambd", 0.5);
  return Outputs{Map(ctx.input(0), [bias, lambd](double x) {
    return x < -lambd ? x + bias : (x > lambd ? x - bias : 0.0);
  })};
}

// Clip-1, 6: bounds are the attributes min and max (defaults: float's lowest and highest).
// Clip-11, 12, 13: bounds are the optional scalar inputs 1 and 2 (absent: unbounded).
Result<Outputs> Clip(const OpContext& ctx) {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  if (ctx.version < 11) {
    low = ctx.Float("min", -std::numeric_limits<float>::max());
    high = ctx.Float("max", std::numeric_limits<float>::max());
  } else {
    if (ctx.has_input(1) && ctx.input(1).size() > 0) low = ctx.input(1).values[0];
    if (ctx.has_input(2) && ctx.input(2).size() > 0) high = ctx.input(2).values[0];
  }
  return Outputs{Map(ctx.input(0), [low, high](double x) {
    return std::isnan(x) ? x : std::min(std::max(x, low), high);
  })};
}

// The 1-D lanes a Softmax-like operator normalises. Element k of lane (o, i) is at
// (o * length + k) * inner + i.
struct Lanes {
  int64_t outer = 1;
  int64_t length = 1;
  int64_t inner = 1;
};

// Softmax, LogSoftmax, Hardmax 1 and 11 coerce the input to 2-D at `axis` (default 1) and
// normalise each row of the trailing block (axis == rank gives rows of one element); 13
// normalises along `axis` alone (default -1).
Result<Lanes> SoftmaxLanes(const OpContext& ctx, const Shape& shape) {
  const auto rank = static_cast<int64_t>(shape.size());
  Lanes lanes;
  if (rank == 0) return lanes;
  int64_t axis = ctx.Int("axis", ctx.version < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank || (ctx.version >= 13 && axis == rank))
    return Error("axis " + std::to_string(ctx.Int("axis", 0)) + " out of range for rank " +
                 std::to_string(rank));
  for (int64_t dim = 0; dim < rank; ++dim) {
    if (dim < axis) {
      lanes.outer *= shape[dim];
    } else if (dim == axis || ctx.version < 13) {
      lanes.length *= shape[dim];
    } else {
      lanes.inner *= shape[dim];
    }
  }
  return lanes;
}

enum class Normaliser { kSoftmax, kLogSoftmax, kHardmax };

Result<Array> Normalise(const OpContext& ctx, Normaliser kind) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(Lanes lanes, SoftmaxLanes(ctx, x.shape));
  Array y = MakeArray(x.type, x.shape);
  for (int64_t outer = 0; outer < lanes.outer; ++outer) {
    for (int64_t inner = 0; inner < lanes.inner; ++inner) {
      auto at = [&](int64_t k) { return (outer * lanes.length + k) * lanes.inner + inner; };
      int64_t argmax = 0;
      for (int64_t k = 1; k < lanes.length; ++k)
        if (x.values[at(k)] > x.values[at(argmax)]) argmax = k;
      if (kind == Normaliser::kHardmax) {
        if (lanes.length > 0) y.values[at(argmax)] = 1.0;
        continue;
      }
      const double max = lanes.length > 0 ? x.values[at(argmax)] : 0.0;
      double sum = 0.0;
      for (int64_t k = 0; k < lanes.length; ++k) sum += std::exp(x.values[at(k)] - max);
      for (int64_t k = 0; k < lanes.length; ++k) {
        const double shifted = x.values[at(k)] - max;
        y.values[at(k)] =
            kind == Normaliser::kSoftmax ? std::exp(shifted) / sum : shifted - std::log(sum);
      }
    }
  }
  return y;
}

// Softmax-1, 11, 13: exp(x) / sum(exp(x)) over each lane.
Result<Outputs> Softmax(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Normalise(ctx, Normaliser::kSoftmax));
  return Outputs{std::move(y)};
}

// LogSoftmax-1, 11, 13: x - log(sum(exp(x))) over each lane.
Result<Outputs> LogSoftmax(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Normalise(ctx, Normaliser::kLogSoftmax));
  return Outputs{std::move(y)};
}

// Hardmax-1, 11, 13: 1 at the first maximum of each lane, 0 elsewhere.
Result<Outputs> Hardmax(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Normalise(ctx, Normaliser::kHardmax));
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterActivationOps(OpTable& table) {
  table.Add("Relu", {1, 6, 13, 14}, Relu);
  table.Add("LeakyRelu", {1, 6, 16}, LeakyRelu);
  table.Add("PRelu", {1, 6, 7, 9, 16}, PRelu, 2);
  table.Add("Sigmoid", {1, 6, 13}, Sigmoid);
  table.Add("Tanh", {1, 6, 13}, Tanh);
  table.Add("HardSigmoid", {1, 6}, HardSigmoid);
  table.Add("HardSwish", {14}, HardSwish);
  table.Add("Elu", {1, 6}, Elu);
  table.Add("Selu", {1, 6}, Selu);
  table.Add("Celu", {12}, Celu);
  table.Add("Softplus", {1}, Softplus);
  table.Add("Softsign", {1}, Softsign);
  table.Add("ThresholdedRelu", {10}, ThresholdedRelu);
  table.Add("Shrink", {9}, Shrink);
  table.Add("Clip", {1, 6, 11, 12, 13}, Clip);
  table.Add("Softmax", {1, 11, 13}, Softmax);
  table.Add("LogSoftmax", {1, 11, 13}, LogSoftmax);
  table.Add("Hardmax", {1, 11, 13}, Hardmax);
}

}  // namespace zooci::reference
