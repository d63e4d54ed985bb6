// Normalisations: BatchNormalization, InstanceNormalization, LayerNormalization,
// MeanVarianceNormalization, LpNormalization, LRN.
#include <cmath>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// Mean and (population) variance of x over `axes`, each of the kept shape.
struct Moments {
  Shape kept_shape;
  std::vector<int64_t> index;  // input element -> kept element
  std::vector<double> mean, variance;
};

Moments ComputeMoments(const Array& x, const std::vector<int64_t>& axes) {
  Moments m;
  m.index = ReductionIndex(x.shape, axes, &m.kept_shape);
  const auto kept = static_cast<size_t>(ShapeSize(m.kept_shape));
  const double count = kept == 0 ? 0.0 : static_cast<double>(x.size()) / static_cast<double>(kept);
  m.mean.assign(kept, 0.0);
  m.variance.assign(kept, 0.0);
  for (size_t idx = 0; idx < x.values.size(); ++idx) m.mean[m.index[idx]] += x.values[idx];
  for (double& mean : m.mean) mean /= count;
  for (size_t idx = 0; idx < x.values.size(); ++idx) {
    const double deviation = x.values[idx] - m.mean[m.index[idx]];
    m.variance[m.index[idx]] += deviation * deviation;
  }
  for (double& variance : m.variance) variance /= count;
  return m;
}

// Every axis but 1 (the channel): what BatchNormalization's statistics run over.
std::vector<int64_t> AllButChannel(int64_t rank) {
  std::vector<int64_t> axes;
  for (int64_t axis = 0; axis < rank; ++axis)
    if (axis != 1) axes.push_back(axis);
  return axes;
}

// BatchNormalization-1, 6, 7, 9, 14, 15. Inference: Y = (X - mean) / sqrt(var + epsilon) *
// scale + B with the given per-channel statistics (opsets < 9 with spatial=0: per element of
// [C, D1, ...]). 14 and later with training_mode=1: the statistics of this batch are used, and
// outputs 1 and 2 are the running mean and variance updated with momentum (0.9).
Result<Outputs> BatchNormalization(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& scale = ctx.input(1);
  const Array& bias = ctx.input(2);
  const Array& mean = ctx.input(3);
  const Array& var = ctx.input(4);
  const double epsilon = ctx.Float("epsilon", 1e-5);
  if (x.rank() < 2) return Error("X " + Describe(x) + " has no channel dim");
  const int64_t channels = x.shape[1];
  const int64_t inner = ShapeSize(Shape(x.shape.begin() + 2, x.shape.end()));
  // Per channel, or (spatial=0) per element of the non-batch dims.
  const bool per_element = ctx.version < 9 && ctx.Int("spatial", 1) == 0 &&
                           scale.size() == channels * inner && inner != 1;
  for (const Array* parameter : {&scale, &bias, &mean, &var}) {
    if (parameter->size() != (per_element ? channels * inner : channels))
      return Error("parameter " + Describe(*parameter) + " does not match X " + Describe(x));
  }
  const bool training = ctx.version >= 14 && ctx.Int("training_mode", 0) != 0;
  if (!training && ctx.version < 14 && ctx.wants_output(1))
    return Error("training outputs (mean, var, saved_mean, saved_var) not supported");

  std::vector<double> use_mean = mean.values, use_var = var.values;
  Array running_mean = mean, running_var = var;
  if (training) {
    const Moments batch = ComputeMoments(x, AllButChannel(x.rank()));
    use_mean = batch.mean;
    use_var = batch.variance;
    const double momentum = ctx.Float("momentum", 0.9);
    for (int64_t c = 0; c < channels; ++c) {
      running_mean.values[c] = mean.values[c] * momentum + batch.mean[c] * (1 - momentum);
      running_var.values[c] = var.values[c] * momentum + batch.variance[c] * (1 - momentum);
    }
  }
  Array y = MakeArray(x.type, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    const auto position = static_cast<int64_t>(idx) % (channels * inner);
    const int64_t p = per_element ? position : position / inner;  // parameter index
    y.values[idx] =
        (x.values[idx] - use_mean[p]) / std::sqrt(use_var[p] + epsilon) * scale.values[p] +
        bias.values[p];
  }
  if (training) return Outputs{std::move(y), std::move(running_mean), std::move(running_var)};
  return Outputs{std::move(y)};
}

// InstanceNormalization-1, 6: each [n, c] plane normalised by its own mean and variance, then
// scale[c] * x + B[c]; epsilon = 1e-5.
Result<Outputs> InstanceNormalization(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& scale = ctx.input(1);
  const Array& bias = ctx.input(2);
  if (x.rank() < 3) return Error("X " + Describe(x) + " has no spatial dims");
  if (scale.size() != x.shape[1] || bias.size() != x.shape[1])
    return Error("scale " + Describe(scale) + " and B " + Describe(bias) + " are not [C] of X " +
                 Describe(x));
  std::vector<int64_t> spatial;
  for (int64_t axis = 2; axis < x.rank(); ++axis) spatial.push_back(axis);
  const Moments m = ComputeMoments(x, spatial);
  const double epsilon = ctx.Float("epsilon", 1e-5);
  const int64_t channels = x.shape[1];
  Array y = MakeArray(x.type, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    const int64_t plane = m.index[idx];
    const int64_t c = plane % channels;
    y.values[idx] =
        (x.values[idx] - m.mean[plane]) / std::sqrt(m.variance[plane] + epsilon) * scale.values[c] +
        bias.values[c];
  }
  return Outputs{std::move(y)};
}

