// Shape and data-movement operators, with their per-opset attribute/input differences.
#include <cstdint>
#include <limits>

#include "reference/test_util.h"

namespace zooci::reference::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const double kInt64Max = static_cast<double>(std::numeric_limits<int64_t>::max());

TEST(ShapeTest, ReshapeCopiesZeroDimsAndInfersMinusOne) {
  NodeModel reshape("Reshape", 14);
  reshape.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).IntInput({2}, {0, -1});
  std::vector<int64_t> shape;
  EXPECT_THAT(reshape.Values(0, &shape), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(shape, ElementsAre(2, 3));
  NodeModel wrong("Reshape", 14);
  wrong.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).IntInput({1}, {4});
  EXPECT_THAT(wrong.ErrorOf(), HasSubstr("cannot reshape float[2,3] to [4]"));
}

TEST(ShapeTest, TransposeReversesDimsByDefault) {
  NodeModel transpose("Transpose", 13);
  transpose.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_THAT(transpose.Values(), ElementsAre(1, 4, 2, 5, 3, 6));
}

TEST(ShapeTest, SqueezeAxesAreAnAttributeBeforeOpset13AndAnInputAfter) {
  NodeModel squeeze11("Squeeze", 11);
  squeeze11.FloatInput({1, 3, 1}, {1, 2, 3}).Attr("axes", std::vector<int64_t>{0});
  std::vector<int64_t> shape;
  squeeze11.Values(0, &shape);
  EXPECT_THAT(shape, ElementsAre(3, 1));
  NodeModel squeeze13("Squeeze", 13);
  squeeze13.FloatInput({1, 3, 1}, {1, 2, 3}).IntInput({1}, {-1});
  squeeze13.Values(0, &shape);
  EXPECT_THAT(shape, ElementsAre(1, 3));
  NodeModel all("Squeeze", 13);
  all.FloatInput({1, 3, 1}, {1, 2, 3});
  all.Values(0, &shape);
  EXPECT_THAT(shape, ElementsAre(3));
}

TEST(ShapeTest, UnsqueezeAxesCountInTheOutput) {
  NodeModel unsqueeze("Unsqueeze", 13);
  unsqueeze.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).IntInput({2}, {0, 3});
  std::vector<int64_t> shape;
  unsqueeze.Values(0, &shape);
  EXPECT_THAT(shape, ElementsAre(1, 2, 3, 1));
  NodeModel unsqueeze11("Unsqueeze", 11);
  unsqueeze11.FloatInput({2}, {1, 2}).Attr("axes", std::vector<int64_t>{-1});
  unsqueeze11.Values(0, &shape);
  EXPECT_THAT(shape, ElementsAre(2, 1));
}

TEST(ShapeTest, ShapeWithStartAndEnd) {
  NodeModel shape15("Shape", 15);
  shape15.FloatInput({2, 3, 4}, std::vector<double>(24, 0)).Attr("start", int64_t{-2});
  EXPECT_THAT(shape15.Values(), ElementsAre(3, 4));
}

