#include "core/blocks/lm_head/lm_head.h"
#include "core/specs/validate.h"

#include "gtest/gtest.h"

namespace ttt {
namespace {

spec::LmHeadSpec Spec(bool tied) {
  spec::LmHeadSpec s;
  s.set_hidden_dim(2);
  s.set_vocab_size(3);
  s.set_tied(tied);
  return s;
}

TEST(LmHeadBlockTest, TiedHeadProjectsOnTheEmbeddingAndKeepsItWhenQuantised) {
  Tensor table = Tensor::FromF32({3, 2}, std::vector<float>{1, 0, 0, 1, 1, 1});
  auto head = LmHead::Create(*Validate(Spec(true)), WeightMap{}, table);
  ASSERT_TRUE(head.ok()) << head.status();
  const float x[] = {2, 3};
  std::vector<float> logits(3);
  head->Forward(x, 1, logits.data());
  EXPECT_EQ(logits, (std::vector<float>{2, 3, 5}));
  ASSERT_TRUE(head->ConvertWeight(DType::kBFP8).ok());
  EXPECT_EQ(head->projection().weight_dtype(), DType::kBFP8);
  EXPECT_EQ(table.dtype(), DType::kF32);  // the embedding the head was tied to is unchanged
  head->Forward(x, 1, logits.data());
  // The weights are exact in bfp8; the kernel may quantise activations to 8 bits (about 1/127 of max|x|).
  const float expected[] = {2, 3, 5};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(logits[i], expected[i], 3.0f / 127 * 2) << i;
}

TEST(LmHeadBlockTest, UntiedHeadNeedsItsOwnWeight) {
  Tensor table = Tensor::Empty(DType::kF32, {3, 2});
  auto missing = LmHead::Create(*Validate(Spec(false)), WeightMap{}, table);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("'lm_head'"), std::string::npos);
  WeightMap w;
  w["lm_head"] = Tensor::FromF32({3, 2}, std::vector<float>{1, 2, 3, 4, 5, 6});
  auto head = LmHead::Create(*Validate(Spec(false)), w, table);
  ASSERT_TRUE(head.ok());
  const float x[] = {1, 1};
  std::vector<float> logits(3);
  head->Forward(x, 1, logits.data());
  EXPECT_EQ(logits, (std::vector<float>{3, 7, 11}));
}

}  // namespace
}  // namespace ttt
