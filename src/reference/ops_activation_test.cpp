// Activations, Softmax by opset, and normalisations against hand-computed values.
#include <cmath>

#include "reference/test_util.h"

namespace zooci::reference::testing {
namespace {

using ::testing::ElementsAre;

const double kLn3 = std::log(3.0);

// Softmax-11 coerces [1, 2, 2] to [1, 4] at axis 1: one softmax over all four elements.
TEST(ActivationTest, SoftmaxBeforeOpset13NormalisesTheFlattenedTrailingBlock) {
  NodeModel softmax("Softmax", 11);
  softmax.FloatInput({1, 2, 2}, {0, kLn3, 0, kLn3});
  EXPECT_THAT(softmax.Values(), Near({1.0 / 8, 3.0 / 8, 1.0 / 8, 3.0 / 8}));
}

// Softmax-13 normalises along its axis alone, by default the last.
TEST(ActivationTest, SoftmaxFromOpset13NormalisesAlongTheLastAxis) {
  NodeModel softmax("Softmax", 13);
  softmax.FloatInput({1, 2, 2}, {0, kLn3, 0, kLn3});
  EXPECT_THAT(softmax.Values(), Near({0.25, 0.75, 0.25, 0.75}));
  NodeModel along_axis_1("Softmax", 13);
  along_axis_1.FloatInput({1, 2, 2}, {0, kLn3, 0, kLn3}).Attr("axis", int64_t{1});
  EXPECT_THAT(along_axis_1.Values(), Near({0.5, 0.5, 0.5, 0.5}));
}

// Regression: a negative axis before opset 13 counts from the rank, not from rank + 1 (it made
// pytorch-converted/test_log_softmax_lastdim normalise rows of one element).
TEST(ActivationTest, NegativeAxisBeforeOpset13CountsFromTheRank) {
  NodeModel log_softmax("LogSoftmax", 6);
  log_softmax.FloatInput({1, 2}, {0, kLn3}).Attr("axis", int64_t{-1});
  EXPECT_THAT(log_softmax.Values(), Near({std::log(0.25), std::log(0.75)}));
}

TEST(ActivationTest, LogSoftmaxAndHardmax) {
  NodeModel log_softmax("LogSoftmax", 13);
  log_softmax.FloatInput({2}, {0, kLn3});
  EXPECT_THAT(log_softmax.Values(), Near({std::log(0.25), std::log(0.75)}));
  NodeModel hardmax("Hardmax", 13);
  hardmax.FloatInput({2, 3}, {1, 3, 3, 5, 4, 0});
  EXPECT_THAT(hardmax.Values(), ElementsAre(0, 1, 0, 1, 0, 0));  // the first maximum wins
}

TEST(ActivationTest, ClipBoundsAreAttributesBeforeOpset11AndInputsAfter) {
  NodeModel clip6("Clip", 6);
  clip6.FloatInput({3}, {-2, 0, 2}).Attr("min", -1.0).Attr("max", 1.0);
  EXPECT_THAT(clip6.Values(), ElementsAre(-1, 0, 1));
  NodeModel clip13("Clip", 13);
  clip13.FloatInput({3}, {-2, 0, 2}).FloatInput({}, {0});  // max omitted: unbounded
  EXPECT_THAT(clip13.Values(), ElementsAre(0, 0, 2));
}

TEST(ActivationTest, PiecewiseActivations) {
  NodeModel hard_sigmoid("HardSigmoid", 6);
  hard_sigmoid.FloatInput({3}, {-3, 0, 3});
  EXPECT_THAT(hard_sigmoid.Values(), Near({0, 0.5, 1}));
  NodeModel leaky("LeakyRelu", 16);
  leaky.FloatInput({2}, {-2, 3}).Attr("alpha", 0.1);
  EXPECT_THAT(leaky.Values(), Near({-0.2, 3}));
  NodeModel relu("Relu", 14);
  relu.FloatInput({3}, {-1, 0, 2});
  EXPECT_THAT(relu.Values(), ElementsAre(0, 0, 2));
  NodeModel hard_swish("HardSwish", 14);
  hard_swish.FloatInput({3}, {-4, 0, 1});
  EXPECT_THAT(hard_swish.Values(), Near({0, 0, 1.0 * (1.0 / 6 + 0.5)}));
}

TEST(ActivationTest, PReluSlopeBroadcastsOverX) {
  NodeModel prelu("PRelu", 16);
  prelu.FloatInput({2, 2}, {-1, -1, 1, -2}).FloatInput({2}, {0.5, 0.25});
  EXPECT_THAT(prelu.Values(), ElementsAre(-0.5, -0.25, 1, -0.5));
}

TEST(NormalizationTest, BatchNormalizationUsesPerChannelStatistics) {
  NodeModel batch_norm("BatchNormalization", 15);
  batch_norm.FloatInput({1, 2, 1, 1}, {1, 2})
      .FloatInput({2}, {1, 2})  // scale
      .FloatInput({2}, {0, 1})  // B
      .FloatInput({2}, {0, 1})  // mean
      .FloatInput({2}, {1, 4})  // var
      .Attr("epsilon", 0.0);
  // (1 - 0) / 1 * 1 + 0 and (2 - 1) / 2 * 2 + 1.
  EXPECT_THAT(batch_norm.Values(), ElementsAre(1, 2));
}

TEST(NormalizationTest, BatchNormalizationTrainingModeUsesTheBatch) {
  NodeModel batch_norm("BatchNormalization", 15);
  batch_norm.FloatInput({2, 1}, {1, 3})
      .FloatInput({1}, {1})
      .FloatInput({1}, {0})
      .FloatInput({1}, {10})  // running mean
      .FloatInput({1}, {10})  // running var
      .Attr("epsilon", 0.0)
      .Attr("training_mode", int64_t{1})
      .Outputs(3);
  // Batch mean 2, variance 1: Y = [-1, 1]; running stats 10 * 0.9 + {2, 1} * 0.1.
  EXPECT_THAT(batch_norm.Values(0), Near({-1, 1}));
  EXPECT_THAT(batch_norm.Values(1), Near({9.2}));
  EXPECT_THAT(batch_norm.Values(2), Near({9.1}));
}

TEST(NormalizationTest, InstanceAndLayerNormalization) {
  NodeModel instance("InstanceNormalization", 6);
  instance.FloatInput({1, 1, 2}, {1, 3})
      .FloatInput({1}, {2})
      .FloatInput({1}, {1})
      .Attr("epsilon", 0.0);
  EXPECT_THAT(instance.Values(), Near({-1, 3}));  // normalised [-1, 1], times 2, plus 1
  NodeModel layer("LayerNormalization", 17);
  layer.FloatInput({2, 2}, {1, 3, 5, 9}).FloatInput({2}, {1, 1}).Attr("epsilon", 0.0).Outputs(3);
  EXPECT_THAT(layer.Values(0), Near({-1, 1, -1, 1}));
  EXPECT_THAT(layer.Values(1), Near({2, 7}));    // Mean, kept as [2, 1]
  EXPECT_THAT(layer.Values(2), Near({1, 0.5}));  // 1 / standard deviation
  // Mean and InvStdDev are of stash_type (default float), not X's type.
  NodeModel stashed("LayerNormalization", 17);
  stashed.Input(ElemType::kDouble, {2}, {1, 3}).Input(ElemType::kDouble, {2}, {1, 1}).Outputs(3);
  auto outputs = stashed.Run();
  ASSERT_TRUE(outputs.ok()) << outputs.error().message();
  EXPECT_EQ((*outputs)[0].tensor.elem_type, ElemType::kDouble);
  EXPECT_EQ((*outputs)[1].tensor.elem_type, ElemType::kFloat);
  EXPECT_EQ((*outputs)[2].tensor.elem_type, ElemType::kFloat);
}

TEST(NormalizationTest, LrnSumsSquaresOverNeighbouringChannels) {
  NodeModel lrn("LRN", 13);
  lrn.FloatInput({1, 3, 1, 1}, {1, 2, 3})
      .Attr("size", int64_t{3})
      .Attr("alpha", 3.0)
      .Attr("beta", 1.0)
      .Attr("bias", 1.0);
  // Channel c sums the squares of c - 1 .. c + 1: 1 + 4, 1 + 4 + 9, 4 + 9; alpha / size = 1.
  EXPECT_THAT(lrn.Values(), Near({1.0 / 6, 2.0 / 15, 3.0 / 14}));
}

}  // namespace
}  // namespace zooci::reference::testing
