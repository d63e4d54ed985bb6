// Conv, ConvTranspose and pooling geometry against hand-computed values.
#include "reference/test_util.h"

namespace zooci::reference::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// X is 1..9 as [1, 1, 3, 3]; W = [[1, 0], [0, 1]] adds each element to its lower-right neighbour.
NodeModel DiagonalConv() {
  NodeModel conv("Conv", 11);
  conv.FloatInput({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}).FloatInput({1, 1, 2, 2}, {1, 0, 0, 1});
  return conv;
}

TEST(ConvTest, ValidConvolution) {
  std::vector<int64_t> shape;
  EXPECT_THAT(DiagonalConv().Values(0, &shape), ElementsAre(1 + 5, 2 + 6, 4 + 8, 5 + 9));
  EXPECT_THAT(shape, ElementsAre(1, 1, 2, 2));
}

TEST(ConvTest, PadsAndStrides) {
  // Padded to 5x5 and sampled every 2: the windows start at -1 and 1 in each dim.
  NodeModel conv = DiagonalConv();
  conv.Attr("pads", std::vector<int64_t>{1, 1, 1, 1}).Attr("strides", std::vector<int64_t>{2, 2});
  EXPECT_THAT(conv.Values(), ElementsAre(0 + 1, 0 + 3, 0 + 7, 5 + 9));
}

TEST(ConvTest, Dilations) {
  NodeModel conv = DiagonalConv();
  conv.Attr("dilations", std::vector<int64_t>{2, 2});
  EXPECT_THAT(conv.Values(), ElementsAre(1 + 9));
}

TEST(ConvTest, AutoPadSameUpperPadsAtTheEndAndSameLowerAtTheStart) {
  NodeModel upper = DiagonalConv();
  upper.Attr("auto_pad", std::string("SAME_UPPER"));
  EXPECT_THAT(upper.Values(), ElementsAre(6, 8, 3, 12, 14, 6, 7, 8, 9));
  NodeModel lower = DiagonalConv();
  lower.Attr("auto_pad", std::string("SAME_LOWER"));
  EXPECT_THAT(lower.Values(), ElementsAre(1, 2, 3, 4, 6, 8, 7, 12, 14));
}

TEST(ConvTest, GroupsConvolveChannelsSeparatelyAndAddTheBias) {
  NodeModel conv("Conv", 11);
  conv.FloatInput({1, 2, 1, 1}, {3, 5})
      .FloatInput({2, 1, 1, 1}, {2, 10})
      .FloatInput({2}, {1, -1})
      .Attr("group", int64_t{2});
  EXPECT_THAT(conv.Values(), ElementsAre(3 * 2 + 1, 5 * 10 - 1));
  NodeModel mixed("Conv", 11);  // group 1: each output channel sums both input channels
  mixed.FloatInput({1, 2, 1, 1}, {3, 5}).FloatInput({1, 2, 1, 1}, {2, 10});
  EXPECT_THAT(mixed.Values(), ElementsAre(3 * 2 + 5 * 10));
}

TEST(ConvTest, OneDimensionalConvolution) {
  NodeModel conv("Conv", 11);
  conv.FloatInput({1, 1, 4}, {1, 2, 3, 4}).FloatInput({1, 1, 2}, {1, -1});
  EXPECT_THAT(conv.Values(), ElementsAre(-1, -1, -1));
}

TEST(ConvTest, MismatchedWeightsAreAnError) {
  NodeModel conv("Conv", 11);
  conv.FloatInput({1, 2, 3, 3}, std::vector<double>(18, 1)).FloatInput({1, 3, 1, 1}, {1, 1, 1});
  EXPECT_THAT(conv.ErrorOf(),
              HasSubstr("node 'under_test' (Conv-11): W float[1,3,1,1] does not match"));
}

TEST(ConvTransposeTest, ScattersEachInputOverTheKernel) {
  NodeModel stride1("ConvTranspose", 11);
  stride1.FloatInput({1, 1, 2}, {1, 2}).FloatInput({1, 1, 2}, {1, 1});
  EXPECT_THAT(stride1.Values(), ElementsAre(1, 3, 2));
  NodeModel stride2("ConvTranspose", 11);
  stride2.FloatInput({1, 1, 2}, {1, 2})
      .FloatInput({1, 1, 2}, {1, 1})
      .Attr("strides", std::vector<int64_t>{2});
  EXPECT_THAT(stride2.Values(), ElementsAre(1, 1, 2, 2));
}

// output_shape one longer than the full output: the padding total is -1, halved rounding down
// (as ONNX's reference does), so the extra element is a zero at the end.
TEST(ConvTransposeTest, OutputShapeLongerThanTheOutputPadsAtTheEnd) {
  NodeModel conv("ConvTranspose", 11);
  conv.FloatInput({1, 1, 2}, {1, 2})
      .FloatInput({1, 1, 2}, {1, 1})
      .Attr("output_shape", std::vector<int64_t>{4});
  EXPECT_THAT(conv.Values(), ElementsAre(1, 3, 2, 0));
}

