// Convolutions: Conv and ConvTranspose, and the window geometry the pools share.
//
// Both loops work on three spatial dims: a 1-D or 2-D convolution is run as a 3-D one with
// leading spatial dims of size 1 (kernel 1, stride 1, no padding), so one loop serves them all.
#include <algorithm>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

constexpr size_t kLoopDims = 3;

// Window and shapes widened to kLoopDims spatial dims by prepending size-1 dims.
struct Geometry3 {
  int64_t in[kLoopDims], out[kLoopDims], kernel[kLoopDims], stride[kLoopDims], dilation[kLoopDims],
      pad[kLoopDims];
};

Geometry3 Widen(const Window& window) {
  Geometry3 g;
  const size_t offset = kLoopDims - window.dims();
  for (size_t dim = 0; dim < kLoopDims; ++dim) {
    const bool real = dim >= offset;
    const size_t src = dim - offset;
    g.in[dim] = real ? window.in[src] : 1;
    g.out[dim] = real ? window.out[src] : 1;
    g.kernel[dim] = real ? window.kernel[src] : 1;
    g.stride[dim] = real ? window.strides[src] : 1;
    g.dilation[dim] = real ? window.dilations[src] : 1;
    g.pad[dim] = real ? window.pads_begin[src] : 0;
  }
  return g;
}

// The output positions [first, last) along one dim whose input position
// out * stride + offset lies inside [0, in).
void ValidRange(int64_t in, int64_t out, int64_t stride, int64_t offset, int64_t* first,
                int64_t* last) {
  *first = 0;
  while (*first < out && *first * stride + offset < 0) ++*first;
  *last = out;
  while (*last > *first && (*last - 1) * stride + offset >= in) --*last;
}

// Conv-1, 11: Y[n, m, o] = B[m] + sum over c in m's group and kernel offsets k of
// X[n, c, o * stride - pad + k * dilation] * W[m, c, k].
Result<Outputs> Conv(const OpContext& ctx) {
  const Array* bias = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  ZC_ASSIGN_OR_RETURN(Array y, Convolve(ctx, ctx.input(0), ctx.input(1), bias, ctx.input(0).type));
  return Outputs{std::move(y)};
}

