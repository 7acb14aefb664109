// MLP and gated MLP blocks against a float64 implementation of their spec.
#include "core/blocks/mlp/mlp.h"
#include "core/specs/validate.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace ttt {
namespace {

Tensor Random(Shape shape, std::mt19937& rng, float sd = 0.5f) {
  std::normal_distribution<float> d(0.0f, sd);
  Tensor t = Tensor::Empty(DType::kF32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

double Activation(spec::Activation a, double x) {
  switch (a) {
    case spec::SILU: return x / (1 + std::exp(-x));
    case spec::RELU: return x > 0 ? x : 0;
    case spec::GELU: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    default: return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  }
}

std::vector<double> Project(const std::vector<double>& x, const Tensor& w, const Tensor* b) {
  std::vector<double> y(w.dim(0));
  for (int64_t o = 0; o < w.dim(0); ++o) {
    double s = b ? b->data<float>()[o] : 0;
    for (int64_t i = 0; i < w.dim(1); ++i) s += x[i] * w.data<float>()[o * w.dim(1) + i];
    y[o] = s;
  }
  return y;
}

struct MlpCase {
  const char* name;
  spec::Activation activation;
  bool gated, bias;
};

void PrintTo(const MlpCase& c, std::ostream* os) { *os << c.name; }

class MlpBlockTest : public ::testing::TestWithParam<MlpCase> {};

TEST_P(MlpBlockTest, MatchesFloat64Reference) {
  const MlpCase& c = GetParam();
  spec::MlpSpec s;
  s.set_hidden_dim(24);
  s.set_intermediate_dim(37);
  s.set_activation(c.activation);
  s.set_gated(c.gated);
  s.set_bias(c.bias);
  std::mt19937 rng(5);
  WeightMap w;
  w["mlp.w_up"] = Random({37, 24}, rng);
  w["mlp.w_down"] = Random({24, 37}, rng);
  if (c.gated) w["mlp.w_gate"] = Random({37, 24}, rng);
  if (c.bias) {
    w["mlp.w_up.bias"] = Random({37}, rng);
    w["mlp.w_down.bias"] = Random({24}, rng);
    if (c.gated) w["mlp.w_gate.bias"] = Random({37}, rng);
  }
  auto mlp = Mlp::Create(*Validate(s), w, "mlp");
  ASSERT_TRUE(mlp.ok()) << mlp.status();
  const int64_t rows = 3;
  Tensor x = Random({rows, 24}, rng);
  std::vector<float> out(rows * 24), scratch(mlp->ScratchFloats(rows));
  mlp->Forward(x.data<float>(), rows, out.data(), scratch.data());
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> xr(x.data<float>() + r * 24, x.data<float>() + (r + 1) * 24);
    auto bias = [&](const char* n) { return c.bias ? &w.at(n) : nullptr; };
    std::vector<double> up = Project(xr, w.at("mlp.w_up"), bias("mlp.w_up.bias"));
    std::vector<double> gate = c.gated ? Project(xr, w.at("mlp.w_gate"), bias("mlp.w_gate.bias")) : up;
    std::vector<double> act(37);
    for (int i = 0; i < 37; ++i) act[i] = c.gated ? Activation(c.activation, gate[i]) * up[i] : Activation(c.activation, up[i]);
    std::vector<double> expected = Project(act, w.at("mlp.w_down"), bias("mlp.w_down.bias"));
    for (int i = 0; i < 24; ++i) EXPECT_NEAR(out[r * 24 + i], expected[i], 1e-4) << "row " << r << " col " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, MlpBlockTest,
                         ::testing::Values(MlpCase{"SwiGlu", spec::SILU, true, false},
                                           MlpCase{"GeGlu", spec::GELU, true, false},
                                           MlpCase{"GeGluTanhWithBias", spec::GELU_TANH, true, true},
                                           MlpCase{"Gpt2GeluTanh", spec::GELU_TANH, false, true},
                                           MlpCase{"Relu", spec::RELU, false, false},
                                           MlpCase{"GeluExact", spec::GELU, false, true}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ttt
