#include "core/blocks/rope/rope.h"

#include <cmath>

#include "gtest/gtest.h"

namespace ttt {
namespace {

spec::RopeSpec Base(uint32_t dim) {
  spec::RopeSpec s;
  s.set_theta(500000.0);
  s.set_head_dim(dim);
  s.set_rotary_dim(dim);
  s.set_convention(spec::RopeSpec::ROTATE_HALF);
  return s;
}

TEST(RopeFrequenciesTest, DefaultIsThetaPower) {
  auto inv = RopeInverseFrequencies(Base(8));
  ASSERT_EQ(inv.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(inv[i], std::pow(500000.0, -2.0 * i / 8), 1e-6 * inv[i]);
}

TEST(RopeFrequenciesTest, LinearScalingDividesEveryFrequency) {
  spec::RopeSpec s = Base(8);
  s.mutable_scaling()->set_type(spec::RopeScaling::LINEAR);
  s.mutable_scaling()->set_factor(4);
  auto base = RopeInverseFrequencies(Base(8)), scaled = RopeInverseFrequencies(s);
  for (size_t i = 0; i < base.size(); ++i) EXPECT_DOUBLE_EQ(scaled[i], base[i] / 4);
}

// Llama 3.1 (factor 8, low 1, high 4, original 8192): wavelengths under 8192/4 = 2048 are kept, those over
// 8192 are divided by 8, those between are blended linearly in 8192/wavelength.
TEST(RopeFrequenciesTest, Llama3ScalingFollowsThePublishedRule) {
  spec::RopeSpec s = Base(128);
  auto* sc = s.mutable_scaling();
  sc->set_type(spec::RopeScaling::LLAMA3);
  sc->set_factor(8);
  sc->set_low_freq_factor(1);
  sc->set_high_freq_factor(4);
  sc->set_original_max_position_embeddings(8192);
  auto base = RopeInverseFrequencies(Base(128)), scaled = RopeInverseFrequencies(s);
  int kept = 0, divided = 0, blended = 0;
  for (size_t i = 0; i < base.size(); ++i) {
    double wavelen = 2 * M_PI / base[i];
    if (wavelen < 2048) {
      EXPECT_DOUBLE_EQ(scaled[i], base[i]);
      ++kept;
    } else if (wavelen > 8192) {
      EXPECT_DOUBLE_EQ(scaled[i], base[i] / 8);
      ++divided;
    } else {
      double smooth = (8192 / wavelen - 1) / 3;
      EXPECT_NEAR(scaled[i], (1 - smooth) * base[i] / 8 + smooth * base[i], 1e-12);
      ++blended;
    }
  }
  EXPECT_GT(kept, 0);
  EXPECT_GT(divided, 0);
  EXPECT_GT(blended, 0);
}

TEST(RopeTest, PositionZeroIsIdentityAndRotationKeepsNorm) {
  spec::RopeSpec s = Base(8);
  Rope rope(s, 16);
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> y = x;
  int32_t pos = 0;
  rope.Apply(y.data(), 1, 1, &pos);
  EXPECT_EQ(x, y);
  pos = 7;
  rope.Apply(y.data(), 1, 1, &pos);
  double n0 = 0, n1 = 0;
  for (int i = 0; i < 8; ++i) n0 += x[i] * x[i], n1 += y[i] * y[i];
  EXPECT_NEAR(n0, n1, 1e-4);
}

}  // namespace
}  // namespace ttt
