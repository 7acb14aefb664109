// The encoder pattern on random weights: attention sees both ways (a later token changes an earlier token's
// state, unlike a decoder), token types matter, the f32 path agrees with the float64 reference, and the spec
// validator refuses what an encoder cannot be. Outside references: tests/bert (llama.cpp's embeddings).
#include "core/patterns/encoder/encoder.h"

#include <cmath>
#include <iostream>
#include <random>

#include "core/hwconfig/resolve.h"
#include "core/specs/validate.h"
#include "core/testing/reference_encoder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

spec::EncoderSpec TinySpec() {
  spec::EncoderSpec s;
  s.set_name("tiny");
  s.set_family("bert");
  s.set_num_layers(2);
  s.mutable_token_embedding()->set_vocab_size(20);
  s.mutable_token_embedding()->set_hidden_dim(16);
  s.mutable_position_embedding()->set_max_positions(12);
  s.set_type_vocab_size(2);
  for (spec::NormSpec* n : {s.mutable_embedding_norm(), s.mutable_attention_norm(), s.mutable_mlp_norm()}) {
    n->set_kind(spec::NormSpec::LAYER_NORM);
    n->set_bias(true);
    n->set_eps(1e-12f);
  }
  s.mutable_attention()->set_num_heads(2);
  s.mutable_attention()->set_qkv_bias(true);
  s.mutable_attention()->set_output_bias(true);
  s.mutable_mlp()->set_intermediate_dim(24);
  s.mutable_mlp()->set_activation(spec::GELU);
  s.mutable_mlp()->set_bias(true);
  return s;
}

WeightMap RandomWeights(const spec::EncoderSpec& s) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  WeightMap w;
  auto add = [&](const std::string& name, Shape shape, float offset = 0) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> v(n);
    for (float& x : v) x = offset + normal(rng);
    w[name] = Tensor::FromF32(shape, v);
  };
  const int64_t h = s.token_embedding().hidden_dim(), ff = s.mlp().intermediate_dim();
  add("tok_embeddings", {s.token_embedding().vocab_size(), h});
  add("pos_embeddings", {s.position_embedding().max_positions(), h});
  add("token_type_embeddings", {s.type_vocab_size(), h});
  auto norm = [&](const std::string& p) { add(p + ".weight", {h}, 1.0f), add(p + ".bias", {h}); };
  norm("embedding_norm");
  for (uint32_t i = 0; i < s.num_layers(); ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    for (const char* m : {"attn.wq", "attn.wk", "attn.wv", "attn.wo"}) add(p + m, {h, h}), add(p + m + ".bias", {h});
    add(p + "mlp.w_up", {ff, h}), add(p + "mlp.w_up.bias", {ff});
    add(p + "mlp.w_down", {h, ff}), add(p + "mlp.w_down.bias", {h});
    norm(p + "attention_norm");
    norm(p + "mlp_norm");
  }
  return w;
}

std::unique_ptr<Encoder> Tiny() {
  absl::StatusOr<Validated<spec::EncoderSpec>> spec = ValidateEncoder(TinySpec());
  EXPECT_TRUE(spec.ok()) << spec.status();
  absl::StatusOr<std::unique_ptr<Encoder>> e = Encoder::Create(*spec, RandomWeights(**spec));
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

TEST(EncoderTest, AttentionSeesLaterTokens) {
  std::unique_ptr<Encoder> e = Tiny();
  ASSERT_NE(e, nullptr);
  const std::vector<float> a = *e->Forward({1, 2, 3, 4});
  const std::vector<float> b = *e->Forward({1, 2, 3, 5});
  double diff = 0;
  for (int64_t i = 0; i < e->hidden_dim(); ++i) diff = std::max(diff, double(std::abs(a[i] - b[i])));
  EXPECT_GT(diff, 1e-3) << "the first token's state ignores the last token: attention is causal";
}

TEST(EncoderTest, TokenTypesChangeTheStates) {
  std::unique_ptr<Encoder> e = Tiny();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(*e->Forward({1, 2, 3}), *e->Forward({1, 2, 3}, {0, 0, 0}));
  EXPECT_NE(*e->Forward({1, 2, 3}), *e->Forward({1, 2, 3}, {0, 1, 1}));
}

TEST(EncoderTest, MatchesFloat64Reference) {
  std::unique_ptr<Encoder> e = Tiny();
  ASSERT_NE(e, nullptr);
  const std::vector<int32_t> ids = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};  // every position
  const std::vector<int32_t> types = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
  const std::vector<float> fast = *e->Forward(ids, types);
  const testing::DVector exact = testing::RefFromModule(*e).Forward(ids, types);
  ASSERT_EQ(fast.size(), exact.size());
  for (size_t i = 0; i < exact.size(); ++i) EXPECT_NEAR(fast[i], exact[i], 1e-5) << i;
}