NodeModel Pool(const std::string& op, int64_t opset, std::vector<int64_t> shape, int64_t count) {
  NodeModel pool(op, opset);
  std::vector<double> values;
  for (int64_t value = 1; value <= count; ++value) values.push_back(static_cast<double>(value));
  pool.FloatInput(std::move(shape), std::move(values));
  return pool;
}

TEST(PoolTest, MaxPoolCeilModeKeepsThePartialWindows) {
  NodeModel floor = Pool("MaxPool", 12, {1, 1, 4, 4}, 16);
  floor.Attr("kernel_shape", std::vector<int64_t>{3, 3})
      .Attr("strides", std::vector<int64_t>{2, 2});
  EXPECT_THAT(floor.Values(), ElementsAre(11));
  NodeModel ceil = Pool("MaxPool", 12, {1, 1, 4, 4}, 16);
  ceil.Attr("kernel_shape", std::vector<int64_t>{3, 3})
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Attr("ceil_mode", int64_t{1});
  EXPECT_THAT(ceil.Values(), ElementsAre(11, 12, 15, 16));
}

TEST(PoolTest, MaxPoolIndicesInRowOrColumnMajorOrder) {
  NodeModel row_major("MaxPool", 12);
  row_major.FloatInput({1, 1, 2, 2}, {1, 4, 3, 2})
      .Attr("kernel_shape", std::vector<int64_t>{2, 2})
      .Outputs(2);
  EXPECT_THAT(row_major.Values(1), ElementsAre(1));
  NodeModel column_major("MaxPool", 12);
  column_major.FloatInput({1, 1, 2, 2}, {1, 4, 3, 2})
      .Attr("kernel_shape", std::vector<int64_t>{2, 2})
      .Attr("storage_order", int64_t{1})
      .Outputs(2);
  EXPECT_THAT(column_major.Values(1), ElementsAre(2));  // (h 0, w 1) counted down columns
}

TEST(PoolTest, AveragePoolCountIncludePad) {
  // Every 3x3 window over the padded 2x2 input holds all four elements and five pads.
  for (int64_t include : {0, 1}) {
    NodeModel pool = Pool("AveragePool", 11, {1, 1, 2, 2}, 4);
    pool.Attr("kernel_shape", std::vector<int64_t>{3, 3})
        .Attr("pads", std::vector<int64_t>{1, 1, 1, 1})
        .Attr("count_include_pad", include);
    const double mean = include ? 10.0 / 9 : 10.0 / 4;
    EXPECT_THAT(pool.Values(), Near({mean, mean, mean, mean})) << "count_include_pad " << include;
  }
}

// Indices address the unpooled [1, 1, 2, 2]; a larger output_shape keeps their positions.
TEST(PoolTest, MaxUnpoolKeepsPositionsInALargerOutput) {
  NodeModel unpool("MaxUnpool", 11);
  unpool.FloatInput({1, 1, 1, 1}, {7})
      .IntInput({1, 1, 1, 1}, {3})
      .IntInput({4}, {1, 1, 3, 3})
      .Attr("kernel_shape", std::vector<int64_t>{2, 2})
      .Attr("strides", std::vector<int64_t>{2, 2});
  EXPECT_THAT(unpool.Values(), ElementsAre(0, 0, 0, 0, 7, 0, 0, 0, 0));
}

TEST(PoolTest, MaxRoiPoolTakesTheMaximumOfEachBin) {
  // The roi covers columns 1..2 and rows 0..1 of a 3x3 image: one bin per row.
  NodeModel pool = Pool("MaxRoiPool", 1, {1, 1, 3, 3}, 9);
  pool.FloatInput({1, 5}, {0, 1, 0, 2, 1}).Attr("pooled_shape", std::vector<int64_t>{2, 1});
  EXPECT_THAT(pool.Values(), ElementsAre(3, 6));
}

TEST(PoolTest, GlobalPoolsReduceEverySpatialDim) {
  NodeModel average("GlobalAveragePool", 1);
  average.FloatInput({1, 2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40});
  std::vector<int64_t> shape;
  EXPECT_THAT(average.Values(0, &shape), ElementsAre(2.5, 25));
  EXPECT_THAT(shape, ElementsAre(1, 2, 1, 1));
  NodeModel max("GlobalMaxPool", 1);
  max.FloatInput({1, 2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40});
  EXPECT_THAT(max.Values(), ElementsAre(4, 40));
}

}  // namespace
}  // namespace zooci::reference::testing
