// Elementwise operators and casts against hand-computed values.
#include "reference/test_util.h"

namespace zooci::reference::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ElementwiseTest, AddBroadcastsARowAcrossAMatrix) {
  NodeModel add("Add", 14);
  add.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).FloatInput({3}, {10, 20, 30});
  std::vector<int64_t> shape;
  EXPECT_THAT(add.Values(0, &shape), ElementsAre(11, 22, 33, 14, 25, 36));
  EXPECT_THAT(shape, ElementsAre(2, 3));
}

TEST(ElementwiseTest, BroadcastingGrowsBothOperands) {
  // [2, 1] - [1, 3] -> [2, 3]
  NodeModel sub("Sub", 14);
  sub.FloatInput({2, 1}, {10, 20}).FloatInput({1, 3}, {1, 2, 3});
  std::vector<int64_t> shape;
  EXPECT_THAT(sub.Values(0, &shape), ElementsAre(9, 8, 7, 19, 18, 17));
  EXPECT_THAT(shape, ElementsAre(2, 3));
}

TEST(ElementwiseTest, IncompatibleShapesAreAnErrorNamingThem) {
  NodeModel mul("Mul", 14);
  mul.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).FloatInput({2}, {1, 2});
  EXPECT_THAT(mul.ErrorOf(), HasSubstr("shapes [2,3] and [2] cannot be broadcast together"));
}

// Opset 6: B's shape is a run of A's dims starting at `axis` (here the channel of [1, 2, 2]).
TEST(ElementwiseTest, LegacyBroadcastUsesTheAxisAttribute) {
  NodeModel add("Add", 6);
  add.FloatInput({1, 2, 2}, {1, 2, 3, 4}).FloatInput({2}, {10, 20});
  add.Attr("broadcast", int64_t{1}).Attr("axis", int64_t{1});
  EXPECT_THAT(add.Values(), ElementsAre(11, 12, 23, 24));
}

TEST(ElementwiseTest, IntegerDivisionTruncatesTowardZero) {
  NodeModel div("Div", 14);
  div.IntInput({4}, {7, -7, 7, -7}).IntInput({4}, {2, 2, -2, -2});
  EXPECT_THAT(div.Values(), ElementsAre(3, -3, -3, 3));
}

TEST(ElementwiseTest, ModFollowsTheDivisorUnlessFmod) {
  NodeModel python_style("Mod", 13);
  python_style.IntInput({4}, {7, -7, 7, -7}).IntInput({4}, {3, 3, -3, -3});
  EXPECT_THAT(python_style.Values(), ElementsAre(1, 2, -2, -1));
  NodeModel c_style("Mod", 13);
  c_style.FloatInput({4}, {7, -7, 7, -7}).FloatInput({4}, {3, 3, -3, -3}).Attr("fmod", int64_t{1});
  EXPECT_THAT(c_style.Values(), ElementsAre(1, -1, 1, -1));
}

TEST(ElementwiseTest, FloatResultsAreRoundedToFloat32) {
  NodeModel div("Div", 14);
  div.FloatInput({1}, {1}).FloatInput({1}, {3});
  EXPECT_THAT(div.Values(), ElementsAre(static_cast<double>(1.0f / 3.0f)));
  NodeModel exact("Div", 14);
  exact.Input(ElemType::kDouble, {1}, {1}).Input(ElemType::kDouble, {1}, {3});
  EXPECT_THAT(exact.Values(), ElementsAre(1.0 / 3.0));
}

TEST(ElementwiseTest, ComparisonsGiveBooleans) {
  NodeModel less("Less", 13);
  less.FloatInput({3}, {1, 2, 3}).FloatInput({}, {2});
  EXPECT_THAT(less.Values(), ElementsAre(1, 0, 0));
  NodeModel greater_equal("GreaterOrEqual", 16);
  greater_equal.FloatInput({3}, {1, 2, 3}).FloatInput({}, {2});
  EXPECT_THAT(greater_equal.Values(), ElementsAre(0, 1, 1));
}

TEST(ElementwiseTest, WhereBroadcastsAllThreeInputs) {
  NodeModel where("Where", 16);
  where.Input(ElemType::kBool, {2, 1}, {1, 0}).FloatInput({2}, {1, 2}).FloatInput({}, {9});
  EXPECT_THAT(where.Values(), ElementsAre(1, 2, 9, 9));
}

