#include "contrib/positional/alibi/alibi.h"

#include <cmath>

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
