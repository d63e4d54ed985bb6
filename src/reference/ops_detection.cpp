// Detection and sampling: NonMaxSuppression, RoiAlign, MaxRoiPool, GridSample.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

struct Box {
  double y1, x1, y2, x2;  // y1 <= y2, x1 <= x2
};

double IntersectionOverUnion(const Box& a, const Box& b) {
  const double height = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  const double width = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (height <= 0 || width <= 0) return 0.0;
  const double intersection = height * width;
  const double area_a = (a.y2 - a.y1) * (a.x2 - a.x1), area_b = (b.y2 - b.y1) * (b.x2 - b.x1);
  const double union_area = area_a + area_b - intersection;
  return union_area <= 0 ? 0.0 : intersection / union_area;
}

// NonMaxSuppression-10, 11: per batch and class, boxes by descending score (ties: lower index
// first), keeping those scoring above score_threshold whose IoU with every box kept so far is
// at most iou_threshold, up to max_output_boxes_per_class (default 0: none). Boxes are
// [y1, x1, y2, x2] in either corner order, or with center_point_box=1 [x_center, y_center,
// width, height]. Output: [selected, 3] rows of (batch, class, box).
Result<Outputs> NonMaxSuppression(const OpContext& ctx) {
  const Array& boxes = ctx.input(0);
  const Array& scores = ctx.input(1);
  const int64_t max_per_class = ctx.has_input(2) ? ToInt(ctx.input(2).values.at(0)) : 0;
  const double iou_threshold = ctx.has_input(3) ? ctx.input(3).values.at(0) : 0.0;
  const bool has_score_threshold = ctx.has_input(4);
  const double score_threshold = has_score_threshold ? ctx.input(4).values.at(0) : 0.0;
  const bool center = ctx.Int("center_point_box", 0) != 0;
  if (boxes.rank() != 3 || boxes.shape[2] != 4 || scores.rank() != 3 ||
      scores.shape[0] != boxes.shape[0] || scores.shape[2] != boxes.shape[1])
    return Error("boxes " + Describe(boxes) + " and scores " + Describe(scores) + " do not match");
  const int64_t batches = boxes.shape[0], count = boxes.shape[1], classes = scores.shape[1];
  std::vector<int64_t> selected;
  for (int64_t b = 0; b < batches; ++b) {
    std::vector<Box> corners(count);
    for (int64_t i = 0; i < count; ++i) {
      const double* v = &boxes.values[(b * count + i) * 4];
      if (center) {
        corners[i] = {v[1] - v[3] / 2, v[0] - v[2] / 2, v[1] + v[3] / 2, v[0] + v[2] / 2};
      } else {
        corners[i] = {std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]),
                      std::max(v[1], v[3])};
      }
    }
    for (int64_t c = 0; c < classes; ++c) {
      const double* score = &scores.values[(b * classes + c) * count];
      std::vector<int64_t> order(count);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t x, int64_t y) { return score[x] > score[y]; });
      std::vector<int64_t> kept;
      for (int64_t i : order) {
        if (static_cast<int64_t>(kept.size()) >= max_per_class) break;
        if (has_score_threshold && score[i] <= score_threshold) break;
        bool suppressed = false;
        for (int64_t k : kept)
          suppressed = suppressed || IntersectionOverUnion(corners[i], corners[k]) > iou_threshold;
        if (suppressed) continue;
        kept.push_back(i);
        selected.insert(selected.end(), {b, c, i});
      }
    }
  }
  Array y = FromInts(selected);
  y.shape = {static_cast<int64_t>(selected.size() / 3), 3};
  return Outputs{std::move(y)};
}

