#include "core/blocks/embedding/embedding.h"
#include "core/specs/validate.h"

#include "gtest/gtest.h"

namespace ttt {
namespace {

TEST(EmbeddingBlockTest, LooksUpScalesAndAddsPositions) {
  WeightMap w;
  w["tok_embeddings"] = Tensor::FromF32({3, 2}, std::vector<float>{1, 2, 3, 4, 5, 6}).To(DType::kBF16);
  w["pos_embeddings"] = Tensor::FromF32({4, 2}, std::vector<float>{0, 0, 10, 20, 30, 40, 50, 60});
  spec::TokenEmbeddingSpec ts;
  ts.set_vocab_size(3);
  ts.set_hidden_dim(2);
  ts.set_scale(2.0f);
  auto tokens = TokenEmbedding::Create(*Validate(ts), w);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  spec::PositionEmbeddingSpec ps;
  ps.set_max_positions(4);
  ps.set_hidden_dim(2);
  auto positions = PositionEmbedding::Create(*Validate(ps), w);
  ASSERT_TRUE(positions.ok()) << positions.status();
  const int32_t ids[] = {2, 0}, pos[] = {1, 3};
  std::vector<float> out(4);
  tokens->Forward(ids, 2, out.data());
  EXPECT_EQ(out, (std::vector<float>{10, 12, 2, 4}));  // bf16 table rows, scaled by 2
  positions->AddTo(pos, 2, out.data());
  EXPECT_EQ(out, (std::vector<float>{20, 32, 52, 64}));
}

// A tensor-parallel rank's slice (rows of tokens 2..3 of a vocabulary of 5): its tokens get their rows, the
// others zeros, so the ranks' sum is every token's row.
TEST(EmbeddingBlockTest, AVocabularySliceEmbedsItsTokensAndZerosForTheRest) {
  WeightMap w;
  w["tok_embeddings"] = Tensor::FromF32({2, 2}, std::vector<float>{1, 2, 3, 4});
  spec::TokenEmbeddingSpec ts;
  ts.set_vocab_size(2);
  ts.set_hidden_dim(2);
  ts.set_first_token(2);
  auto slice = TokenEmbedding::Create(*Validate(ts), w);
  ASSERT_TRUE(slice.ok()) << slice.status();
  const int32_t ids[] = {0, 2, 3, 4};
  std::vector<float> out(8, -1.0f);
  slice->Forward(ids, 4, out.data());
  EXPECT_EQ(out, (std::vector<float>{0, 0, 1, 2, 3, 4, 0, 0}));
}

TEST(EmbeddingBlockTest, WrongTableShapeIsNamed) {
  WeightMap w;
  w["tok_embeddings"] = Tensor::Empty(DType::kF32, {3, 5});
  spec::TokenEmbeddingSpec ts;
  ts.set_vocab_size(3);
  ts.set_hidden_dim(2);
  auto e = TokenEmbedding::Create(*Validate(ts), w);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(std::string(e.status().message()).find("'tok_embeddings' has shape [3, 5] but the spec needs [3, 2]"),
            std::string::npos);
}

}  // namespace
}  // namespace ttt
