// Optimizers of the ai.onnx.preview.training domain (version 1): Adagrad, Momentum, Adam. Each
// takes R (learning rate) and T (update count), then n tensors to optimize, their n gradients,
// and n (or 2n) optimizer states, and returns the updated tensors then the updated states.
#include <cmath>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// The number n of optimized tensors, given `groups` groups of n inputs after R and T.
Result<size_t> GroupSize(const OpContext& ctx, size_t groups) {
  const size_t rest = ctx.input_count() - 2;
  if (ctx.input_count() < 2 || rest % groups != 0)
    return Error("expects R, T and " + std::to_string(groups) + " groups of equal size");
  return rest / groups;
}

// Adagrad-1: r = R / (1 + T * decay_factor); G' = norm_coefficient * X + G; H' = H + G'^2;
// X' = X - r * G' / (sqrt(H') + epsilon).
Result<Outputs> Adagrad(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(size_t n, GroupSize(ctx, 3));
  const double rate =
      ctx.input(0).values.at(0) / (1 + ctx.input(1).values.at(0) * ctx.Float("decay_factor", 0.0));
  const double epsilon = ctx.Float("epsilon", 1e-6);
  const double norm = ctx.Float("norm_coefficient", 0.0);
  Outputs xs, hs;
  for (size_t k = 0; k < n; ++k) {
    Array x = ctx.input(2 + k), h = ctx.input(2 + 2 * n + k);
    const Array& g = ctx.input(2 + n + k);
    for (size_t idx = 0; idx < x.values.size(); ++idx) {
      const double gradient = norm * x.values[idx] + g.values[idx];
      h.values[idx] += gradient * gradient;
      x.values[idx] -= rate * gradient / (std::sqrt(h.values[idx]) + epsilon);
    }
    xs.push_back(std::move(x));
    hs.push_back(std::move(h));
  }
  xs.insert(xs.end(), hs.begin(), hs.end());
  return xs;
}

// Momentum-1: G' = norm_coefficient * X + G; V' = alpha * V + beta' * G' (beta' = beta, or 1 at
// T = 0); standard mode X' = X - R * V', nesterov X' = X - R * (G' + alpha * V').
Result<Outputs> Momentum(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(size_t n, GroupSize(ctx, 3));
  const double rate = ctx.input(0).values.at(0);
  const double alpha = ctx.Float("alpha", 0.0);
  const double beta = ctx.input(1).values.at(0) > 0 ? ctx.Float("beta", 0.0) : 1.0;
  const double norm = ctx.Float("norm_coefficient", 0.0);
  const bool nesterov = ctx.String("mode", "standard") == "nesterov";
  Outputs xs, vs;
  for (size_t k = 0; k < n; ++k) {
    Array x = ctx.input(2 + k), v = ctx.input(2 + 2 * n + k);
    const Array& g = ctx.input(2 + n + k);
    for (size_t idx = 0; idx < x.values.size(); ++idx) {
      const double gradient = norm * x.values[idx] + g.values[idx];
      v.values[idx] = alpha * v.values[idx] + beta * gradient;
      x.values[idx] -= rate * (nesterov ? gradient + alpha * v.values[idx] : v.values[idx]);
    }
    xs.push_back(std::move(x));
    vs.push_back(std::move(v));
  }
  xs.insert(xs.end(), vs.begin(), vs.end());
  return xs;
}

// Adam-1: G' = norm_coefficient * X + G; V' = alpha * V + (1 - alpha) * G';
// H' = beta * H + (1 - beta) * G'^2; r = R * sqrt(1 - beta^T) / (1 - alpha^T) for T > 0, else R;
// X' = (1 - norm_coefficient_post) * (X - r * V' / (sqrt(H') + epsilon)).
Result<Outputs> Adam(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(size_t n, GroupSize(ctx, 4));
  const double t = ctx.input(1).values.at(0);
  const double alpha = ctx.Float("alpha", 0.9), beta = ctx.Float("beta", 0.999);
  const double epsilon = ctx.Float("epsilon", 1e-6);
  const double norm = ctx.Float("norm_coefficient", 0.0);
  const double norm_post = ctx.Float("norm_coefficient_post", 0.0);
  double rate = ctx.input(0).values.at(0);
  if (t > 0) rate *= std::sqrt(1 - std::pow(beta, t)) / (1 - std::pow(alpha, t));
  Outputs xs, vs, hs;
  for (size_t k = 0; k < n; ++k) {
    Array x = ctx.input(2 + k), v = ctx.input(2 + 2 * n + k), h = ctx.input(2 + 3 * n + k);
    const Array& g = ctx.input(2 + n + k);
    for (size_t idx = 0; idx < x.values.size(); ++idx) {
      const double gradient = norm * x.values[idx] + g.values[idx];
      v.values[idx] = alpha * v.values[idx] + (1 - alpha) * gradient;
      h.values[idx] = beta * h.values[idx] + (1 - beta) * gradient * gradient;
      const double moved =
          x.values[idx] - rate * v.values[idx] / (std::sqrt(h.values[idx]) + epsilon);
      x.values[idx] = (1 - norm_post) * moved;
    }
    xs.push_back(std::move(x));
    vs.push_back(std::move(v));
    hs.push_back(std::move(h));
  }
  xs.insert(xs.end(), vs.begin(), vs.end());
  xs.insert(xs.end(), hs.begin(), hs.end());
  return xs;
}

}  // namespace

void RegisterTrainingOps(OpTable& table) {
  table.Add("ai.onnx.preview.training.Adagrad", {1}, Adagrad, 2);
  table.Add("ai.onnx.preview.training.Momentum", {1}, Momentum, 2);
  table.Add("ai.onnx.preview.training.Adam", {1}, Adam, 2);
}

}  // namespace zooci::reference
