// bench statistics: pure functions over latency samples. No I/O, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zooci {

// Percentile of sorted `samples` by linear interpolation between closest ranks (Hyndman & Fan
// type 7, numpy's default): h = (n - 1) * p, result = x[floor h] + (h - floor h) * (x[floor h + 1]
// - x[floor h]). `p` in [0, 1]. Requires a non-empty, ascending vector.
double Percentile(const std::vector<double>& sorted, double p);

struct ConfidenceInterval {
  double low = 0;
  double high = 0;
  double level = 0.95;
};

// Distribution-free CI of the median from order statistics: ranks
// floor((n - z*sqrt(n)) / 2) and ceil(1 + (n + z*sqrt(n)) / 2) (1-based, clamped), z for `level`
// (normal approximation; for n < 6 the interval is [min, max]). Requires sorted, non-empty.
ConfidenceInterval MedianConfidenceInterval(const std::vector<double>& sorted, double level = 0.95);
// CI of the mean: mean ± t(level, n-1) * stdev / sqrt(n) (Student's t; n >= 2, else [mean, mean]).
ConfidenceInterval MeanConfidenceInterval(const std::vector<double>& samples, double level = 0.95);

struct LatencySummary {
  int64_t count = 0;
  double mean = 0, stdev = 0;  // sample standard deviation (n - 1)
  double min = 0, max = 0;
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0;
  double cv = 0;  // coefficient of variation: stdev / mean (0 when mean is 0)
  ConfidenceInterval median_ci;
  ConfidenceInterval mean_ci;
};

// Summary of samples (any unit; callers use milliseconds). Empty input gives count 0 and zeros.
LatencySummary Summarize(std::vector<double> samples);

enum class Change { kFaster, kSlower, kNoSignificantChange };
std::string ChangeName(Change change);  // "faster", "slower", "no significant change"

struct Comparison {
  Change change = Change::kNoSignificantChange;
  double ratio = 1;  // current median / baseline median
  std::string reason;
};

// Compares a current run with a baseline by their medians' confidence intervals: slower when the
// current CI lies entirely above the baseline's and the medians differ by more than
// `tolerance` (relative, e.g. 0.05); faster when entirely below by more than `tolerance`;
// otherwise no significant change. `reason` states the medians, CIs and ratio.
Comparison CompareMedians(const LatencySummary& current, const LatencySummary& baseline,
                          double tolerance);

// At most `max_points` values standing for all of `samples`: the order statistics at evenly spaced
// ranks (minimum and maximum included), ascending; every sample, sorted, when there are no more.
// Reports keep this instead of the first N runs so that a histogram shows the whole run.
std::vector<double> QuantileSample(std::vector<double> samples, size_t max_points);

// An SVG latency histogram (self-contained, no scripts): bars over the samples' range, axes with
// tick labels in `unit`, vertical markers at p50, p90 and p99, and a title. `bins` <= 0 chooses
// the count (Freedman-Diaconis, 10 to 80); otherwise it is clamped to [1, 1000]. Runs beyond the
// stall fence p99 + 3 (p99 - p50) are not drawn: a note counts them, and the axis ends at the
// last run inside the fence. `total_runs` > samples.size() says the samples stand for that many runs
// (see QuantileSample). Non-finite samples are ignored; equal samples draw one bar.
std::string LatencyHistogramSvg(const std::vector<double>& samples, const std::string& title,
                                const std::string& unit = "ms", int bins = 0,
                                int64_t total_runs = 0);

}  // namespace zooci
