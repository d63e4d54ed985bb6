// Signal processing (opset 17): DFT, STFT, the Hann, Hamming and Blackman windows, and
// MelWeightMatrix. Complex values are a trailing dim of 2 (real, imaginary); a real signal has a
// trailing dim of 1. Transforms are computed directly from the definition (no FFT).
#include <cmath>
#include <numbers>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

constexpr double kPi = std::numbers::pi;

// The DFT of `length` complex samples read by `sample(k, &re, &im)`, into out[2 * bins]:
// X[f] = sum_k x[k] * exp(-+2 pi i f k / length), divided by length when inverse.
template <typename Sample>
void Transform(int64_t length, int64_t bins, bool inverse, Sample sample, double* out) {
  const double sign = inverse ? 1.0 : -1.0;
  for (int64_t f = 0; f < bins; ++f) {
    double re = 0.0, im = 0.0;
    for (int64_t k = 0; k < length; ++k) {
      double x_re = 0.0, x_im = 0.0;
      sample(k, &x_re, &x_im);
      const double angle =
          sign * 2.0 * kPi * static_cast<double>(f * k % length) / static_cast<double>(length);
      re += x_re * std::cos(angle) - x_im * std::sin(angle);
      im += x_re * std::sin(angle) + x_im * std::cos(angle);
    }
    out[2 * f] = inverse ? re / static_cast<double>(length) : re;
    out[2 * f + 1] = inverse ? im / static_cast<double>(length) : im;
  }
}

// DFT-17: the transform along `axis` (default 1) of [batch, ..., 1 or 2]. dft_length (input 1)
// pads with zeros or truncates; onesided=1 keeps the first length / 2 + 1 bins; inverse=1 gives
// the inverse transform.
Result<Outputs> Dft(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  if (x.rank() < 3 || (x.shape.back() != 1 && x.shape.back() != 2))
    return Error("input " + Describe(x) + " is not [batch, ..., 1 or 2]");
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 1), x.rank() - 1));
  if (axis == 0) return Error("axis 0 is the batch dim");
  const bool inverse = ctx.Int("inverse", 0) != 0;
  const bool onesided = ctx.Int("onesided", 0) != 0;
  const int64_t n = x.shape[axis];
  const int64_t length = ctx.has_input(1) ? ToInt(ctx.input(1).values.at(0)) : n;
  const int64_t bins = onesided ? length / 2 + 1 : length;
  const int64_t components = x.shape.back();
  const int64_t inner = ShapeSize(Shape(x.shape.begin() + axis + 1, x.shape.end() - 1));
  const int64_t outer = ShapeSize(Shape(x.shape.begin(), x.shape.begin() + axis));
  Shape shape = x.shape;
  shape[axis] = bins;
  shape.back() = 2;
  Array y = MakeArray(x.type, shape);
  std::vector<double> spectrum(static_cast<size_t>(2 * bins));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      Transform(
          length, bins, inverse,
          [&](int64_t k, double* re, double* im) {
            if (k >= n) return;  // zero padding
            const int64_t at = ((o * n + k) * inner + i) * components;
            *re = x.values[at];
            *im = components == 2 ? x.values[at + 1] : 0.0;
          },
          spectrum.data());
      for (int64_t f = 0; f < bins; ++f) {
        const int64_t at = ((o * bins + f) * inner + i) * 2;
        y.values[at] = spectrum[2 * f];
        y.values[at + 1] = spectrum[2 * f + 1];
      }
    }
  return Outputs{std::move(y)};
}

// STFT-17: signal [batch, length, 1 or 2], frame_step, window (optional), frame_length
// (optional; else the window's length): the DFT of each frame (multiplied by the window),
// [batch, frames, bins, 2] with frames = (length - frame_length) / frame_step + 1 and
// bins = frame_length / 2 + 1 when onesided (default 1).
Result<Outputs> Stft(const OpContext& ctx) {
  const Array& signal = ctx.input(0);
  if (signal.rank() != 3)
    return Error("signal " + Describe(signal) + " is not [batch, length, 1 or 2]");
  const int64_t step = ToInt(ctx.input(1).values.at(0));
  const Array* window = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  int64_t frame = window ? window->size() : 0;
  if (ctx.has_input(3)) frame = ToInt(ctx.input(3).values.at(0));
  if (frame <= 0 || step <= 0) return Error("frame_length and frame_step must be positive");
  const bool onesided = ctx.Int("onesided", 1) != 0;
  const int64_t batch = signal.shape[0], length = signal.shape[1], components = signal.shape[2];
  const int64_t frames = (length - frame) / step + 1;
  const int64_t bins = onesided ? frame / 2 + 1 : frame;
  Array y = MakeArray(signal.type, {batch, frames, bins, 2});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < frames; ++f) {
      Transform(
          frame, bins, false,
          [&](int64_t k, double* re, double* im) {
            const double scale = window ? window->values[k] : 1.0;
            const int64_t at = (b * length + f * step + k) * components;
            *re = signal.values[at] * scale;
            *im = components == 2 ? signal.values[at + 1] * scale : 0.0;
          },
          &y.values[(b * frames + f) * bins * 2]);
    }
  return Outputs{std::move(y)};
}

