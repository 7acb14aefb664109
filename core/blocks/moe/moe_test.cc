// The mixture-of-experts block against a float64 computation written here from the math (softmax router, top k,
// optional renormalisation, gated experts, sigmoid-gated shared expert), its descriptor's reference against the
// same, and the promise that a row reads only the experts it chose.
#include "core/blocks/moe/moe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/specs/validate.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

constexpr int64_t kHidden = 24;

Tensor Random(Shape shape, std::mt19937& rng, float sd) {
  std::normal_distribution<float> d(0.0f, sd);
  Tensor t = Tensor::Empty(DType::kF32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

spec::MoeSpec Spec(uint32_t experts, uint32_t k, bool normalize, uint32_t shared, spec::Activation act = spec::SILU) {
  spec::MoeSpec s;
  s.set_hidden_dim(kHidden);
  s.set_expert_dim(16);
  s.set_num_experts(experts);
  s.set_experts_per_token(k);
  s.set_normalize_top_k(normalize);
  s.set_activation(act);
  s.set_shared_expert_dim(shared);
  s.set_shared_expert_gate(shared > 0);
  return s;
}

WeightMap Weights(const spec::MoeSpec& s, uint32_t seed) {
  std::mt19937 rng(seed);
  WeightMap w;
  const float sd = 1.0f / std::sqrt(float(kHidden));
  w["moe.router"] = Random({s.num_experts(), kHidden}, rng, 1.0f);
  auto gated = [&](const std::string& p, int64_t width) {
    w[p + ".w_gate"] = Random({width, kHidden}, rng, sd);
    w[p + ".w_up"] = Random({width, kHidden}, rng, sd);
    w[p + ".w_down"] = Random({kHidden, width}, rng, 1.0f / std::sqrt(float(width)));
  };
  for (uint32_t e = 0; e < s.num_experts(); ++e) gated(absl::StrCat("moe.experts.", e), s.expert_dim());
  if (s.shared_expert_dim() > 0) gated("moe.shared", s.shared_expert_dim());
  if (s.shared_expert_gate()) w["moe.shared_gate"] = Random({1, kHidden}, rng, sd);
  return w;
}

double Act(spec::Activation a, double v) {
  if (a == spec::SILU) return v / (1 + std::exp(-v));
  return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));  // GELU
}

// row [kHidden] x W^T for W [out, kHidden].
std::vector<double> Dot(const Tensor& w, const double* x) {
  std::vector<double> y(w.dim(0));
  for (int64_t o = 0; o < w.dim(0); ++o) {
    for (int64_t i = 0; i < w.dim(1); ++i) y[o] += x[i] * w.data<float>()[o * w.dim(1) + i];
  }
  return y;
}

std::vector<double> Expert(const WeightMap& w, const std::string& p, spec::Activation act, const double* x) {
  const std::vector<double> g = Dot(w.at(p + ".w_gate"), x), u = Dot(w.at(p + ".w_up"), x);
  std::vector<double> h(g.size());
  for (size_t i = 0; i < h.size(); ++i) h[i] = Act(act, g[i]) * u[i];
  return Dot(w.at(p + ".w_down"), h.data());
}

