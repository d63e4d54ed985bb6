// Operators about order and selection: TopK, Unique, NonZero, Compress, CumSum, ReverseSequence.
#include <algorithm>
#include <numeric>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// TopK-1 (k attribute), 10 (k input), 11 (largest, sorted): the k largest (or smallest) elements
// along `axis` (default -1) and their indices; equal values keep the lower index first.
Result<Outputs> TopK(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", -1), x.rank()));
  const int64_t k = ctx.version < 10 ? ctx.Int("k", 0) : ToInt(ctx.input(1).values.at(0));
  const bool largest = ctx.Int("largest", 1) != 0;
  const int64_t dim = x.shape[axis];
  if (k < 0 || k > dim) return Error("k " + std::to_string(k) + " out of range for " + Describe(x));
  const int64_t inner = ShapeSize(Shape(x.shape.begin() + axis + 1, x.shape.end()));
  const int64_t outer = ShapeSize(Shape(x.shape.begin(), x.shape.begin() + axis));
  Shape shape = x.shape;
  shape[axis] = k;
  Array values = MakeArray(x.type, shape);
  Array indices = MakeArray(ElemType::kInt64, shape);
  std::vector<int64_t> order(static_cast<size_t>(dim));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t pos) { return x.values[(o * dim + pos) * inner + i]; };
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return largest ? at(a) > at(b) : at(a) < at(b);
      });
      for (int64_t pos = 0; pos < k; ++pos) {
        values.values[(o * k + pos) * inner + i] = at(order[pos]);
        indices.values[(o * k + pos) * inner + i] = static_cast<double>(order[pos]);
      }
    }
  return Outputs{std::move(values), std::move(indices)};
}

// Unique-11: the distinct elements (or, with `axis`, distinct slices along it), sorted ascending
// (sorted=1, default) or in order of first occurrence; with their first indices, the index of
// each input element's unique entry, and the counts.
Result<Outputs> Unique(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const bool sorted = ctx.Int("sorted", 1) != 0;
  // The slices compared: single elements when there is no axis.
  int64_t axis = 0;
  Array flat = x;
  if (ctx.has_attr("axis")) {
    ZC_ASSIGN_OR_RETURN(axis, NormalizeAxis(ctx.Int("axis", 0), x.rank()));
  } else {
    flat.shape = {x.size()};
  }
  const int64_t dim = flat.shape[axis];
  const int64_t inner = ShapeSize(Shape(flat.shape.begin() + axis + 1, flat.shape.end()));
  const int64_t outer = ShapeSize(Shape(flat.shape.begin(), flat.shape.begin() + axis));
  auto slice = [&](int64_t pos) {
    std::vector<double> elements;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        elements.push_back(flat.values[(o * dim + pos) * inner + i]);
    return elements;
  };
  std::vector<std::vector<double>> distinct;
  std::vector<int64_t> first_index, counts, inverse(static_cast<size_t>(dim));
  for (int64_t pos = 0; pos < dim; ++pos) {
    const std::vector<double> elements = slice(pos);
    auto found = std::find(distinct.begin(), distinct.end(), elements);
    if (found == distinct.end()) {
      distinct.push_back(elements);
      first_index.push_back(pos);
      counts.push_back(0);
      found = distinct.end() - 1;
    }
    const auto unique_idx = found - distinct.begin();
    ++counts[unique_idx];
    inverse[pos] = unique_idx;
  }
  std::vector<int64_t> order(distinct.size());
  std::iota(order.begin(), order.end(), 0);
  if (sorted) {
    std::sort(order.begin(), order.end(),
              [&](int64_t a, int64_t b) { return distinct[a] < distinct[b]; });
  }
  std::vector<int64_t> rank_of(order.size());
  for (size_t pos = 0; pos < order.size(); ++pos) rank_of[order[pos]] = static_cast<int64_t>(pos);

  Shape y_shape = flat.shape;
  y_shape[axis] = static_cast<int64_t>(distinct.size());
  Array y = MakeArray(x.type, y_shape);
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const std::vector<double>& elements = distinct[order[pos]];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        y.values[(o * static_cast<int64_t>(order.size()) + static_cast<int64_t>(pos)) * inner + i] =
            elements[o * inner + i];
  }
  std::vector<int64_t> indices, inverse_sorted, counts_sorted;
  for (int64_t unique_idx : order) {
    indices.push_back(first_index[unique_idx]);
    counts_sorted.push_back(counts[unique_idx]);
  }
  for (int64_t unique_idx : inverse) inverse_sorted.push_back(rank_of[unique_idx]);
  return Outputs{std::move(y), FromInts(indices), FromInts(inverse_sorted),
                 FromInts(counts_sorted)};
}