// Stored in bf16, the projections are judged against the float64 math of what they store (the reference takes
// the dequantised weights). What is left is the bf16 kernels' own rounding along the way (measured 7.0e-3 on
// LayerNorm outputs of order 1), well inside the bf16 tolerance the Linear tests use (0.05).
TEST(EncoderTest, Bf16WeightsMatchTheirFloat64Reference) {
  std::unique_ptr<Encoder> f32 = Tiny(), bf16 = Tiny();
  ASSERT_NE(bf16, nullptr);
  ASSERT_TRUE(bf16->UseDevice({.linear_weight_dtype = DType::kBF16}).ok());
  const std::vector<int32_t> ids = {3, 1, 4, 1, 5, 9, 2, 6};
  const std::vector<float> fast = *bf16->Forward(ids);
  const testing::DVector exact = testing::RefFromModule(*bf16).Forward(ids);
  const std::vector<float> full = *f32->Forward(ids);
  double to_ref = 0, to_f32 = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    to_ref = std::max(to_ref, std::abs(fast[i] - exact[i]));
    to_f32 = std::max(to_f32, double(std::abs(fast[i] - full[i])));
  }
  EXPECT_LE(to_ref, 0.03);
  EXPECT_GT(to_f32, 0.0);  // the conversion happened
  EXPECT_LE(to_f32, 0.1);
}

// On a device the encoder's blocks take the device's module defaults, as a decoder's do: cpu in accuracy mode is
// the exact model (bit for bit), n150 in performance mode stores the MLP's ff1_3 in bfp4 and ff2 and the
// attention in bfp8 and runs the Tenstorrent numerics (bf16 activations, LoFi/HiFi2), which move the states
// (measured: 0.12 of max|state| on these 16-wide random weights, bfp4 being the most of it) without losing them.
TEST(EncoderTest, RunsAsEachDeviceDoes) {
  std::unique_ptr<Encoder> exact = Tiny(), cpu = Tiny(), n150 = Tiny();
  ASSERT_NE(n150, nullptr);
  const std::vector<int32_t> ids = {3, 1, 4, 1, 5, 9, 2, 6};
  ASSERT_TRUE(cpu->UseDevice({}).ok());
  EXPECT_EQ(*cpu->Forward(ids), *exact->Forward(ids));
  ASSERT_TRUE(n150->UseDevice({.device = "n150", .mode = hw::PERFORMANCE}).ok());
  EXPECT_EQ(n150->device(), "n150");
  const Encoder::Layer& layer = n150->layer(1);
  EXPECT_EQ(layer.mlp.up_projection().weight_dtype(), DType::kBFP4);
  EXPECT_EQ(layer.mlp.down_projection().weight_dtype(), DType::kBFP8);
  EXPECT_EQ(layer.attention->qkv_projection().weight_dtype(), DType::kBFP8);
  const std::vector<float> f32 = *exact->Forward(ids), device = *n150->Forward(ids);
  double max_err = 0, max_ref = 0;
  for (size_t i = 0; i < f32.size(); ++i) {
    max_ref = std::max(max_ref, double(std::abs(f32[i])));
    max_err = std::max(max_err, double(std::abs(device[i] - f32[i])));
  }
  std::cout << "[ figures  ] n150 performance: states within " << max_err / max_ref << " of max|state| of f32\n";
  EXPECT_GT(max_err, 0.0);
  EXPECT_LE(max_err / max_ref, 0.25);
  // --weights over the device's defaults, and an unknown device named.
  std::unique_ptr<Encoder> bf16 = Tiny();
  ASSERT_TRUE(bf16->UseDevice({.device = "n150", .mode = hw::PERFORMANCE, .linear_weight_dtype = DType::kBF16}).ok());
  EXPECT_EQ(bf16->layer(0).mlp.up_projection().weight_dtype(), DType::kBF16);
  const absl::Status unknown = Tiny()->UseDevice({.device = "n151"});
  EXPECT_THAT(unknown.message(), ::testing::HasSubstr("n151"));
}

