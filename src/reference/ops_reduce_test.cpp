// Reductions, matrix products and Resize against hand-computed values.
#include "reference/test_util.h"

namespace zooci::reference::testing {
namespace {

using ::testing::ElementsAre;

TEST(ReduceTest, ReduceMeanOverAnAxisWithAndWithoutKeepdims) {
  NodeModel kept("ReduceMean", 13);
  kept.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).Attr("axes", std::vector<int64_t>{1});
  std::vector<int64_t> shape;
  EXPECT_THAT(kept.Values(0, &shape), ElementsAre(2, 5));
  EXPECT_THAT(shape, ElementsAre(2, 1));
  NodeModel dropped("ReduceMean", 13);
  dropped.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).Attr("keepdims", int64_t{0});
  EXPECT_THAT(dropped.Values(0, &shape), ElementsAre(3.5));
  EXPECT_THAT(shape, ElementsAre());
}

TEST(ReduceTest, ReduceSumTakesAxesAsAnInputFromOpset13) {
  NodeModel sum("ReduceSum", 13);
  sum.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).IntInput({1}, {0});
  EXPECT_THAT(sum.Values(), ElementsAre(5, 7, 9));
  NodeModel noop("ReduceSum", 13);
  noop.FloatInput({2}, {1, 2}).Attr("noop_with_empty_axes", int64_t{1});
  EXPECT_THAT(noop.Values(), ElementsAre(1, 2));
  NodeModel sum11("ReduceSum", 11);
  sum11.FloatInput({2, 3}, {1, 2, 3, 4, 5, 6}).Attr("axes", std::vector<int64_t>{-1});
  EXPECT_THAT(sum11.Values(), ElementsAre(6, 15));
}

TEST(ReduceTest, OtherReductions) {
  const std::vector<double> x = {3, -4};
  auto reduce = [&](const std::string& op) {
    NodeModel model(op, 13);
    model.FloatInput({2}, x);
    return model.Values();
  };
  EXPECT_THAT(reduce("ReduceMax"), ElementsAre(3));
  EXPECT_THAT(reduce("ReduceMin"), ElementsAre(-4));
  EXPECT_THAT(reduce("ReduceProd"), ElementsAre(-12));
  EXPECT_THAT(reduce("ReduceL1"), ElementsAre(7));
  EXPECT_THAT(reduce("ReduceL2"), ElementsAre(5));
  EXPECT_THAT(reduce("ReduceSumSquare"), ElementsAre(25));
  EXPECT_THAT(reduce("ReduceLogSumExp"), Near({std::log(std::exp(3.0) + std::exp(-4.0))}));
}

TEST(ReduceTest, ArgMaxPicksTheFirstOrLastMaximum) {
  NodeModel first("ArgMax", 13);
  first.FloatInput({3}, {1, 3, 3});
  EXPECT_THAT(first.Values(), ElementsAre(1));
  NodeModel last("ArgMax", 13);
  last.FloatInput({3}, {1, 3, 3}).Attr("select_last_index", int64_t{1});
  EXPECT_THAT(last.Values(), ElementsAre(2));
  NodeModel argmin("ArgMin", 13);
  argmin.FloatInput({2, 2}, {4, 1, 2, 3}).Attr("axis", int64_t{1}).Attr("keepdims", int64_t{0});
  EXPECT_THAT(argmin.Values(), ElementsAre(1, 0));
}

TEST(MatrixTest, GemmTransposesScalesAndBroadcastsC) {
  NodeModel gemm("Gemm", 13);
  gemm.FloatInput({2, 2}, {1, 2, 3, 4})
      .FloatInput({2, 2}, {1, 0, 0, 1})
      .FloatInput({2}, {10, 20})
      .Attr("transA", int64_t{1})
      .Attr("alpha", 2.0)
      .Attr("beta", 0.5);
  // 2 * A^T + 0.5 * [10, 20] on each row: A^T = [[1, 3], [2, 4]].
  EXPECT_THAT(gemm.Values(), ElementsAre(7, 16, 9, 18));
}

TEST(MatrixTest, MatMulPromotesVectorsAndBroadcastsBatches) {
  NodeModel vector_matrix("MatMul", 13);
  vector_matrix.FloatInput({2}, {1, 2}).FloatInput({2, 2}, {1, 2, 3, 4});
  std::vector<int64_t> shape;
  EXPECT_THAT(vector_matrix.Values(0, &shape), ElementsAre(7, 10));
  EXPECT_THAT(shape, ElementsAre(2));
  NodeModel batched("MatMul", 13);
  batched.FloatInput({2, 1, 2}, {1, 2, 3, 4}).FloatInput({2, 1}, {1, 1});
  EXPECT_THAT(batched.Values(0, &shape), ElementsAre(3, 7));
  EXPECT_THAT(shape, ElementsAre(2, 1, 1));
}

TEST(MatrixTest, EinsumContractsRepeatedLabels) {
  NodeModel matmul("Einsum", 12);
  matmul.FloatInput({1, 2}, {1, 2})
      .FloatInput({2, 2}, {1, 2, 3, 4})
      .Attr("equation", std::string("ij,jk->ik"));
  EXPECT_THAT(matmul.Values(), ElementsAre(7, 10));
  NodeModel trace("Einsum", 12);
  trace.FloatInput({2, 2}, {1, 2, 3, 4}).Attr("equation", std::string("ii"));
  EXPECT_THAT(trace.Values(), ElementsAre(5));
}

TEST(ResizeTest, NearestAndLinearUpsampling) {
  auto resize = [](const std::string& mode, const std::string& coordinates) {
    NodeModel model("Resize", 13);
    model.FloatInput({1, 1, 1, 2}, {1, 2}).NoInput().FloatInput({4}, {1, 1, 1, 2});
    model.Attr("mode", mode).Attr("coordinate_transformation_mode", coordinates);
    return model.Values();
  };
  EXPECT_THAT(resize("nearest", "half_pixel"), ElementsAre(1, 1, 2, 2));
  EXPECT_THAT(resize("linear", "half_pixel"), Near({1, 1.25, 1.75, 2}));
  EXPECT_THAT(resize("linear", "align_corners"), Near({1, 4.0 / 3, 5.0 / 3, 2}));
  EXPECT_THAT(resize("linear", "asymmetric"), Near({1, 1.5, 2, 2}));
}

TEST(ResizeTest, SizesInputSetsTheOutputShape) {
  NodeModel resize("Resize", 13);
  resize.FloatInput({1, 1, 2, 2}, {1, 2, 3, 4}).NoInput().NoInput().IntInput({4}, {1, 1, 1, 1});
  std::vector<int64_t> shape;
  resize.Values(0, &shape);
  EXPECT_THAT(shape, ElementsAre(1, 1, 1, 1));
}

}  // namespace
}  // namespace zooci::reference::testing