TEST(ElementwiseTest, VariadicMaxAndMeanBroadcast) {
  NodeModel max("Max", 13);
  max.FloatInput({2}, {1, 5}).FloatInput({}, {3}).FloatInput({2, 1}, {0, 4});
  EXPECT_THAT(max.Values(), ElementsAre(3, 5, 4, 5));
  NodeModel mean("Mean", 13);
  mean.FloatInput({2}, {1, 5}).FloatInput({2}, {3, 7});
  EXPECT_THAT(mean.Values(), ElementsAre(2, 6));
}

TEST(ElementwiseTest, BitShiftAndUint8Wraparound) {
  NodeModel shift("BitShift", 11);
  shift.Input(ElemType::kUint8, {3}, {1, 64, 255}).Input(ElemType::kUint8, {3}, {3, 2, 1});
  shift.Attr("direction", std::string("LEFT"));
  EXPECT_THAT(shift.Values(), ElementsAre(8, 0, 254));  // 256 and 510 wrap modulo 256
}

TEST(MathTest, RoundHalvesToEven) {
  NodeModel round("Round", 11);
  round.FloatInput({5}, {0.5, 1.5, 2.5, -0.5, -1.5});
  EXPECT_THAT(round.Values(), ElementsAre(0, 2, 2, -0, -2));
}

TEST(MathTest, CastToFloat16RoundsToNearestEven) {
  // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties go to the even 1.
  // 70000 is beyond float16's 65504: infinity.
  NodeModel cast("Cast", 13);
  cast.Input(ElemType::kDouble, {3}, {1.0 + 1.0 / 2048, 1.0 + 3.0 / 2048, 70000})
      .Attr("to", int64_t{10});
  EXPECT_THAT(cast.Values(), ElementsAre(1.0, 1.0 + 2.0 / 1024, INFINITY));
}

TEST(MathTest, CastBetweenStringsAndFloats) {
  NodeModel to_string("Cast", 13);
  to_string.FloatInput({3}, {0.5, -2, NAN}).Attr("to", int64_t{8});
  Result<std::vector<Value>> strings = to_string.Run();
  ASSERT_TRUE(strings.ok()) << strings.error().message();
  EXPECT_THAT((*strings)[0].tensor.strings, ElementsAre("0.5", "-2", "NaN"));

  NodeModel from_string("Cast", 13);
  from_string.StringInput({3}, {"1.25", "-INF", "+INF"}).Attr("to", int64_t{1});
  EXPECT_THAT(from_string.Values(), ElementsAre(1.25, -INFINITY, INFINITY));
}

TEST(QuantizationTest, QuantizeAndDequantizeWithAScalarScale) {
  NodeModel quantize("QuantizeLinear", 13);  // a 1-D input: no axis is needed for a scalar scale
  quantize.FloatInput({4}, {0, 1, 2.5, 1000})
      .FloatInput({}, {2})
      .Input(ElemType::kUint8, {}, {128});
  EXPECT_THAT(quantize.Values(), ElementsAre(128, 128, 129, 255));  // 0.5 rounds to even; saturates
  NodeModel dequantize("DequantizeLinear", 13);
  dequantize.Input(ElemType::kInt8, {2}, {-3, 5})
      .FloatInput({}, {0.5})
      .Input(ElemType::kInt8, {}, {1});
  EXPECT_THAT(dequantize.Values(), ElementsAre(-2, 2));
}

TEST(QuantizationTest, PerAxisScalesMatchTheAxis) {
  NodeModel per_axis("DequantizeLinear", 13);
  per_axis.Input(ElemType::kInt8, {2, 2}, {1, 2, 3, 4})
      .FloatInput({2}, {1, 0.5})
      .Input(ElemType::kInt8, {2}, {0, 2})
      .Attr("axis", int64_t{0});
  EXPECT_THAT(per_axis.Values(), ElementsAre(1, 2, 0.5, 1));
  NodeModel mismatched("DequantizeLinear", 13);  // axis 1 (the default) has 1 element, not 2
  mismatched.Input(ElemType::kInt8, {2, 1}, {1, 2}).FloatInput({2}, {1, 0.5});
  EXPECT_THAT(mismatched.ErrorOf(), HasSubstr("does not match axis 1"));
}

TEST(MathTest, CastOfFloatToIntTruncates) {
  NodeModel cast("Cast", 13);
  cast.FloatInput({3}, {2.7, -2.7, 300}).Attr("to", int64_t{3});  // int8
  EXPECT_THAT(cast.Values(), ElementsAre(2, -2, 44));             // 300 wraps to 44
}

}  // namespace
}  // namespace zooci::reference::testing