TEST(TensorTest, SliceWithNegativeStepsAndOpenEnds) {
  NodeModel backwards("Slice", 13);
  backwards.FloatInput({5}, {1, 2, 3, 4, 5})
      .IntInput({1}, {-1})
      .IntInput({1}, {-6})
      .IntInput({1}, {0})
      .IntInput({1}, {-1});
  EXPECT_THAT(backwards.Values(), ElementsAre(5, 4, 3, 2, 1));
  NodeModel to_end("Slice", 13);
  to_end.FloatInput({5}, {1, 2, 3, 4, 5}).IntInput({1}, {1}).IntInput({1}, {kInt64Max});
  EXPECT_THAT(to_end.Values(), ElementsAre(2, 3, 4, 5));
  NodeModel every_second("Slice", 13);
  every_second.FloatInput({2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
      .IntInput({1}, {0})
      .IntInput({1}, {5})
      .IntInput({1}, {1})
      .IntInput({1}, {2});
  EXPECT_THAT(every_second.Values(), ElementsAre(1, 3, 5, 6, 8, 10));
  NodeModel slice1("Slice", 1);  // starts/ends/axes as attributes
  slice1.FloatInput({2, 2}, {1, 2, 3, 4})
      .Attr("starts", std::vector<int64_t>{1})
      .Attr("ends", std::vector<int64_t>{2})
      .Attr("axes", std::vector<int64_t>{1});
  EXPECT_THAT(slice1.Values(), ElementsAre(2, 4));
}

TEST(TensorTest, ConcatAlongAnInnerAxis) {
  NodeModel concat("Concat", 13);
  concat.FloatInput({2, 1}, {1, 2}).FloatInput({2, 2}, {3, 4, 5, 6}).Attr("axis", int64_t{1});
  EXPECT_THAT(concat.Values(), ElementsAre(1, 3, 4, 2, 5, 6));
}

TEST(TensorTest, SplitLengthsAreAnAttributeBeforeOpset13AndAnInputAfter) {
  NodeModel split11("Split", 11);
  split11.FloatInput({3}, {1, 2, 3}).Attr("split", std::vector<int64_t>{1, 2}).Outputs(2);
  EXPECT_THAT(split11.Values(1), ElementsAre(2, 3));
  NodeModel split13("Split", 13);
  split13.FloatInput({3}, {1, 2, 3}).IntInput({2}, {2, 1}).Outputs(2);
  EXPECT_THAT(split13.Values(0), ElementsAre(1, 2));
  NodeModel equal("Split", 13);
  equal.FloatInput({4}, {1, 2, 3, 4}).Outputs(2);
  EXPECT_THAT(equal.Values(1), ElementsAre(3, 4));
}

TEST(TensorTest, PadModes) {
  NodeModel reflect("Pad", 13);
  reflect.FloatInput({3}, {1, 2, 3}).IntInput({2}, {2, 2}).Attr("mode", std::string("reflect"));
  EXPECT_THAT(reflect.Values(), ElementsAre(3, 2, 1, 2, 3, 2, 1));
  NodeModel edge("Pad", 13);
  edge.FloatInput({3}, {1, 2, 3}).IntInput({2}, {2, 1}).Attr("mode", std::string("edge"));
  EXPECT_THAT(edge.Values(), ElementsAre(1, 1, 1, 2, 3, 3));
  NodeModel constant("Pad", 13);
  constant.FloatInput({3}, {1, 2, 3}).IntInput({2}, {1, -1}).FloatInput({}, {7});
  EXPECT_THAT(constant.Values(), ElementsAre(7, 1, 2));  // a negative pad crops
  NodeModel pad2("Pad", 2);                              // pads and value as attributes
  pad2.FloatInput({2}, {1, 2}).Attr("pads", std::vector<int64_t>{0, 1}).Attr("value", 5.0);
  EXPECT_THAT(pad2.Values(), ElementsAre(1, 2, 5));
}

TEST(TensorTest, TileAndExpand) {
  NodeModel tile("Tile", 13);
  tile.FloatInput({2}, {1, 2}).IntInput({1}, {3});
  EXPECT_THAT(tile.Values(), ElementsAre(1, 2, 1, 2, 1, 2));
  NodeModel expand("Expand", 13);
  expand.FloatInput({2, 1}, {1, 2}).IntInput({2}, {1, 3});
  EXPECT_THAT(expand.Values(), ElementsAre(1, 1, 1, 2, 2, 2));
}

TEST(TensorTest, RangeAndConstantOfShape) {
  NodeModel range("Range", 11);
  range.FloatInput({}, {1}).FloatInput({}, {2}).FloatInput({}, {0.25});
  EXPECT_THAT(range.Values(), ElementsAre(1, 1.25, 1.5, 1.75));
  NodeModel zeros("ConstantOfShape", 9);
  zeros.IntInput({2}, {2, 2});
  EXPECT_THAT(zeros.Values(), ElementsAre(0, 0, 0, 0));
}

TEST(IndexTest, GatherAcceptsNegativeIndices) {
  NodeModel gather("Gather", 13);
  gather.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).IntInput({2}, {-1, 0}).Attr("axis", int64_t{1});
  EXPECT_THAT(gather.Values(), ElementsAre(3, 1, 6, 4));
  NodeModel out_of_range("Gather", 13);
  out_of_range.FloatInput({3}, {1, 2, 3}).IntInput({1}, {3});
  EXPECT_THAT(out_of_range.ErrorOf(), HasSubstr("index 3 out of range for a dim of 3"));
}

TEST(IndexTest, GatherElementsAndScatterElements) {
  NodeModel gather("GatherElements", 13);
  gather.FloatInput({2, 2}, {1, 2, 3, 4}).IntInput({2, 2}, {1, 0, 0, 0}).Attr("axis", int64_t{1});
  EXPECT_THAT(gather.Values(), ElementsAre(2, 1, 3, 3));
  NodeModel scatter("ScatterElements", 16);
  scatter.FloatInput({3}, {1, 2, 3})
      .IntInput({2}, {0, 0})
      .FloatInput({2}, {10, 20})
      .Attr("reduction", std::string("add"));
  EXPECT_THAT(scatter.Values(), ElementsAre(31, 2, 3));
}

}  // namespace
}  // namespace zooci::reference::testing