// NonZero-9, 13: the coordinates of the non-zero elements in row-major order, as an int64
// [rank, count] tensor.
Result<Outputs> NonZero(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  std::vector<std::vector<int64_t>> found;
  std::vector<int64_t> position;
  for (int64_t flat = 0; flat < x.size(); ++flat) {
    if (x.values[flat] == 0) continue;
    Unravel(flat, x.shape, position);
    found.push_back(position);
  }
  const auto count = static_cast<int64_t>(found.size());
  Array y = MakeArray(ElemType::kInt64, {x.rank(), count});
  for (int64_t dim = 0; dim < x.rank(); ++dim)
    for (int64_t idx = 0; idx < count; ++idx)
      y.values[dim * count + idx] = static_cast<double>(found[idx][dim]);
  return Outputs{std::move(y)};
}

// Compress-9, 11 (negative axis): the slices along `axis` whose condition is true (a shorter
// condition counts as false for the rest); without an axis, the flattened elements.
Result<Outputs> Compress(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& condition = ctx.input(1);
  Array input = x;
  int64_t axis = 0;
  if (ctx.has_attr("axis")) {
    ZC_ASSIGN_OR_RETURN(axis, NormalizeAxis(ctx.Int("axis", 0), x.rank()));
  } else {
    input.shape = {x.size()};
  }
  const int64_t dim = input.shape[axis];
  const int64_t inner = ShapeSize(Shape(input.shape.begin() + axis + 1, input.shape.end()));
  const int64_t outer = ShapeSize(Shape(input.shape.begin(), input.shape.begin() + axis));
  std::vector<int64_t> kept;
  for (int64_t pos = 0; pos < dim && pos < condition.size(); ++pos)
    if (condition.values[pos] != 0) kept.push_back(pos);
  Shape shape = input.shape;
  shape[axis] = static_cast<int64_t>(kept.size());
  std::vector<int64_t> sources;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t pos : kept)
      for (int64_t i = 0; i < inner; ++i) sources.push_back((o * dim + pos) * inner + i);
  return Outputs{Take(input, sources, shape)};
}

// CumSum-11, 14: running sums along the axis given as input 1; exclusive=1 leaves the current
// element out, reverse=1 sums from the end.
Result<Outputs> CumSum(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ToInt(ctx.input(1).values.at(0)), x.rank()));
  const bool exclusive = ctx.Int("exclusive", 0) != 0;
  const bool reverse = ctx.Int("reverse", 0) != 0;
  const int64_t dim = x.shape[axis];
  const int64_t inner = ShapeSize(Shape(x.shape.begin() + axis + 1, x.shape.end()));
  const int64_t outer = ShapeSize(Shape(x.shape.begin(), x.shape.begin() + axis));
  Array y = MakeArray(x.type, x.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0.0;
      for (int64_t step = 0; step < dim; ++step) {
        const int64_t pos = reverse ? dim - 1 - step : step;
        const int64_t flat = (o * dim + pos) * inner + i;
        if (exclusive) {
          y.values[flat] = sum;
          sum += x.values[flat];
        } else {
          sum += x.values[flat];
          y.values[flat] = sum;
        }
      }
    }
  return Outputs{std::move(y)};
}

// ReverseSequence-10: for each batch entry b (along batch_axis, default 1), the first
// sequence_lens[b] elements along time_axis (default 0) reversed, the rest unchanged.
Result<Outputs> ReverseSequence(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const std::vector<int64_t> lengths = ToInts(ctx.input(1));
  const int64_t batch_axis = ctx.Int("batch_axis", 1);
  const int64_t time_axis = ctx.Int("time_axis", 0);
  if (x.rank() < 2 || (batch_axis != 0 && batch_axis != 1) || time_axis + batch_axis != 1)
    return Error("batch_axis and time_axis must be 0 and 1 of a tensor of rank 2 or more");
  const std::vector<int64_t> strides = Strides(x.shape);
  std::vector<int64_t> sources(static_cast<size_t>(x.size()));
  std::vector<int64_t> position;
  for (size_t flat = 0; flat < sources.size(); ++flat) {
    Unravel(static_cast<int64_t>(flat), x.shape, position);
    const int64_t length = lengths.at(position[batch_axis]);
    if (position[time_axis] < length) position[time_axis] = length - 1 - position[time_axis];
    sources[flat] = Ravel(position, strides);
  }
  return Outputs{Take(x, sources, x.shape)};
}

}  // namespace

void RegisterOrderOps(OpTable& table) {
  table.Add("TopK", {1, 10, 11}, TopK);
  table.Add("Unique", {11}, Unique);
  table.Add("NonZero", {9, 13}, NonZero);
  table.Add("Compress", {9, 11}, Compress, 2);
  table.Add("CumSum", {11, 14}, CumSum, 2);
  table.Add("ReverseSequence", {10}, ReverseSequence, 2);
}

}  // namespace zooci::reference
