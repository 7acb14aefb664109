#include "contrib/positional/alibi/alibi.h"

#include <cmath>

#include "core/blocks/attention/position_bias.h"
#include "gtest/gtest.h"

namespace ttt::contrib {
namespace {

TEST(AlibiTest, PowerOfTwoHeadsFollowThePaper) {
  // With 8 heads the slopes are 1/2, 1/4, ..., 1/256.
  std::vector<float> slopes = AlibiSlopes(8);
  ASSERT_EQ(slopes.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(slopes[i], std::pow(2.0f, -(i + 1)));
}

TEST(AlibiTest, OtherHeadCountsInterleaveTheNextPowerOfTwo) {
  // 12 heads: 8 slopes of base 2^-1, then 4 of base 2^-0.5 at odd exponents (BLOOM's rule).
  std::vector<float> slopes = AlibiSlopes(12);
  ASSERT_EQ(slopes.size(), 12u);
  EXPECT_FLOAT_EQ(slopes[8], std::pow(2.0f, -0.5f));
  EXPECT_FLOAT_EQ(slopes[9], std::pow(2.0f, -1.5f));
}

TEST(AlibiTest, SixHeadsMatchLlamaCppAndMpt) {
  // llama.cpp (ggml soft_max: m0 = 2^(-8/4), m1 = 2^(-4/4)) and transformers' MPT gen_slopes agree on these;
  // tests/fixtures/mpt-alibi-tiny has 6 heads.
  EXPECT_EQ(AlibiSlopes(6), (std::vector<float>{1.0f / 4, 1.0f / 16, 1.0f / 64, 1.0f / 256, 1.0f / 2, 1.0f / 8}));
}

TEST(AlibiTest, MaxBiasIsTheSlopeBase) {
  // 8 heads with max_bias 4: 2^(-0.5 (h + 1)); 3 heads with max_bias 16: 2^-8, then 2^-4 (odd step of 2n).
  std::vector<float> slopes = AlibiSlopes(8, 4.0f);
  for (int h = 0; h < 8; ++h) EXPECT_FLOAT_EQ(slopes[h], std::pow(2.0f, -0.5f * (h + 1))) << h;
  EXPECT_EQ(AlibiSlopes(3, 16.0f), (std::vector<float>{1.0f / 256, 1.0f / 65536, 1.0f / 16}));
}

TEST(AlibiTest, RegistersTheAlibiPositionBiasOnce) {
  ASSERT_TRUE(RegisterAlibi().ok());
  ASSERT_TRUE(RegisterAlibi().ok());  // idempotent: tools and tests may each call it
  spec::PositionBiasSpec spec;
  spec.set_kind("alibi");
  spec.set_max_bias(8);
  auto slopes = PositionBiasSlopes(spec, 12);
  ASSERT_TRUE(slopes.ok()) << slopes.status();
  EXPECT_EQ(*slopes, AlibiSlopes(12, 8.0f));
  spec.set_max_bias(-1);
  EXPECT_FALSE(PositionBiasSlopes(spec, 12).ok());
}

TEST(AlibiTest, BiasIsZeroAtTheQueryAndGrowsWithDistance) {
  std::vector<float> slopes = AlibiSlopes(2);
  std::vector<float> scores(2 * 4, 0.0f);
  AddAlibiBias(scores.data(), 2, 4, 3, slopes);
  EXPECT_FLOAT_EQ(scores[3], 0.0f);
  EXPECT_FLOAT_EQ(scores[0], -3.0f * slopes[0]);
  EXPECT_FLOAT_EQ(scores[4], -3.0f * slopes[1]);
}

}  // namespace
}  // namespace ttt::contrib