// An encoder runs on one chip: one whose weights exceed a chip's DRAM is refused before any weight is read or
// converted (the spec alone), with the bytes and what fits. 24 layers of 8192 hidden and 32768 MLP features:
// 19.3 G projection values, 16.6 GiB in n150's accuracy-mode formats (more than its 12 GiB), 10.6 GiB in bfp4.
TEST(EncoderTest, OneThatDoesNotFitAChipIsRefusedBeforeItsWeightsAreRead) {
  spec::EncoderSpec big = TinySpec();
  big.set_num_layers(24);
  big.mutable_token_embedding()->set_vocab_size(30522);
  big.mutable_token_embedding()->set_hidden_dim(8192);
  big.mutable_position_embedding()->set_max_positions(512);
  big.mutable_attention()->set_num_heads(64);
  big.mutable_mlp()->set_intermediate_dim(32768);
  absl::StatusOr<Validated<spec::EncoderSpec>> spec = ValidateEncoder(big);
  ASSERT_TRUE(spec.ok()) << spec.status();
  const absl::Status n150 = Encoder::CheckFits(*spec, {.device = "n150", .mode = hw::ACCURACY});
  EXPECT_EQ(n150.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(n150.message(), ::testing::HasSubstr("encoder 'tiny' does not fit one n150 chip"));
  EXPECT_THAT(n150.message(), ::testing::HasSubstr("--weights bfp4"));
  EXPECT_THAT(n150.message(), ::testing::HasSubstr(", fits"));
  EXPECT_THAT(n150.message(), ::testing::HasSubstr("more DRAM per chip: p150"));
  std::cout << "[ message  ] " << n150.message() << "\n";
  EXPECT_TRUE(Encoder::CheckFits(*spec, {.device = "n150", .mode = hw::ACCURACY, .linear_weight_dtype = DType::kBFP4}).ok());
  EXPECT_TRUE(Encoder::CheckFits(*spec, {}).ok());  // the cpu: the machine's memory, not a chip's
  EXPECT_TRUE(Encoder::CheckFits(*ValidateEncoder(TinySpec()), {.device = "n150", .mode = hw::ACCURACY}).ok());
}

// A model-level config (--hw-config) over the device's defaults, as decoders take it: its module defaults in
// every layer, its overrides in the layers they name, --weights over both; mistakes named.
TEST(EncoderTest, TakesAModelLevelHwConfig) {
  auto file = ParseModelHwConfig(R"pb(
    defaults { key: "mlp" value { prefill { ops { key: "ff1_3" value { weight_dtype: BFP8 } } }
                                  decode { ops { key: "ff1_3" value { weight_dtype: BFP8 } } } } }
    overrides { layer: 1 modules { key: "attention" value {
      prefill { ops { key: "wqkv" value { weight_dtype: BF16 } } }
      decode { ops { key: "wqkv" value { weight_dtype: BF16 } } } } } }
  )pb", "enc.textproto");
  ASSERT_TRUE(file.ok()) << file.status();
  std::unique_ptr<Encoder> e = Tiny();
  ASSERT_TRUE(e->UseDevice({.device = "n150", .mode = hw::PERFORMANCE, .hw_config = *file}).ok());
  for (int64_t l = 0; l < 2; ++l) {
    EXPECT_EQ(e->layer(l).mlp.up_projection().weight_dtype(), DType::kBFP8) << l;  // default bfp4, the file's bfp8
    EXPECT_EQ(e->layer(l).mlp.down_projection().weight_dtype(), DType::kBFP8) << l;  // untouched
  }
  EXPECT_EQ(e->layer(0).attention->qkv_projection().weight_dtype(), DType::kBFP8);  // the device's
  EXPECT_EQ(e->layer(1).attention->qkv_projection().weight_dtype(), DType::kBF16);  // the override's
  std::unique_ptr<Encoder> shortcut = Tiny();
  ASSERT_TRUE(shortcut->UseDevice({.device = "n150", .mode = hw::PERFORMANCE, .linear_weight_dtype = DType::kBFP4,
                                   .hw_config = *file}).ok());
  EXPECT_EQ(shortcut->layer(1).attention->qkv_projection().weight_dtype(), DType::kBFP4);  // --weights last
  auto refused = [&](const std::string& text, DeviceOptions options = {.device = "n150"}) {
    auto bad = ParseModelHwConfig(text, "bad.textproto");
    EXPECT_TRUE(bad.ok()) << bad.status();
    options.hw_config = *bad;
    options.hw_config_name = "bad.textproto";
    const absl::Status s = Tiny()->UseDevice(options);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << text;
    return std::string(s.message());
  };
  EXPECT_THAT(refused(R"pb(defaults { key: "lm_head" value {} })pb"), ::testing::HasSubstr("use one of attention, mlp"));
  EXPECT_THAT(refused(R"pb(overrides { layer: 2 modules { key: "mlp" value {} } })pb"),
              ::testing::HasSubstr("layer 2 but the model has layers 0-1"));
  EXPECT_THAT(refused(R"pb(defaults { key: "mlp" value { decode { ops { key: "wq" value {} } } } })pb"),
              ::testing::HasSubstr("has no op 'wq'"));
  EXPECT_THAT(refused(R"pb(device: "p150")pb"), ::testing::HasSubstr("is for device 'p150'"));
}

TEST(EncoderTest, SpecValidatorRefusesWhatAnEncoderCannotBe) {
  spec::EncoderSpec causal = TinySpec();
  causal.mutable_attention()->set_causal(true);
  EXPECT_THAT(ValidateEncoder(causal).status().message(), ::testing::HasSubstr("attention.causal"));
  spec::EncoderSpec rope = TinySpec();
  rope.mutable_attention()->set_use_rope(true);
  EXPECT_THAT(ValidateEncoder(rope).status().message(), ::testing::HasSubstr("RoPE"));
  spec::EncoderSpec no_layers = TinySpec();
  no_layers.set_num_layers(0);
  EXPECT_THAT(ValidateEncoder(no_layers).status().message(), ::testing::HasSubstr("num_layers"));
  absl::StatusOr<Validated<spec::EncoderSpec>> ok = ValidateEncoder(TinySpec());
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE((*ok)->attention().causal());
  EXPECT_EQ((*ok)->attention().max_seq_len(), 12u);
  EXPECT_EQ((*ok)->default_pooling(), spec::MEAN);
}

TEST(EncoderTest, MissingWeightIsNamed) {
  absl::StatusOr<Validated<spec::EncoderSpec>> spec = ValidateEncoder(TinySpec());
  ASSERT_TRUE(spec.ok());
  WeightMap w = RandomWeights(**spec);
  w.erase("layers.1.mlp_norm.bias");
  EXPECT_THAT(Encoder::Create(*spec, w).status().message(), ::testing::HasSubstr("layers.1.mlp_norm.bias"));
}

}  // namespace
}  // namespace ttt