std::vector<double> Expected(const spec::MoeSpec& s, const WeightMap& w, const std::vector<float>& x, int64_t rows) {
  std::vector<double> out(rows * kHidden, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const std::vector<double> xr(x.begin() + r * kHidden, x.begin() + (r + 1) * kHidden);
    std::vector<double> p = Dot(w.at("moe.router"), xr.data());
    const double mx = *std::max_element(p.begin(), p.end());
    double z = 0;
    for (double& v : p) z += (v = std::exp(v - mx));
    for (double& v : p) v /= z;
    std::vector<int> order(p.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
    double chosen = 0;
    for (uint32_t j = 0; j < s.experts_per_token(); ++j) chosen += p[order[j]];
    for (uint32_t j = 0; j < s.experts_per_token(); ++j) {
      const double weight = s.normalize_top_k() ? p[order[j]] / chosen : p[order[j]];
      const std::vector<double> y = Expert(w, absl::StrCat("moe.experts.", order[j]), s.activation(), xr.data());
      for (int64_t d = 0; d < kHidden; ++d) out[r * kHidden + d] += weight * y[d];
    }
    if (s.shared_expert_dim() > 0) {
      const double gate = 1 / (1 + std::exp(-Dot(w.at("moe.shared_gate"), xr.data())[0]));
      const std::vector<double> y = Expert(w, "moe.shared", s.activation(), xr.data());
      for (int64_t d = 0; d < kHidden; ++d) out[r * kHidden + d] += gate * y[d];
    }
  }
  return out;
}

std::vector<float> RunMoe(const Moe& moe, const std::vector<float>& x, int64_t rows, Phase phase) {
  std::vector<float> out(rows * kHidden), scratch(moe.ScratchFloats(rows));
  moe.Forward(x.data(), rows, out.data(), scratch.data(), StepContext{.phase = phase});
  return out;
}

struct MoeCase {
  const char* name;
  spec::MoeSpec spec;
};

class MoeBlockTest : public ::testing::TestWithParam<MoeCase> {};

TEST_P(MoeBlockTest, MatchesFloat64MathAndItsReference) {
  const spec::MoeSpec& s = GetParam().spec;
  const WeightMap w = Weights(s, 7);
  auto valid = ValidateMoe(s);
  ASSERT_TRUE(valid.ok()) << valid.status();
  auto moe = Moe::Create(*valid, w, "moe");
  ASSERT_TRUE(moe.ok()) << moe.status();
  for (int64_t rows : {1, 9}) {
    std::mt19937 rng(rows);
    const Tensor xt = Random({rows, kHidden}, rng, 1.0f);
    const std::vector<float> x(xt.data<float>(), xt.data<float>() + rows * kHidden);
    const std::vector<double> expected = Expected(s, w, x, rows);
    const std::vector<double> reference =
        moe->descriptor().reference(*moe, std::vector<double>(x.begin(), x.end()), rows);
    for (Phase phase : {Phase::kPrefill, Phase::kDecode}) {
      const std::vector<float> got = RunMoe(*moe, x, rows, phase);
      for (int64_t i = 0; i < rows * kHidden; ++i) {
        ASSERT_NEAR(got[i], expected[i], 1e-4 * (1 + std::abs(expected[i]))) << rows << " rows, value " << i;
        ASSERT_NEAR(reference[i], expected[i], 1e-9 * (1 + std::abs(expected[i]))) << rows << " rows, value " << i;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, MoeBlockTest,
    ::testing::Values(MoeCase{"mixtral_top2_renormalised", Spec(8, 2, true, 0)},
                      MoeCase{"qwen2moe_shared_gated_expert", Spec(6, 2, false, 20)},
                      MoeCase{"top1_geglu", Spec(4, 1, false, 0, spec::GELU)},
                      MoeCase{"every_expert", Spec(3, 3, true, 0)}),
    [](const auto& info) { return info.param.name; });

// A row reads only the experts it chose: the others' weights are NaN and the output is still exact.
TEST(MoeBlockReadsTest, OnlyTheChosenExperts) {
  const spec::MoeSpec s = Spec(8, 2, true, 0);
  WeightMap w = Weights(s, 11);
  auto valid = ValidateMoe(s);
  ASSERT_TRUE(valid.ok());
  auto moe = Moe::Create(*valid, w, "moe");
  ASSERT_TRUE(moe.ok());
  std::mt19937 rng(3);
  const Tensor xt = Random({1, kHidden}, rng, 1.0f);
  const std::vector<float> x(xt.data<float>(), xt.data<float>() + kHidden);
  std::vector<int32_t> chosen(2);
  std::vector<float> weights(2), scratch(2 * s.num_experts());
  moe->Route(x.data(), 1, Phase::kDecode, chosen.data(), weights.data(), scratch.data());
  const std::vector<double> expected = Expected(s, w, x, 1);
  WeightMap poisoned = w;
  for (uint32_t e = 0; e < s.num_experts(); ++e) {
    if (std::count(chosen.begin(), chosen.end(), static_cast<int32_t>(e))) continue;
    for (const char* m : {".w_gate", ".w_up", ".w_down"}) {
      Tensor t = poisoned.at(absl::StrCat("moe.experts.", e, m)).Contiguous();
      std::fill(t.data<float>(), t.data<float>() + t.numel(), std::numeric_limits<float>::quiet_NaN());
      poisoned[absl::StrCat("moe.experts.", e, m)] = t;
    }
  }
  auto poisoned_moe = Moe::Create(*valid, poisoned, "moe");
  ASSERT_TRUE(poisoned_moe.ok());
  const std::vector<float> got = RunMoe(*poisoned_moe, x, 1, Phase::kDecode);
  for (int64_t d = 0; d < kHidden; ++d) ASSERT_NEAR(got[d], expected[d], 1e-4 * (1 + std::abs(expected[d])));
  EXPECT_GE(weights[0], weights[1]);
  EXPECT_NEAR(weights[0] + weights[1], 1.0f, 1e-6);  // renormalised
}

TEST(MoeSpecTest, RefusesWhatCannotRun) {
  spec::MoeSpec s = Spec(4, 5, true, 0);
  EXPECT_NE(ValidateMoe(s).status().message().find("experts_per_token"), std::string_view::npos);
  s = Spec(4, 2, true, 0, spec::RELU);
  EXPECT_NE(ValidateMoe(s).status().message().find("RELU"), std::string_view::npos);
  s = Spec(4, 2, true, 0);
  s.set_shared_expert_gate(true);
  EXPECT_NE(ValidateMoe(s).status().message().find("shared_expert_gate"), std::string_view::npos);
  s = Spec(4, 2, true, 0);
  s.clear_activation();
  auto valid = ValidateMoe(s);
  ASSERT_TRUE(valid.ok());
  EXPECT_EQ((*valid)->activation(), spec::SILU);
}

TEST(MoeBlockLoadTest, AMissingExpertIsNamed) {
  const spec::MoeSpec s = Spec(4, 2, true, 0);
  WeightMap w = Weights(s, 1);
  w.erase("moe.experts.3.w_up");
  auto moe = Moe::Create(*ValidateMoe(s), w, "moe");
  ASSERT_FALSE(moe.ok());
  EXPECT_NE(moe.status().message().find("moe.experts.3.w_up"), std::string_view::npos) << moe.status();
}

}  // namespace
}  // namespace ttt
