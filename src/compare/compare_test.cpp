#include "compare/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <limits>

namespace zooci {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Values are built field by field (not via the decoder) so these tests depend only on compare.

template <typename T>
Value MakeTensor(ElemType type, std::vector<int64_t> shape, const std::vector<T>& elements) {
  Value value;
  value.kind = ValueKind::kTensor;
  value.tensor.elem_type = type;
  value.tensor.shape = std::move(shape);
  value.tensor.data.resize(elements.size() * sizeof(T));
  if (!elements.empty()) {
    std::memcpy(value.tensor.data.data(), elements.data(), value.tensor.data.size());
  }
  return value;
}

Value Floats(std::vector<int64_t> shape, const std::vector<float>& elements) {
  return MakeTensor(ElemType::kFloat, std::move(shape), elements);
}
Value Doubles(std::vector<int64_t> shape, const std::vector<double>& elements) {
  return MakeTensor(ElemType::kDouble, std::move(shape), elements);
}
Value Int64s(std::vector<int64_t> shape, const std::vector<int64_t>& elements) {
  return MakeTensor(ElemType::kInt64, std::move(shape), elements);
}
Value Bools(std::vector<int64_t> shape, const std::vector<bool>& elements) {
  return MakeTensor(ElemType::kBool, std::move(shape),
                    std::vector<uint8_t>(elements.begin(), elements.end()));
}
Value Float16s(std::vector<int64_t> shape, const std::vector<uint16_t>& bits) {
  return MakeTensor(ElemType::kFloat16, std::move(shape), bits);
}
Value Bfloat16s(std::vector<int64_t> shape, const std::vector<uint16_t>& bits) {
  return MakeTensor(ElemType::kBfloat16, std::move(shape), bits);
}
Value Complex64s(std::vector<int64_t> shape, const std::vector<std::complex<float>>& elements) {
  return MakeTensor(ElemType::kComplex64, std::move(shape), elements);
}
Value Strings(std::vector<int64_t> shape, std::vector<std::string> elements) {
  Value value;
  value.kind = ValueKind::kTensor;
  value.tensor.elem_type = ElemType::kString;
  value.tensor.shape = std::move(shape);
  value.tensor.strings = std::move(elements);
  return value;
}
Value Sequence(std::vector<Value> elements) {
  Value value;
  value.kind = ValueKind::kSequence;
  value.elements = std::move(elements);
  return value;
}
Value Optional(std::optional<Value> contained) {
  Value value;
  value.kind = ValueKind::kOptional;
  if (contained) value.elements.push_back(std::move(*contained));
  return value;
}

OutputComparison Compare(const Value& expected, const Value& actual, Tolerance tolerance = {}) {
  return CompareValues("y", expected, actual, tolerance);
}

// How CompareValues decodes and prints a float16 / bfloat16 element with bit pattern `bits`
// (which must not be NaN): {its magnitude (distance from zero), its text}.
std::pair<double, std::string> DecodeHalfBits(ElemType type, uint16_t bits) {
  const auto tensor = [type](uint16_t element_bits) {
    return MakeTensor<uint16_t>(type, {1}, {element_bits});
  };
  const OutputComparison vs_zero = Compare(tensor(bits), tensor(0x0000), Tolerance{0, 0});
  const OutputComparison vs_nan =
      Compare(tensor(bits), tensor(type == ElemType::kFloat16 ? 0x7E00 : 0x7FC0));
  return {vs_zero.max_abs_error, vs_nan.first_mismatch ? vs_nan.first_mismatch->expected : "?"};
}

// ---- Floating point and tolerance ---------------------------------------------------------------

TEST(CompareTest, IdenticalFloatTensorsPass) {
  const Value value = Floats({2, 3}, {1, 2, 3, 4, 5, 6});
  const OutputComparison result = Compare(value, value);
  EXPECT_TRUE(result.passed);
  EXPECT_TRUE(result.structure_error.empty());
  EXPECT_EQ(result.elements, 6);
  EXPECT_EQ(result.mismatches, 0);
  EXPECT_EQ(result.max_abs_error, 0);
  EXPECT_FALSE(result.first_mismatch.has_value());
  EXPECT_EQ(result.expected_type, "float[2,3]");
  EXPECT_EQ(result.Summary(), "output 'y': 6 elements match (max abs err 0)");
}

TEST(CompareTest, ElementJustBeyondToleranceFailsWithIndexAndValues) {
  // Allowed deviation at 1.5 is 0.25 + 0.5 * 1.5 = 1.0; the next float above 2.5 is just beyond.
  const Tolerance tolerance{0.5, 0.25};
  const float just_beyond = std::nextafter(2.5f, 3.0f);
  const OutputComparison result = Compare(Floats({2, 3}, {0, 0, 0, 0, 0, 1.5}),
                                          Floats({2, 3}, {0, 0, 0, 0, 0, just_beyond}), tolerance);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.mismatches, 1);
  ASSERT_TRUE(result.first_mismatch.has_value());
  EXPECT_EQ(result.first_mismatch->index, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(result.first_mismatch->flat_index, 5);
  EXPECT_EQ(result.first_mismatch->path, "");
  EXPECT_EQ(result.first_mismatch->expected, "1.5");
  EXPECT_EQ(result.first_mismatch->actual, "2.5000002");
  EXPECT_EQ(result.tolerance.rtol, 0.5);
  EXPECT_EQ(result.Summary(),
            "output 'y': 1 of 6 elements differ (max abs err 1, max rel err 0.666667, rtol 0.5, "
            "atol 0.25); first at [1,2]: expected 1.5, got 2.5000002");
}

TEST(CompareTest, DeviationExactlyAtToleranceBoundaryPasses) {
  // |1 - 1.5| == 0.25 + 0.25 * |1|, all exactly representable.
  const OutputComparison result =
      Compare(Floats({2}, {1, -1}), Floats({2}, {1.5, -1.5}), Tolerance{0.25, 0.25});
  EXPECT_TRUE(result.passed);
  EXPECT_EQ(result.max_abs_error, 0.5);
}

TEST(CompareTest, DeviationJustWithinTolerancePasses) {
  // Allowed deviation at 1.5 is 1.0: the doubles either side of 2.5 fall either side of it.
  const Tolerance tolerance{0.5, 0.25};
  EXPECT_TRUE(
      Compare(Doubles({1}, {1.5}), Doubles({1}, {std::nextafter(2.5, 0.0)}), tolerance).passed);
  EXPECT_FALSE(
      Compare(Doubles({1}, {1.5}), Doubles({1}, {std::nextafter(2.5, 3.0)}), tolerance).passed);
  EXPECT_TRUE(
      Compare(Floats({1}, {1.5}), Floats({1}, {std::nextafter(2.5f, 0.0f)}), tolerance).passed);
}

TEST(CompareTest, AbsoluteToleranceAloneAppliesNearZero) {
  const Tolerance atol_only{0, 1e-3};
  EXPECT_TRUE(Compare(Doubles({1}, {0}), Doubles({1}, {9e-4}), atol_only).passed);
  EXPECT_FALSE(Compare(Doubles({1}, {0}), Doubles({1}, {1.1e-3}), atol_only).passed);
  // Without rtol, atol does not scale with the magnitude.
  EXPECT_FALSE(Compare(Doubles({1}, {1000}), Doubles({1}, {1000.01}), atol_only).passed);
}

TEST(CompareTest, RelativeToleranceAloneScalesWithExpected) {
  const Tolerance rtol_only{1e-2, 0};
  EXPECT_TRUE(Compare(Doubles({1}, {1000}), Doubles({1}, {1009}), rtol_only).passed);
  EXPECT_FALSE(Compare(Doubles({1}, {1000}), Doubles({1}, {1011}), rtol_only).passed);
  // Zero expects exactly zero when atol is 0.
  EXPECT_FALSE(Compare(Doubles({1}, {0}), Doubles({1}, {1e-300}), rtol_only).passed);
}

TEST(CompareTest, NaNMatchesOnlyNaN) {
  EXPECT_TRUE(Compare(Floats({1}, {NAN}), Floats({1}, {NAN})).passed);
  const OutputComparison nan_vs_number = Compare(Floats({1}, {NAN}), Floats({1}, {1}));
  EXPECT_FALSE(nan_vs_number.passed);
  EXPECT_EQ(nan_vs_number.first_mismatch->expected, "nan");
  EXPECT_EQ(nan_vs_number.first_mismatch->actual, "1");
  EXPECT_FALSE(Compare(Doubles({1}, {1}), Doubles({1}, {kNaN})).passed);
}

TEST(CompareTest, InfinityMatchesOnlySameSignedInfinity) {
  EXPECT_TRUE(Compare(Doubles({1}, {kInf}), Doubles({1}, {kInf})).passed);
  EXPECT_TRUE(Compare(Doubles({1}, {-kInf}), Doubles({1}, {-kInf})).passed);
  const OutputComparison opposite = Compare(Doubles({1}, {kInf}), Doubles({1}, {-kInf}));
  EXPECT_FALSE(opposite.passed);
  EXPECT_EQ(opposite.first_mismatch->expected, "inf");
  EXPECT_EQ(opposite.first_mismatch->actual, "-inf");
}

TEST(CompareTest, InfinityNeverMatchesLargeFiniteValue) {
  const Tolerance loose{1, 1e300};
  EXPECT_FALSE(Compare(Doubles({1}, {kInf}), Doubles({1}, {1.7e308}), loose).passed);
  EXPECT_FALSE(Compare(Doubles({1}, {1.7e308}), Doubles({1}, {kInf}), loose).passed);
  EXPECT_FALSE(Compare(Floats({1}, {3.4e38f}), Floats({1}, {INFINITY}), loose).passed);
}

TEST(CompareTest, NonFinitePairsDoNotAffectErrorMaxima) {
  const OutputComparison result = Compare(Doubles({3}, {kNaN, kInf, 2}), Doubles({3}, {1, 5, 2.5}));
  EXPECT_EQ(result.mismatches, 3);
  EXPECT_EQ(result.max_abs_error, 0.5);
  EXPECT_EQ(result.max_rel_error, 0.25);
}

TEST(CompareTest, MaxErrorsAreTakenOverAllElements) {
  // Absolute errors 0.5, 0.25, 1, 1; relative errors 0.125, 0.0625, (none: expected 0), 0.0625.
  const OutputComparison result =
      Compare(Doubles({4}, {4, -4, 0, 16}), Doubles({4}, {4.5, -4.25, 1, 15}), Tolerance{0, 0});
  EXPECT_EQ(result.elements, 4);
  EXPECT_EQ(result.mismatches, 4);
  EXPECT_EQ(result.max_abs_error, 1.0);
  EXPECT_EQ(result.max_rel_error, 0.125);
}

TEST(CompareTest, MaxErrorsAreReportedForPassingComparison) {
  const OutputComparison result =
      Compare(Doubles({2}, {2, 8}), Doubles({2}, {2.001, 8.002}), Tolerance{1e-3, 0});
  EXPECT_TRUE(result.passed);
  EXPECT_NEAR(result.max_abs_error, 0.002, 1e-12);
  EXPECT_NEAR(result.max_rel_error, 0.0005, 1e-12);
  EXPECT_EQ(result.Summary(), "output 'y': 2 elements match (max abs err 0.002)");
}

TEST(CompareTest, DoubleValuesAreFormattedWithFullPrecision) {
  const OutputComparison result =
      Compare(Doubles({1}, {0.1 + 0.2}), Doubles({1}, {0.3}), Tolerance{0, 0});
  ASSERT_TRUE(result.first_mismatch.has_value());
  EXPECT_EQ(result.first_mismatch->expected, "0.30000000000000004");
  EXPECT_EQ(result.first_mismatch->actual, "0.3");
}

TEST(CompareTest, AdjacentFloatValuesFormatDifferently) {
  const float one_ulp_up = std::nextafter(1.0f, 2.0f);
  const OutputComparison result = Compare(Floats({1}, {1.0f}), Floats({1}, {one_ulp_up}), {0, 0});
  ASSERT_TRUE(result.first_mismatch.has_value());
  EXPECT_EQ(result.first_mismatch->expected, "1");
  EXPECT_EQ(result.first_mismatch->actual, "1.0000001");
}

TEST(CompareTest, Float16BitPatternsDecode) {
  using Decoded = std::pair<double, std::string>;
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x3C00), (Decoded{1.0, "1"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x3C01),
            (Decoded{1.0 + std::ldexp(1.0, -10), "1.0009766"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0xC000), (Decoded{2.0, "-2"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x7BFF), (Decoded{65504.0, "65504"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x0400),
            (Decoded{std::ldexp(1.0, -14), "6.1035156e-05"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x8000), (Decoded{0.0, "-0"}));
}

TEST(CompareTest, Float16SubnormalsDecodeExactly) {
  using Decoded = std::pair<double, std::string>;
  // Smallest subnormal 2^-24 (about 5.96e-8) and largest subnormal 1023 * 2^-24.
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x0001),
            (Decoded{std::ldexp(1.0, -24), "5.9604645e-08"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x03FF).first, std::ldexp(1023.0, -24));
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x8001).first, std::ldexp(1.0, -24));
  const OutputComparison subnormals =
      Compare(Float16s({1}, {0x0001}), Float16s({1}, {0x0003}), Tolerance{0, 0});
  EXPECT_EQ(subnormals.max_abs_error, std::ldexp(1.0, -23));
  EXPECT_EQ(subnormals.max_rel_error, 2.0);
}

TEST(CompareTest, Float16InfinityAndNaN) {
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0x7C00).second, "inf");
  EXPECT_EQ(DecodeHalfBits(ElemType::kFloat16, 0xFC00).second, "-inf");
  EXPECT_TRUE(Compare(Float16s({1}, {0x7C00}), Float16s({1}, {0x7C00})).passed);
  EXPECT_FALSE(Compare(Float16s({1}, {0x7C00}), Float16s({1}, {0xFC00})).passed);
  EXPECT_FALSE(Compare(Float16s({1}, {0x7C00}), Float16s({1}, {0x7BFF}), Tolerance{1, 1}).passed);
  // Any NaN payload or sign matches any other NaN.
  EXPECT_TRUE(Compare(Float16s({1}, {0x7E00}), Float16s({1}, {0xFE01})).passed);
  EXPECT_FALSE(Compare(Float16s({1}, {0x7E00}), Float16s({1}, {0x3C00})).passed);
}