// Bilinear sample of an [H, W] plane at (y, x) the way RoiAlign defines it: 0 outside
// [-1, H] x [-1, W], coordinates clamped to the plane otherwise.
double RoiSample(const double* plane, int64_t height, int64_t width, double y, double x) {
  if (y < -1.0 || y > static_cast<double>(height) || x < -1.0 || x > static_cast<double>(width))
    return 0.0;
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  auto y_low = static_cast<int64_t>(y), x_low = static_cast<int64_t>(x);
  int64_t y_high = y_low + 1, x_high = x_low + 1;
  if (y_low >= height - 1) y = static_cast<double>(y_high = y_low = height - 1);
  if (x_low >= width - 1) x = static_cast<double>(x_high = x_low = width - 1);
  const double ly = y - static_cast<double>(y_low), lx = x - static_cast<double>(x_low);
  const double hy = 1 - ly, hx = 1 - lx;
  return hy * hx * plane[y_low * width + x_low] + hy * lx * plane[y_low * width + x_high] +
         ly * hx * plane[y_high * width + x_low] + ly * lx * plane[y_high * width + x_high];
}

// RoiAlign-10, 16 (coordinate_transformation_mode, default half_pixel; 10 behaves as
// output_half_pixel): each roi [x1, y1, x2, y2] of its batch_indices image, scaled by
// spatial_scale, is cut into output_height x output_width bins, each the average (mode avg) or
// maximum (max) of a sampling_ratio^2 grid of bilinear samples (sampling_ratio 0: ceil(bin size)).
Result<Outputs> RoiAlign(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& rois = ctx.input(1);
  const Array& batch_indices = ctx.input(2);
  if (x.rank() != 4 || rois.rank() != 2 || rois.shape[1] != 4)
    return Error("X " + Describe(x) + " and rois " + Describe(rois) + " are not [N,C,H,W], [R,4]");
  const int64_t channels = x.shape[1], height = x.shape[2], width = x.shape[3];
  const int64_t out_h = ctx.Int("output_height", 1), out_w = ctx.Int("output_width", 1);
  const int64_t sampling = ctx.Int("sampling_ratio", 0);
  const double scale = ctx.Float("spatial_scale", 1.0);
  const bool max_mode = ctx.String("mode", "avg") == "max";
  const bool half_pixel = ctx.version >= 16 && ctx.String("coordinate_transformation_mode",
                                                          "half_pixel") == "half_pixel";
  const double offset = half_pixel ? 0.5 : 0.0;
  const int64_t roi_count = rois.shape[0];
  Array y = MakeArray(x.type, {roi_count, channels, out_h, out_w});
  for (int64_t r = 0; r < roi_count; ++r) {
    const double* roi = &rois.values[r * 4];
    const int64_t image = ToInt(batch_indices.values.at(r));
    const double start_w = roi[0] * scale - offset, start_h = roi[1] * scale - offset;
    double roi_w = roi[2] * scale - offset - start_w, roi_h = roi[3] * scale - offset - start_h;
    if (!half_pixel) {
      roi_w = std::max(roi_w, 1.0);
      roi_h = std::max(roi_h, 1.0);
    }
    const double bin_h = roi_h / static_cast<double>(out_h),
                 bin_w = roi_w / static_cast<double>(out_w);
    const int64_t grid_h = sampling > 0 ? sampling : static_cast<int64_t>(std::ceil(bin_h));
    const int64_t grid_w = sampling > 0 ? sampling : static_cast<int64_t>(std::ceil(bin_w));
    const double samples = static_cast<double>(std::max<int64_t>(grid_h * grid_w, 1));
    for (int64_t c = 0; c < channels; ++c) {
      const double* plane = &x.values[(image * channels + c) * height * width];
      for (int64_t ph = 0; ph < out_h; ++ph)
        for (int64_t pw = 0; pw < out_w; ++pw) {
          double sum = 0.0, max = -INFINITY;
          for (int64_t iy = 0; iy < grid_h; ++iy)
            for (int64_t ix = 0; ix < grid_w; ++ix) {
              const double sy =
                  start_h + static_cast<double>(ph) * bin_h +
                  (static_cast<double>(iy) + 0.5) * bin_h / static_cast<double>(grid_h);
              const double sx =
                  start_w + static_cast<double>(pw) * bin_w +
                  (static_cast<double>(ix) + 0.5) * bin_w / static_cast<double>(grid_w);
              const double value = RoiSample(plane, height, width, sy, sx);
              sum += value;
              max = std::max(max, value);
            }
          y.values[((r * channels + c) * out_h + ph) * out_w + pw] = max_mode ? max : sum / samples;
        }
    }
  }
  return Outputs{std::move(y)};
}

