// Operators that make or cut tensors: Constant, ConstantOfShape, Range, EyeLike, Concat, Split,
// Slice, Pad, Tile, Trilu.
#include <algorithm>
#include <cmath>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// Constant-1, 9, 11, 12, 13: the tensor of whichever attribute is set: value (a tensor), or
// (12 and later) value_float(s), value_int(s), value_string(s). sparse_value is not supported.
Result<Outputs> Constant(const OpContext& ctx) {
  if (ctx.has_attr("value")) {
    ZC_ASSIGN_OR_RETURN(Array value, ctx.TensorAttr("value"));
    return Outputs{std::move(value)};
  }
  if (ctx.has_attr("value_float"))
    return Outputs{Scalar(ElemType::kFloat, ctx.Float("value_float", 0))};
  if (ctx.has_attr("value_int"))
    return Outputs{Scalar(ElemType::kInt64, static_cast<double>(ctx.Int("value_int", 0)))};
  if (ctx.has_attr("value_floats")) {
    const std::vector<double> floats = ctx.Floats("value_floats");
    Array value = MakeArray(ElemType::kFloat, {static_cast<int64_t>(floats.size())});
    value.values = floats;
    return Outputs{std::move(value)};
  }
  if (ctx.has_attr("value_ints")) return Outputs{FromInts(ctx.Ints("value_ints"))};
  if (ctx.has_attr("value_string")) {
    Array value = MakeArray(ElemType::kString, {});
    value.strings[0] = ctx.String("value_string", "");
    return Outputs{std::move(value)};
  }
  if (ctx.has_attr("value_strings")) {
    const std::vector<std::string> strings = ctx.Strings("value_strings");
    Array value = MakeArray(ElemType::kString, {static_cast<int64_t>(strings.size())});
    value.strings = strings;
    return Outputs{std::move(value)};
  }
  return Error("no value attribute (sparse_value is not supported)");
}

// ConstantOfShape-9: a tensor of the given shape filled with the one element of `value`
// (default: float 0).
Result<Outputs> ConstantOfShape(const OpContext& ctx) {
  Array fill = Scalar(ElemType::kFloat, 0.0);
  if (ctx.has_attr("value")) {
    ZC_ASSIGN_OR_RETURN(fill, ctx.TensorAttr("value"));
  }
  if (fill.size() != 1) return Error("value must hold one element, holds " + Describe(fill));
  const Shape shape = ToInts(ctx.input(0));
  for (int64_t dim : shape)
    if (dim < 0) return Error("negative dim in shape " + FormatDims(shape));
  Array y = MakeArray(fill.type, shape);
  std::fill(y.values.begin(), y.values.end(), fill.values[0]);
  return Outputs{std::move(y)};
}

// Range-11: start, start + delta, ... while below limit (above, for a negative delta):
// max(ceil((limit - start) / delta), 0) elements.
Result<Outputs> Range(const OpContext& ctx) {
  const double start = ctx.input(0).values.at(0);
  const double limit = ctx.input(1).values.at(0);
  const double delta = ctx.input(2).values.at(0);
  if (delta == 0) return Error("delta is 0");
  const auto count = static_cast<int64_t>(std::max(std::ceil((limit - start) / delta), 0.0));
  Array y = MakeArray(ctx.input(0).type, {count});
  for (int64_t idx = 0; idx < count; ++idx)
    y.values[idx] = start + static_cast<double>(idx) * delta;
  return Outputs{std::move(y)};
}

// EyeLike-9: ones on the k-th diagonal of a 2-D tensor of X's shape; type `dtype` or X's.
Result<Outputs> EyeLike(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  if (x.rank() != 2) return Error("X " + Describe(x) + " is not 2-D");
  const auto type = static_cast<ElemType>(ctx.Int("dtype", static_cast<int64_t>(x.type)));
  const int64_t k = ctx.Int("k", 0);
  Array y = MakeArray(type, x.shape);
  for (int64_t row = 0; row < x.shape[0]; ++row) {
    const int64_t col = row + k;
    if (col >= 0 && col < x.shape[1]) y.values[row * x.shape[1] + col] = 1.0;
  }
  return Outputs{std::move(y)};
}

