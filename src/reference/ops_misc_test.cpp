// Order and selection, losses, recurrent layers, signal processing, detection, text and the
// training optimizers, against hand-computed values.
#include <cmath>

#include "reference/test_util.h"

namespace zooci::reference::testing {
namespace {

using ::testing::ElementsAre;

TEST(OrderTest, TopKLargestAndSmallest) {
  NodeModel largest("TopK", 11);
  largest.FloatInput({3}, {3, 1, 2}).IntInput({1}, {2}).Outputs(2);
  EXPECT_THAT(largest.Values(0), ElementsAre(3, 2));
  EXPECT_THAT(largest.Values(1), ElementsAre(0, 2));
  NodeModel smallest("TopK", 11);
  smallest.FloatInput({3}, {3, 1, 2}).IntInput({1}, {2}).Attr("largest", int64_t{0}).Outputs(2);
  EXPECT_THAT(smallest.Values(0), ElementsAre(1, 2));
}

TEST(OrderTest, UniqueSortedWithIndicesInverseAndCounts) {
  NodeModel unique("Unique", 11);
  unique.FloatInput({4}, {2, 1, 2, 3}).Outputs(4);
  EXPECT_THAT(unique.Values(0), ElementsAre(1, 2, 3));
  EXPECT_THAT(unique.Values(1), ElementsAre(1, 0, 3));
  EXPECT_THAT(unique.Values(2), ElementsAre(1, 0, 1, 2));
  EXPECT_THAT(unique.Values(3), ElementsAre(1, 2, 1));
}

TEST(OrderTest, NonZeroAndCumSum) {
  NodeModel non_zero("NonZero", 13);
  non_zero.FloatInput({2, 2}, {1, 0, 0, 2});
  EXPECT_THAT(non_zero.Values(), ElementsAre(0, 1, 0, 1));  // rows [0, 1], columns [0, 1]
  NodeModel cumsum("CumSum", 14);
  cumsum.FloatInput({3}, {1, 2, 3}).IntInput({}, {0});
  EXPECT_THAT(cumsum.Values(), ElementsAre(1, 3, 6));
  NodeModel reverse_exclusive("CumSum", 14);
  reverse_exclusive.FloatInput({3}, {1, 2, 3})
      .IntInput({}, {0})
      .Attr("exclusive", int64_t{1})
      .Attr("reverse", int64_t{1});
  EXPECT_THAT(reverse_exclusive.Values(), ElementsAre(5, 3, 0));
}

TEST(TensorTest, TriluKeepsATriangle) {
  NodeModel upper("Trilu", 14);
  upper.FloatInput({2, 2}, {1, 2, 3, 4});
  EXPECT_THAT(upper.Values(), ElementsAre(1, 2, 0, 4));
  NodeModel lower("Trilu", 14);
  lower.FloatInput({2, 2}, {1, 2, 3, 4}).IntInput({}, {-1}).Attr("upper", int64_t{0});
  EXPECT_THAT(lower.Values(), ElementsAre(0, 0, 3, 0));
}

TEST(LossTest, NegativeLogLikelihoodWithWeightsAndMean) {
  NodeModel plain("NegativeLogLikelihoodLoss", 13);
  plain.FloatInput({2, 2}, {-1, -2, -3, -4}).IntInput({2}, {0, 1});
  EXPECT_THAT(plain.Values(), Near({(1 + 4) / 2.0}));
  NodeModel weighted("NegativeLogLikelihoodLoss", 13);
  weighted.FloatInput({2, 2}, {-1, -2, -3, -4}).IntInput({2}, {0, 1}).FloatInput({2}, {1, 3});
  EXPECT_THAT(weighted.Values(), Near({(1 * 1 + 4 * 3) / 4.0}));  // divided by the weights used
  NodeModel ignored("NegativeLogLikelihoodLoss", 13);
  ignored.FloatInput({2, 2}, {-1, -2, -3, -4})
      .IntInput({2}, {0, 1})
      .Attr("ignore_index", int64_t{1});
  EXPECT_THAT(ignored.Values(), Near({1}));
}

TEST(LossTest, SoftmaxCrossEntropyIsNllOfLogSoftmax) {
  NodeModel loss("SoftmaxCrossEntropyLoss", 13);
  loss.FloatInput({1, 2}, {0, std::log(3.0)})
      .IntInput({1}, {1})
      .Attr("reduction", std::string("none"))
      .Outputs(2);
  EXPECT_THAT(loss.Values(0), Near({-std::log(0.75)}));
  EXPECT_THAT(loss.Values(1), Near({std::log(0.25), std::log(0.75)}));
}

TEST(RecurrentTest, RnnStep) {
  NodeModel rnn("RNN", 14);
  rnn.FloatInput({1, 1, 1}, {1})
      .FloatInput({1, 1, 1}, {0.5})
      .FloatInput({1, 1, 1}, {2})
      .NoInput()
      .NoInput()
      .FloatInput({1, 1, 1}, {1})
      .Attr("hidden_size", int64_t{1})
      .Outputs(2);
  EXPECT_THAT(rnn.Values(0), Near({std::tanh(0.5 * 1 + 2 * 1)}));
  EXPECT_THAT(rnn.Values(1), Near({std::tanh(2.5)}));
}

TEST(RecurrentTest, GruAndLstmWithZeroWeightsHalveTheirState) {
  // All gates see 0: sigmoid gives 1/2, the candidate tanh(0) = 0.
  NodeModel gru("GRU", 14);
  gru.FloatInput({1, 1, 1}, {1})
      .FloatInput({1, 3, 1}, {0, 0, 0})
      .FloatInput({1, 3, 1}, {0, 0, 0})
      .NoInput()
      .NoInput()
      .FloatInput({1, 1, 1}, {2})
      .Attr("hidden_size", int64_t{1})
      .Outputs(2);
  EXPECT_THAT(gru.Values(1), Near({1}));  // (1 - 1/2) * 0 + 1/2 * 2
  NodeModel lstm("LSTM", 14);
  lstm.FloatInput({1, 1, 1}, {1})
      .FloatInput({1, 4, 1}, {0, 0, 0, 0})
      .FloatInput({1, 4, 1}, {0, 0, 0, 0})
      .NoInput()
      .NoInput()
      .NoInput()
      .FloatInput({1, 1, 1}, {2})
      .Attr("hidden_size", int64_t{1})
      .Outputs(3);
  EXPECT_THAT(lstm.Values(2), Near({1}));                     // C = 1/2 * 2 + 1/2 * 0
  EXPECT_THAT(lstm.Values(1), Near({0.5 * std::tanh(1.0)}));  // H = 1/2 * tanh(C)
}

TEST(SignalTest, DftOfAnImpulseAndAnAlternatingSignal) {
  NodeModel impulse("DFT", 17);
  impulse.FloatInput({1, 4, 1}, {1, 0, 0, 0});
  EXPECT_THAT(impulse.Values(), Near({1, 0, 1, 0, 1, 0, 1, 0}));
  NodeModel alternating("DFT", 17);
  alternating.FloatInput({1, 2, 1}, {0, 1});
  EXPECT_THAT(alternating.Values(), Near({1, 0, -1, 0}));
  NodeModel hann("HannWindow", 17);
  hann.IntInput({}, {4});
  EXPECT_THAT(hann.Values(), Near({0, 0.5, 1, 0.5}));
}

TEST(DetectionTest, NonMaxSuppressionDropsOverlappingBoxes) {
  NodeModel nms("NonMaxSuppression", 11);
  nms.FloatInput({1, 3, 4}, {0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, 2, 1, 3})
      .FloatInput({1, 1, 3}, {0.9, 0.8, 0.7})
      .IntInput({1}, {3})
      .FloatInput({1}, {0.5});
  // Box 1 overlaps box 0 with IoU 0.9 / 1.1: suppressed.
  EXPECT_THAT(nms.Values(), ElementsAre(0, 0, 0, 0, 0, 2));
}

TEST(TextTest, StringNormalizerDropsStopwordsAndChangesCase) {
  NodeModel normalizer("StringNormalizer", 10);
  normalizer.StringInput({3}, {"Monday", "tuesday", "MONDAY"})
      .Attr("case_change_action", std::string("UPPER"));
  normalizer.node().add_attribute()->set_name("stopwords");
  normalizer.node().mutable_attribute(1)->set_type(onnx::AttributeProto::STRINGS);
  normalizer.node().mutable_attribute(1)->add_strings("monday");
  Result<std::vector<Value>> outputs = normalizer.Run();
  ASSERT_TRUE(outputs.ok()) << outputs.error().message();
  EXPECT_THAT((*outputs)[0].tensor.strings, ElementsAre("TUESDAY"));
}

TEST(TextTest, TfIdfVectorizerCountsPoolUnigrams) {
  NodeModel tfidf("TfIdfVectorizer", 9);
  tfidf.IntInput({4}, {1, 2, 1, 3})
      .Attr("mode", std::string("TF"))
      .Attr("min_gram_length", int64_t{1})
      .Attr("max_gram_length", int64_t{1})
      .Attr("max_skip_count", int64_t{0})
      .Attr("ngram_counts", std::vector<int64_t>{0})
      .Attr("ngram_indexes", std::vector<int64_t>{0, 1})
      .Attr("pool_int64s", std::vector<int64_t>{1, 3});
  EXPECT_THAT(tfidf.Values(), ElementsAre(2, 1));
}

TEST(TrainingTest, MomentumStep) {
  NodeModel momentum("Momentum", 1, "ai.onnx.preview.training");
  momentum.FloatInput({}, {0.1})
      .IntInput({}, {1})
      .FloatInput({1}, {1})
      .FloatInput({1}, {2})
      .FloatInput({1}, {0.5})
      .Attr("alpha", 0.9)
      .Attr("beta", 1.0)
      .Attr("mode", std::string("standard"))
      .Attr("norm_coefficient", 0.0)
      .Outputs(2);
  EXPECT_THAT(momentum.Values(1), Near({0.9 * 0.5 + 2}));
  EXPECT_THAT(momentum.Values(0), Near({1 - 0.1 * 2.45}));
}

}  // namespace
}  // namespace zooci::reference::testing
