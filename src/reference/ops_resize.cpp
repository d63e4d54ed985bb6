// Resize and Upsample: interpolation, one dim at a time. Each output element is a weighted sum
// of input elements; its weights are the product of a 1-D weight per dim (nearest: one input
// index with weight 1; linear: two; cubic: four).
#include <cmath>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

struct Tap {
  int64_t index;
  double weight;
};

struct ResizeOptions {
  std::string mode = "nearest";            // nearest, linear, cubic
  std::string coordinates = "half_pixel";  // coordinate_transformation_mode
  std::string nearest_mode = "round_prefer_floor";
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0.0;
};

// Where output coordinate `out` of a dim falls in the input (ONNX's
// coordinate_transformation_mode). `roi_start` / `roi_end` are used by tf_crop_and_resize.
double SourceCoordinate(const ResizeOptions& options, double out, double scale, int64_t in_len,
                        int64_t out_len, double roi_start, double roi_end) {
  const std::string& mode = options.coordinates;
  if (mode == "asymmetric") return out / scale;
  if (mode == "align_corners")
    return out_len == 1 ? 0.0
                        : out * static_cast<double>(in_len - 1) / static_cast<double>(out_len - 1);
  if (mode == "pytorch_half_pixel") return out_len > 1 ? (out + 0.5) / scale - 0.5 : 0.0;
  if (mode == "tf_half_pixel_for_nn") return (out + 0.5) / scale;
  if (mode == "tf_crop_and_resize") {
    const double span = static_cast<double>(in_len - 1);
    return out_len > 1 ? roi_start * span +
                             out * (roi_end - roi_start) * span / static_cast<double>(out_len - 1)
                       : 0.5 * (roi_start + roi_end) * span;
  }
  return (out + 0.5) / scale - 0.5;  // half_pixel
}

int64_t Clamp(int64_t index, int64_t len) {
  return std::min(std::max<int64_t>(index, 0), len - 1);
}

// The input taps of one output coordinate along one dim.
std::vector<Tap> Taps(const ResizeOptions& options, double x, int64_t in_len) {
  if (options.mode == "nearest") {
    double picked;
    const double fraction = x - std::floor(x);
    if (options.nearest_mode == "floor") {
      picked = std::floor(x);
    } else if (options.nearest_mode == "ceil") {
      picked = std::ceil(x);
    } else if (options.nearest_mode == "round_prefer_ceil") {
      picked = fraction == 0.5 ? std::ceil(x) : std::round(x);
    } else {  // round_prefer_floor
      picked = fraction == 0.5 ? std::floor(x) : std::round(x);
    }
    return {{Clamp(static_cast<int64_t>(picked), in_len), 1.0}};
  }
  const auto base = static_cast<int64_t>(std::floor(x));
  const double t = x - static_cast<double>(base);
  if (options.mode == "linear")
    return {{Clamp(base, in_len), 1.0 - t}, {Clamp(base + 1, in_len), t}};
  // cubic: Keys' kernel with coefficient A at distances 1 + t, t, 1 - t, 2 - t.
  const double a = options.cubic_a;
  auto far = [a](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };  // 1 < d < 2
  auto near = [a](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };       // d <= 1
  std::vector<Tap> taps = {
      {base - 1, far(1 + t)}, {base, near(t)}, {base + 1, near(1 - t)}, {base + 2, far(2 - t)}};
  if (options.exclude_outside) {
    double total = 0.0;
    for (Tap& tap : taps) {
      if (tap.index < 0 || tap.index >= in_len) tap.weight = 0.0;
      total += tap.weight;
    }
    for (Tap& tap : taps) tap.weight /= total;
  }
  for (Tap& tap : taps) tap.index = Clamp(tap.index, in_len);
  return taps;
}

Result<Array> Interpolate(const Array& x, const Shape& out_shape, const std::vector<double>& scales,
                          const std::vector<double>& roi, const ResizeOptions& options) {
  const auto rank = static_cast<size_t>(x.rank());
  // Per dim, per output coordinate: its taps, or none when it lies outside the input
  // (tf_crop_and_resize then writes extrapolation_value).
  std::vector<std::vector<std::vector<Tap>>> taps(rank);
  for (size_t dim = 0; dim < rank; ++dim) {
    const double roi_start = roi.size() == 2 * rank ? roi[dim] : 0.0;
    const double roi_end = roi.size() == 2 * rank ? roi[rank + dim] : 1.0;
    for (int64_t out = 0; out < out_shape[dim]; ++out) {
      const double source = SourceCoordinate(options, static_cast<double>(out), scales[dim],
                                             x.shape[dim], out_shape[dim], roi_start, roi_end);
      const bool outside = source < 0 || source > static_cast<double>(x.shape[dim] - 1);
      if (options.coordinates == "tf_crop_and_resize" && outside) {
        taps[dim].push_back({});
      } else {
        taps[dim].push_back(Taps(options, source, x.shape[dim]));
      }
    }
  }
  const std::vector<int64_t> strides = Strides(x.shape);
  Array y = MakeArray(x.type, out_shape);
  std::vector<int64_t> position;
  for (int64_t flat = 0; flat < y.size(); ++flat) {
    Unravel(flat, out_shape, position);
    // Sum over every combination of one tap per dim (an odometer over the tap lists).
    std::vector<const std::vector<Tap>*> lists(rank);
    bool outside = false;
    for (size_t dim = 0; dim < rank; ++dim) {
      lists[dim] = &taps[dim][position[dim]];
      outside = outside || lists[dim]->empty();
    }
    if (outside) {
      y.values[flat] = options.extrapolation;
      continue;
    }
    std::vector<size_t> choice(rank, 0);
    double sum = 0.0;
    while (true) {
      double weight = 1.0;
      int64_t source = 0;
      for (size_t dim = 0; dim < rank; ++dim) {
        const Tap& tap = (*lists[dim])[choice[dim]];
        weight *= tap.weight;
        source += tap.index * strides[dim];
      }
      if (weight != 0.0) sum += weight * x.values[source];
      size_t dim = rank;
      while (dim > 0 && ++choice[dim - 1] == lists[dim - 1]->size()) choice[--dim] = 0;
      if (dim == 0) break;
    }
    y.values[flat] = sum;
  }
  return y;
}