// Concat-1 (axis default 1), 4, 11 (negative axis), 13: inputs joined along `axis`.
Result<Outputs> Concat(const OpContext& ctx) {
  const Array& first = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(int64_t axis,
                      NormalizeAxis(ctx.Int("axis", ctx.version < 4 ? 1 : 0), first.rank()));
  Shape shape = first.shape;
  shape[axis] = 0;
  for (size_t input_idx = 0; input_idx < ctx.input_count(); ++input_idx) {
    const Array& input = ctx.input(input_idx);
    for (int64_t dim = 0; dim < first.rank(); ++dim) {
      if (input.rank() != first.rank() || (dim != axis && input.shape[dim] != first.shape[dim]))
        return Error("inputs " + Describe(first) + " and " + Describe(input) +
                     " differ outside axis " + std::to_string(axis));
    }
    shape[axis] += input.shape[axis];
  }
  Array y = MakeArray(first.type, shape);
  y.values.clear();
  y.strings.clear();
  // Row-major: each outer block is the inputs' blocks one after the other.
  const int64_t outer = ShapeSize(Shape(shape.begin(), shape.begin() + axis));
  for (int64_t block = 0; block < outer; ++block) {
    for (size_t input_idx = 0; input_idx < ctx.input_count(); ++input_idx) {
      const Array& input = ctx.input(input_idx);
      const int64_t chunk = outer == 0 ? 0 : input.size() / outer;
      if (input.is_string()) {
        y.strings.insert(y.strings.end(), input.strings.begin() + block * chunk,
                         input.strings.begin() + (block + 1) * chunk);
      } else {
        y.values.insert(y.values.end(), input.values.begin() + block * chunk,
                        input.values.begin() + (block + 1) * chunk);
      }
    }
  }
  return Outputs{std::move(y)};
}

// The slice [begin, begin + length) of x along `axis`.
Array SliceAxis(const Array& x, int64_t axis, int64_t begin, int64_t length) {
  Shape shape = x.shape;
  shape[axis] = length;
  const std::vector<int64_t> x_strides = Strides(x.shape);
  std::vector<int64_t> indices(static_cast<size_t>(ShapeSize(shape)));
  std::vector<int64_t> position;
  for (size_t flat = 0; flat < indices.size(); ++flat) {
    Unravel(static_cast<int64_t>(flat), shape, position);
    position[axis] += begin;
    indices[flat] = Ravel(position, x_strides);
  }
  return Take(x, indices, shape);
}

// Split-1, 2, 11 (negative axis), 13 (split as an input): pieces along `axis` (default 0) of the
// given lengths, or equal pieces, one per output.
Result<Outputs> Split(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 0), x.rank()));
  std::vector<int64_t> lengths = ctx.Ints("split");
  if ((ctx.version >= 13 || ctx.version == 1) && ctx.has_input(1)) lengths = ToInts(ctx.input(1));
  const auto pieces = static_cast<int64_t>(ctx.output_count());
  if (lengths.empty()) {
    if (x.shape[axis] % pieces != 0)
      return Error("dim " + std::to_string(x.shape[axis]) + " does not split into " +
                   std::to_string(pieces) + " equal pieces");
    lengths.assign(static_cast<size_t>(pieces), x.shape[axis] / pieces);
  }
  int64_t total = 0;
  for (int64_t length : lengths) total += length;
  if (total != x.shape[axis] || static_cast<int64_t>(lengths.size()) != pieces)
    return Error("split " + FormatDims(lengths) + " does not cut " + Describe(x) + " into " +
                 std::to_string(pieces) + " along axis " + std::to_string(axis));
  Outputs outputs;
  int64_t begin = 0;
  for (int64_t length : lengths) {
    outputs.push_back(SliceAxis(x, axis, begin, length));
    begin += length;
  }
  return outputs;
}

