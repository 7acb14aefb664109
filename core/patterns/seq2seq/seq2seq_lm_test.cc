// The encoder-decoder pattern on random weights of odd sizes (heads * head_dim != hidden, more encoder than
// decoder layers, sequences past the exact buckets) against its float64 reference, for each feed-forward and
// head; decoding step by step against one batch; and specs the validator refuses.
#include <cmath>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/hwconfig/resolve.h"
#include "core/patterns/seq2seq/seq2seq_lm.h"
#include "core/specs/seq2seq_validate.h"
#include "core/testing/reference_seq2seq.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kVocab = 50, kHidden = 20, kHeads = 3, kHeadDim = 8, kFfn = 28;

spec::Seq2SeqSpec Spec(bool gated, bool tied) {
  spec::Seq2SeqSpec s;
  s.set_family("t5");
  s.set_vocab_size(kVocab);
  s.set_hidden_dim(kHidden);
  s.set_num_heads(kHeads);
  s.set_head_dim(kHeadDim);
  s.set_encoder_layers(3);
  s.set_decoder_layers(2);
  s.set_norm_eps(1e-6f);
  s.mutable_mlp()->set_intermediate_dim(kFfn);
  s.mutable_mlp()->set_gated(gated);
  s.mutable_mlp()->set_activation(gated ? spec::GELU_TANH : spec::RELU);
  for (spec::RelativePositionBiasSpec* b : {s.mutable_encoder_bias(), s.mutable_decoder_bias()}) {
    b->set_num_buckets(8);  // small, so that these short sequences reach the log-spaced buckets
    b->set_max_distance(12);
  }
  s.set_tied_head(tied);
  s.set_eos_token_id(1);
  return s;
}

WeightMap RandomWeights(const spec::Seq2SeqSpec& s, uint32_t seed) {
  uint32_t state = seed;
  auto tensor = [&](int64_t rows, int64_t cols, float scale, float offset) {
    std::vector<float> v(rows * cols);
    for (float& x : v) x = offset + scale * (static_cast<float>((state = state * 1664525u + 1013904223u) >> 8) / (1 << 24) - 0.5f);
    return rows == 1 ? Tensor::FromF32({cols}, v) : Tensor::FromF32({rows, cols}, v);
  };
  const int64_t inner = kHeads * kHeadDim;
  WeightMap w;
  w["tok_embeddings"] = tensor(kVocab, kHidden, 2.0f, 0);
  if (!s.tied_head()) w["lm_head"] = tensor(kVocab, kHidden, 0.5f, 0);
  w["encoder.rel_bias"] = tensor(8, kHeads, 2.0f, 0);
  w["decoder.rel_bias"] = tensor(8, kHeads, 2.0f, 0);
  w["encoder.final_norm.weight"] = tensor(1, kHidden, 0.2f, 1);
  w["decoder.final_norm.weight"] = tensor(1, kHidden, 0.2f, 1);
  auto attention = [&](const std::string& p) {
    w[p + ".wq"] = tensor(inner, kHidden, 0.2f, 0);
    w[p + ".wk"] = tensor(inner, kHidden, 0.5f, 0);
    w[p + ".wv"] = tensor(inner, kHidden, 0.5f, 0);
    w[p + ".wo"] = tensor(kHidden, inner, 0.4f, 0);
  };
  auto mlp = [&](const std::string& p) {
    if (s.mlp().gated()) w[p + ".w_gate"] = tensor(kFfn, kHidden, 0.5f, 0);
    w[p + ".w_up"] = tensor(kFfn, kHidden, 0.5f, 0);
    w[p + ".w_down"] = tensor(kHidden, kFfn, 0.4f, 0);
  };
  for (uint32_t i = 0; i < s.encoder_layers(); ++i) {
    const std::string p = absl::StrCat("encoder.layers.", i, ".");
    w[p + "attention_norm.weight"] = tensor(1, kHidden, 0.2f, 1);
    w[p + "mlp_norm.weight"] = tensor(1, kHidden, 0.2f, 1);
    attention(p + "attn");
    mlp(p + "mlp");
  }
  for (uint32_t i = 0; i < s.decoder_layers(); ++i) {
    const std::string p = absl::StrCat("decoder.layers.", i, ".");
    for (const char* n : {"self_attn_norm", "cross_attn_norm", "mlp_norm"}) w[p + n + ".weight"] = tensor(1, kHidden, 0.2f, 1);
    attention(p + "self_attn");
    attention(p + "cross_attn");
    mlp(p + "mlp");
  }
  return w;
}

