// Reductions over axes (ReduceSum, ReduceMean, ReduceMax, ...) and ArgMax / ArgMin.
#include <algorithm>
#include <cmath>
#include <limits>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// A reduction: the start value, how an element joins the accumulator, and the final step given
// the number of elements reduced.
struct Reducer {
  double start;
  double (*join)(double acc, double x);
  double (*finish)(double acc, int64_t count);
};

double Keep(double acc, int64_t) {
  return acc;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr Reducer kSum{0.0, [](double acc, double x) { return acc + x; }, Keep};
constexpr Reducer kMean{0.0, [](double acc, double x) { return acc + x; },
                        [](double acc, int64_t count) { return acc / static_cast<double>(count); }};
constexpr Reducer kMax{
    -kInf, [](double acc, double x) { return std::isnan(x) || x > acc ? x : acc; }, Keep};
constexpr Reducer kMin{
    kInf, [](double acc, double x) { return std::isnan(x) || x < acc ? x : acc; }, Keep};
constexpr Reducer kProd{1.0, [](double acc, double x) { return acc * x; }, Keep};
constexpr Reducer kL1{0.0, [](double acc, double x) { return acc + std::fabs(x); }, Keep};
constexpr Reducer kL2{0.0, [](double acc, double x) { return acc + x * x; },
                      [](double acc, int64_t) { return std::sqrt(acc); }};
constexpr Reducer kSumSquare{0.0, [](double acc, double x) { return acc + x * x; }, Keep};
constexpr Reducer kLogSum{0.0, [](double acc, double x) { return acc + x; },
                          [](double acc, int64_t) { return std::log(acc); }};
constexpr Reducer kLogSumExp{0.0, [](double acc, double x) { return acc + std::exp(x); },
                             [](double acc, int64_t) { return std::log(acc); }};

// The Reduce* operators, 1, 11 (negative axes), 12 (ReduceMax/Min: int8, uint8), 13 (ReduceSum:
// axes as an input, and noop_with_empty_axes). Axes empty or absent: every axis, unless
// noop_with_empty_axes=1 (then Y = X). keepdims (default 1) keeps reduced dims as 1.
template <const Reducer& reducer>
Result<Outputs> Reduce(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const bool axes_as_input = ctx.node().op_type() == "ReduceSum" && ctx.version >= 13;
  std::vector<int64_t> axes = ctx.Ints("axes");
  if (axes_as_input) axes = ctx.has_input(1) ? ToInts(ctx.input(1)) : std::vector<int64_t>{};
  if (axes.empty()) {
    if (axes_as_input && ctx.Int("noop_with_empty_axes", 0) != 0) return Outputs{x};
    for (int64_t axis = 0; axis < x.rank(); ++axis) axes.push_back(axis);
  }
  ZC_ASSIGN_OR_RETURN(axes, NormalizeAxes(axes, x.rank()));
  Shape kept;
  const std::vector<int64_t> index = ReductionIndex(x.shape, axes, &kept);
  const int64_t count = ShapeSize(kept) == 0 ? 0 : x.size() / ShapeSize(kept);
  std::vector<double> acc(static_cast<size_t>(ShapeSize(kept)), reducer.start);
  for (size_t idx = 0; idx < x.values.size(); ++idx)
    acc[index[idx]] = reducer.join(acc[index[idx]], x.values[idx]);

  Shape shape;
  for (int64_t dim = 0; dim < x.rank(); ++dim) {
    const bool reduced = std::find(axes.begin(), axes.end(), dim) != axes.end();
    if (!reduced || ctx.Int("keepdims", 1) != 0) shape.push_back(reduced ? 1 : x.shape[dim]);
  }
  Array y = MakeArray(x.type, shape);
  for (size_t idx = 0; idx < acc.size(); ++idx) y.values[idx] = reducer.finish(acc[idx], count);
  return Outputs{std::move(y)};
}

// ArgMax, ArgMin -1, 11 (negative axis), 12 (select_last_index), 13: the index of the maximum
// (minimum) along `axis` (default 0), the first one unless select_last_index=1; int64.
template <bool kMaximum>
Result<Outputs> ArgExtreme(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 0), x.rank()));
  const bool last = ctx.Int("select_last_index", 0) != 0;
  const int64_t dim = x.shape[axis];
  const int64_t inner = ShapeSize(Shape(x.shape.begin() + axis + 1, x.shape.end()));
  const int64_t outer = ShapeSize(Shape(x.shape.begin(), x.shape.begin() + axis));
  Shape shape = x.shape;
  if (ctx.Int("keepdims", 1) != 0) {
    shape[axis] = 1;
  } else {
    shape.erase(shape.begin() + axis);
  }
  Array y = MakeArray(ElemType::kInt64, shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t k = 1; k < dim; ++k) {
        const double candidate = x.values[(o * dim + k) * inner + i];
        const double current = x.values[(o * dim + best) * inner + i];
        const bool better = kMaximum ? candidate > current : candidate < current;
        if (better || (last && candidate == current)) best = k;
      }
      y.values[o * inner + i] = static_cast<double>(best);
    }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterReduceOps(OpTable& table) {
  table.Add("ReduceSum", {1, 11, 13}, Reduce<kSum>);
  table.Add("ReduceMean", {1, 11, 13}, Reduce<kMean>);
  table.Add("ReduceMax", {1, 11, 12, 13}, Reduce<kMax>);
  table.Add("ReduceMin", {1, 11, 12, 13}, Reduce<kMin>);
  table.Add("ReduceProd", {1, 11, 13}, Reduce<kProd>);
  table.Add("ReduceL1", {1, 11, 13}, Reduce<kL1>);
  table.Add("ReduceL2", {1, 11, 13}, Reduce<kL2>);
  table.Add("ReduceSumSquare", {1, 11, 13}, Reduce<kSumSquare>);
  table.Add("ReduceLogSum", {1, 11, 13}, Reduce<kLogSum>);
  table.Add("ReduceLogSumExp", {1, 11, 13}, Reduce<kLogSumExp>);
  table.Add("ArgMax", {1, 11, 12, 13}, ArgExtreme<true>);
  table.Add("ArgMin", {1, 11, 12, 13}, ArgExtreme<false>);
}

}  // namespace zooci::reference