// Slice-1 (starts, ends, axes attributes), 10 (inputs, with steps), 11, 13. Per axis, like
// Python slicing: negative starts and ends count from the end, and both are clamped to the dim
// ([0, dim] for positive steps, [-1, dim - 1] for negative ones).
Result<Outputs> Slice(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.version < 10) {
    starts = ctx.Ints("starts");
    ends = ctx.Ints("ends");
    axes = ctx.Ints("axes");
  } else {
    if (!ctx.has_input(2)) return Error("starts and ends inputs missing");
    starts = ToInts(ctx.input(1));
    ends = ToInts(ctx.input(2));
    if (ctx.has_input(3)) axes = ToInts(ctx.input(3));
    if (ctx.has_input(4)) steps = ToInts(ctx.input(4));
  }
  if (axes.empty())
    for (size_t idx = 0; idx < starts.size(); ++idx) axes.push_back(static_cast<int64_t>(idx));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return Error("starts, ends, axes and steps differ in length");
  ZC_ASSIGN_OR_RETURN(axes, NormalizeAxes(axes, x.rank()));

  Shape shape = x.shape;
  std::vector<int64_t> first(x.shape.size(), 0), step(x.shape.size(), 1);
  for (size_t idx = 0; idx < axes.size(); ++idx) {
    const int64_t axis = axes[idx];
    const int64_t dim = x.shape[axis];
    if (steps[idx] == 0) return Error("step 0 on axis " + std::to_string(axis));
    const int64_t step_size = steps[idx];
    if (dim == 0) continue;  // nothing to take
    int64_t start = starts[idx] < 0 ? starts[idx] + dim : starts[idx];
    int64_t end = ends[idx] < 0 ? ends[idx] + dim : ends[idx];
    if (step_size > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    const int64_t span = step_size > 0 ? end - start : start - end;
    const int64_t stride = std::abs(step_size);
    const int64_t count = span <= 0 ? 0 : (span + stride - 1) / stride;
    first[axis] = start;
    step[axis] = step_size;
    shape[axis] = count;
  }
  const std::vector<int64_t> x_strides = Strides(x.shape);
  std::vector<int64_t> indices(static_cast<size_t>(ShapeSize(shape)));
  std::vector<int64_t> position;
  for (size_t flat = 0; flat < indices.size(); ++flat) {
    Unravel(static_cast<int64_t>(flat), shape, position);
    for (size_t dim = 0; dim < position.size(); ++dim)
      position[dim] = first[dim] + position[dim] * step[dim];
    indices[flat] = Ravel(position, x_strides);
  }
  return Outputs{Take(x, indices, shape)};
}

