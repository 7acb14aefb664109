#include "core/blocks/rope/rope.h"

#include <cmath>
#include <random>

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

// Phi-3's LongRoPE (original context 16, built for 64): each pair's frequency divided by its factor, the long
// factors only for a context beyond the original one; cos and sin scaled by sqrt(1 + ln 4 / ln 16).
spec::RopeSpec LongRope() {
  spec::RopeSpec s = Base(8);
  s.set_theta(10000.0);
  auto* sc = s.mutable_scaling();
  sc->set_type(spec::RopeScaling::LONGROPE);
  sc->set_factor(4);
  sc->set_original_max_position_embeddings(16);
  for (double f : {1.0, 1.5, 2.0, 3.0}) sc->add_short_factor(f);
  for (double f : {1.0, 4.0, 16.0, 40.0}) sc->add_long_factor(f);
  return s;
}

TEST(RopeFrequenciesTest, LongRopeDividesByTheFactorsOfTheContext) {
  const spec::RopeSpec s = LongRope();
  spec::RopeSpec plain = s;
  plain.clear_scaling();
  const auto base = RopeInverseFrequencies(plain);
  for (const auto& [context, factors] :
       std::vector<std::pair<int64_t, std::vector<double>>>{{16, {1, 1.5, 2, 3}}, {17, {1, 4, 16, 40}}}) {
    const auto scaled = RopeInverseFrequencies(s, context);
    for (size_t i = 0; i < base.size(); ++i) {
      EXPECT_NEAR(scaled[i], base[i] / factors[i], 1e-7 * scaled[i]) << "context " << context << " pair " << i;
    }
  }
}

TEST(RopeTest, LongRopeScalesCosAndSinButRotateByStaysARotation) {
  spec::RopeSpec s = LongRope();
  const double magnitude = std::sqrt(1 + std::log(4.0) / std::log(16.0));
  EXPECT_NEAR(RopeMagnitude(s.scaling()), magnitude, 1e-12);
  s.mutable_scaling()->set_attention_factor(1.25);  // an explicit factor wins over the default
  EXPECT_DOUBLE_EQ(RopeMagnitude(s.scaling()), 1.25);
  s.mutable_scaling()->set_attention_factor(0);
  const Rope rope(s, 64);
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8}, y = x;
  int32_t pos = 0;
  rope.Apply(y.data(), 1, 1, &pos);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], magnitude * x[i], 1e-6) << i;
  y = x;
  rope.RotateBy(y.data(), 1, 1, 9);
  double n0 = 0, n1 = 0;
  for (size_t i = 0; i < x.size(); ++i) n0 += x[i] * x[i], n1 += y[i] * y[i];
  EXPECT_NEAR(n1, n0, 1e-4);
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

// Float64 reference: x [heads, head_dim] rotated at `position` with the spec's frequencies; values past
// rotary_dim stay.
std::vector<double> RotatedInFloat64(const std::vector<float>& x, int64_t heads, const spec::RopeSpec& s,
                                     int64_t position) {
  const std::vector<double> inv = RopeInverseFrequencies(s);
  const int64_t half = s.rotary_dim() / 2;
  std::vector<double> y(x.begin(), x.end());
  for (int64_t h = 0; h < heads; ++h) {
    double* v = y.data() + h * s.head_dim();
    for (int64_t i = 0; i < half; ++i) {
      const bool interleaved = s.convention() == spec::RopeSpec::INTERLEAVED;
      const int64_t a = interleaved ? 2 * i : i, b = interleaved ? 2 * i + 1 : i + half;
      const double angle = static_cast<double>(position) * inv[i], va = v[a], vb = v[b];
      v[a] = va * std::cos(angle) - vb * std::sin(angle);
      v[b] = va * std::sin(angle) + vb * std::cos(angle);
    }
  }
  return y;
}

// What KV-cache compaction relies on: a key rotated at p, then rotated by delta, is the key rotated at
// p + delta, for both conventions and partial rotary dimensions. Judged against float64 rotation at p + delta.
TEST(RopeTest, RotatingByADeltaEqualsRotatingAtTheNewPosition) {
  for (auto convention : {spec::RopeSpec::ROTATE_HALF, spec::RopeSpec::INTERLEAVED}) {
    spec::RopeSpec s = Base(32);
    s.set_theta(10000.0);
    s.set_rotary_dim(24);  // partial: the last 8 values of each head never rotate
    s.set_convention(convention);
    const Rope rope(s, 512);
    constexpr int64_t kHeads = 3;
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(kHeads * 32);
    for (float& v : x) v = normal(rng);
    for (const auto& [from, delta] : std::vector<std::pair<int32_t, int64_t>>{{300, -290}, {255, -128}, {4, 0},
                                                                                {40, 7}, {511, -511}}) {
      std::vector<float> y = x;
      rope.Apply(y.data(), 1, kHeads, &from);
      rope.RotateBy(y.data(), 1, kHeads, delta);
      const std::vector<double> expected = RotatedInFloat64(x, kHeads, s, from + delta);
      // The rotation at `from` took its angle from f32 arithmetic (as the reference implementations do):
      // an error of about from * 2^-24 radians, which the rotation by delta keeps.
      const double tolerance = 4e-7 * (from + 8);
      for (size_t i = 0; i < x.size(); ++i) {
        EXPECT_NEAR(y[i], expected[i], tolerance) << "from " << from << " by " << delta << " value " << i;
      }
    }
  }
}

TEST(RopeTest, RotationsByDeltasCompose) {
  const Rope rope(Base(16), 8);  // deltas need no table: any size works
  std::vector<float> x = {0.5f, -1, 2, 0.25f, 3, -2, 1, 1, -0.5f, 0.75f, 1.5f, -3, 2, 0, 1, -1};
  std::vector<float> twice = x, once = x;
  rope.RotateBy(twice.data(), 1, 1, 5000);
  rope.RotateBy(twice.data(), 1, 1, -1234);
  rope.RotateBy(once.data(), 1, 1, 5000 - 1234);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(twice[i], once[i], 1e-5) << i;
}

}  // namespace
}  // namespace ttt