// Resize-10 (X, scales; nearest or linear, asymmetric coordinates, nearest rounds down),
// 11 and 13 (X, roi, scales, sizes; every coordinate_transformation_mode, nearest_mode, cubic).
// The output size is sizes when given, else floor(in * scale) (times the roi's extent for
// tf_crop_and_resize); with sizes, each dim's scale is out / in.
Result<Outputs> Resize(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ResizeOptions options;
  options.mode = ctx.String("mode", "nearest");
  if (options.mode != "nearest" && options.mode != "linear" && options.mode != "cubic")
    return Error("mode '" + options.mode + "' is not nearest, linear or cubic");
  std::vector<double> scales, roi;
  Shape out_shape;
  if (ctx.version < 11) {
    options.coordinates = "asymmetric";
    options.nearest_mode = "floor";
    if (!ctx.has_input(1)) return Error("the scales input is missing");
    scales = ctx.input(1).values;
  } else {
    options.coordinates = ctx.String("coordinate_transformation_mode", "half_pixel");
    options.nearest_mode = ctx.String("nearest_mode", "round_prefer_floor");
    options.cubic_a = ctx.Float("cubic_coeff_a", -0.75);
    options.exclude_outside = ctx.Int("exclude_outside", 0) != 0;
    options.extrapolation = ctx.Float("extrapolation_value", 0.0);
    if (ctx.has_input(1)) roi = ctx.input(1).values;
    if (ctx.has_input(3) && ctx.input(3).size() > 0) {
      out_shape = ToInts(ctx.input(3));
    } else if (ctx.has_input(2)) {
      scales = ctx.input(2).values;
    }
  }
  const auto rank = static_cast<size_t>(x.rank());
  if (!out_shape.empty()) {
    if (out_shape.size() != rank)
      return Error("sizes " + FormatDims(out_shape) + " for " + Describe(x));
    for (size_t dim = 0; dim < rank; ++dim)
      scales.push_back(static_cast<double>(out_shape[dim]) / static_cast<double>(x.shape[dim]));
  } else {
    if (scales.size() != rank)
      return Error("scales have " + std::to_string(scales.size()) + " entries for " + Describe(x));
    for (size_t dim = 0; dim < rank; ++dim) {
      const double extent = roi.size() == 2 * rank && options.coordinates == "tf_crop_and_resize"
                                ? roi[rank + dim] - roi[dim]
                                : 1.0;
      out_shape.push_back(static_cast<int64_t>(
          std::floor(static_cast<double>(x.shape[dim]) * extent * scales[dim])));
    }
  }
  ZC_ASSIGN_OR_RETURN(Array y, Interpolate(x, out_shape, scales, roi, options));
  return Outputs{std::move(y)};
}

// Upsample-7 (scales attribute), 9 and 10 (scales input): Resize-10's behaviour; mode nearest
// (default) or linear (bilinear accepted as a synonym).
Result<Outputs> Upsample(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ResizeOptions options;
  options.mode = ctx.String("mode", "nearest");
  if (options.mode == "bilinear") options.mode = "linear";
  options.coordinates = "asymmetric";
  options.nearest_mode = "floor";
  const std::vector<double> scales =
      ctx.version < 9 ? ctx.Floats("scales")
                      : (ctx.has_input(1) ? ctx.input(1).values : std::vector<double>{});
  if (scales.size() != static_cast<size_t>(x.rank()))
    return Error("scales have " + std::to_string(scales.size()) + " entries for " + Describe(x));
  Shape out_shape;
  for (size_t dim = 0; dim < scales.size(); ++dim)
    out_shape.push_back(
        static_cast<int64_t>(std::floor(static_cast<double>(x.shape[dim]) * scales[dim])));
  ZC_ASSIGN_OR_RETURN(Array y, Interpolate(x, out_shape, scales, {}, options));
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterResizeOps(OpTable& table) {
  table.Add("Resize", {10, 11, 13}, Resize);
  table.Add("Upsample", {7, 9, 10}, Upsample);
}

}  // namespace zooci::reference