// A cosine-sum window of `size` (input 0) points: sum_k a_k cos(2 pi k n / N), N = size when
// periodic (default 1), size - 1 otherwise; the type is output_datatype (default float).
Result<Array> CosineWindow(const OpContext& ctx, const std::vector<double>& coefficients) {
  const int64_t size = ToInt(ctx.input(0).values.at(0));
  if (size < 0) return Error("size is negative");
  const auto type = static_cast<ElemType>(ctx.Int("output_datatype", 1));
  const double period = static_cast<double>(ctx.Int("periodic", 1) != 0 ? size : size - 1);
  Array y = MakeArray(type, {size});
  for (int64_t n = 0; n < size; ++n) {
    double value = 0.0;
    for (size_t k = 0; k < coefficients.size(); ++k)
      value += coefficients[k] * std::cos(2.0 * kPi * static_cast<double>(k * n) / period);
    y.values[n] = value;
  }
  return y;
}

// HannWindow-17: 0.5 - 0.5 cos(2 pi n / N).
Result<Outputs> HannWindow(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, CosineWindow(ctx, {0.5, -0.5}));
  return Outputs{std::move(y)};
}

// HammingWindow-17: 25/46 - 21/46 cos(2 pi n / N).
Result<Outputs> HammingWindow(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, CosineWindow(ctx, {25.0 / 46.0, -21.0 / 46.0}));
  return Outputs{std::move(y)};
}

// BlackmanWindow-17: 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N).
Result<Outputs> BlackmanWindow(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, CosineWindow(ctx, {0.42, -0.5, 0.08}));
  return Outputs{std::move(y)};
}

// MelWeightMatrix-17: inputs num_mel_bins, dft_length, sample_rate, lower_edge_hertz,
// upper_edge_hertz. num_mel_bins + 2 points equally spaced on the mel scale
// (mel(f) = 2595 log10(1 + f / 700)) between the edges are mapped to spectrogram bins
// floor((dft_length + 1) * f / sample_rate); mel bin i is the triangle rising from point i to
// point i + 1 (peak 1) and falling to point i + 2. Output [dft_length / 2 + 1, num_mel_bins].
Result<Outputs> MelWeightMatrix(const OpContext& ctx) {
  const int64_t mel_bins = ToInt(ctx.input(0).values.at(0));
  const int64_t dft_length = ToInt(ctx.input(1).values.at(0));
  const double sample_rate = ctx.input(2).values.at(0);
  const double lower = ctx.input(3).values.at(0), upper = ctx.input(4).values.at(0);
  if (mel_bins <= 0 || dft_length <= 0 || sample_rate <= 0)
    return Error("non-positive size or rate");
  auto mel = [](double hertz) { return 2595.0 * std::log10(1.0 + hertz / 700.0); };
  const double low_mel = mel(lower);
  const double step = (mel(upper) - low_mel) / static_cast<double>(mel_bins + 2);
  std::vector<int64_t> points;
  for (int64_t k = 0; k < mel_bins + 2; ++k) {
    const double hertz =
        700.0 * (std::pow(10.0, (static_cast<double>(k) * step + low_mel) / 2595.0) - 1.0);
    points.push_back(static_cast<int64_t>(
        std::floor(static_cast<double>(dft_length + 1) * hertz / sample_rate)));
  }
  const int64_t spectrogram_bins = dft_length / 2 + 1;
  Array y =
      MakeArray(static_cast<ElemType>(ctx.Int("output_datatype", 1)), {spectrogram_bins, mel_bins});
  auto set = [&](int64_t row, int64_t col, double value) {
    if (row >= 0 && row < spectrogram_bins) y.values[row * mel_bins + col] = value;
  };
  for (int64_t i = 0; i < mel_bins; ++i) {
    const int64_t left = points[i], center = points[i + 1], right = points[i + 2];
    if (center == left) {
      set(center, i, 1.0);
    } else {
      for (int64_t j = left; j <= center; ++j)
        set(j, i, static_cast<double>(j - left) / static_cast<double>(center - left));
    }
    for (int64_t j = center; j < right; ++j)
      set(j, i, static_cast<double>(right - j) / static_cast<double>(right - center));
  }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterSignalOps(OpTable& table) {
  table.Add("DFT", {17}, Dft);
  table.Add("STFT", {17}, Stft, 2);
  table.Add("HannWindow", {17}, HannWindow);
  table.Add("HammingWindow", {17}, HammingWindow);
  table.Add("BlackmanWindow", {17}, BlackmanWindow);
  table.Add("MelWeightMatrix", {17}, MelWeightMatrix, 5);
}

}  // namespace zooci::reference
