// Pooling: MaxPool, AveragePool, LpPool, their global forms, and MaxUnpool.
#include <cmath>
#include <limits>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

enum class PoolKind { kMax, kAverage, kLp };

// Runs a window of `window` over every [n, c] plane of x. For each output element, `visit` sees
// the input elements under the window that lie inside the input (their flat index within the
// plane and their spatial position), and `padded_count` is how many window positions lie inside
// the input plus its explicit padding.
struct PoolResult {
  Array y;
  Array indices;  // MaxPool's second output: flat indices into X
};

Result<PoolResult> Pool(const OpContext& ctx, const Array& x, const Window& window, PoolKind kind,
                        double p = 2.0) {
  const int64_t batch = x.shape[0], channels = x.shape[1];
  const size_t dims = window.dims();
  Shape y_shape = {batch, channels};
  y_shape.insert(y_shape.end(), window.out.begin(), window.out.end());
  PoolResult result{MakeArray(x.type, y_shape), MakeArray(ElemType::kInt64, y_shape)};
  const bool count_include_pad = ctx.Int("count_include_pad", 0) != 0;
  const bool column_major = ctx.Int("storage_order", 0) != 0;
  const int64_t in_plane = ShapeSize(window.in);
  const int64_t out_plane = ShapeSize(window.out);
  const int64_t kernel_size = ShapeSize(window.kernel);
  const std::vector<int64_t> in_strides = Strides(window.in);
  std::vector<int64_t> out_pos, kernel_pos, in_pos(dims);

  for (int64_t plane = 0; plane < batch * channels; ++plane) {
    const double* x_plane = &x.values[plane * in_plane];
    for (int64_t out_idx = 0; out_idx < out_plane; ++out_idx) {
      Unravel(out_idx, window.out, out_pos);
      double max = -std::numeric_limits<double>::infinity();
      int64_t argmax = -1;
      double sum = 0.0;
      int64_t valid = 0, padded = 0;
      for (int64_t k = 0; k < kernel_size; ++k) {
        Unravel(k, window.kernel, kernel_pos);
        bool inside = true, inside_padding = true;
        for (size_t dim = 0; dim < dims; ++dim) {
          in_pos[dim] = out_pos[dim] * window.strides[dim] - window.pads_begin[dim] +
                        kernel_pos[dim] * window.dilations[dim];
          inside = inside && in_pos[dim] >= 0 && in_pos[dim] < window.in[dim];
          inside_padding = inside_padding && in_pos[dim] >= -window.pads_begin[dim] &&
                           in_pos[dim] < window.in[dim] + window.pads_end[dim];
        }
        if (inside_padding) ++padded;
        if (!inside) continue;
        const int64_t flat = Ravel(in_pos, in_strides);
        const double value = x_plane[flat];
        ++valid;
        if (kind == PoolKind::kLp) sum += std::pow(std::fabs(value), p);
        if (kind == PoolKind::kAverage) sum += value;
        if (kind == PoolKind::kMax && (argmax < 0 || value > max)) {
          max = value;
          argmax = flat;
          if (column_major) {  // storage_order=1: the index counts down columns first
            argmax = 0;
            for (int64_t dim = 0, scale = 1; dim < static_cast<int64_t>(dims); ++dim) {
              argmax += in_pos[dim] * scale;
              scale *= window.in[dim];
            }
          }
        }
      }
      double& out = result.y.values[plane * out_plane + out_idx];
      if (kind == PoolKind::kMax) {
        out = max;
        result.indices.values[plane * out_plane + out_idx] =
            static_cast<double>(plane * in_plane + argmax);
      } else if (kind == PoolKind::kAverage) {
        const int64_t count = count_include_pad ? padded : valid;
        out = count > 0 ? sum / static_cast<double>(count) : 0.0;
      } else {
        out = std::pow(sum, 1.0 / p);
      }
    }
  }
  return result;
}

// MaxPool-1, 8 (Indices output, storage_order), 10 (ceil_mode, dilations), 11, 12 (int8/uint8):
// the maximum over each window; padding never wins. Indices are flat into X (N and C included).
Result<Outputs> MaxPool(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Window window,
                      MakeWindow(ctx, ctx.input(0).shape, {}, ctx.Int("ceil_mode", 0) != 0));
  ZC_ASSIGN_OR_RETURN(PoolResult pooled, Pool(ctx, ctx.input(0), window, PoolKind::kMax));
  return Outputs{std::move(pooled.y), std::move(pooled.indices)};
}

// AveragePool-1, 7 (count_include_pad), 10 (ceil_mode), 11: the mean over each window, dividing
// by the elements inside the input, or with count_include_pad=1 by those inside input plus pads.
Result<Outputs> AveragePool(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Window window,
                      MakeWindow(ctx, ctx.input(0).shape, {}, ctx.Int("ceil_mode", 0) != 0));
  ZC_ASSIGN_OR_RETURN(PoolResult pooled, Pool(ctx, ctx.input(0), window, PoolKind::kAverage));
  return Outputs{std::move(pooled.y)};
}

