// Losses: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
#include <cmath>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// NLL of log-probabilities `input` [N, C, d1, ...] against class indices `target` [N, d1, ...]:
// each element's loss is -input[n, target, d...] * weight[target] (weight 1 without weights;
// 0 where target == ignore_index). reduction none keeps them, sum adds them, mean (default)
// divides the sum by the sum of the weights used.
Result<Array> NegativeLogLikelihood(const OpContext& ctx, const Array& input, const Array& target,
                                    const Array* weight) {
  if (input.rank() < 2) return Error("input " + Describe(input) + " is not [N, C, ...]");
  const int64_t batch = input.shape[0], classes = input.shape[1];
  const int64_t inner = ShapeSize(Shape(input.shape.begin() + 2, input.shape.end()));
  if (target.size() != batch * inner)
    return Error("target " + Describe(target) + " does not match input " + Describe(input));
  const std::string reduction = ctx.String("reduction", "mean");
  const bool has_ignore = ctx.has_attr("ignore_index");
  const int64_t ignore_index = ctx.Int("ignore_index", 0);
  Array losses = MakeArray(input.type, target.shape);
  double weight_sum = 0.0;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t d = 0; d < inner; ++d) {
      const int64_t cls = ToInt(target.values[n * inner + d]);
      if (has_ignore && cls == ignore_index) continue;
      if (cls < 0 || cls >= classes)
        return Error("target " + std::to_string(cls) + " outside [0, " + std::to_string(classes) +
                     ")");
      const double w = weight ? weight->values[cls] : 1.0;
      losses.values[n * inner + d] = -input.values[(n * classes + cls) * inner + d] * w;
      weight_sum += w;
    }
  if (reduction == "none") return losses;
  double total = 0.0;
  for (double loss : losses.values) total += loss;
  if (reduction == "sum") return Scalar(input.type, total);
  if (reduction != "mean") return Error("reduction '" + reduction + "' is not none, sum or mean");
  return Scalar(input.type, weight_sum == 0 ? 0.0 : total / weight_sum);
}

// NegativeLogLikelihoodLoss-12, 13: inputs (input, target, weight).
Result<Outputs> NegativeLogLikelihoodLoss(const OpContext& ctx) {
  const Array* weight = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  ZC_ASSIGN_OR_RETURN(Array loss, NegativeLogLikelihood(ctx, ctx.input(0), ctx.input(1), weight));
  return Outputs{std::move(loss)};
}

// SoftmaxCrossEntropyLoss-12, 13: NLL of log_softmax(scores) over axis 1; output 1 (optional)
// is that log_softmax.
Result<Outputs> SoftmaxCrossEntropyLoss(const OpContext& ctx) {
  const Array& scores = ctx.input(0);
  if (scores.rank() < 2) return Error("scores " + Describe(scores) + " is not [N, C, ...]");
  const int64_t batch = scores.shape[0], classes = scores.shape[1];
  const int64_t inner = ShapeSize(Shape(scores.shape.begin() + 2, scores.shape.end()));
  Array log_prob = MakeArray(scores.type, scores.shape);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t d = 0; d < inner; ++d) {
      auto at = [&](int64_t c) { return (n * classes + c) * inner + d; };
      double max = scores.values[at(0)];
      for (int64_t c = 1; c < classes; ++c) max = std::max(max, scores.values[at(c)]);
      double sum = 0.0;
      for (int64_t c = 0; c < classes; ++c) sum += std::exp(scores.values[at(c)] - max);
      for (int64_t c = 0; c < classes; ++c)
        log_prob.values[at(c)] = scores.values[at(c)] - max - std::log(sum);
    }
  const Array* weight = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  ZC_ASSIGN_OR_RETURN(Array loss, NegativeLogLikelihood(ctx, log_prob, ctx.input(1), weight));
  return Outputs{std::move(loss), std::move(log_prob)};
}

}  // namespace

void RegisterLossOps(OpTable& table) {
  table.Add("NegativeLogLikelihoodLoss", {12, 13}, NegativeLogLikelihoodLoss, 2);
  table.Add("SoftmaxCrossEntropyLoss", {12, 13}, SoftmaxCrossEntropyLoss, 2);
}

}  // namespace zooci::reference