// Pad-1 (`paddings` attribute), 2 (`pads` attribute), 11 (pads and constant_value inputs), 13.
// pads are [begin of each dim..., end of each dim...]; negative pads crop. Modes: constant
// (value, default 0), edge (repeat the border), reflect (mirror without repeating the border).
Result<Outputs> Pad(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  std::vector<int64_t> pads;
  double value = ctx.Float("value", 0.0);
  if (ctx.version < 11) {
    pads = ctx.Ints(ctx.version == 1 ? "paddings" : "pads");
  } else {
    if (!ctx.has_input(1)) return Error("the pads input is missing");
    pads = ToInts(ctx.input(1));
    if (ctx.has_input(2) && ctx.input(2).size() > 0) value = ctx.input(2).values[0];
  }
  const std::string mode = ctx.String("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return Error("mode '" + mode + "' is not constant, edge or reflect");
  const int64_t rank = x.rank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return Error("pads " + FormatDims(pads) + " for " + Describe(x) + " need 2 per dim");
  Shape shape(static_cast<size_t>(rank));
  for (int64_t dim = 0; dim < rank; ++dim) {
    shape[dim] = x.shape[dim] + pads[dim] + pads[rank + dim];
    if (shape[dim] < 0) return Error("pads " + FormatDims(pads) + " crop more than " + Describe(x));
    if (mode != "constant" && x.shape[dim] == 0 && shape[dim] > 0)
      return Error("cannot pad an empty dim in mode " + mode);
  }
  Array y = MakeArray(x.type, shape);
  const std::vector<int64_t> x_strides = Strides(x.shape);
  std::vector<int64_t> position;
  for (int64_t flat = 0; flat < y.size(); ++flat) {
    Unravel(flat, shape, position);
    bool inside = true;
    for (int64_t dim = 0; dim < rank; ++dim) {
      int64_t& pos = position[dim];
      const int64_t size = x.shape[dim];
      pos -= pads[dim];
      if (pos >= 0 && pos < size) continue;
      if (mode == "constant") {
        inside = false;
      } else if (mode == "edge") {
        pos = std::clamp<int64_t>(pos, 0, size - 1);
      } else {  // reflect: ... 2 1 | 0 1 2 3 | 2 1 ...
        const int64_t period = 2 * (size - 1);
        if (period == 0) {
          pos = 0;
        } else {
          pos = ((pos % period) + period) % period;
          if (pos >= size) pos = period - pos;
        }
      }
    }
    if (!inside) {
      if (!y.is_string()) y.values[flat] = value;
      continue;
    }
    const int64_t source = Ravel(position, x_strides);
    if (y.is_string()) {
      y.strings[flat] = x.strings[source];
    } else {
      y.values[flat] = x.values[source];
    }
  }
  return Outputs{std::move(y)};
}

// Tile-6, 13: X repeated repeats[d] times along each dim d.
Result<Outputs> Tile(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const std::vector<int64_t> repeats = ToInts(ctx.input(1));
  if (static_cast<int64_t>(repeats.size()) != x.rank())
    return Error("repeats " + FormatDims(repeats) + " for " + Describe(x));
  Shape shape = x.shape;
  for (size_t dim = 0; dim < shape.size(); ++dim) shape[dim] *= repeats[dim];
  const std::vector<int64_t> x_strides = Strides(x.shape);
  std::vector<int64_t> indices(static_cast<size_t>(ShapeSize(shape)));
  std::vector<int64_t> position;
  for (size_t flat = 0; flat < indices.size(); ++flat) {
    Unravel(static_cast<int64_t>(flat), shape, position);
    for (size_t dim = 0; dim < position.size(); ++dim) position[dim] %= x.shape[dim];
    indices[flat] = Ravel(position, x_strides);
  }
  return Outputs{Take(x, indices, shape)};
}

// Trilu-14: keeps the upper (upper=1, default) or lower triangle of each matrix in the last two
// dims, counted from the k-th diagonal (optional input k, default 0); the rest becomes 0.
Result<Outputs> Trilu(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  if (x.rank() < 2) return Error("X " + Describe(x) + " is not at least 2-D");
  const bool upper = ctx.Int("upper", 1) != 0;
  const int64_t k = ctx.has_input(1) ? ToInt(ctx.input(1).values.at(0)) : 0;
  const int64_t rows = x.shape[x.rank() - 2], cols = x.shape[x.rank() - 1];
  Array y = x;
  for (int64_t flat = 0; flat < y.size(); ++flat) {
    const int64_t col = flat % cols, row = flat / cols % rows;
    const bool keep = upper ? col - row >= k : col - row <= k;
    if (!keep) y.values[flat] = 0.0;
  }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterTensorOps(OpTable& table) {
  table.Add("Constant", {1, 9, 11, 12, 13}, Constant, 0);
  table.Add("ConstantOfShape", {9}, ConstantOfShape);
  table.Add("Range", {11}, Range, 3);
  table.Add("EyeLike", {9}, EyeLike);
  table.Add("Concat", {1, 4, 11, 13}, Concat);
  table.Add("Split", {1, 2, 11, 13}, Split);
  table.Add("Slice", {1, 10, 11, 13}, Slice);
  table.Add("Pad", {1, 2, 11, 13}, Pad);
  table.Add("Tile", {6, 13}, Tile, 2);
  table.Add("Trilu", {14}, Trilu);
}

}  // namespace zooci::reference