TEST(CompareTest, Bfloat16BitPatternsDecode) {
  using Decoded = std::pair<double, std::string>;
  EXPECT_EQ(DecodeHalfBits(ElemType::kBfloat16, 0x3F80), (Decoded{1.0, "1"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kBfloat16, 0x3F81), (Decoded{1.0078125, "1.0078125"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kBfloat16, 0xC040), (Decoded{3.0, "-3"}));
  EXPECT_EQ(DecodeHalfBits(ElemType::kBfloat16, 0x7F80).second, "inf");
  EXPECT_TRUE(Compare(Bfloat16s({1}, {0x3F80}), Bfloat16s({1}, {0x3F81}), {1e-2, 0}).passed);
  EXPECT_FALSE(Compare(Bfloat16s({1}, {0x3F80}), Bfloat16s({1}, {0x3F81}), {1e-3, 0}).passed);
  EXPECT_TRUE(Compare(Bfloat16s({2}, {0x7F80, 0x7FC0}), Bfloat16s({2}, {0x7F80, 0x7FC1})).passed);
  EXPECT_FALSE(Compare(Bfloat16s({1}, {0x7F80}), Bfloat16s({1}, {0xFF80})).passed);
}

TEST(CompareTest, Complex64MismatchInImaginaryPartAlone) {
  const OutputComparison result =
      Compare(Complex64s({2}, {{1, 2}, {3, 4}}), Complex64s({2}, {{1, 2}, {3, 4.5f}}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.elements, 2);
  EXPECT_EQ(result.mismatches, 1);
  EXPECT_EQ(result.max_abs_error, 0.5);
  EXPECT_EQ(result.max_rel_error, 0.125);
  ASSERT_TRUE(result.first_mismatch.has_value());
  EXPECT_EQ(result.first_mismatch->index, (std::vector<int64_t>{1}));
  EXPECT_EQ(result.first_mismatch->expected, "(3,4)");
  EXPECT_EQ(result.first_mismatch->actual, "(3,4.5)");
}

TEST(CompareTest, Complex64MismatchInRealPartAlone) {
  const OutputComparison result = Compare(Complex64s({1}, {{1, 2}}), Complex64s({1}, {{1.5f, 2}}));
  EXPECT_EQ(result.mismatches, 1);
  EXPECT_EQ(result.first_mismatch->actual, "(1.5,2)");
}

TEST(CompareTest, Complex64MismatchInBothPartsCountsOnce) {
  const OutputComparison result = Compare(Complex64s({1}, {{1, 2}}), Complex64s({1}, {{2, 3}}));
  EXPECT_EQ(result.elements, 1);
  EXPECT_EQ(result.mismatches, 1);
}

TEST(CompareTest, Complex128PartsCompareAsDoubles) {
  const Value expected =
      MakeTensor<std::complex<double>>(ElemType::kComplex128, {1}, {{0.1, -kInf}});
  EXPECT_TRUE(Compare(expected, expected, Tolerance{0, 0}).passed);
  const OutputComparison result =
      Compare(expected,
              MakeTensor<std::complex<double>>(ElemType::kComplex128, {1},
                                               {{std::nextafter(0.1, 1.0), -kInf}}),
              Tolerance{0, 0});
  EXPECT_EQ(result.mismatches, 1);
  EXPECT_EQ(result.first_mismatch->expected, "(0.1,-inf)");
  EXPECT_EQ(result.first_mismatch->actual, "(0.10000000000000002,-inf)");
}

// ---- Exact types -------------------------------------------------------------------------------

TEST(CompareTest, Int64OffByOneFails) {
  const OutputComparison result =
      Compare(Int64s({2, 2}, {1, 2, 3, 4}), Int64s({2, 2}, {1, 2, 3, 5}), {1, 1});
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.mismatches, 1);
  EXPECT_EQ(result.max_abs_error, 0);
  EXPECT_EQ(result.first_mismatch->index, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(result.first_mismatch->expected, "4");
  EXPECT_EQ(result.first_mismatch->actual, "5");
  EXPECT_EQ(result.Summary(),
            "output 'y': 1 of 4 elements differ; first at [1,1]: expected 4, got 5");
}

TEST(CompareTest, Int64ExtremesFormatAsDecimal) {
  const int64_t min = std::numeric_limits<int64_t>::min();
  const OutputComparison result = Compare(Int64s({1}, {min}), Int64s({1}, {min + 1}));
  EXPECT_EQ(result.first_mismatch->expected, "-9223372036854775808");
  EXPECT_EQ(result.first_mismatch->actual, "-9223372036854775807");
}

TEST(CompareTest, BoolsCompareExactlyAndFormatAsWords) {
  EXPECT_TRUE(Compare(Bools({3}, {true, false, true}), Bools({3}, {true, false, true})).passed);
  const OutputComparison result =
      Compare(Bools({3}, {true, false, true}), Bools({3}, {true, true, true}));
  EXPECT_EQ(result.mismatches, 1);
  EXPECT_EQ(result.first_mismatch->expected, "false");
  EXPECT_EQ(result.first_mismatch->actual, "true");
}

TEST(CompareTest, Uint8FormatsAsNumberNotCharacter) {
  const OutputComparison result = Compare(MakeTensor<uint8_t>(ElemType::kUint8, {1}, {65}),
                                          MakeTensor<uint8_t>(ElemType::kUint8, {1}, {200}));
  EXPECT_EQ(result.first_mismatch->expected, "65");
  EXPECT_EQ(result.first_mismatch->actual, "200");
}

TEST(CompareTest, Float8ComparesRawBytes) {
  const Tolerance loose{1, 1};
  const OutputComparison result =
      Compare(MakeTensor<uint8_t>(ElemType::kFloat8E4M3FN, {2}, {0x38, 0x40}),
              MakeTensor<uint8_t>(ElemType::kFloat8E4M3FN, {2}, {0x38, 0x41}), loose);
  EXPECT_EQ(result.mismatches, 1);
  EXPECT_EQ(result.first_mismatch->expected, "0x40");
  EXPECT_EQ(result.first_mismatch->actual, "0x41");
}

TEST(CompareTest, Int4ComparesNibblesAndIgnoresPadding) {
  // Elements {1, -1, 7}: low nibble first, the high nibble of the last byte is padding.
  const Value expected = MakeTensor<uint8_t>(ElemType::kInt4, {3}, {0xF1, 0x07});
  EXPECT_TRUE(Compare(expected, MakeTensor<uint8_t>(ElemType::kInt4, {3}, {0xF1, 0x57})).passed);
  const OutputComparison result =
      Compare(expected, MakeTensor<uint8_t>(ElemType::kInt4, {3}, {0xE1, 0x07}));
  EXPECT_EQ(result.elements, 3);
  EXPECT_EQ(result.mismatches, 1);
  EXPECT_EQ(result.first_mismatch->flat_index, 1);
  EXPECT_EQ(result.first_mismatch->expected, "-1");
  EXPECT_EQ(result.first_mismatch->actual, "-2");
}

TEST(CompareTest, StringsCompareExactlyAndAreQuoted) {
  EXPECT_TRUE(Compare(Strings({2}, {"cat", "dog"}), Strings({2}, {"cat", "dog"})).passed);
  const OutputComparison result =
      Compare(Strings({2}, {"cat", "dog"}), Strings({2}, {"cat", "dog "}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.first_mismatch->expected, "\"dog\"");
  EXPECT_EQ(result.first_mismatch->actual, "\"dog \"");
  const OutputComparison escaped = Compare(Strings({1}, {"a\"b"}), Strings({1}, {"a\nb"}));
  EXPECT_EQ(escaped.first_mismatch->expected, "\"a\\\"b\"");
  EXPECT_EQ(escaped.first_mismatch->actual, "\"a\\x0ab\"");
}

// ---- Structure ---------------------------------------------------------------------------------

TEST(CompareTest, DtypeMismatchIsStructureError) {
  const OutputComparison result = Compare(Floats({2}, {1, 2}), Doubles({2}, {1, 2}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.structure_error, "dtype: expected float, got double");
  EXPECT_EQ(result.mismatches, 0);
  EXPECT_EQ(result.elements, 0);
  EXPECT_FALSE(result.first_mismatch.has_value());
  EXPECT_EQ(result.expected_type, "float[2]");
  EXPECT_EQ(result.actual_type, "double[2]");
  EXPECT_EQ(result.Summary(), "output 'y': dtype: expected float, got double");
}

TEST(CompareTest, ShapeMismatchIsStructureError) {
  const OutputComparison result =
      Compare(Floats({2, 3}, {1, 2, 3, 4, 5, 6}), Floats({3, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.structure_error, "shape: expected [2,3], got [3,2]");
}

TEST(CompareTest, KindMismatchIsStructureError) {
  const OutputComparison result = Compare(Floats({1}, {1}), Sequence({Floats({1}, {1})}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.structure_error, "kind: expected tensor, got sequence");
}

TEST(CompareTest, CorruptPayloadSizeIsStructureErrorNotCrash) {
  Value short_actual = Floats({2, 3}, {1, 2, 3, 4, 5, 6});
  short_actual.tensor.data.resize(20);
  const OutputComparison result = Compare(Floats({2, 3}, {1, 2, 3, 4, 5, 6}), short_actual);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.structure_error, "data: actual float[2,3] holds 20 bytes, needs 24");

  Value huge_shape = Floats({1}, {1});
  huge_shape.tensor.shape = {int64_t{1} << 62};
  const OutputComparison huge = Compare(huge_shape, huge_shape);
  EXPECT_FALSE(huge.passed);
  EXPECT_EQ(huge.structure_error, "data: expected float[4611686018427387904] has an invalid shape");

  Value overflowing_shape = Floats({1}, {1});
  overflowing_shape.tensor.shape = {int64_t{1} << 40, int64_t{1} << 40};
  EXPECT_EQ(Compare(overflowing_shape, overflowing_shape).structure_error,
            "data: expected float[1099511627776,1099511627776] has an invalid shape");
  Value negative_dims = Floats({1}, {1});
  negative_dims.tensor.shape = {-1, -1};
  EXPECT_EQ(Compare(negative_dims, negative_dims).structure_error,
            "data: expected float[-1,-1] has an invalid shape");

  Value few_strings = Strings({3}, {"a", "b"});
  EXPECT_EQ(Compare(few_strings, few_strings).structure_error,
            "data: expected string[3] holds 2 strings, needs 3");
  Value long_int4 = MakeTensor<uint8_t>(ElemType::kInt4, {3}, {0, 0, 0});
  EXPECT_EQ(Compare(long_int4, long_int4).structure_error,
            "data: expected int4[3] holds 3 bytes, needs 2");
}

TEST(CompareTest, UndefinedElementTypeIsStructureError) {
  Value undefined;
  undefined.tensor.shape = {1};
  EXPECT_EQ(Compare(undefined, undefined).structure_error,
            "dtype: cannot compare elements of type undefined");
}

TEST(CompareTest, ScalarMismatchHasEmptyIndex) {
  const OutputComparison result = Compare(Floats({}, {1.5f}), Floats({}, {2.5f}));
  EXPECT_EQ(result.elements, 1);
  ASSERT_TRUE(result.first_mismatch.has_value());
  EXPECT_TRUE(result.first_mismatch->index.empty());
  EXPECT_EQ(result.first_mismatch->flat_index, 0);
  EXPECT_EQ(result.Summary(),
            "output 'y': 1 of 1 elements differ (max abs err 1, max rel err 0.666667, rtol 0.001, "
            "atol 1e-05); first: expected 1.5, got 2.5");
}

TEST(CompareTest, EmptyTensorPassesWithZeroElements) {
  const OutputComparison result = Compare(Floats({0}, {}), Floats({0}, {}));
  EXPECT_TRUE(result.passed);
  EXPECT_EQ(result.elements, 0);
  EXPECT_TRUE(Compare(Floats({3, 0, 2}, {}), Floats({3, 0, 2}, {})).passed);
}

// ---- Sequences and optionals --------------------------------------------------------------------

TEST(CompareTest, SequenceLengthMismatchIsStructureError) {
  const OutputComparison result =
      Compare(Sequence({Floats({1}, {1}), Floats({1}, {2}), Floats({1}, {3})}),
              Sequence({Floats({1}, {1}), Floats({1}, {2})}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.structure_error, "sequence length: expected 3, got 2");
}

TEST(CompareTest, SequenceElementMismatchReportsPath) {
  const OutputComparison result =
      Compare(Sequence({Floats({2}, {1, 2}), Floats({2, 2}, {1, 2, 3, 4})}),
              Sequence({Floats({2}, {1, 2}), Floats({2, 2}, {1, 2, 3.5, 4})}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.elements, 6);
  EXPECT_EQ(result.mismatches, 1);
  ASSERT_TRUE(result.first_mismatch.has_value());
  EXPECT_EQ(result.first_mismatch->path, "[1]");
  EXPECT_EQ(result.first_mismatch->index, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(result.first_mismatch->flat_index, 2);
  EXPECT_EQ(result.Summary(),
            "output 'y': 1 of 6 elements differ (max abs err 0.5, max rel err 0.166667, rtol "
            "0.001, atol 1e-05); first in [1] at [1,0]: expected 3, got 3.5");
}

TEST(CompareTest, SequenceCountsAccumulateOverElements) {
  const OutputComparison result =
      Compare(Sequence({Doubles({2}, {1, 2}), Doubles({3}, {1, 2, 4})}),
              Sequence({Doubles({2}, {1.5, 2}), Doubles({3}, {1, 2, 3})}), {0, 0});
  EXPECT_EQ(result.elements, 5);
  EXPECT_EQ(result.mismatches, 2);
  EXPECT_EQ(result.max_abs_error, 1.0);
  EXPECT_EQ(result.max_rel_error, 0.5);
  EXPECT_EQ(result.first_mismatch->path, "[0]");
}

TEST(CompareTest, StructureErrorInsideSequenceNamesPath) {
  const OutputComparison result = Compare(Sequence({Floats({1}, {1}), Floats({2}, {1, 2})}),
                                          Sequence({Floats({1}, {9}), Floats({3}, {1, 2, 3})}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.structure_error, "[1]: shape: expected [2], got [3]");
  EXPECT_EQ(result.mismatches, 0);
  EXPECT_FALSE(result.first_mismatch.has_value());
}

TEST(CompareTest, NestedSequencePathHasEveryLevel) {
  const Value expected = Sequence({Sequence({}), Sequence({Int64s({1}, {1}), Int64s({1}, {2})})});
  const Value actual = Sequence({Sequence({}), Sequence({Int64s({1}, {1}), Int64s({1}, {3})})});
  EXPECT_EQ(Compare(expected, actual).first_mismatch->path, "[1][1]");
  const Value wrong_kind = Sequence({Sequence({}), Sequence({Int64s({1}, {1}), Sequence({})})});
  EXPECT_EQ(Compare(expected, wrong_kind).structure_error,
            "[1][1]: kind: expected tensor, got sequence");
}

TEST(CompareTest, EmptyOptionalsMatch) {
  const OutputComparison result = Compare(Optional(std::nullopt), Optional(std::nullopt));
  EXPECT_TRUE(result.passed);
  EXPECT_EQ(result.elements, 0);
  EXPECT_EQ(result.expected_type, "optional(none)");
}

TEST(CompareTest, OptionalPresenceMustMatch) {
  EXPECT_EQ(Compare(Optional(std::nullopt), Optional(Floats({1}, {1}))).structure_error,
            "optional: expected none, got a value");
  EXPECT_EQ(Compare(Optional(Floats({1}, {1})), Optional(std::nullopt)).structure_error,
            "optional: expected a value, got none");
}

TEST(CompareTest, OptionalValuesAreCompared) {
  EXPECT_TRUE(Compare(Optional(Floats({1}, {1})), Optional(Floats({1}, {1}))).passed);
  const OutputComparison result = Compare(Optional(Floats({1}, {1})), Optional(Floats({1}, {2})));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.first_mismatch->path, "");
  const OutputComparison in_sequence =
      Compare(Sequence({Optional(Floats({1}, {1}))}), Sequence({Optional(std::nullopt)}));
  EXPECT_EQ(in_sequence.structure_error, "[0]: optional: expected a value, got none");
}

// ---- Tolerance configuration -------------------------------------------------------------------

TEST(ToleranceConfigTest, ForReturnsOverrideOrGlobal) {
  ToleranceConfig config;
  config.global = Tolerance{1e-3, 1e-5};
  config.per_output["logits"] = Tolerance{1e-2, 1e-4};
  EXPECT_EQ(config.For("logits").rtol, 1e-2);
  EXPECT_EQ(config.For("logits").atol, 1e-4);
  EXPECT_EQ(config.For("probs").rtol, 1e-3);
  EXPECT_EQ(config.For("").atol, 1e-5);
}

TEST(ParseToleranceOverrideTest, AcceptsNameRtolAtol) {
  const auto parsed = ParseToleranceOverride("logits=1e-3,1e-5");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->first, "logits");
  EXPECT_EQ(parsed->second.rtol, 1e-3);
  EXPECT_EQ(parsed->second.atol, 1e-5);
  const auto zeros = ParseToleranceOverride("y=0,0.5");
  ASSERT_TRUE(zeros.ok());
  EXPECT_EQ(zeros->second.rtol, 0);
  EXPECT_EQ(zeros->second.atol, 0.5);
}

TEST(ParseToleranceOverrideTest, NameMayContainEqualsAndComma) {
  const auto parsed = ParseToleranceOverride("a=b,c=0.1,2");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->first, "a=b,c");
  EXPECT_EQ(parsed->second.rtol, 0.1);
  EXPECT_EQ(parsed->second.atol, 2);
}

TEST(ParseToleranceOverrideTest, RejectsMalformedInput) {
  for (const char* bad :
       {"", "y", "y1e-3,1e-5", "=1e-3,1e-5", "y=1e-3", "y=1e-3;1e-5", "y=1e-3,1e-5x",
        "y=x1e-3,1e-5", "y=,1e-5", "y=1e-3,", "y=1e-3,1e-5,1", "y= 1e-3,1e-5", "y=1e-3,1e-5 ",
        "y=-1e-3,1e-5", "y=1e-3,-1", "y=inf,1e-5", "y=1e-3,nan", "y=1e999,0", "y=+1,0"}) {
    const auto parsed = ParseToleranceOverride(bad);
    EXPECT_FALSE(parsed.ok()) << "accepted '" << bad << "'";
  }
}

TEST(ParseToleranceOverrideTest, ErrorQuotesInputAndShowsExpectedForm) {
  const auto parsed = ParseToleranceOverride("y=1e-3,1e-5x");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message(),
            "tolerance override 'y=1e-3,1e-5x': ATOL '1e-5x' is not a number (expected "
            "NAME=RTOL,ATOL, e.g. logits=1e-3,1e-5)");
  EXPECT_EQ(ParseToleranceOverride("y=1e-3").error().message(),
            "tolerance override 'y=1e-3': missing ',' between RTOL and ATOL (expected "
            "NAME=RTOL,ATOL, e.g. logits=1e-3,1e-5)");
  EXPECT_NE(ParseToleranceOverride("y=-1,0").error().message().find("RTOL '-1' is negative"),
            std::string::npos);
}

}  // namespace
}  // namespace zooci