// MaxRoiPool-1 (Fast R-CNN's ROI pooling): each roi [batch_index, x1, y1, x2, y2], scaled by
// spatial_scale and rounded to whole pixels (both ends inclusive), is cut into pooled_shape
// [h, w] bins of floor/ceil-rounded bounds; each output is the maximum of its bin (0 if empty).
Result<Outputs> MaxRoiPool(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& rois = ctx.input(1);
  const Shape pooled = ctx.Ints("pooled_shape");
  if (x.rank() != 4 || rois.rank() != 2 || rois.shape[1] != 5 || pooled.size() != 2)
    return Error("X " + Describe(x) + ", rois " + Describe(rois) + " and pooled_shape do not fit");
  const double scale = ctx.Float("spatial_scale", 1.0);
  const int64_t channels = x.shape[1], height = x.shape[2], width = x.shape[3];
  const int64_t out_h = pooled[0], out_w = pooled[1];
  Array y = MakeArray(x.type, {rois.shape[0], channels, out_h, out_w});
  for (int64_t r = 0; r < rois.shape[0]; ++r) {
    const double* roi = &rois.values[r * 5];
    const int64_t image = ToInt(roi[0]);
    const auto start_w = static_cast<int64_t>(std::round(roi[1] * scale));
    const auto start_h = static_cast<int64_t>(std::round(roi[2] * scale));
    const auto end_w = static_cast<int64_t>(std::round(roi[3] * scale));
    const auto end_h = static_cast<int64_t>(std::round(roi[4] * scale));
    const double bin_h =
        static_cast<double>(std::max<int64_t>(end_h - start_h + 1, 1)) / static_cast<double>(out_h);
    const double bin_w =
        static_cast<double>(std::max<int64_t>(end_w - start_w + 1, 1)) / static_cast<double>(out_w);
    for (int64_t c = 0; c < channels; ++c) {
      const double* plane = &x.values[(image * channels + c) * height * width];
      for (int64_t ph = 0; ph < out_h; ++ph)
        for (int64_t pw = 0; pw < out_w; ++pw) {
          auto bound = [](double edge, int64_t offset, int64_t size) {
            return std::min(std::max<int64_t>(static_cast<int64_t>(edge) + offset, 0), size);
          };
          const int64_t h0 = bound(std::floor(static_cast<double>(ph) * bin_h), start_h, height);
          const int64_t h1 = bound(std::ceil(static_cast<double>(ph + 1) * bin_h), start_h, height);
          const int64_t w0 = bound(std::floor(static_cast<double>(pw) * bin_w), start_w, width);
          const int64_t w1 = bound(std::ceil(static_cast<double>(pw + 1) * bin_w), start_w, width);
          double max = h1 > h0 && w1 > w0 ? -INFINITY : 0.0;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) max = std::max(max, plane[h * width + w]);
          y.values[((r * channels + c) * out_h + ph) * out_w + pw] = max;
        }
    }
  }
  return Outputs{std::move(y)};
}

// Reflects `coordinate` into [low, high] (GridSample's padding_mode=reflection).
double Reflect(double coordinate, double low, double high) {
  const double span = high - low;
  if (span <= 0) return low;
  double distance = std::fabs(coordinate - low);
  const double flips = std::floor(distance / span);
  const double extra = std::fmod(distance, span);
  return std::fmod(flips, 2.0) == 0 ? low + extra : high - extra;
}

