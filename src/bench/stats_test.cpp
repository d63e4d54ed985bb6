#include "bench/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace zooci {

// Defined in stats.cpp with external linkage but deliberately kept out of stats.h (not public
// API). A signature drift fails at link time.
namespace stats_internal {
double NormalQuantile(double p);
double StudentTQuantile(double p, double df);
}  // namespace stats_internal

namespace {

using stats_internal::NormalQuantile;
using stats_internal::StudentTQuantile;

// The known vector used by the percentile and summary tests, and its ascending copy.
const std::vector<double> kKnown = {3.5, 1.0, 7.25, 2.0, 10.0, 4.0, 8.5, 6.0, 5.5, 9.0};
const std::vector<double> kKnownSorted = {1.0, 2.0, 3.5, 4.0, 5.5, 6.0, 7.25, 8.5, 9.0, 10.0};

std::vector<double> Iota(int n) {  // 1, 2, ..., n
  std::vector<double> values(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) values[static_cast<size_t>(i)] = i + 1;
  return values;
}

// ---- Percentile -------------------------------------------------------------------------------

// Expected values are numpy.percentile(kKnownSorted, 100 * p, method='linear') (numpy 1.24.2).
TEST(PercentileTest, MatchesNumpyLinear) {
  const std::vector<std::pair<double, double>> expected = {
      {0.0, 1.0},   {0.1, 1.9},   {0.25, 3.625},  {0.5, 5.75}, {0.9, 9.1},
      {0.95, 9.55}, {0.99, 9.91}, {0.999, 9.991}, {1.0, 10.0}};
  for (const auto& [p, value] : expected) {
    EXPECT_NEAR(Percentile(kKnownSorted, p), value, 1e-12) << "p = " << p;
  }
}

TEST(PercentileTest, SingleSampleIsEveryPercentile) {
  // numpy.percentile([4.2], [0, 50, 100], method='linear') == [4.2, 4.2, 4.2]
  for (double p : {0.0, 0.5, 0.999, 1.0}) EXPECT_EQ(Percentile({4.2}, p), 4.2) << "p = " << p;
}

TEST(PercentileTest, TwoSamplesInterpolate) {
  // numpy.percentile([1, 3], [0, 25, 50, 99.9, 100], method='linear')
  EXPECT_DOUBLE_EQ(Percentile({1, 3}, 0), 1.0);
  EXPECT_DOUBLE_EQ(Percentile({1, 3}, 0.25), 1.5);
  EXPECT_DOUBLE_EQ(Percentile({1, 3}, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(Percentile({1, 3}, 0.999), 2.998);
  EXPECT_DOUBLE_EQ(Percentile({1, 3}, 1), 3.0);
}

TEST(PercentileTest, EndpointsAreMinAndMax) {
  EXPECT_EQ(Percentile(kKnownSorted, 0), kKnownSorted.front());
  EXPECT_EQ(Percentile(kKnownSorted, 1), kKnownSorted.back());
}

TEST(PercentileTest, GapWiderThanDoubleRangeDoesNotOverflow) {
  const double max = std::numeric_limits<double>::max();
  EXPECT_EQ(Percentile({-max, max}, 0.5), 0);
  EXPECT_DOUBLE_EQ(Percentile({-max, max}, 0.75), max / 2);
}

// onnxruntime_perf_test takes x[floor(N * p)], which for N = 10, p = 0.999 is x[9], the maximum.
TEST(PercentileTest, P999OfTenIsInterpolatedNotMax) {
  EXPECT_NEAR(Percentile(kKnownSorted, 0.999), 9.991, 1e-12);  // numpy value
  EXPECT_LT(Percentile(kKnownSorted, 0.999), kKnownSorted.back());
}

#ifndef NDEBUG
TEST(PercentileDeathTest, PreconditionsAssertedInDebug) {
  EXPECT_DEATH(Percentile({3, 1, 2}, 0.5), "is_sorted");
  EXPECT_DEATH(Percentile({}, 0.5), "empty");
}
#else
// Release builds (the default RelWithDebInfo defines NDEBUG) check the documented fallbacks.
TEST(PercentileTest, ViolatedPreconditionsHaveDefinedResultsInRelease) {
  EXPECT_TRUE(std::isnan(Percentile({}, 0.5)));
  EXPECT_EQ(Percentile({1, 2, 3}, -1), 1);  // p clamped to [0, 1]
  EXPECT_EQ(Percentile({1, 2, 3}, 7), 3);
  EXPECT_EQ(Percentile({1, 2, 3}, std::numeric_limits<double>::quiet_NaN()), 1);
  const double unsorted = Percentile({3, 1, 2}, 0.5);  // unspecified, but a value of the input
  EXPECT_TRUE(unsorted == 1 || unsorted == 2 || unsorted == 3) << unsorted;
}
#endif

// ---- Quantile functions ------------------------------------------------------------------------

TEST(QuantileTest, NormalMatchesReference) {
  // scipy.stats.norm.ppf values.
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.995), 2.5758293035489004, 1e-12);
  EXPECT_NEAR(NormalQuantile(1e-10), -6.361340902404056, 1e-9);
  EXPECT_EQ(NormalQuantile(0.5), 0);
  EXPECT_NEAR(NormalQuantile(0.025), -NormalQuantile(0.975), 1e-12);
  EXPECT_EQ(NormalQuantile(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(NormalQuantile(1), std::numeric_limits<double>::infinity());
}

TEST(QuantileTest, StudentTMatchesPrintedTable) {
  // Printed t tables (3 decimals).
  EXPECT_NEAR(StudentTQuantile(0.975, 1), 12.706, 5e-4);
  EXPECT_NEAR(StudentTQuantile(0.975, 5), 2.571, 5e-4);
  EXPECT_NEAR(StudentTQuantile(0.975, 29), 2.045, 5e-4);
  EXPECT_NEAR(StudentTQuantile(0.975, 1000), 1.962, 5e-4);
}

TEST(QuantileTest, StudentTMatchesScipyToRelative1e5) {
  struct Case {
    double p, df, expected;  // expected = scipy.stats.t.ppf(p, df)
  };
  const std::vector<Case> cases = {
      {0.975, 1, 12.706204736432095},    {0.995, 1, 63.65674116287399},
      {0.975, 2, 4.302652729911275},     {0.9995, 2, 31.599054577041514},
      {0.95, 3, 2.3533634348018264},     {0.975, 3, 3.182446305284263},
      {0.975, 5, 2.5705818366147395},    {0.9995, 5, 6.868826639865215},
      {0.975, 10, 2.2281388519649385},   {0.995, 10, 3.169272667175838},
      {0.975, 29, 2.045229642132703},    {0.95, 29, 1.6991270265334972},
      {0.975, 100, 1.9839715184496334},  {0.975, 1000, 1.9623390808264074},
      {0.9995, 1000, 3.300282648423858}, {0.75, 4, 0.7406970840912249},
      {0.025, 7, -2.3646242510103}};
  for (const Case& c : cases) {
    EXPECT_NEAR(StudentTQuantile(c.p, c.df), c.expected, 1e-5 * std::fabs(c.expected))
        << "p = " << c.p << ", df = " << c.df;
  }
  EXPECT_EQ(StudentTQuantile(0.5, 7), 0);
}

TEST(QuantileTest, StudentTApproachesNormal) {
  EXPECT_NEAR(StudentTQuantile(0.975, 1e6), NormalQuantile(0.975), 1e-5);
  EXPECT_GT(StudentTQuantile(0.975, 1e6), NormalQuantile(0.975));
}

// ---- Confidence intervals ----------------------------------------------------------------------

// Textbook: for n = 100 the ~95 % CI of the median runs from the 40th to the 61st value.
TEST(MedianConfidenceIntervalTest, HundredSamplesGiveRanks40And61) {
  const ConfidenceInterval ci = MedianConfidenceInterval(Iota(100), 0.95);
  EXPECT_EQ(ci.low, 40);
  EXPECT_EQ(ci.high, 61);
  EXPECT_EQ(ci.level, 0.95);
}

TEST(MedianConfidenceIntervalTest, HigherLevelIsWider) {
  // z(0.995) = 2.5758: ranks floor(37.12) = 37 and ceil(63.88) = 64.
  const ConfidenceInterval ci = MedianConfidenceInterval(Iota(100), 0.99);
  EXPECT_EQ(ci.low, 37);
  EXPECT_EQ(ci.high, 64);
}

// For n = 100 the lower rank is floor(50 - 5 z); it drops from 40 to 39 exactly where z crosses 2,
// i.e. at level 2 Phi(2) - 1 = 0.9544997 (scipy). Pins the level -> z mapping via the public API.
TEST(MedianConfidenceIntervalTest, RankStepsWhereZCrossesTwo) {
  EXPECT_EQ(MedianConfidenceInterval(Iota(100), 0.954495).low, 40);
  EXPECT_EQ(MedianConfidenceInterval(Iota(100), 0.954505).low, 39);
}

TEST(MedianConfidenceIntervalTest, FewerThanSixSamplesGiveMinMax) {
  for (int n = 1; n < 6; ++n) {
    const ConfidenceInterval ci = MedianConfidenceInterval(Iota(n));
    EXPECT_EQ(ci.low, 1) << n;
    EXPECT_EQ(ci.high, n) << n;
  }
  // n = 6: ranks floor(0.55) = 0 and ceil(7.45) = 8 are clamped to [1, 6].
  const ConfidenceInterval six = MedianConfidenceInterval(Iota(6));
  EXPECT_EQ(six.low, 1);
  EXPECT_EQ(six.high, 6);
}

TEST(MeanConfidenceIntervalTest, UsesStudentT) {
  // n = 2: mean 1, stdev sqrt(2), stdev / sqrt(n) = 1, so the half width is t(0.975, 1).
  ConfidenceInterval ci = MeanConfidenceInterval({0, 2});
  EXPECT_NEAR(ci.low, 1 - 12.706204736432095, 1e-4);
  EXPECT_NEAR(ci.high, 1 + 12.706204736432095, 1e-4);
  // n = 6: numpy mean 5, stdev 2.1908902300206643; half width t(0.975, 5) * s / sqrt(6).
  ci = MeanConfidenceInterval({2, 4, 4, 5, 7, 8});
  EXPECT_NEAR(ci.low, 5 - 2.299198291358726, 1e-5);
  EXPECT_NEAR(ci.high, 5 + 2.299198291358726, 1e-5);
}

TEST(MeanConfidenceIntervalTest, FewerThanTwoSamplesCollapse) {
  ConfidenceInterval ci = MeanConfidenceInterval({7.5});
  EXPECT_EQ(ci.low, 7.5);
  EXPECT_EQ(ci.high, 7.5);
  ci = MeanConfidenceInterval({});
  EXPECT_EQ(ci.low, 0);
  EXPECT_EQ(ci.high, 0);
}

// ---- Summarize ---------------------------------------------------------------------------------

TEST(SummarizeTest, KnownVector) {
  // Expected values from numpy (mean, std(ddof=1), percentile(method='linear')) and scipy
  // (t.ppf(0.975, 9) for the mean CI).
  const LatencySummary s = Summarize(kKnown);  // unsorted on purpose
  EXPECT_EQ(s.count, 10);
  EXPECT_NEAR(s.mean, 5.675, 1e-12);
  EXPECT_NEAR(s.stdev, 3.041495428969842, 1e-12);
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 10.0);
  EXPECT_NEAR(s.p50, 5.75, 1e-12);
  EXPECT_NEAR(s.p90, 9.1, 1e-12);
  EXPECT_NEAR(s.p95, 9.55, 1e-12);
  EXPECT_NEAR(s.p99, 9.91, 1e-12);
  EXPECT_NEAR(s.p999, 9.991, 1e-12);
  EXPECT_NEAR(s.cv, 0.5359463310960074, 1e-12);
  // n = 10: ranks floor(1.90) = 1 and ceil(9.10) = 10.
  EXPECT_EQ(s.median_ci.low, 1.0);
  EXPECT_EQ(s.median_ci.high, 10.0);
  EXPECT_NEAR(s.mean_ci.low, 3.499245240463242, 1e-4);
  EXPECT_NEAR(s.mean_ci.high, 7.850754759536757, 1e-4);
  EXPECT_EQ(s.mean_ci.level, 0.95);
}

#ifndef NDEBUG
TEST(SummarizeDeathTest, NonFiniteSamplesAssertedInDebug) {
  EXPECT_DEATH(Summarize({1, std::numeric_limits<double>::quiet_NaN(), 2}), "AllFinite");
}
#else
TEST(SummarizeTest, ReleaseBuildsDropNonFiniteSamples) {
  const LatencySummary s = Summarize(
      {1, std::numeric_limits<double>::quiet_NaN(), 3, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(s.count, 2);
  EXPECT_EQ(s.mean, 2);
  EXPECT_EQ(s.max, 3);
}
#endif

TEST(SummarizeTest, EmptyGivesZeros) {
  const LatencySummary s = Summarize({});
  EXPECT_EQ(s.count, 0);
  for (double v : {s.mean, s.stdev, s.min, s.max, s.p50, s.p999, s.cv, s.median_ci.low,
                   s.median_ci.high, s.mean_ci.low, s.mean_ci.high}) {
    EXPECT_EQ(v, 0);
  }
}

TEST(SummarizeTest, SingleSampleAndZeroMean) {
  const LatencySummary one = Summarize({3.0});
  EXPECT_EQ(one.count, 1);
  EXPECT_EQ(one.stdev, 0);
  EXPECT_EQ(one.cv, 0);
  EXPECT_EQ(one.p99, 3.0);
  EXPECT_EQ(one.mean_ci.low, 3.0);
  EXPECT_EQ(one.mean_ci.high, 3.0);
  const LatencySummary zero_mean = Summarize({-1, 1});
  EXPECT_EQ(zero_mean.cv, 0);
  EXPECT_GT(zero_mean.stdev, 0);
}

// ---- CompareMedians ----------------------------------------------------------------------------

// Lognormal latencies with the given median and coefficient of variation.
std::vector<double> Lognormal(double median, double cv, uint64_t seed, int n = 500) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(median), std::sqrt(std::log1p(cv * cv)));
  std::vector<double> samples(static_cast<size_t>(n));
  for (double& v : samples) v = dist(rng);
  return samples;
}

// Exponential latencies (cv 100 %) with the given mean.
std::vector<double> Exponential(double mean, uint64_t seed, int n = 500) {
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> dist(1 / mean);
  std::vector<double> samples(static_cast<size_t>(n));
  for (double& v : samples) v = dist(rng);
  return samples;
}

TEST(CompareMediansTest, TenPercentShiftWithLowNoiseIsDetected) {
  const LatencySummary baseline = Summarize(Lognormal(10, 0.01, 1));
  const LatencySummary current = Summarize(Lognormal(11, 0.01, 2));
  const Comparison slower = CompareMedians(current, baseline, 0.05);
  EXPECT_EQ(slower.change, Change::kSlower) << slower.reason;
  EXPECT_NEAR(slower.ratio, 1.1, 0.01);
  const Comparison faster = CompareMedians(baseline, current, 0.05);
  EXPECT_EQ(faster.change, Change::kFaster) << faster.reason;
  EXPECT_NEAR(faster.ratio, 1 / 1.1, 0.01);
}

TEST(CompareMediansTest, TenPercentShiftInWideNoiseIsNotDetected) {
  const Comparison c =
      CompareMedians(Summarize(Exponential(11, 3)), Summarize(Exponential(10, 4)), 0.05);
  EXPECT_EQ(c.change, Change::kNoSignificantChange) << c.reason;
  EXPECT_NE(c.reason.find("CIs overlap"), std::string::npos) << c.reason;
}

// The property behind the two tests above, over many seeds rather than one.
TEST(CompareMediansTest, DetectionRatesOverSeeds) {
  constexpr int kTrials = 20;
  int low_noise_detected = 0, wide_noise_detected = 0;
  for (uint64_t seed = 100; seed < 100 + 2 * kTrials; seed += 2) {
    const Comparison low = CompareMedians(Summarize(Lognormal(11, 0.01, seed)),
                                          Summarize(Lognormal(10, 0.01, seed + 1)), 0.05);
    low_noise_detected += low.change == Change::kSlower;
    const Comparison wide = CompareMedians(Summarize(Exponential(11, seed)),
                                           Summarize(Exponential(10, seed + 1)), 0.05);
    wide_noise_detected += wide.change != Change::kNoSignificantChange;
  }
  EXPECT_EQ(low_noise_detected, kTrials);
  EXPECT_LE(wide_noise_detected, kTrials / 5);
}

// Tolerance 0 so that only the CI test decides: same distribution, different seeds.
TEST(CompareMediansTest, IdenticalDistributionsAreNoChange) {
  for (uint64_t seed = 200; seed < 220; seed += 2) {
    const Comparison c = CompareMedians(Summarize(Lognormal(10, 0.01, seed)),
                                        Summarize(Lognormal(10, 0.01, seed + 1)), 0.0);
    EXPECT_EQ(c.change, Change::kNoSignificantChange) << c.reason;
  }
}

TEST(CompareMediansTest, ShiftWithinToleranceIsNoChangeEvenIfCisSeparate) {
  const LatencySummary baseline = Summarize(Lognormal(10, 0.01, 5));
  const LatencySummary current = Summarize(Lognormal(10.3, 0.01, 6));
  ASSERT_GT(current.median_ci.low, baseline.median_ci.high);  // CIs separate
  Comparison c = CompareMedians(current, baseline, 0.05);
  EXPECT_EQ(c.change, Change::kNoSignificantChange) << c.reason;
  EXPECT_NE(c.reason.find("within tolerance 5%"), std::string::npos) << c.reason;
  c = CompareMedians(baseline, current, 0.05);
  EXPECT_EQ(c.change, Change::kNoSignificantChange) << c.reason;
  // With a tolerance below the shift it is detected.
  EXPECT_EQ(CompareMedians(current, baseline, 0.02).change, Change::kSlower);
}

LatencySummary Handmade(double median, double low, double high) {
  LatencySummary s;
  s.count = 100;
  s.p50 = median;
  s.median_ci = {low, high, 0.95};
  return s;
}

TEST(CompareMediansTest, ReasonNamesMediansCisAndRatio) {
  const Comparison c = CompareMedians(Handmade(11, 10.8, 11.25), Handmade(10, 9.875, 10.2), 0.05);
  EXPECT_EQ(c.change, Change::kSlower);
  EXPECT_DOUBLE_EQ(c.ratio, 1.1);
  EXPECT_EQ(c.reason,
            "slower: current median 11 [10.8, 11.25] (95% CI) vs baseline median 10 "
            "[9.875, 10.2] (95% CI), ratio 1.1 (+10%), CIs disjoint and change beyond "
            "tolerance 5%");
}

TEST(CompareMediansTest, TouchingCisOverlap) {
  const Comparison c = CompareMedians(Handmade(11, 10.5, 11.5), Handmade(10, 9.5, 10.5), 0.05);
  EXPECT_EQ(c.change, Change::kNoSignificantChange) << c.reason;
}

TEST(CompareMediansTest, DegenerateInputsAreNoChange) {
  Comparison c = CompareMedians(LatencySummary{}, Handmade(10, 9, 11), 0.05);
  EXPECT_EQ(c.change, Change::kNoSignificantChange);
  EXPECT_EQ(c.ratio, 1);
  EXPECT_NE(c.reason.find("current run has no samples"), std::string::npos) << c.reason;
  c = CompareMedians(Handmade(10, 9, 11), Handmade(0, 0, 0), 0.05);
  EXPECT_EQ(c.change, Change::kNoSignificantChange);
  EXPECT_EQ(c.ratio, 1);
  EXPECT_NE(c.reason.find("ratio undefined"), std::string::npos) << c.reason;
}

TEST(ChangeNameTest, Names) {
  EXPECT_EQ(ChangeName(Change::kFaster), "faster");
  EXPECT_EQ(ChangeName(Change::kSlower), "slower");
  EXPECT_EQ(ChangeName(Change::kNoSignificantChange), "no significant change");
}

// ---- LatencyHistogramSvg -----------------------------------------------------------------------

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// Minimal XML well-formedness check for the subset the renderer emits (no comments, CDATA or
// processing instructions): one root element, properly nested tags, quoted attributes without raw
// '<', and '&' only as one of the five predefined entities. Returns "" or the first problem.
std::string XmlProblem(const std::string& xml) {
  std::vector<std::string> open;
  bool seen_root = false;
  for (size_t i = 0; i < xml.size();) {
    if (xml[i] == '&') {
      bool known = false;
      for (const char* entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
        known = known || xml.compare(i, std::string(entity).size(), entity) == 0;
      }
      if (!known) return "bare & at " + std::to_string(i);
      ++i;
      continue;
    }
    if (xml[i] == '>') return "bare > at " + std::to_string(i);
    if (xml[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) {
        return "text outside the root at " + std::to_string(i);
      }
      ++i;
      continue;
    }
    size_t end = i + 1;
    for (bool quoted = false; end < xml.size() && (quoted || xml[end] != '>'); ++end) {
      if (xml[end] == '"') quoted = !quoted;
      if (quoted && xml[end] == '<') return "< in attribute at " + std::to_string(end);
    }
    if (end == xml.size()) return "unterminated tag at " + std::to_string(i);
    const std::string tag = xml.substr(i + 1, end - i - 1);
    const bool closing = tag.front() == '/';
    const bool self_closing = tag.back() == '/';
    const std::string name = tag.substr(closing ? 1 : 0, tag.find_first_of(" /", 1) - closing);
    if (closing) {
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
    } else {
      if (open.empty() && seen_root) return "second root <" + name + ">";
      seen_root = true;
      if (!self_closing) open.push_back(name);
    }
    i = end + 1;
  }
  return open.empty() && seen_root ? "" : "unclosed elements or no root";
}

// Structure every histogram must have, whatever the samples.
void ExpectWellFormedSvg(const std::string& svg) {
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"", 0), 0u);
  EXPECT_NE(svg.find("width=\"640\" height=\"360\""), std::string::npos);
  ASSERT_GE(svg.size(), 7u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(XmlProblem(svg), "");
  std::string lower = svg;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  EXPECT_EQ(lower.find("nan"), std::string::npos);
  EXPECT_EQ(lower.find("inf"), std::string::npos);
}

TEST(XmlProblemTest, CatchesMalformedDocuments) {  // the checker itself must be able to fail
  EXPECT_EQ(XmlProblem("<a x=\"1\"><b/>t &amp; u</a>"), "");
  EXPECT_NE(XmlProblem("<a><b></a></b>"), "");
  EXPECT_NE(XmlProblem("<a>x & y</a>"), "");
  EXPECT_NE(XmlProblem("<a>x < y</a>"), "");
  EXPECT_NE(XmlProblem("<a title=\"<\"/>"), "");
  EXPECT_NE(XmlProblem("<a/><b/>"), "");
  EXPECT_NE(XmlProblem("<a>"), "");
}

TEST(LatencyHistogramSvgTest, HasBarsAxesAndMarkers) {
  const std::string svg = LatencyHistogramSvg(Lognormal(10, 0.2, 7), "resnet50 / cpu", "ms", 40);
  ExpectWellFormedSvg(svg);
  EXPECT_EQ(CountOf(svg, "<rect class=\"bar\""), 40u);  // one per bin, empty bins included
  EXPECT_EQ(CountOf(svg, "stroke-dasharray"), 3u);
  for (const char* label : {">p50 ", ">p90 ", ">p99 ", ">latency (ms)<", ">runs<", ">500 runs,"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  }
  EXPECT_NE(svg.find("resnet50 / cpu"), std::string::npos);
  EXPECT_EQ(CountOf(svg, "<script"), 0u);
}

TEST(LatencyHistogramSvgTest, BinsParameterAndClamping) {
  const std::vector<double> samples = Lognormal(10, 0.2, 8);
  EXPECT_EQ(CountOf(LatencyHistogramSvg(samples, "t", "ms", 10), "<rect class=\"bar\""), 10u);
  EXPECT_EQ(CountOf(LatencyHistogramSvg(samples, "t", "ms", 5000), "<rect class=\"bar\""), 1000u);
  // 0 or less: Freedman-Diaconis. 500 lognormal samples (cv 0.2): IQR ~2.7, width ~0.68 over a
  // span of ~12, so 15 to 25 bars.
  for (int bins : {0, -3}) {
    const size_t bars = CountOf(LatencyHistogramSvg(samples, "t", "ms", bins), "<rect class=\"bar\"");
    EXPECT_GE(bars, 15u) << bins;
    EXPECT_LE(bars, 25u) << bins;
  }
}

// Pixel positions of the x tick labels, in order.
std::vector<double> XTickPixels(const std::string& svg) {
  std::vector<double> pixels;
  const std::string key = "class=\"x-tick\" x=\"";
  for (size_t at = svg.find(key); at != std::string::npos; at = svg.find(key, at + 1)) {
    pixels.push_back(std::stod(svg.substr(at + key.size())));
  }
  return pixels;
}

// The bar counts (from the tooltips "...: N</title>"), in order.
std::vector<int> BarCounts(const std::string& svg) {
  std::vector<int> counts;
  for (size_t at = svg.find("<rect class=\"bar\""); at != std::string::npos;
       at = svg.find("<rect class=\"bar\"", at + 1)) {
    const size_t end = svg.find("</title>", at);
    const size_t colon = svg.rfind(": ", end);
    counts.push_back(std::stoi(svg.substr(colon + 2, end - colon - 2)));
  }
  return counts;
}

// A fast model with a few stalls: 0.05 ms runs and 20 of 12 ms. Drawn over [min, max], every run
// but the stalls fell in one bar; the axis now ends past p99 and the stalls are counted in a note.
TEST(LatencyHistogramSvgTest, FastModelWithStallsSpreadsOverManyBars) {
  std::vector<double> samples = Lognormal(0.05, 0.1, 11, 10000);
  for (int i = 0; i < 20; ++i) samples.push_back(12.0 + i * 0.01);
  const std::string svg = LatencyHistogramSvg(samples, "fast", "ms");
  ExpectWellFormedSvg(svg);
  const std::vector<int> counts = BarCounts(svg);
  const int occupied = static_cast<int>(std::count_if(counts.begin(), counts.end(),
                                                      [](int count) { return count > 0; }));
  EXPECT_GE(occupied, 10) << svg;
  const int tallest = *std::max_element(counts.begin(), counts.end());
  EXPECT_LT(tallest, 10000 / 4) << "one bar still holds most runs";
  EXPECT_NE(svg.find(">20 runs beyond "), std::string::npos) << svg;
  EXPECT_NE(svg.find("(up to 12.2 ms)"), std::string::npos) << svg;
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), 0), 10000);
  // Tick labels never touch: at least 40 px apart (a 5-character label is ~33 px wide).
  const std::vector<double> ticks = XTickPixels(svg);
  ASSERT_GE(ticks.size(), 3u) << svg;
  for (size_t i = 1; i < ticks.size(); ++i) EXPECT_GE(ticks[i] - ticks[i - 1], 40) << svg;
}