// ConvTranspose-1, 11: the gradient of Conv: each X[n, c, i] adds X * W[c, m, k] to
// Y[n, m, i * stride - pad + k * dilation]. The output size is output_shape when given (the
// padding then follows from it), else stride * (in - 1) + output_padding + dilated kernel - pads;
// auto_pad SAME_* makes it in * stride.
Result<Outputs> ConvTranspose(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& w = ctx.input(1);
  if (x.rank() < 3 || x.rank() > 2 + static_cast<int64_t>(kLoopDims) || w.rank() != x.rank())
    return Error("X " + Describe(x) + " and W " + Describe(w) + ": need 1 to 3 spatial dims");
  const int64_t batch = x.shape[0], channels = x.shape[1];
  const int64_t group = ctx.Int("group", 1);
  if (group <= 0 || channels % group != 0 || w.shape[0] != channels)
    return Error("W " + Describe(w) + " does not match X " + Describe(x) + " with group " +
                 std::to_string(group));
  const int64_t out_per_group = w.shape[1];
  const int64_t out_channels = out_per_group * group;
  const int64_t in_per_group = channels / group;

  const size_t dims = static_cast<size_t>(x.rank() - 2);
  Window window;
  window.in.assign(x.shape.begin() + 2, x.shape.end());
  window.kernel = ctx.Ints("kernel_shape", Shape(w.shape.begin() + 2, w.shape.end()));
  window.strides = ctx.Ints("strides", Shape(dims, 1));
  window.dilations = ctx.Ints("dilations", Shape(dims, 1));
  const Shape pads = ctx.Ints("pads", Shape(2 * dims, 0));
  const Shape output_padding = ctx.Ints("output_padding", Shape(dims, 0));
  const Shape output_shape = ctx.Ints("output_shape");
  const std::string auto_pad = ctx.String("auto_pad", "NOTSET");
  if (window.kernel.size() != dims || window.strides.size() != dims ||
      window.dilations.size() != dims || pads.size() != 2 * dims || output_padding.size() != dims)
    return Error("kernel_shape, strides, dilations, pads or output_padding of the wrong length");
  window.pads_begin.assign(pads.begin(), pads.begin() + static_cast<int64_t>(dims));
  window.pads_end.assign(pads.begin() + static_cast<int64_t>(dims), pads.end());
  window.out.resize(dims);
  for (size_t dim = 0; dim < dims; ++dim) {
    const int64_t dilated = (window.kernel[dim] - 1) * window.dilations[dim] + 1;
    const int64_t full = window.strides[dim] * (window.in[dim] - 1) + output_padding[dim] + dilated;
    const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
    if (!output_shape.empty() || same) {
      const int64_t wanted = !output_shape.empty() ? output_shape[output_shape.size() - dims + dim]
                                                   : window.in[dim] * window.strides[dim];
      // total / 2 rounds down (Python's //, as ONNX's reference computes it): an output_shape one
      // larger than `full` (total -1) pads one zero at the end.
      const int64_t total = full - wanted;
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      const bool extra_at_end = auto_pad == "SAME_UPPER";
      window.pads_begin[dim] = extra_at_end ? half : total - half;
      window.pads_end[dim] = total - window.pads_begin[dim];
      window.out[dim] = wanted;
    } else {
      window.out[dim] = full - window.pads_begin[dim] - window.pads_end[dim];
    }
    if (window.out[dim] < 0) return Error("negative output size");
  }
  const Geometry3 g = Widen(window);

  Shape y_shape = {batch, out_channels};
  y_shape.insert(y_shape.end(), window.out.begin(), window.out.end());
  Array y = MakeArray(x.type, y_shape);
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
  const int64_t kernel_size = g.kernel[0] * g.kernel[1] * g.kernel[2];
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t grp = c / in_per_group;
      const double* x_plane = &x.values[(n * channels + c) * in_plane];
      for (int64_t m_in_group = 0; m_in_group < out_per_group; ++m_in_group) {
        const int64_t m = grp * out_per_group + m_in_group;
        double* y_plane = &y.values[(n * out_channels + m) * out_plane];
        const double* w_kernel = &w.values[(c * out_per_group + m_in_group) * kernel_size];
        for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
          for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
            for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
              const double weight = w_kernel[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
              for (int64_t id = 0; id < g.in[0]; ++id) {
                const int64_t od = id * g.stride[0] - g.pad[0] + kd * g.dilation[0];
                if (od < 0 || od >= g.out[0]) continue;
                for (int64_t ih = 0; ih < g.in[1]; ++ih) {
                  const int64_t oh = ih * g.stride[1] - g.pad[1] + kh * g.dilation[1];
                  if (oh < 0 || oh >= g.out[1]) continue;
                  for (int64_t iw = 0; iw < g.in[2]; ++iw) {
                    const int64_t ow = iw * g.stride[2] - g.pad[2] + kw * g.dilation[2];
                    if (ow < 0 || ow >= g.out[2]) continue;
                    y_plane[(od * g.out[1] + oh) * g.out[2] + ow] +=
                        weight * x_plane[(id * g.in[1] + ih) * g.in[2] + iw];
                  }
                }
              }
            }
      }
    }
  }
  if (ctx.has_input(2)) {
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t m = 0; m < out_channels; ++m)
        for (int64_t pos = 0; pos < out_plane; ++pos)
          y.values[(n * out_channels + m) * out_plane + pos] += ctx.input(2).values[m];
  }
  return Outputs{std::move(y)};
}

}  // namespace

Result<Window> MakeWindow(const OpContext& ctx, const Shape& input_shape, Shape kernel,
                          bool ceil_mode) {
  if (input_shape.size() < 3)
    return Error("input " + FormatDims(input_shape) + " has no spatial dims");
  const size_t dims = input_shape.size() - 2;
  Window window;
  window.in.assign(input_shape.begin() + 2, input_shape.end());
  window.kernel = ctx.Ints("kernel_shape", std::move(kernel));
  window.strides = ctx.Ints("strides", Shape(dims, 1));
  window.dilations = ctx.Ints("dilations", Shape(dims, 1));
  const Shape pads = ctx.Ints("pads", Shape(2 * dims, 0));
  if (window.kernel.size() != dims || window.strides.size() != dims ||
      window.dilations.size() != dims || pads.size() != 2 * dims) {
    return Error(
        "kernel_shape, strides, dilations or pads do not have one entry per spatial dim "
        "of " +
        FormatDims(input_shape));
  }
  const std::string auto_pad = ctx.String("auto_pad", "NOTSET");
  window.out.resize(dims);
  window.pads_begin.resize(dims);
  window.pads_end.resize(dims);
  for (size_t dim = 0; dim < dims; ++dim) {
    const int64_t in = window.in[dim];
    const int64_t stride = window.strides[dim];
    if (stride <= 0 || window.dilations[dim] <= 0 || window.kernel[dim] <= 0)
      return Error("kernel_shape, strides and dilations must be positive");
    const int64_t dilated = (window.kernel[dim] - 1) * window.dilations[dim] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      window.out[dim] = (in + stride - 1) / stride;
      const int64_t total = std::max<int64_t>(0, (window.out[dim] - 1) * stride + dilated - in);
      const bool extra_at_end = auto_pad == "SAME_UPPER";
      window.pads_begin[dim] = extra_at_end ? total / 2 : total - total / 2;
      window.pads_end[dim] = total - window.pads_begin[dim];
      continue;
    }
    if (auto_pad == "NOTSET") {
      window.pads_begin[dim] = pads[dim];
      window.pads_end[dim] = pads[dims + dim];
    } else if (auto_pad != "VALID") {
      return Error("auto_pad '" + auto_pad + "' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER");
    }
    const int64_t span = in + window.pads_begin[dim] + window.pads_end[dim] - dilated;
    if (span < 0) return Error("kernel larger than the padded input " + FormatDims(input_shape));
    window.out[dim] = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  }
  return window;
}