std::unique_ptr<Seq2SeqLm> Build(bool gated, bool tied) {
  absl::StatusOr<Validated<spec::Seq2SeqSpec>> spec = ValidateSeq2Seq(Spec(gated, tied));
  EXPECT_TRUE(spec.ok()) << spec.status();
  if (!spec.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<Seq2SeqLm>> m = Seq2SeqLm::Create(*spec, RandomWeights(**spec, gated * 2 + tied + 7));
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : nullptr;
}

const std::vector<int32_t> kSource = {3, 17, 4, 49, 22, 8, 8, 30, 11, 2, 41, 5, 19, 1};
const std::vector<int32_t> kTarget = {0, 12, 7, 33, 21, 2, 45, 6, 14, 9, 27};

TEST(Seq2SeqLmTest, EveryFeedForwardAndHeadMatchesFloat64) {
  for (bool gated : {false, true}) {
    for (bool tied : {false, true}) {
      std::unique_ptr<Seq2SeqLm> m = Build(gated, tied);
      ASSERT_NE(m, nullptr);
      absl::StatusOr<std::vector<float>> memory = m->Encode(kSource);
      ASSERT_TRUE(memory.ok()) << memory.status();
      absl::StatusOr<Seq2SeqLm::DecoderState> state = m->StartDecoding(*memory);
      ASSERT_TRUE(state.ok()) << state.status();
      absl::StatusOr<std::vector<float>> logits = m->Decode(*state, kTarget);
      ASSERT_TRUE(logits.ok()) << logits.status();
      const testing::DVector exact = testing::RefFromModule(*m).Logits(kSource, kTarget);
      ASSERT_EQ(logits->size(), exact.size());
      double max_err = 0, max_ref = 0;
      for (size_t i = 0; i < exact.size(); ++i) {
        max_ref = std::max(max_ref, std::abs(exact[i]));
        max_err = std::max(max_err, std::abs((*logits)[i] - exact[i]));
      }
      EXPECT_LE(max_err / max_ref, 1e-5) << (gated ? "gated GELU" : "ReLU") << (tied ? ", tied" : ", untied");
      EXPECT_EQ(m->head_scale() != 1.0f, tied);
    }
  }
}

TEST(Seq2SeqLmTest, DecodingInPiecesEqualsOneBatch) {
  std::unique_ptr<Seq2SeqLm> m = Build(true, false);
  ASSERT_NE(m, nullptr);
  const std::vector<float> memory = *m->Encode(kSource);
  Seq2SeqLm::DecoderState whole = *m->StartDecoding(memory), pieces = *m->StartDecoding(memory);
  const std::vector<float> batch = *m->Decode(whole, kTarget);
  std::vector<float> joined;
  for (size_t start = 0; start < kTarget.size(); start += 4) {  // 4 tokens, then 4, then 3
    const size_t n = std::min<size_t>(4, kTarget.size() - start);
    const std::vector<float> part = *m->Decode(pieces, absl::MakeConstSpan(kTarget).subspan(start, n));
    joined.insert(joined.end(), part.begin(), part.end());
  }
  ASSERT_EQ(joined.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) ASSERT_NEAR(joined[i], batch[i], 1e-5) << i;
}

// Projections stored in a compressed dtype are judged against the float64 math of what they store (the
// reference reads the dequantised weights), as the encoder's are: what is left is the compressed kernels' own
// rounding of activations along the way (measured 2.4e-3 bf16, 5.4e-3 i8, 6.1e-3 bfp8 of max|logit|), and the
// reference of the stored weights must be nearer than the f32 model is.
TEST(Seq2SeqLmTest, CompressedProjectionsMatchTheirOwnFloat64) {
  for (DType dtype : {DType::kBF16, DType::kI8, DType::kBFP8}) {
    std::unique_ptr<Seq2SeqLm> m = Build(true, false);
    ASSERT_NE(m, nullptr);
    Seq2SeqLm::DecoderState f32_state = *m->StartDecoding(*m->Encode(kSource));
    const std::vector<float> before = *m->Decode(f32_state, kTarget);
    ASSERT_TRUE(m->UseDevice({.linear_weight_dtype = dtype}).ok());
    Seq2SeqLm::DecoderState state = *m->StartDecoding(*m->Encode(kSource));
    const std::vector<float> logits = *m->Decode(state, kTarget);
    const testing::DVector exact = testing::RefFromModule(*m).Logits(kSource, kTarget);
    double max_err = 0, max_ref = 0, moved = 0;
    for (size_t i = 0; i < exact.size(); ++i) {
      max_ref = std::max(max_ref, std::abs(exact[i]));
      max_err = std::max(max_err, std::abs(logits[i] - exact[i]));
      moved = std::max(moved, static_cast<double>(std::abs(logits[i] - before[i])));
    }
    std::cout << "[ figures  ] " << DTypeName(dtype) << ": " << max_err / max_ref << " of max|logit| from its float64, "
              << moved / max_ref << " from f32\n";
    EXPECT_LE(max_err / max_ref, 0.02) << DTypeName(dtype);
    EXPECT_LT(max_err, moved) << DTypeName(dtype) << ": the reference of the stored weights is no nearer than f32";
  }
}

// On a device every projection takes the device's module defaults (attention's wqkv/wo, mlp's ff1_3/ff2,
// lm_head's): cpu in accuracy mode is the exact model (bit for bit); n150 in performance mode stores them in
// block floats and runs the Tenstorrent numerics, which move the logits (measured: 0.049 of max|logit|) but keep
// them near f32.
TEST(Seq2SeqLmTest, RunsAsEachDeviceDoes) {
  std::unique_ptr<Seq2SeqLm> exact = Build(true, false), cpu = Build(true, false), n150 = Build(true, false);
  ASSERT_NE(n150, nullptr);
  auto logits = [](const Seq2SeqLm& m) {
    Seq2SeqLm::DecoderState state = *m.StartDecoding(*m.Encode(kSource));
    return *m.Decode(state, kTarget);
  };
  ASSERT_TRUE(cpu->UseDevice({}).ok());
  EXPECT_EQ(logits(*cpu), logits(*exact));
  ASSERT_TRUE(n150->UseDevice({.device = "n150", .mode = hw::PERFORMANCE}).ok());
  EXPECT_EQ(n150->decoder_layer(0).mlp.up_projection().weight_dtype(), DType::kBFP4);
  EXPECT_EQ(n150->decoder_layer(0).cross_attention.wq().weight_dtype(), DType::kBFP8);
  EXPECT_EQ(n150->head().weight_dtype(), DType::kBFP8);
  // The attention products as the device computes them (its "sdpa" numerics); on the cpu, f32.
  EXPECT_TRUE(n150->decoder_layer(0).self_attention.sdpa_numerics(Phase::kDecode).has_value());
  EXPECT_TRUE(n150->encoder_layer(0).attention.sdpa_numerics(Phase::kPrefill).has_value());
  EXPECT_FALSE(cpu->decoder_layer(0).cross_attention.sdpa_numerics(Phase::kDecode).has_value());
  const std::vector<float> f32 = logits(*exact), device = logits(*n150);
  double max_err = 0, max_ref = 0;
  for (size_t i = 0; i < f32.size(); ++i) {
    max_ref = std::max(max_ref, double(std::abs(f32[i])));
    max_err = std::max(max_err, double(std::abs(device[i] - f32[i])));
  }
  std::cout << "[ figures  ] n150 performance: logits within " << max_err / max_ref << " of max|logit| of f32\n";
  EXPECT_GT(max_err, 0.0);
  EXPECT_LE(max_err / max_ref, 0.25);
  EXPECT_THAT(Build(true, false)->UseDevice({.device = "n151"}).message(), ::testing::HasSubstr("n151"));
}

// A model-level config (--hw-config): its module defaults over the device's, --weights over both; layer
// overrides are refused (the encoder's and the decoder's layers are configured together), as is a module
// T5 does not have.
TEST(Seq2SeqLmTest, TakesAModelLevelHwConfigsDefaults) {
  auto file = ParseModelHwConfig(R"pb(
    defaults { key: "lm_head" value { prefill { ops { key: "lm_head" value { weight_dtype: BF16 } } }
                                      decode { ops { key: "lm_head" value { weight_dtype: BF16 } } } } }
    defaults { key: "attention" value { decode { ops { key: "wo" value { weight_dtype: BFP4 } } } } }
  )pb", "t5.textproto");
  ASSERT_TRUE(file.ok()) << file.status();
  std::unique_ptr<Seq2SeqLm> m = Build(true, false);
  ASSERT_TRUE(m->UseDevice({.device = "n150", .mode = hw::PERFORMANCE, .hw_config = *file}).ok());
  EXPECT_EQ(m->head().weight_dtype(), DType::kBF16);                                     // the file's
  EXPECT_EQ(m->decoder_layer(1).self_attention.wo().weight_dtype(), DType::kBFP4);       // the file's
  EXPECT_EQ(m->decoder_layer(0).cross_attention.wq().weight_dtype(), DType::kBFP8);      // the device's
  EXPECT_EQ(m->decoder_layer(0).mlp.up_projection().weight_dtype(), DType::kBFP4);       // the device's
  auto overrides = ParseModelHwConfig(R"pb(overrides { layer: 0 modules { key: "mlp" value {} } })pb", "o.textproto");
  ASSERT_TRUE(overrides.ok());
  EXPECT_THAT(Build(true, false)->UseDevice({.device = "n150", .hw_config = *overrides}).message(),
              HasSubstr("layer overrides do not apply here"));
  auto unknown = ParseModelHwConfig(R"pb(defaults { key: "moe" value {} })pb", "u.textproto");
  ASSERT_TRUE(unknown.ok());
  EXPECT_THAT(Build(true, false)->UseDevice({.device = "n150", .hw_config = *unknown}).message(),
              HasSubstr("use one of attention, mlp, lm_head"));
}

// A model runs on one chip: T5-11B's sizes (24 + 24 layers, 1024 hidden, 128 heads of 128, a 65536-wide
// feed-forward) are refused on n150 from the spec alone, before any weight is read: 10.6 G projection
// values, more than its 12 GiB in accuracy mode's formats, within it in bfp4.
TEST(Seq2SeqLmTest, OneThatDoesNotFitAChipIsRefusedBeforeItsWeightsAreRead) {
  spec::Seq2SeqSpec big = Spec(/*gated=*/false, /*tied=*/true);
  big.set_name("t5-11b-shape");
  big.set_vocab_size(32128);
  big.set_hidden_dim(1024);
  big.set_num_heads(128);
  big.set_head_dim(128);
  big.set_encoder_layers(24);
  big.set_decoder_layers(24);
  big.mutable_mlp()->set_intermediate_dim(65536);
  auto spec = ValidateSeq2Seq(big);
  ASSERT_TRUE(spec.ok()) << spec.status();
  const absl::Status n150 = Seq2SeqLm::CheckFits(*spec, {.device = "n150", .mode = hw::ACCURACY});
  EXPECT_EQ(n150.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(n150.message(), HasSubstr("encoder-decoder 't5-11b-shape' does not fit one n150 chip"));
  EXPECT_THAT(n150.message(), HasSubstr("--weights bfp4"));
  std::cout << "[ message  ] " << n150.message() << "\n";
  EXPECT_TRUE(Seq2SeqLm::CheckFits(*spec, {.device = "n150", .mode = hw::ACCURACY,
                                            .linear_weight_dtype = DType::kBFP4}).ok());
  EXPECT_TRUE(Seq2SeqLm::CheckFits(*spec, {}).ok());  // the cpu: the machine's memory, not a chip's
  EXPECT_TRUE(Seq2SeqLm::CheckFits(*ValidateSeq2Seq(Spec(true, false)), {.device = "n150"}).ok());
}

TEST(Seq2SeqLmTest, InvalidSpecsNameTheField) {
  auto error = [](const std::function<void(spec::Seq2SeqSpec&)>& edit) {
    spec::Seq2SeqSpec s = Spec(true, false);
    edit(s);
    return std::string(ValidateSeq2Seq(s).status().message());
  };
  EXPECT_THAT(error([](auto& s) { s.set_head_dim(0); }), HasSubstr("head_dim"));
  EXPECT_THAT(error([](auto& s) { s.set_norm_eps(0); }), HasSubstr("norm_eps"));
  EXPECT_THAT(error([](auto& s) { s.mutable_mlp()->set_bias(true); }), HasSubstr("mlp.bias"));
  EXPECT_THAT(error([](auto& s) { s.mutable_encoder_bias()->set_max_distance(2); }), HasSubstr("encoder_bias.max_distance"));
  EXPECT_THAT(error([](auto& s) { s.mutable_decoder_bias()->set_num_buckets(1); }), HasSubstr("decoder_bias.num_buckets"));
  EXPECT_THAT(error([](auto& s) { s.mutable_decoder_bias()->set_num_heads(5); }), HasSubstr("decoder_bias.num_heads"));
  EXPECT_THAT(error([](auto& s) { s.set_decoder_start_token_id(kVocab); }), HasSubstr("decoder_start_token_id"));
  absl::StatusOr<Validated<spec::Seq2SeqSpec>> ok = ValidateSeq2Seq(Spec(true, false));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE((*ok)->encoder_bias().bidirectional());
  EXPECT_FALSE((*ok)->decoder_bias().bidirectional());
  EXPECT_EQ((*ok)->mlp().hidden_dim(), static_cast<uint32_t>(kHidden));
}

}  // namespace
}  // namespace ttt