// LayerNormalization-17: normalise over the dims from `axis` (default -1) on, then multiply by
// Scale and add B (both broadcast to those dims). Outputs 1 and 2: Mean and 1 / sqrt(var + eps)
// with the normalised dims kept as 1, of type stash_type (default float, whatever X's type).
Result<Outputs> LayerNormalization(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& scale = ctx.input(1);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", -1), x.rank()));
  std::vector<int64_t> axes;
  for (int64_t dim = axis; dim < x.rank(); ++dim) axes.push_back(dim);
  const Moments m = ComputeMoments(x, axes);
  const double epsilon = ctx.Float("epsilon", 1e-5);
  const Shape normalized(x.shape.begin() + axis, x.shape.end());
  // Scale and B broadcast onto the normalised dims, which repeat along the outer ones.
  const std::vector<int64_t> scale_index = BroadcastIndex(scale.shape, normalized);
  std::vector<int64_t> bias_index;
  if (ctx.has_input(2)) bias_index = BroadcastIndex(ctx.input(2).shape, normalized);
  const auto inner = static_cast<size_t>(ShapeSize(normalized));

  Array y = MakeArray(x.type, x.shape);
  const auto stash_type =
      static_cast<ElemType>(ctx.Int("stash_type", static_cast<int64_t>(ElemType::kFloat)));
  Array mean = MakeArray(stash_type, m.kept_shape);
  Array inv_std = MakeArray(stash_type, m.kept_shape);
  for (size_t row = 0; row < mean.values.size(); ++row) {
    mean.values[row] = m.mean[row];
    inv_std.values[row] = 1.0 / std::sqrt(m.variance[row] + epsilon);
  }
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    const int64_t row = m.index[idx];
    const size_t k = idx % inner;
    double value = (x.values[idx] - mean.values[row]) * inv_std.values[row];
    value *= scale.values[scale_index[k]];
    if (ctx.has_input(2)) value += ctx.input(2).values[bias_index[k]];
    y.values[idx] = value;
  }
  return Outputs{std::move(y), std::move(mean), std::move(inv_std)};
}

// MeanVarianceNormalization-9, 13: (X - mean) / (sqrt(variance) + 1e-9) over `axes`
// (default [0, 2, 3]), as its ONNX function body computes it.
Result<Outputs> MeanVarianceNormalization(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                      NormalizeAxes(ctx.Ints("axes", {0, 2, 3}), x.rank()));
  const Moments m = ComputeMoments(x, axes);
  Array y = MakeArray(x.type, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    const int64_t group = m.index[idx];
    y.values[idx] = (x.values[idx] - m.mean[group]) / (std::sqrt(m.variance[group]) + 1e-9);
  }
  return Outputs{std::move(y)};
}

// LpNormalization-1: x / ||x||_p along `axis` (default -1); p is 1 or 2 (default).
Result<Outputs> LpNormalization(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", -1), x.rank()));
  const int64_t p = ctx.Int("p", 2);
  if (p != 1 && p != 2) return Error("p must be 1 or 2");
  Shape kept;
  const std::vector<int64_t> index = ReductionIndex(x.shape, {axis}, &kept);
  std::vector<double> norm(static_cast<size_t>(ShapeSize(kept)), 0.0);
  for (size_t idx = 0; idx < x.values.size(); ++idx)
    norm[index[idx]] += p == 1 ? std::fabs(x.values[idx]) : x.values[idx] * x.values[idx];
  Array y = MakeArray(x.type, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    const double length = p == 1 ? norm[index[idx]] : std::sqrt(norm[index[idx]]);
    y.values[idx] = length == 0 ? 0.0 : x.values[idx] / length;
  }
  return Outputs{std::move(y)};
}

// LRN-1, 13: x / (bias + alpha / size * sum of x^2 over the channels
// [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)])^beta.
Result<Outputs> Lrn(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  if (x.rank() < 2) return Error("X " + Describe(x) + " has no channel dim");
  const int64_t size = ctx.Int("size", 0);
  if (size <= 0) return Error("size must be positive");
  const double alpha = ctx.Float("alpha", 1e-4);
  const double beta = ctx.Float("beta", 0.75);
  const double bias = ctx.Float("bias", 1.0);
  const int64_t channels = x.shape[1];
  const int64_t inner = ShapeSize(Shape(x.shape.begin() + 2, x.shape.end()));
  const int64_t below = (size - 1) / 2, above = size - 1 - below;
  Array y = MakeArray(x.type, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    const auto flat = static_cast<int64_t>(idx);
    const int64_t c = flat / inner % channels;
    double square_sum = 0.0;
    for (int64_t other = std::max<int64_t>(0, c - below);
         other <= std::min(channels - 1, c + above); ++other) {
      const double value = x.values[flat + (other - c) * inner];
      square_sum += value * value;
    }
    y.values[idx] =
        x.values[idx] / std::pow(bias + alpha / static_cast<double>(size) * square_sum, beta);
  }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterNormalizationOps(OpTable& table) {
  table.Add("BatchNormalization", {1, 6, 7, 9, 14, 15}, BatchNormalization, 5);
  table.Add("InstanceNormalization", {1, 6}, InstanceNormalization, 3);
  table.Add("LayerNormalization", {17}, LayerNormalization, 2);
  table.Add("MeanVarianceNormalization", {9, 13}, MeanVarianceNormalization);
  table.Add("LpNormalization", {1}, LpNormalization);
  table.Add("LRN", {1, 13}, Lrn);
}

}  // namespace zooci::reference
