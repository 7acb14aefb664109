// TestSuite on spec variants no fixture has (sliding window, RoPE scalings, partial and interleaved
// rotary, MQA, biases, unit-offset RMSNorm, LayerNorm, GeGLU, ReLU, scaled embeddings, custom softmax
// scale): synthetic weights (biases and norm scales randomised so those paths matter), every module
// against the float64 math of its spec.
#include <functional>
#include <ostream>
#include <random>

#include "core/factory/synthetic.h"
#include "core/specs/validate.h"
#include "core/testing/test_suite.h"
#include "gtest/gtest.h"

namespace ttt::testing {
namespace {

struct Variant {
  std::string name;
  std::function<void(spec::ModelSpec&)> edit;
};

// Names the case in test output and CTest names (instead of gtest's byte dump).
void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

class SpecVariantTest : public ::testing::TestWithParam<Variant> {};

TEST_P(SpecVariantTest, EveryModuleMatchesItsFloat64Reference) {
  auto base = NamedShape("llama-gqa-tiny");
  ASSERT_TRUE(base.ok()) << base.status();
  spec::ModelSpec s = *base;
  s.set_max_seq_len(64);
  s.mutable_layer()->mutable_attention()->set_max_seq_len(64);
  GetParam().edit(s);
  auto valid = ValidateModel(s);
  ASSERT_TRUE(valid.ok()) << valid.status();
  WeightMap weights = SyntheticWeights(*valid, 7);
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0.0f, 0.5f);
  for (auto& [name, t] : weights) {
    if (t.rank() != 1) continue;
    std::vector<float> v = t.ToF32();
    for (float& x : v) x += noise(rng);
    t = Tensor::FromF32(t.shape(), v);
  }
  for (DType dtype : {DType::kF32, DType::kBFP8}) {
    auto model = CausalLm::Create(*valid, weights, BuildOptions{.linear_weight_dtype = dtype});
    ASSERT_TRUE(model.ok()) << model.status();
    TestSuite suite(**model, SuiteOptions{.tokens = 12});
    suite.TestEveryModule();
    const Report report = suite.Run();
    EXPECT_TRUE(report.passed()) << DTypeName(dtype) << "\n" << report.Text();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Variants, SpecVariantTest,
    ::testing::Values(
        Variant{"SlidingWindow", [](spec::ModelSpec& s) { s.mutable_layer()->mutable_attention()->set_sliding_window(5); }},
        Variant{"Llama3RopeScaling",
                [](spec::ModelSpec& s) {
                  auto* sc = s.mutable_layer()->mutable_attention()->mutable_rope()->mutable_scaling();
                  sc->set_type(spec::RopeScaling::LLAMA3);
                  sc->set_factor(8);
                  sc->set_low_freq_factor(1);
                  sc->set_high_freq_factor(4);
                  sc->set_original_max_position_embeddings(16);
                  s.mutable_layer()->mutable_attention()->mutable_rope()->set_theta(500000);
                }},
        Variant{"LinearRopeScalingPartialInterleaved",
                [](spec::ModelSpec& s) {
                  auto* rope = s.mutable_layer()->mutable_attention()->mutable_rope();
                  rope->mutable_scaling()->set_type(spec::RopeScaling::LINEAR);
                  rope->mutable_scaling()->set_factor(2);
                  rope->set_rotary_dim(s.hidden_dim() / s.layer().attention().num_heads() / 2);
                  rope->set_convention(spec::RopeSpec::INTERLEAVED);
                }},
        Variant{"MqaBiasesSoftmaxScale",
                [](spec::ModelSpec& s) {
                  auto* a = s.mutable_layer()->mutable_attention();
                  a->set_num_kv_heads(1);
                  a->set_qkv_bias(true);
                  a->set_output_bias(true);
                  a->set_softmax_scale(0.05f);
                }},
        Variant{"GemmaStyle",
                [](spec::ModelSpec& s) {
                  s.mutable_layer()->mutable_attention_norm()->set_unit_offset(true);
                  s.mutable_layer()->mutable_mlp_norm()->set_unit_offset(true);
                  s.mutable_final_norm()->set_unit_offset(true);
                  s.mutable_layer()->mutable_mlp()->set_activation(spec::GELU);
                  s.mutable_token_embedding()->set_scale(8.0f);
                }},
        Variant{"LayerNormReluMlpWithBias",
                [](spec::ModelSpec& s) {
                  for (auto* n : {s.mutable_layer()->mutable_attention_norm(), s.mutable_layer()->mutable_mlp_norm(),
                                  s.mutable_final_norm()}) {
                    n->set_kind(spec::NormSpec::LAYER_NORM);
                    n->set_bias(true);
                  }
                  auto* m = s.mutable_layer()->mutable_mlp();
                  m->set_gated(false);
                  m->set_activation(spec::RELU);
                  m->set_bias(true);
                }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ttt::testing
