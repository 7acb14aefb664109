// The scalar reference kernels against float64 computations small enough to check by hand.
#include "core/kernels/reference/reference_kernels.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace ttt::kernels::reference {
namespace {

TEST(ReferenceKernels, DotAndGemvMatchHandComputedValues) {
  const float a[3] = {1, 2, 3};
  const float b[3] = {4, -5, 6};
  EXPECT_FLOAT_EQ(DotF32(a, b, 3), 12.0f);  // 4 - 10 + 18
  // x[2, 3] . w[2, 3]^T with w rows {1,0,0} and {1,1,1}.
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const float w[6] = {1, 0, 0, 1, 1, 1};
  float y[4] = {};
  GemvF32(x, 2, 3, w, 3 * sizeof(float), 0, 2, y, 2);
  EXPECT_FLOAT_EQ(y[0], 1.0f);
  EXPECT_FLOAT_EQ(y[1], 6.0f);
  EXPECT_FLOAT_EQ(y[2], 4.0f);
  EXPECT_FLOAT_EQ(y[3], 15.0f);
}

TEST(ReferenceKernels, SoftmaxSumsToOneAndIsShiftInvariant) {
  std::vector<float> x = {1, 2, 3};
  SoftmaxRow(x.data(), 3);
  const double e1 = std::exp(1.0), e2 = std::exp(2.0), e3 = std::exp(3.0);
  const double s = e1 + e2 + e3;
  EXPECT_NEAR(x[0], e1 / s, 1e-7);
  EXPECT_NEAR(x[1], e2 / s, 1e-7);
  EXPECT_NEAR(x[2], e3 / s, 1e-7);
  EXPECT_NEAR(x[0] + x[1] + x[2], 1.0, 1e-6);
  // Large logits must not overflow: the max is subtracted first.
  std::vector<float> big = {1001, 1002, 1003};
  SoftmaxRow(big.data(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(big[i], x[i]);
}

TEST(ReferenceKernels, RmsNormOfConstantVectorIsTheGain) {
  const float x[4] = {-3, -3, -3, -3};
  const float w[4] = {1, 2, 0.5f, -1};
  float out[4];
  RmsNormRow(x, w, out, 4, 0.0f, false);
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(out[i], -w[i]);
  RmsNormRow(x, w, out, 4, 0.0f, true);  // Gemma-style (1 + w)
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(out[i], -(1 + w[i]));
  // eps enters inside the square root: rms = sqrt(9 + 7) = 4.
  RmsNormRow(x, w, out, 4, 7.0f, false);
  EXPECT_FLOAT_EQ(out[0], -0.75f);
}

TEST(ReferenceKernels, LayerNormMatchesHandComputedValues) {
  const float x[4] = {1, 2, 3, 4};  // mean 2.5, variance 1.25
  const float w[4] = {1, 1, 2, 1};
  const float b[4] = {0, 0, 0, 10};
  float out[4];
  LayerNormRow(x, w, b, out, 4, 0.0f);
  const double inv_std = 1.0 / std::sqrt(1.25);
  EXPECT_NEAR(out[0], -1.5 * inv_std, 1e-6);
  EXPECT_NEAR(out[1], -0.5 * inv_std, 1e-6);
  EXPECT_NEAR(out[2], 2 * 0.5 * inv_std, 1e-6);
  EXPECT_NEAR(out[3], 1.5 * inv_std + 10, 1e-6);
  LayerNormRow(x, w, nullptr, out, 4, 0.0f);
  EXPECT_NEAR(out[3], 1.5 * inv_std, 1e-6);
}

TEST(ReferenceKernels, ActivationsMatchTheirFormulas) {
  const float x[3] = {-1.0f, 0.0f, 1.0f};
  float out[3];
  Silu(x, out, 3);
  EXPECT_NEAR(out[2], 1.0 / (1.0 + std::exp(-1.0)), 1e-7);
  EXPECT_NEAR(out[0], -1.0 / (1.0 + std::exp(1.0)), 1e-7);
  EXPECT_EQ(out[1], 0.0f);
  Relu(x, out, 3);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[2], 1.0f);
  GeluErf(x, out, 3);
  EXPECT_NEAR(out[2], 0.8413447460685429, 1e-7);  // Phi(1)
  EXPECT_NEAR(out[0], -0.15865525393145707, 1e-7);
  GeluTanh(x, out, 3);
  const double u = std::sqrt(2.0 / M_PI) * (1.0 + 0.044715);
  EXPECT_NEAR(out[2], 0.5 * (1.0 + std::tanh(u)), 1e-7);
  EXPECT_NEAR(out[0], -0.5 * (1.0 - std::tanh(u)), 1e-7);
  // Far in the negative tail the exact GELU keeps relative precision (the erfc form).
  const float tail = -8.0f;
  GeluErf(&tail, out, 1);
  EXPECT_NEAR(out[0] / (-8.0 * 0.5 * std::erfc(8.0 / std::sqrt(2.0))), 1.0, 1e-6);
  const float gate[2] = {1.0f, -1.0f};
  const float up[2] = {2.0f, 3.0f};
  SiluMul(gate, up, out, 2);
  EXPECT_NEAR(out[0], 2.0 / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(out[1], -3.0 / (1.0 + std::exp(1.0)), 1e-6);
}

TEST(ReferenceKernels, RopeRotatesPairsAndPreservesNorms) {
  const double theta0 = 0.3, theta1 = -1.7;
  const float cos[2] = {static_cast<float>(std::cos(theta0)), static_cast<float>(std::cos(theta1))};
  const float sin[2] = {static_cast<float>(std::sin(theta0)), static_cast<float>(std::sin(theta1))};
  // Rotate-half pairs (0, 2) and (1, 3); the fifth value is outside the rotary part and never touched.
  float half[5] = {1, 2, 3, 4, 9};
  RopeRotateHalf(half, cos, sin, 2);
  EXPECT_NEAR(half[0], 1 * std::cos(theta0) - 3 * std::sin(theta0), 1e-6);
  EXPECT_NEAR(half[2], 1 * std::sin(theta0) + 3 * std::cos(theta0), 1e-6);
  EXPECT_NEAR(half[1], 2 * std::cos(theta1) - 4 * std::sin(theta1), 1e-6);
  EXPECT_NEAR(half[3], 2 * std::sin(theta1) + 4 * std::cos(theta1), 1e-6);
  EXPECT_NEAR(half[0] * half[0] + half[2] * half[2], 10.0, 1e-5);
  EXPECT_NEAR(half[1] * half[1] + half[3] * half[3], 20.0, 1e-5);
  // Interleaved pairs (0, 1) and (2, 3) give the same rotation of the same pairs laid out differently.
  float inter[4] = {1, 3, 2, 4};
  RopeInterleaved(inter, cos, sin, 2);
  EXPECT_FLOAT_EQ(inter[0], half[0]);
  EXPECT_FLOAT_EQ(inter[1], half[2]);
  EXPECT_FLOAT_EQ(inter[2], half[1]);
  EXPECT_FLOAT_EQ(inter[3], half[3]);
}

TEST(ReferenceKernels, AttentionWithOneKeyReturnsItsValue) {
  const float q[2] = {0.3f, -2.0f};
  const float k[2] = {5.0f, 7.0f};
  const float v[2] = {-1.5f, 4.0f};
  float scores[1];
  float out[2];
  AttentionQueries(q, 1, k, v, 2, 0, 1, 2, 0.7f, {}, scores, out);
  EXPECT_FLOAT_EQ(out[0], -1.5f);
  EXPECT_FLOAT_EQ(out[1], 4.0f);
}

TEST(ReferenceKernels, AttentionMatchesFloat64Formula) {
  // Three keys of head_dim 2 in rows of stride 3 (the third column belongs to another head).
  const float q[2] = {1.0f, -0.5f};
  const float k[9] = {1, 0, 99, 0, 1, 99, 1, 1, 99};
  const float v[9] = {1, 2, 99, 3, 4, 99, 5, 6, 99};
  const double scale = 0.5;
  double s[3], sum = 0;
  for (int j = 0; j < 3; ++j) {
    s[j] = std::exp(scale * (q[0] * k[3 * j] + q[1] * k[3 * j + 1]));
    sum += s[j];
  }
  float scores[3], out[2];
  AttentionQueries(q, 1, k, v, 3, 0, 3, 2, static_cast<float>(scale), {}, scores, out);
  EXPECT_NEAR(out[0], (s[0] * 1 + s[1] * 3 + s[2] * 5) / sum, 1e-6);
  EXPECT_NEAR(out[1], (s[0] * 2 + s[1] * 4 + s[2] * 6) / sum, 1e-6);
  // Keys [1, 3) only.
  AttentionQueries(q, 1, k, v, 3, 1, 3, 2, static_cast<float>(scale), {}, scores, out);
  EXPECT_NEAR(out[0], (s[1] * 3 + s[2] * 5) / (s[1] + s[2]), 1e-6);
  // Two queries in one call: each gets its own softmax.
  const float q2[4] = {1.0f, -0.5f, 0.0f, 0.0f};
  float scores2[6], out2[4];
  AttentionQueries(q2, 2, k, v, 3, 0, 3, 2, static_cast<float>(scale), {}, scores2, out2);
  EXPECT_NEAR(out2[0], (s[0] * 1 + s[1] * 3 + s[2] * 5) / sum, 1e-6);
  EXPECT_NEAR(out2[2], (1 + 3 + 5) / 3.0, 1e-6);  // a zero query weighs all keys equally
  EXPECT_NEAR(out2[3], (2 + 4 + 6) / 3.0, 1e-6);
  // No visible key: zeros rather than NaN.
  AttentionQueries(q, 1, k, v, 3, 2, 2, 2, static_cast<float>(scale), {}, scores, out);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 0.0f);
  // A distance bias for a query at position 2: key j's score gets -slope * |j - 2|.
  const float slope = 0.75f;
  double b[3], bsum = 0;
  for (int j = 0; j < 3; ++j) bsum += (b[j] = s[j] * std::exp(-slope * std::abs(j - 2)));
  AttentionQueries(q, 1, k, v, 3, 0, 3, 2, static_cast<float>(scale), ScoreBias{&slope, 2}, scores, out);
  EXPECT_NEAR(out[0], (b[0] * 1 + b[1] * 3 + b[2] * 5) / bsum, 1e-6);
  EXPECT_NEAR(out[1], (b[0] * 2 + b[1] * 4 + b[2] * 6) / bsum, 1e-6);
}

}  // namespace
}  // namespace ttt::kernels::reference
