#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/base.h"

namespace zooci {
namespace {

using Parts = std::vector<std::string>;

// ---- SplitString / Trim / StartsWith / EndsWith / JoinStrings ----------------------------------

TEST(SplitStringTest, SplitsOnEverySeparator) {
  EXPECT_EQ(SplitString("a,b,c", ','), (Parts{"a", "b", "c"}));
}

TEST(SplitStringTest, KeepsEmptyFields) {
  EXPECT_EQ(SplitString("a,,b,", ','), (Parts{"a", "", "b", ""}));
  EXPECT_EQ(SplitString(",a", ','), (Parts{"", "a"}));
}

TEST(SplitStringTest, TextWithoutSeparatorIsOnePart) {
  EXPECT_EQ(SplitString("abc", ','), (Parts{"abc"}));
  EXPECT_EQ(SplitString("", ','), (Parts{""}));
}

TEST(TrimTest, RemovesSpacesTabsAndNewlinesAtBothEnds) {
  EXPECT_EQ(Trim("  \t hello world \r\n"), "hello world");
  EXPECT_EQ(Trim("x"), "x");
  EXPECT_EQ(Trim("inner  space"), "inner  space");
}

TEST(TrimTest, AllWhitespaceOrEmptyGivesEmpty) {
  EXPECT_EQ(Trim(" \t\r\n "), "");
  EXPECT_EQ(Trim(""), "");
}

TEST(StartsWithTest, MatchesPrefixesOnly) {
  EXPECT_TRUE(StartsWith("test_data_set_0", "test_data_set_"));
  EXPECT_TRUE(StartsWith("abc", ""));
  EXPECT_TRUE(StartsWith("abc", "abc"));
  EXPECT_FALSE(StartsWith("abc", "abcd"));
  EXPECT_FALSE(StartsWith("abc", "b"));
  EXPECT_FALSE(StartsWith("", "a"));
}

TEST(EndsWithTest, MatchesSuffixesOnly) {
  EXPECT_TRUE(EndsWith("input_0.pb", ".pb"));
  EXPECT_TRUE(EndsWith("abc", ""));
  EXPECT_TRUE(EndsWith("abc", "abc"));
  EXPECT_FALSE(EndsWith("abc", "zabc"));
  EXPECT_FALSE(EndsWith("abc", "b"));
  EXPECT_FALSE(EndsWith("", "a"));
}

TEST(JoinStringsTest, PutsSeparatorBetweenParts) {
  EXPECT_EQ(JoinStrings({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(JoinStrings({"only"}, ", "), "only");
  EXPECT_EQ(JoinStrings({}, ", "), "");
  EXPECT_EQ(JoinStrings({"", ""}, "|"), "|");
}

TEST(JoinStringsTest, InvertsSplitString) {
  std::string text = "x,,y,z,";
  EXPECT_EQ(JoinStrings(SplitString(text, ','), ","), text);
}

// ---- Formatting --------------------------------------------------------------------------------

TEST(FormatDoubleTest, UsesSignificantDigits) {
  EXPECT_EQ(FormatDouble(0.123), "0.123");
  EXPECT_EQ(FormatDouble(1e-5), "1e-05");
  EXPECT_EQ(FormatDouble(2.0), "2");
  EXPECT_EQ(FormatDouble(3.14159265358979), "3.14159");
  EXPECT_EQ(FormatDouble(3.14159265358979, 3), "3.14");
  EXPECT_EQ(FormatDouble(-1.5), "-1.5");
}

TEST(FormatDurationNsTest, PicksMicrosecondsMillisecondsOrSeconds) {
  EXPECT_EQ(FormatDurationNs(850'000), "850 us");
  EXPECT_EQ(FormatDurationNs(35'000'000), "35 ms");
  EXPECT_EQ(FormatDurationNs(1'200'000'000), "1.2 s");
  EXPECT_EQ(FormatDurationNs(1'234), "1.23 us");
  EXPECT_EQ(FormatDurationNs(0), "0 us");
  EXPECT_EQ(FormatDurationNs(1'000'000), "1 ms");
  EXPECT_EQ(FormatDurationNs(1'000'000'000), "1 s");
  EXPECT_EQ(FormatDurationNs(12'345'678), "12.3 ms");
}

// Regression: values that round up to 1000 of a unit printed as "1e+03 ms"; long runs printed in
// exponent notation ("1.23e+04 s").
TEST(FormatDurationNsTest, NeverUsesExponentNotation) {
  EXPECT_EQ(FormatDurationNs(999'999), "1 ms");
  EXPECT_EQ(FormatDurationNs(999'999'999), "1 s");
  EXPECT_EQ(FormatDurationNs(999'400'000), "999 ms");
  EXPECT_EQ(FormatDurationNs(int64_t{12'345} * 1'000'000'000), "12345 s");
  EXPECT_EQ(FormatDurationNs(int64_t{999'600'000'000}), "1000 s");
  for (int64_t ns = 1; ns < int64_t{1} << 50; ns = ns * 3 + 1) {
    EXPECT_EQ(FormatDurationNs(ns).find('e'), std::string::npos) << ns;
  }
}

// ---- Parsing -----------------------------------------------------------------------------------

TEST(ParseDoubleTest, AcceptsNumbersWithSurroundingWhitespace) {
  auto value = ParseDouble(" 2.5 ", "rtol");
  ASSERT_TRUE(value.ok()) << value.error().message();
  EXPECT_EQ(*value, 2.5);
  EXPECT_EQ(ParseDouble("1e-3", "atol").value(), 1e-3);
  EXPECT_EQ(ParseDouble("-7", "x").value(), -7.0);
  EXPECT_EQ(ParseDouble("0", "x").value(), 0.0);
}

TEST(ParseDoubleTest, RejectsEmptyTrailingGarbageAndNonFinite) {
  for (const char* text :
       {"", "   ", "1x", "2.5.1", "nan", "NaN", "inf", "-inf", "infinity", "1e400", "abc", "1 2"}) {
    EXPECT_FALSE(ParseDouble(text, "rtol").ok()) << "'" << text << "'";
  }
}

TEST(ParseDoubleTest, ErrorNamesWhatAndQuotesTheText) {
  auto value = ParseDouble("1x", "tolerance rtol");
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.error().message().find("tolerance rtol"), std::string::npos)
      << value.error().message();
  EXPECT_NE(value.error().message().find("'1x'"), std::string::npos) << value.error().message();
}

TEST(ParseIntTest, AcceptsIntegersWithSurroundingWhitespace) {
  EXPECT_EQ(ParseInt(" 42 ", "count").value(), 42);
  EXPECT_EQ(ParseInt("-3", "count").value(), -3);
  EXPECT_EQ(ParseInt("9223372036854775807", "count").value(), INT64_MAX);
}

TEST(ParseIntTest, RejectsEmptyGarbageFractionsAndOverflow) {
  for (const char* text :
       {"", "  ", "1x", "x1", "2.5", "1e3", "nan", "inf", "0x10", "9223372036854775808", "1 2"}) {
    EXPECT_FALSE(ParseInt(text, "count").ok()) << "'" << text << "'";
  }
}

TEST(ParseIntTest, ErrorNamesWhatAndQuotesTheText) {
  auto value = ParseInt("12abc", "--jobs");
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.error().message().find("--jobs"), std::string::npos) << value.error().message();
  EXPECT_NE(value.error().message().find("'12abc'"), std::string::npos) << value.error().message();
}

// ---- Clock and memory --------------------------------------------------------------------------

TEST(SystemClockTest, IsMonotonicAndAdvances) {
  const Clock& clock = SystemClock();
  int64_t previous = clock.NowNs();
  for (int sample_idx = 0; sample_idx < 1000; ++sample_idx) {
    int64_t now = clock.NowNs();
    ASSERT_GE(now, previous);
    previous = now;
  }
  int64_t before = clock.NowNs();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(clock.NowNs() - before, 20'000'000);
  EXPECT_EQ(&SystemClock(), &clock);
}

TEST(PeakRssBytesTest, IsPositiveAndGrowsWithTouchedMemory) {
  uint64_t before = PeakRssBytes();
  EXPECT_GT(before, 0u);
  EXPECT_EQ(before % 1024, 0u);  // reported by the kernel in KiB
  // Touch 64 MiB more than the current peak; the peak must rise by most of it.
  std::vector<char> block(64u << 20);
  for (size_t byte_idx = 0; byte_idx < block.size(); byte_idx += 4096) block[byte_idx] = 1;
  uint64_t after = PeakRssBytes();
  EXPECT_GE(after, before + (48u << 20));
  EXPECT_EQ(block[4096], 1);
}

TEST(FormatNumberTest, FixedNotationForPeople) {
  EXPECT_EQ(FormatNumber(1930.4999), "1930.5");
  EXPECT_EQ(FormatNumber(98.333333), "98.33");
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(12.0), "12");
  EXPECT_EQ(FormatNumber(-0.001), "0");
  EXPECT_EQ(FormatNumber(1e20, 0), "100000000000000000000");
  EXPECT_EQ(FormatNumber(std::nan("")), "nan");
  EXPECT_EQ(FormatNumber(-INFINITY), "-inf");
}

TEST(PluralTest, CountsAndIrregularNouns) {
  EXPECT_EQ(Plural(1, "model"), "1 model");
  EXPECT_EQ(Plural(0, "model"), "0 models");
  EXPECT_EQ(Plural(2, "entry", "entries"), "2 entries");
  EXPECT_EQ(Plural(1, "entry", "entries"), "1 entry");
}

}  // namespace
}  // namespace zooci