// A long but populated tail (not stalls) is drawn in full.
TEST(LatencyHistogramSvgTest, HeavyButContinuousTailIsNotCut) {
  const std::string svg = LatencyHistogramSvg(Lognormal(10, 0.5, 3, 2000), "t", "ms");
  EXPECT_EQ(svg.find("beyond"), std::string::npos) << svg;
}

TEST(LatencyHistogramSvgTest, SaysHowManyRunsTheSamplesStandFor) {
  const std::string svg = LatencyHistogramSvg(Lognormal(10, 0.2, 5), "t", "ms", 0, 123456);
  EXPECT_NE(svg.find(">123,456 runs (drawn from 500 evenly spaced quantiles"), std::string::npos)
      << svg;
}

TEST(QuantileSampleTest, KeepsExtremesAndPercentilesOfAllRuns) {
  std::vector<double> samples = Lognormal(1, 0.3, 9, 100000);
  samples.push_back(50);  // the slowest run comes last, after any "first N" cut
  const std::vector<double> kept = QuantileSample(samples, 4000);
  ASSERT_EQ(kept.size(), 4000u);
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  std::sort(samples.begin(), samples.end());
  EXPECT_EQ(kept.front(), samples.front());
  EXPECT_EQ(kept.back(), 50);
  for (double p : {0.1, 0.5, 0.9, 0.99}) {
    EXPECT_NEAR(Percentile(kept, p), Percentile(samples, p), Percentile(samples, p) * 0.01) << p;
  }
  EXPECT_EQ(QuantileSample({3, 1, 2}, 10), (std::vector<double>{1, 2, 3}));
  EXPECT_TRUE(QuantileSample({3, 1, 2}, 0).empty());
  EXPECT_EQ(QuantileSample({3, 1, 2}, 1), (std::vector<double>{2}));
}

