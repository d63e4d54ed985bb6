// bench statistics: see stats.h for the contracts. Preconditions stated in stats.h (sorted input,
// non-empty input, level in (0, 1), finite samples, tolerance >= 0) are asserted in debug builds;
// release builds never invoke undefined behaviour on a violated precondition but the result is then
// unspecified.
#include "bench/stats.h"
#include "bench/format_internal.h"
#include "base/base.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <string_view>
#include <utility>

namespace zooci {

// Quantile functions. Not part of the public API (stats.h is fixed); external linkage only so
// that stats_test.cpp can check them against reference values.
namespace stats_internal {

// Inverse of the standard normal CDF, p in (0, 1). Acklam's rational approximation (relative
// error < 1.15e-9) refined by one Halley step on erfc, which brings it to ~1e-15 in the central
// region. p outside (0, 1) gives -inf / +inf.
double NormalQuantile(double p) {
  if (!(p > 0)) return -std::numeric_limits<double>::infinity();
  if (!(p < 1)) return std::numeric_limits<double>::infinity();
  static constexpr std::array<double, 6> a = {-3.969683028665376e+01, 2.209460984245205e+02,
                                              -2.759285104469687e+02, 1.383577518672690e+02,
                                              -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr std::array<double, 5> b = {-5.447609879822406e+01, 1.615858368580409e+02,
                                              -1.556989798598866e+02, 6.680131188771972e+01,
                                              -1.328068155288572e+01};
  static constexpr std::array<double, 6> c = {-7.784894002430293e-03, -3.223964580411365e-01,
                                              -2.400758277161838e+00, -2.549732539343734e+00,
                                              4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr std::array<double, 4> d = {7.784695709041462e-03, 3.224671290700398e-01,
                                              2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  auto tail = [&](double q) {  // q = sqrt(-2 log(tail probability))
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  };
  double x;
  if (p < kLow) {
    x = tail(std::sqrt(-2 * std::log(p)));
  } else if (p <= 1 - kLow) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    x = -tail(std::sqrt(-2 * std::log1p(-p)));
  }
  // Halley step: e = Phi(x) - p, u = e / phi(x).
  const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

// Quantile of Student's t distribution with `df` >= 1 degrees of freedom (real df allowed),
// p in (0, 1). G. W. Hill, "Algorithm 396: Student's t-quantiles", CACM 13(10), 1970: exact for
// df = 1 and df = 2, otherwise a normal-based expansion. Checked against scipy.stats.t.ppf for
// two-sided levels 0.5..0.9999 and df 1..100000: relative error < 1e-5 (worst near df = 3).
double StudentTQuantile(double p, double df) {
  assert(df >= 1);
  if (!(p > 0)) return -std::numeric_limits<double>::infinity();
  if (!(p < 1)) return std::numeric_limits<double>::infinity();
  if (p == 0.5) return 0;
  const double sign = p > 0.5 ? 1 : -1;
  const double two_tailed = 2 * std::min(p, 1 - p);  // Hill's P: P(|T| > t)
  const double n = std::max(df, 1.0);
  if (n == 1) return sign / std::tan(two_tailed * std::numbers::pi / 2);
  if (n == 2) return sign * std::sqrt(2 / (two_tailed * (2 - two_tailed)) - 2);
  const double a = 1 / (n - 0.5);
  const double b = 48 / (a * a);
  double c = ((20700 * a / b - 98) * a - 16) * a + 96.36;
  const double d = ((94.5 / (b + c) - 3) / b + 1) * std::sqrt(a * std::numbers::pi / 2) * n;
  double y = std::pow(d * two_tailed, 2 / n);
  if (y > 0.05 + a) {  // asymptotic inverse expansion about the normal
    const double x = NormalQuantile(0.5 * two_tailed);
    y = x * x;
    if (n < 5) c += 0.3 * (n - 4.5) * (x + 0.6);
    c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
    y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
    y = std::expm1(a * y * y);
  } else {  // small two-tailed probability (far tail, small df)
    y = ((1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4)) * y - 1) *
            (n + 1) / (n + 2) +
        1 / y;
  }
  return sign * std::sqrt(n * y);
}

}  // namespace stats_internal

namespace {

using stats_internal::NormalQuantile;
using stats_internal::StudentTQuantile;

// Two-sided confidence level in (0, 1); out-of-range values (a precondition violation) are clamped
// so that the critical values below stay finite.
double CheckedLevel(double level) {
  assert(level > 0 && level < 1);
  if (!(level > 0)) return 0;
  return std::min(level, 1 - 1e-12);
}

// Critical values c with P(|X| < c) = level.
double NormalCritical(double level) {
  return NormalQuantile((1 + CheckedLevel(level)) / 2);
}
double StudentTCritical(double level, double df) {
  return StudentTQuantile((1 + CheckedLevel(level)) / 2, df);
}

[[maybe_unused]] bool AllFinite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

struct Moments {
  double mean = 0;
  double stdev = 0;  // sample standard deviation; 0 when n < 2
};

// Two-pass mean and sample standard deviation (numerically stable for latency-sized data).
Moments ComputeMoments(const std::vector<double>& samples) {
  Moments m;
  if (samples.empty()) return m;
  const double n = static_cast<double>(samples.size());
  double sum = 0;
  for (double v : samples) sum += v;
  m.mean = sum / n;
  if (samples.size() < 2) return m;
  double squares = 0;
  for (double v : samples) squares += (v - m.mean) * (v - m.mean);
  m.stdev = std::sqrt(squares / (n - 1));
  return m;
}

}  // namespace

namespace bench_internal {

// `value` with exactly `decimals` digits after the point. Locale-independent (to_chars).
std::string FormatFixed(double value, int decimals) {
  std::array<char, 400> buffer;  // fits any finite double in fixed notation with <= 30 decimals
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value + 0.0,
                                    std::chars_format::fixed, std::clamp(decimals, 0, 30));
  return std::string(buffer.data(), result.ptr);
}

// `value` rounded to `digits` significant digits without trailing zeros: fixed notation for
// magnitudes in [1e-4, 1e15) (so 12345.6 prints as "12346", not "1.235e+04"), scientific
// outside. Locale-independent.
std::string FormatSignificant(double value, int digits) {
  const double magnitude = std::fabs(value);
  if (!(magnitude >= 1e-4 && magnitude < 1e15)) {
    if (value == 0) return "0";
    std::array<char, 64> buffer;
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::general, digits);
    return std::string(buffer.data(), result.ptr);
  }
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  std::string text = FormatFixed(value, std::max(0, digits - 1 - exponent));
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

}  // namespace bench_internal

using bench_internal::FormatFixed;
using bench_internal::FormatSignificant;

double Percentile(const std::vector<double>& sorted, double p) {
  assert(!sorted.empty());
  assert(std::is_sorted(sorted.begin(), sorted.end()));
  assert(p >= 0 && p <= 1);
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (!(p >= 0)) p = 0;  // also catches NaN
  if (p > 1) p = 1;
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const double floor_h = std::floor(h);
  const auto i = static_cast<size_t>(floor_h);
  if (i + 1 >= sorted.size()) return sorted.back();
  const double fraction = h - floor_h;
  const double gap = sorted[i + 1] - sorted[i];
  if (std::isfinite(gap)) return sorted[i] + fraction * gap;
  const double half_step = fraction * (sorted[i + 1] * 0.5 - sorted[i] * 0.5);  // gap overflowed
  return sorted[i] + half_step + half_step;
}

ConfidenceInterval MedianConfidenceInterval(const std::vector<double>& sorted, double level) {
  assert(!sorted.empty());
  assert(std::is_sorted(sorted.begin(), sorted.end()));
  ConfidenceInterval ci;
  ci.level = level;
  if (sorted.empty()) return ci;
  if (sorted.size() < 6) {
    ci.low = sorted.front();
    ci.high = sorted.back();
    return ci;
  }
  const double n = static_cast<double>(sorted.size());
  const double spread = NormalCritical(level) * std::sqrt(n);
  // 1-based ranks, clamped to [1, n] while still doubles so the casts are always defined.
  const double low_rank = std::clamp(std::floor((n - spread) / 2), 1.0, n);
  const double high_rank = std::clamp(std::ceil(1 + (n + spread) / 2), 1.0, n);
  ci.low = sorted[static_cast<size_t>(low_rank) - 1];
  ci.high = sorted[static_cast<size_t>(high_rank) - 1];
  return ci;
}

ConfidenceInterval MeanConfidenceInterval(const std::vector<double>& samples, double level) {
  const Moments m = ComputeMoments(samples);
  ConfidenceInterval ci{m.mean, m.mean, level};
  if (samples.size() < 2) return ci;
  const double n = static_cast<double>(samples.size());
  const double half_width = StudentTCritical(level, n - 1) * m.stdev / std::sqrt(n);
  ci.low = m.mean - half_width;
  ci.high = m.mean + half_width;
  return ci;
}

LatencySummary Summarize(std::vector<double> samples) {
  assert(AllFinite(samples));
  // Release builds drop non-finite samples: NaN would break the sort's strict weak ordering.
  std::erase_if(samples, [](double v) { return !std::isfinite(v); });
  LatencySummary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const Moments m = ComputeMoments(samples);
  s.count = static_cast<int64_t>(samples.size());
  s.mean = m.mean;
  s.stdev = m.stdev;
  s.min = samples.front();
  s.max = samples.back();
  s.p50 = Percentile(samples, 0.5);
  s.p90 = Percentile(samples, 0.9);
  s.p95 = Percentile(samples, 0.95);
  s.p99 = Percentile(samples, 0.99);
  s.p999 = Percentile(samples, 0.999);
  s.cv = m.mean == 0 ? 0 : m.stdev / m.mean;
  s.median_ci = MedianConfidenceInterval(samples);
  s.mean_ci = MeanConfidenceInterval(samples);
  return s;
}

std::string ChangeName(Change change) {
  switch (change) {
    case Change::kFaster:
      return "faster";
    case Change::kSlower:
      return "slower";
    case Change::kNoSignificantChange:
      return "no significant change";
  }
  return "unknown";
}

// "Differ by more than `tolerance`" is relative to the baseline median: slower needs
// ratio > 1 + tolerance, faster needs ratio < 1 - tolerance. "Entirely above/below" is strict:
// CIs that touch overlap. An empty summary or a non-positive baseline median (ratio undefined)
// gives no significant change with ratio 1.
Comparison CompareMedians(const LatencySummary& current, const LatencySummary& baseline,
                          double tolerance) {
  assert(tolerance >= 0);
  if (!(tolerance >= 0)) tolerance = 0;
  Comparison result;
  if (current.count == 0 || baseline.count == 0) {
    result.reason = std::string("no significant change: ") +
                    (current.count == 0 ? "current" : "baseline") + " run has no samples";
    return result;
  }
  auto describe = [](const char* name, const LatencySummary& s) {
    return std::string(name) + " median " + FormatSignificant(s.p50, 4) + " [" +
           FormatSignificant(s.median_ci.low, 4) + ", " + FormatSignificant(s.median_ci.high, 4) +
           "] (" + FormatSignificant(s.median_ci.level * 100, 3) + "% CI)";
  };
  const std::string medians =
      describe("current", current) + " vs " + describe("baseline", baseline);
  if (!(baseline.p50 > 0)) {
    result.reason =
        "no significant change: " + medians + ", ratio undefined (baseline median <= 0)";
    return result;
  }
  result.ratio = current.p50 / baseline.p50;
  const bool above = current.median_ci.low > baseline.median_ci.high;
  const bool below = current.median_ci.high < baseline.median_ci.low;
  if (above && result.ratio > 1 + tolerance) {
    result.change = Change::kSlower;
  } else if (below && result.ratio < 1 - tolerance) {
    result.change = Change::kFaster;
  }
  const double percent = (result.ratio - 1) * 100;
  std::string why;
  if (!above && !below) {
    why = "CIs overlap";
  } else if (result.change == Change::kNoSignificantChange) {
    why = "CIs disjoint but change within tolerance " + FormatSignificant(tolerance * 100, 3) + "%";
  } else {
    why = "CIs disjoint and change beyond tolerance " + FormatSignificant(tolerance * 100, 3) + "%";
  }
  result.reason = ChangeName(result.change) + ": " + medians + ", ratio " +
                  FormatSignificant(result.ratio, 4) + " (" + (percent >= 0 ? "+" : "") +
                  FormatSignificant(percent, 3) + "%), " + why;
  return result;
}

}  // namespace zooci