// GridSample-16: for each output position, X sampled at the grid's (x, y) in [-1, 1] (mapped to
// pixel centres, or to the corner pixels with align_corners=1) by nearest (halves to even),
// bilinear (default) or bicubic (A = -0.75) interpolation. Out-of-range locations read zeros
// (padding_mode zeros), or are clamped (border) or reflected (reflection) into the image first;
// for bicubic each of the 16 taps is clamped or reflected.
Result<Outputs> GridSample(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& grid = ctx.input(1);
  if (x.rank() != 4 || grid.rank() != 4 || grid.shape[3] != 2 || grid.shape[0] != x.shape[0])
    return Error("X " + Describe(x) + " and grid " + Describe(grid) + " do not match");
  const std::string mode = ctx.String("mode", "bilinear");
  const std::string padding = ctx.String("padding_mode", "zeros");
  const bool align = ctx.Int("align_corners", 0) != 0;
  const int64_t batch = x.shape[0], channels = x.shape[1], height = x.shape[2], width = x.shape[3];
  const int64_t out_h = grid.shape[1], out_w = grid.shape[2];
  auto unnormalize = [align](double g, int64_t size) {
    return align ? (g + 1) / 2 * static_cast<double>(size - 1)
                 : ((g + 1) * static_cast<double>(size) - 1) / 2;
  };
  // Applies border or reflection padding to a coordinate along a dim of `size`.
  auto pad = [&](double c, int64_t size) {
    const double last = static_cast<double>(size - 1);
    if (padding == "reflection") c = align ? Reflect(c, 0, last) : Reflect(c, -0.5, last + 0.5);
    if (padding == "border" || padding == "reflection") c = std::clamp(c, 0.0, last);
    return c;
  };
  Array y = MakeArray(x.type, {batch, channels, out_h, out_w});
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c) {
      const double* plane = &x.values[(n * channels + c) * height * width];
      auto pixel = [&](double py, double px) {  // integer coordinates; zeros outside
        if (mode == "bicubic") {
          py = pad(py, height);
          px = pad(px, width);
        }
        const auto iy = static_cast<int64_t>(py), ix = static_cast<int64_t>(px);
        if (py < 0 || px < 0 || iy >= height || ix >= width) return 0.0;
        return plane[iy * width + ix];
      };
      for (int64_t oh = 0; oh < out_h; ++oh)
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const double* g = &grid.values[((n * out_h + oh) * out_w + ow) * 2];
          double gx = unnormalize(g[0], width), gy = unnormalize(g[1], height);
          double value = 0.0;
          if (mode == "nearest") {
            value = pixel(std::nearbyint(pad(gy, height)), std::nearbyint(pad(gx, width)));
          } else if (mode == "bilinear") {
            gx = pad(gx, width);
            gy = pad(gy, height);
            const double x0 = std::floor(gx), y0 = std::floor(gy);
            const double lx = gx - x0, ly = gy - y0;
            value = (1 - ly) * ((1 - lx) * pixel(y0, x0) + lx * pixel(y0, x0 + 1)) +
                    ly * ((1 - lx) * pixel(y0 + 1, x0) + lx * pixel(y0 + 1, x0 + 1));
          } else {
            const double x0 = std::floor(gx), y0 = std::floor(gy);
            const double tx = gx - x0, ty = gy - y0;
            auto weights = [](double t, double* w) {
              const double a = -0.75;
              auto near = [a](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };
              auto far = [a](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };
              w[0] = far(t + 1);
              w[1] = near(t);
              w[2] = near(1 - t);
              w[3] = far(2 - t);
            };
            double wx[4], wy[4];
            weights(tx, wx);
            weights(ty, wy);
            for (int i = 0; i < 4; ++i)
              for (int j = 0; j < 4; ++j) value += wy[i] * wx[j] * pixel(y0 - 1 + i, x0 - 1 + j);
          }
          y.values[((n * channels + c) * out_h + oh) * out_w + ow] = value;
        }
    }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterDetectionOps(OpTable& table) {
  table.Add("NonMaxSuppression", {10, 11}, NonMaxSuppression, 2);
  table.Add("RoiAlign", {10, 16}, RoiAlign, 3);
  table.Add("MaxRoiPool", {1}, MaxRoiPool, 2);
  table.Add("GridSample", {16}, GridSample, 2);
}

}  // namespace zooci::reference