// Uniform 10..20 ms: span 10, step 2 (nearest {1, 2, 5} * 10^k to span / 4) gives 6 ticks.
TEST(LatencyHistogramSvgTest, XTicksAreRoundValuesUnitInTheAxisTitle) {
  std::vector<double> samples;
  for (int i = 0; i <= 100; ++i) samples.push_back(10 + i * 0.1);
  const std::string svg = LatencyHistogramSvg(samples, "t", "ms", 20);
  ExpectWellFormedSvg(svg);
  for (const char* tick : {">10<", ">12<", ">14<", ">16<", ">18<", ">20<"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  EXPECT_EQ(CountOf(svg, "class=\"x-tick\""), 6u);
  // Sub-millisecond span: ticks take the step's decimals.
  const std::string fine = LatencyHistogramSvg({1.2, 1.25, 1.3, 1.35, 1.4}, "t", "ms", 4);
  EXPECT_NE(fine.find(">1.25<"), std::string::npos) << fine;
  EXPECT_NE(fine.find(">latency (ms)<"), std::string::npos) << fine;
}

TEST(LatencyHistogramSvgTest, TitleAndUnitAreEscaped) {
  const std::string svg = LatencyHistogramSvg({1, 2, 3}, "a & b <c> \"d\" 'e'\x01", "<us>", 5);
  ExpectWellFormedSvg(svg);
  EXPECT_NE(svg.find("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</"), std::string::npos);
  EXPECT_EQ(svg.find("<c>"), std::string::npos);
  EXPECT_EQ(svg.find('\x01'), std::string::npos);  // not allowed in XML 1.0
  EXPECT_NE(svg.find(" &lt;us&gt;</text>"), std::string::npos);
}

TEST(LatencyHistogramSvgTest, EmptySamplesSayNoSamples) {
  const std::string svg = LatencyHistogramSvg({}, "empty");
  ExpectWellFormedSvg(svg);
  EXPECT_NE(svg.find(">no samples<"), std::string::npos);
  EXPECT_EQ(CountOf(svg, "<rect class=\"bar\""), 0u);
  // Non-finite samples are ignored, so only non-finite samples is the same as none.
  const double inf = std::numeric_limits<double>::infinity();
  const std::string only_bad =
      LatencyHistogramSvg({inf, -inf, std::numeric_limits<double>::quiet_NaN()}, "bad");
  ExpectWellFormedSvg(only_bad);
  EXPECT_NE(only_bad.find(">no samples<"), std::string::npos);
}

TEST(LatencyHistogramSvgTest, EqualSamplesGiveOneBar) {
  for (double value : {5.0, 0.0, 1e-300, 1e300, std::numeric_limits<double>::max()}) {
    const std::string svg = LatencyHistogramSvg(std::vector<double>(50, value), "flat");
    ExpectWellFormedSvg(svg);
    EXPECT_EQ(CountOf(svg, "<rect class=\"bar\""), 1u) << value;
    EXPECT_NE(svg.find(": 50</title>"), std::string::npos) << value;  // all samples in it
  }
}

TEST(LatencyHistogramSvgTest, ExtremeRangesStayFinite) {
  const double max = std::numeric_limits<double>::max();
  const double inf = std::numeric_limits<double>::infinity();
  for (const std::vector<double>& samples :
       {std::vector<double>{-max, 0, max}, std::vector<double>{-max, max},
        std::vector<double>{0, 5e-324}, std::vector<double>{1, 1 + 2.3e-16, 2},
        std::vector<double>{3, inf, 4}}) {
    ExpectWellFormedSvg(LatencyHistogramSvg(samples, "extreme"));
  }
}

}  // namespace
}  // namespace zooci