// LpPool-1, 2, 11: (sum |x|^p)^(1/p) over each window; p = 2.
Result<Outputs> LpPool(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Window window, MakeWindow(ctx, ctx.input(0).shape, {}));
  ZC_ASSIGN_OR_RETURN(PoolResult pooled, Pool(ctx, ctx.input(0), window, PoolKind::kLp,
                                              static_cast<double>(ctx.Int("p", 2))));
  return Outputs{std::move(pooled.y)};
}

// GlobalAveragePool-1, GlobalMaxPool-1, GlobalLpPool-1, 2: one window covering every spatial
// dim, so the output is [N, C, 1, ..., 1].
Result<PoolResult> GlobalPool(const OpContext& ctx, PoolKind kind, double p = 2.0) {
  const Array& x = ctx.input(0);
  if (x.rank() < 3) return Error("X " + Describe(x) + " has no spatial dims");
  Window window;
  window.in.assign(x.shape.begin() + 2, x.shape.end());
  window.kernel = window.in;
  window.strides = window.dilations = window.out = Shape(window.in.size(), 1);
  window.pads_begin = window.pads_end = Shape(window.in.size(), 0);
  return Pool(ctx, x, window, kind, p);
}

Result<Outputs> GlobalAveragePool(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(PoolResult pooled, GlobalPool(ctx, PoolKind::kAverage));
  return Outputs{std::move(pooled.y)};
}

Result<Outputs> GlobalMaxPool(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(PoolResult pooled, GlobalPool(ctx, PoolKind::kMax));
  return Outputs{std::move(pooled.y)};
}

Result<Outputs> GlobalLpPool(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(PoolResult pooled,
                      GlobalPool(ctx, PoolKind::kLp, static_cast<double>(ctx.Int("p", 2))));
  return Outputs{std::move(pooled.y)};
}

// MaxUnpool-9, 11: zeros of the unpooled shape ((in - 1) * stride + kernel - pads per spatial
// dim) with X's values written at I's flat indices. With the output_shape input the output is that
// shape and each index keeps its spatial position from the unpooled shape (so pooling the output
// gives X back, as the operator's definition asks).
Result<Outputs> MaxUnpool(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& indices = ctx.input(1);
  if (x.rank() < 3) return Error("X " + Describe(x) + " has no spatial dims");
  const size_t dims = static_cast<size_t>(x.rank() - 2);
  const Shape kernel = ctx.Ints("kernel_shape");
  const Shape strides = ctx.Ints("strides", Shape(dims, 1));
  const Shape pads = ctx.Ints("pads", Shape(2 * dims, 0));
  if (kernel.size() != dims || strides.size() != dims || pads.size() != 2 * dims)
    return Error("kernel_shape, strides or pads of the wrong length");
  Shape unpooled = {x.shape[0], x.shape[1]};
  for (size_t dim = 0; dim < dims; ++dim)
    unpooled.push_back((x.shape[2 + dim] - 1) * strides[dim] + kernel[dim] - pads[dim] -
                       pads[dims + dim]);
  const Shape y_shape = ctx.has_input(2) ? ToInts(ctx.input(2)) : unpooled;
  if (y_shape.size() != unpooled.size())
    return Error("output_shape " + FormatDims(y_shape) + " for " + Describe(x));
  Array y = MakeArray(x.type, y_shape);
  const std::vector<int64_t> y_strides = Strides(y_shape);
  std::vector<int64_t> position;
  for (size_t idx = 0; idx < x.values.size(); ++idx) {
    const int64_t index = ToInt(indices.values[idx]);
    if (index < 0 || index >= ShapeSize(unpooled))
      return Error("index " + std::to_string(index) + " outside " + FormatDims(unpooled));
    Unravel(index, unpooled, position);
    bool inside = true;
    for (size_t dim = 0; dim < position.size(); ++dim)
      inside = inside && position[dim] < y_shape[dim];
    if (inside) y.values[Ravel(position, y_strides)] = x.values[idx];
  }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterPoolOps(OpTable& table) {
  table.Add("MaxPool", {1, 8, 10, 11, 12}, MaxPool);
  table.Add("AveragePool", {1, 7, 10, 11}, AveragePool);
  table.Add("LpPool", {1, 2, 11}, LpPool);
  table.Add("GlobalAveragePool", {1}, GlobalAveragePool);
  table.Add("GlobalMaxPool", {1}, GlobalMaxPool);
  table.Add("GlobalLpPool", {1, 2}, GlobalLpPool);
  table.Add("MaxUnpool", {9, 11}, MaxUnpool, 2);
}

}  // namespace zooci::reference