Result<Array> Convolve(const OpContext& ctx, const Array& x, const Array& w, const Array* bias,
                       ElemType out_type) {
  if (x.rank() < 3 || x.rank() > 2 + static_cast<int64_t>(kLoopDims) || w.rank() != x.rank())
    return Error("X " + Describe(x) + " and W " + Describe(w) + ": need 1 to 3 spatial dims");
  const int64_t batch = x.shape[0], channels = x.shape[1], out_channels = w.shape[0];
  const int64_t group = ctx.Int("group", 1);
  if (group <= 0 || channels % group != 0 || out_channels % group != 0 ||
      w.shape[1] * group != channels) {
    return Error("W " + Describe(w) + " does not match X " + Describe(x) + " with group " +
                 std::to_string(group));
  }
  if (bias && bias->size() != out_channels) return Error("B " + Describe(*bias) + " is not [M]");
  ZC_ASSIGN_OR_RETURN(Window window,
                      MakeWindow(ctx, x.shape, Shape(w.shape.begin() + 2, w.shape.end())));
  const Geometry3 g = Widen(window);
  const int64_t in_per_group = channels / group;
  const int64_t out_per_group = out_channels / group;

  Shape y_shape = {batch, out_channels};
  y_shape.insert(y_shape.end(), window.out.begin(), window.out.end());
  Array y = MakeArray(out_type, y_shape);
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
  const int64_t kernel_size = g.kernel[0] * g.kernel[1] * g.kernel[2];
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t m = 0; m < out_channels; ++m) {
      double* y_plane = &y.values[(n * out_channels + m) * out_plane];
      if (bias) std::fill(y_plane, y_plane + out_plane, bias->values[m]);
      const int64_t first_channel = (m / out_per_group) * in_per_group;
      for (int64_t c_in_group = 0; c_in_group < in_per_group; ++c_in_group) {
        const double* x_plane = &x.values[(n * channels + first_channel + c_in_group) * in_plane];
        const double* w_kernel = &w.values[(m * in_per_group + c_in_group) * kernel_size];
        for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
          for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
            for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
              const double weight = w_kernel[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
              // Input position along each dim: out * stride + (k * dilation - pad).
              const int64_t off_d = kd * g.dilation[0] - g.pad[0];
              const int64_t off_h = kh * g.dilation[1] - g.pad[1];
              const int64_t off_w = kw * g.dilation[2] - g.pad[2];
              int64_t od0, od1, oh0, oh1, ow0, ow1;
              ValidRange(g.in[0], g.out[0], g.stride[0], off_d, &od0, &od1);
              ValidRange(g.in[1], g.out[1], g.stride[1], off_h, &oh0, &oh1);
              ValidRange(g.in[2], g.out[2], g.stride[2], off_w, &ow0, &ow1);
              for (int64_t od = od0; od < od1; ++od) {
                const int64_t id = od * g.stride[0] + off_d;
                for (int64_t oh = oh0; oh < oh1; ++oh) {
                  const int64_t ih = oh * g.stride[1] + off_h;
                  const double* x_row = x_plane + (id * g.in[1] + ih) * g.in[2];
                  double* y_row = y_plane + (od * g.out[1] + oh) * g.out[2];
                  for (int64_t ow = ow0; ow < ow1; ++ow)
                    y_row[ow] += weight * x_row[ow * g.stride[2] + off_w];
                }
              }
            }
      }
    }
  }
  return y;
}

void RegisterConvOps(OpTable& table) {
  table.Add("Conv", {1, 11}, Conv, 2);
  table.Add("ConvTranspose", {1, 11}, ConvTranspose, 2);
}

}  // namespace zooci::reference
