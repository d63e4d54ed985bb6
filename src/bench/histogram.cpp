// The SVG latency histogram: see stats.h for the contract.
//
// Readability decisions, for fast models whose few stalls would otherwise squeeze every run into
// one bar: runs beyond the stall fence p99 + 3 (p99 - p50) are not drawn but counted in a note
// (never dropped silently), and the axis ends at the last run inside it; the number of
// bars follows the Freedman-Diaconis rule on the drawn range (10 to 80) unless the caller fixes
// it; tick labels are spaced by their width and carry no unit (the axis title does).
#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string_view>
#include <utility>

#include "base/base.h"
#include "bench/format_internal.h"
#include "bench/stats.h"

namespace zooci {
namespace {

using bench_internal::FormatFixed;
using bench_internal::FormatSignificant;


// Plot area (pixels) on the 640 x 360 canvas: [kPlotLeft, kPlotRight] x [kPlotTop, kPlotBottom].
constexpr double kPlotLeft = 64, kPlotRight = 624, kPlotTop = 48, kPlotBottom = 304;
constexpr int kMaxBins = 1000;
constexpr int kMaxTicks = 12;  // bound on tick loops whatever the floating-point rounding

// Appends the concatenation of `parts` (one allocation instead of a chain of temporaries).
void Append(std::string& out, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) out += part;
}

// A pixel coordinate. Every caller passes a finite value; the guard keeps "nan"/"inf" out of the
// document even if that invariant is ever broken.
std::string Px(double value) {
  return FormatFixed(std::isfinite(value) ? value : 0, 2);
}

// Tick spacing {1, 2, 5} * 10^exponent near `span` / `intervals`; `span` > 0 and finite.
struct TickStep {
  double step;
  int exponent;
};
TickStep ChooseStep(double span, double intervals) {
  const double raw = span / intervals;
  int exponent = static_cast<int>(std::floor(std::log10(raw)));
  const double normalized = raw / std::pow(10.0, exponent);
  double mantissa = normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 1;
  if (normalized >= 7) ++exponent;
  return {mantissa * std::pow(10.0, exponent), exponent};
}

// Linear x scale over [lo, hi] (lo < hi). Differences are taken on halved values so that no
// intermediate overflows for any pair of finite doubles.
struct XScale {
  double lo;
  double hi;
  double half_span;  // hi / 2 - lo / 2, > 0
  double Fraction(double x) const { return (x * 0.5 - lo * 0.5) / half_span; }
  double Pixel(double x) const { return kPlotLeft + Fraction(x) * (kPlotRight - kPlotLeft); }
  double At(double t) const { return lo * (1 - t) + hi * t; }  // inverse of Fraction
};

constexpr int kMinAutoBins = 10, kMaxAutoBins = 80;
constexpr double kCharWidthPx = 6.5;  // an 11px sans-serif digit, generously

// Freedman-Diaconis: bin width 2 IQR / cbrt(n) over the drawn samples.
int AutoBins(const std::vector<double>& drawn, double span) {
  const size_t n = drawn.size();
  if (n < 2) return 1;
  const double iqr = Percentile(drawn, 0.75) - Percentile(drawn, 0.25);
  if (!(iqr > 0) || !(span > 0)) return std::min<int>(static_cast<int>(n), 20);
  const double width = 2 * iqr / std::cbrt(static_cast<double>(n));
  const double bins = std::ceil(span / width);
  return static_cast<int>(std::clamp(bins, static_cast<double>(std::min<size_t>(n, kMinAutoBins)),
                                     static_cast<double>(kMaxAutoBins)));
}

std::string Thousands(int64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

}  // namespace

std::vector<double> QuantileSample(std::vector<double> samples, size_t max_points) {
  std::sort(samples.begin(), samples.end());
  if (samples.size() <= max_points) return samples;
  if (max_points == 0) return {};
  if (max_points == 1) return {samples[samples.size() / 2]};
  std::vector<double> picked;
  picked.reserve(max_points);
  const double last = static_cast<double>(samples.size() - 1);
  for (size_t i = 0; i < max_points; ++i) {
    const double rank = last * static_cast<double>(i) / static_cast<double>(max_points - 1);
    picked.push_back(samples[static_cast<size_t>(std::llround(rank))]);
  }
  return picked;
}

std::string LatencyHistogramSvg(const std::vector<double>& samples, const std::string& title,
                                const std::string& unit, int bins, int64_t total_runs) {
  std::vector<double> sorted;
  sorted.reserve(samples.size());
  for (double v : samples) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  const std::string unit_suffix = unit.empty() ? "" : " " + EscapeXml(unit);

  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"640\" height=\"360\" "
      "viewBox=\"0 0 640 360\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg += "<title>" + EscapeXml(title) + "</title>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  svg += "<text x=\"320\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" +
         EscapeXml(title) + "</text>\n";
  if (sorted.empty()) {
    svg += "<text x=\"320\" y=\"180\" text-anchor=\"middle\" fill=\"#666666\">no samples</text>\n";
    return svg + "</svg>\n";
  }
  const auto drawn_count = static_cast<int64_t>(sorted.size());
  std::string counted = Thousands(drawn_count) + " runs";
  if (total_runs > drawn_count) {
    counted = Thousands(total_runs) + " runs (drawn from " + Thousands(drawn_count) +
              " evenly spaced quantiles of all of them)";
  }
  svg += "<text class=\"subtitle\" x=\"320\" y=\"32\" text-anchor=\"middle\" fill=\"#555555\">" +
         counted + ", min " + FormatSignificant(sorted.front(), 3) + unit_suffix + ", max " +
         FormatSignificant(sorted.back(), 3) + unit_suffix + "</text>\n";

  // X domain: the sample range up to the stall fence p99 + 3 (p99 - p50) when runs lie beyond it
  // (they are counted in a note), or +-5 % around a single value (+-1 around 0).
  XScale x{sorted.front(), sorted.back(), sorted.back() * 0.5 - sorted.front() * 0.5};
  const double p50 = Percentile(sorted, 0.5), p99 = Percentile(sorted, 0.99);
  const double fence = p99 + 3 * (p99 - p50);
  size_t beyond = 0;
  if (std::isfinite(fence) && fence > sorted.front() && sorted.back() > fence) {
    const auto first_beyond = std::upper_bound(sorted.begin(), sorted.end(), fence);
    beyond = static_cast<size_t>(sorted.end() - first_beyond);
    x.hi = *(first_beyond - 1);
    x.half_span = x.hi * 0.5 - x.lo * 0.5;
  }
  const bool degenerate = !(x.half_span > 0);
  if (degenerate) {
    const double value = sorted.front();
    const double half = value == 0 ? 1 : std::fabs(value) * 0.05;
    constexpr double kMax = std::numeric_limits<double>::max();
    x.lo = std::max(value - half, -kMax);
    x.hi = std::min(value + half, kMax);
    x.half_span = x.hi * 0.5 - x.lo * 0.5;
    bins = 1;
  } else if (bins <= 0) {
    const std::vector<double> drawn(sorted.begin(), sorted.end() - static_cast<long>(beyond));
    bins = AutoBins(drawn, x.hi - x.lo);
  }
  bins = std::clamp(bins, 1, kMaxBins);
  if (beyond > 0) {
    svg += "<text class=\"beyond\" x=\"" + Px(kPlotRight) + "\" y=\"" + Px(kPlotTop - 4) +
           "\" text-anchor=\"end\" fill=\"#555555\">" + Thousands(static_cast<int64_t>(beyond)) +
           (beyond == 1 ? " run" : " runs") + " beyond " + FormatSignificant(fence, 3) +
           unit_suffix + " not drawn (up to " + FormatSignificant(sorted.back(), 3) + unit_suffix +
           ") →</text>\n";
  }

  // Counts per bin: bin i holds fractions [i / bins, (i + 1) / bins); the last bin is closed.
  std::vector<int64_t> counts(static_cast<size_t>(bins), 0);
  for (double v : sorted) {
    if (v > x.hi) break;
    const double t = std::clamp(x.Fraction(v), 0.0, 1.0);
    const int index = std::min(static_cast<int>(std::floor(t * bins)), bins - 1);
    ++counts[static_cast<size_t>(index)];
  }
  const int64_t max_count = std::max<int64_t>(1, *std::max_element(counts.begin(), counts.end()));

  // Y scale: 0 .. a whole number of integer tick steps >= max_count.
  TickStep y_step = ChooseStep(static_cast<double>(max_count), 4);
  if (y_step.step < 1) y_step = {1, 0};
  const double y_top = std::ceil(static_cast<double>(max_count) / y_step.step) * y_step.step;
  auto y_pixel = [&](double count) {
    return kPlotBottom - count / y_top * (kPlotBottom - kPlotTop);
  };
  for (int i = 0; i < kMaxTicks && i * y_step.step <= y_top; ++i) {
    const double count = i * y_step.step;
    const std::string py = Px(y_pixel(count));
    Append(svg, {"<line x1=\"", Px(kPlotLeft), "\" x2=\"", Px(kPlotRight), "\" y1=\"", py,
                 "\" y2=\"", py, "\" stroke=\"#e5e5e5\"/>\n<text class=\"y-tick\" x=\"",
                 Px(kPlotLeft - 6), "\" y=\"", Px(y_pixel(count) + 4), "\" text-anchor=\"end\">",
                 FormatFixed(count, 0), "</text>\n"});
  }

  // Bars, each with a tooltip giving its range and count.
  const double plot_width = kPlotRight - kPlotLeft;
  svg += "<g fill=\"#4c78a8\">\n";
  for (int i = 0; i < bins; ++i) {
    double left = kPlotLeft + plot_width * i / bins;
    double right = kPlotLeft + plot_width * (i + 1) / bins;
    double from = x.At(static_cast<double>(i) / bins);
    double to = x.At(static_cast<double>(i + 1) / bins);
    if (degenerate) {
      left = kPlotLeft + plot_width * 0.4;
      right = kPlotLeft + plot_width * 0.6;
      from = to = sorted.front();
    }
    if (right - left > 3) right -= 1;  // gap between bars when there is room for one
    const auto count = static_cast<double>(counts[static_cast<size_t>(i)]);
    Append(svg,
           {"<rect class=\"bar\" x=\"", Px(left), "\" y=\"", Px(y_pixel(count)), "\" width=\"",
            Px(right - left), "\" height=\"", Px(kPlotBottom - y_pixel(count)), "\"><title>[",
            FormatSignificant(from, 4), ", ", FormatSignificant(to, 4), i + 1 == bins ? "]" : ")",
            unit_suffix, ": ", FormatFixed(count, 0), "</title></rect>\n"});
  }
  svg += "</g>\n";

  // Axes and x ticks at multiples of a {1, 2, 5} * 10^k step, widened until labels cannot touch.
  svg += "<g stroke=\"#333333\">\n<line x1=\"" + Px(kPlotLeft) + "\" x2=\"" + Px(kPlotRight) +
         "\" y1=\"" + Px(kPlotBottom) + "\" y2=\"" + Px(kPlotBottom) + "\"/>\n<line x1=\"" +
         Px(kPlotLeft) + "\" x2=\"" + Px(kPlotLeft) + "\" y1=\"" + Px(kPlotTop) + "\" y2=\"" +
         Px(kPlotBottom) + "\"/>\n</g>\n";
  TickStep x_step = ChooseStep(x.half_span, 2);  // ~4 intervals over the full span
  auto tick_label = [&](double tick) {
    return x_step.exponent >= -12 && std::fabs(tick) < 1e15 ? FormatFixed(tick, -x_step.exponent)
                                                            : FormatSignificant(tick, 4);
  };
  for (double intervals = 2; intervals > 0.1; intervals /= 2) {
    x_step = ChooseStep(x.half_span, intervals);
    const double step_px = x_step.step / (x.half_span * 2) * plot_width;
    const size_t widest = std::max(tick_label(x.lo).size(), tick_label(x.hi).size());
    if (!std::isfinite(step_px) || step_px >= kCharWidthPx * static_cast<double>(widest) + 12) {
      break;
    }
  }
  const double first_tick = std::ceil(x.lo / x_step.step) * x_step.step;
  for (int i = 0; i < kMaxTicks; ++i) {
    const double tick = first_tick + i * x_step.step;
    if (!std::isfinite(tick) || tick > x.hi) break;
    if (tick < x.lo) continue;
    const std::string px = Px(x.Pixel(tick));
    Append(svg, {"<line x1=\"", px, "\" x2=\"", px, "\" y1=\"", Px(kPlotBottom), "\" y2=\"",
                 Px(kPlotBottom + 4), "\" stroke=\"#333333\"/>\n<text class=\"x-tick\" x=\"", px,
                 "\" y=\"", Px(kPlotBottom + 16), "\" text-anchor=\"middle\">", tick_label(tick),
                 "</text>\n"});
  }
  svg += "<text x=\"" + Px((kPlotLeft + kPlotRight) / 2) + "\" y=\"" + Px(kPlotBottom + 36) +
         "\" text-anchor=\"middle\">latency" + (unit.empty() ? "" : " (" + EscapeXml(unit) + ")") +
         "</text>\n";
  svg += "<text transform=\"translate(16," + Px((kPlotTop + kPlotBottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">runs</text>\n";

  // Percentile markers. Labels sit in a row each (p90 and p99 are often close) on the side of the
  // line with more room, on a white halo so that bars never hide them.
  const std::array<std::pair<const char*, double>, 3> markers = {
      {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}}};
  for (size_t k = 0; k < markers.size(); ++k) {
    const double value = Percentile(sorted, markers[k].second);
    const double px = x.Pixel(std::min(value, x.hi));
    const bool right_half = px > (kPlotLeft + kPlotRight) / 2;
    const char* anchor = right_half ? "end" : "start";
    Append(svg,
           {"<line class=\"marker\" x1=\"", Px(px), "\" x2=\"", Px(px), "\" y1=\"", Px(kPlotTop),
            "\" y2=\"", Px(kPlotBottom), "\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>\n"});
    Append(svg,
           {"<text class=\"marker-label\" x=\"", Px(right_half ? px - 3 : px + 3), "\" y=\"",
            Px(kPlotTop + 10 + 12.0 * static_cast<double>(k)), "\" text-anchor=\"", anchor,
            "\" fill=\"#d62728\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">",
            markers[k].first, " ", FormatSignificant(value, 3), unit_suffix, "</text>\n"});
  }
  return svg + "</svg>\n";
}

}  // namespace zooci
