// The float64 reference blocks on cases small enough to compute by hand.
#include <cmath>

#include "core/testing/metrics.h"
#include "core/testing/reference_model.h"
#include "gtest/gtest.h"

namespace ttt::testing {
namespace {

TEST(ReferenceMathTest, LinearAndNorms) {
  RefLinear l{{2, 3, {1, 2, 3, 4, 5, 6}}, {0.5, -1}};
  const DVector y = l.Forward({1, 0, -1}, 1);
  EXPECT_DOUBLE_EQ(y[0], 1 - 3 + 0.5);
  EXPECT_DOUBLE_EQ(y[1], 4 - 6 - 1);

  RefNorm rms;
  rms.spec.set_kind(spec::NormSpec::RMS_NORM);
  rms.spec.set_dim(2);
  rms.spec.set_eps(0);
  rms.w = {1, 2};
  DVector r = rms.Forward({3, 4}, 1);  // rms = sqrt(12.5)
  EXPECT_NEAR(r[0], 3 / std::sqrt(12.5), 1e-12);
  EXPECT_NEAR(r[1], 8 / std::sqrt(12.5), 1e-12);
  rms.spec.set_unit_offset(true);
  r = rms.Forward({3, 4}, 1);
  EXPECT_NEAR(r[1], 12 / std::sqrt(12.5), 1e-12);

  RefNorm ln;
  ln.spec.set_kind(spec::NormSpec::LAYER_NORM);
  ln.spec.set_dim(2);
  ln.spec.set_eps(0);
  ln.w = {1, 1};
  ln.b = {10, 20};
  r = ln.Forward({1, 3}, 1);  // mean 2, var 1
  EXPECT_NEAR(r[0], 9, 1e-12);
  EXPECT_NEAR(r[1], 21, 1e-12);
}

TEST(ReferenceMathTest, RopeInverseFrequencies) {
  spec::RopeSpec rope;
  rope.set_theta(10000);
  rope.set_rotary_dim(4);
  DVector f = RefRopeInverseFrequencies(rope);
  EXPECT_DOUBLE_EQ(f[0], 1.0);
  EXPECT_NEAR(f[1], 0.01, 1e-15);
  rope.mutable_scaling()->set_type(spec::RopeScaling::LINEAR);
  rope.mutable_scaling()->set_factor(4);
  EXPECT_NEAR(RefRopeInverseFrequencies(rope)[1], 0.0025, 1e-15);
}

// One head, two tokens, identity projections: token 0 attends only to itself (causal); token 1 mixes
// both values by softmax(q.k * scale).
TEST(ReferenceMathTest, CausalAttentionByHand) {
  RefAttention a;
  a.spec.set_hidden_dim(2);
  a.spec.set_num_heads(1);
  a.spec.set_num_kv_heads(1);
  a.spec.set_head_dim(2);
  a.spec.set_softmax_scale(1.0f);
  const RefLinear eye{{2, 2, {1, 0, 0, 1}}, {}};
  a.wq = a.wk = a.wv = a.wo = eye;
  const DVector out = a.Forward({1, 0, 0, 1}, 2);
  EXPECT_DOUBLE_EQ(out[0], 1);
  EXPECT_DOUBLE_EQ(out[1], 0);
  // token 1: q = (0,1); scores k0 = 0, k1 = 1 -> weights 1/(1+e), e/(1+e).
  const double w1 = std::exp(1.0) / (1 + std::exp(1.0));
  EXPECT_NEAR(out[2], 1 - w1, 1e-12);
  EXPECT_NEAR(out[3], w1, 1e-12);
  a.spec.set_sliding_window(1);  // each token sees only itself
  const DVector windowed = a.Forward({1, 0, 0, 1}, 2);
  EXPECT_NEAR(windowed[2], 0, 1e-12);
  EXPECT_NEAR(windowed[3], 1, 1e-12);
}

TEST(ReferenceMathTest, MetricsOfKnownSignals) {
  const std::vector<float> a = {1, 2, 3, 4, 0, 5};
  const std::vector<double> e = {1, 2, 3, 4, 5, 0};
  const Metrics m = Compare(a, e, 3, true);
  EXPECT_NEAR(m.max_abs_error, 5.0, 1e-12);
  EXPECT_EQ(m.worst_row, 1);
  EXPECT_EQ(m.worst_col, 1);
  EXPECT_NEAR(m.mean_abs_error, 10.0 / 6, 1e-12);
  EXPECT_DOUBLE_EQ(m.top1, 0.5);  // row 0 agrees (index 2), row 1 does not
  EXPECT_NEAR(Compare(a, std::vector<double>(a.begin(), a.end()), 3, false).pcc, 1.0, 1e-12);
  const std::vector<float> nan = {1, NAN, 3};
  EXPECT_EQ(Compare(nan, std::vector<double>{1, 2, 3}, 3, false).pcc, 0.0);
}

}  // namespace
}  // namespace ttt::testing
