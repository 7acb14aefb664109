// T5 checkpoint names to the seq2seq pattern's canonical names (HF and GGUF), and config.json to Seq2SeqSpec:
// T5Config's defaults, the feed_forward_proj forms, and the variants refused by name.
#include "core/formats/t5/t5_checkpoint.h"
#include "core/formats/t5/t5_names.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::formats {
namespace {

using ::testing::HasSubstr;

std::string Name(const std::string& name, T5Naming naming) {
  return CanonicalT5Name(name, naming).value_or("<unknown>");
}

TEST(T5NamesTest, HfAndGgufNamesMeetOnTheSameCanonicalNames) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"shared.weight", "token_embd.weight"},
      {"lm_head.weight", "output.weight"},
      {"encoder.final_layer_norm.weight", "enc.output_norm.weight"},
      {"decoder.final_layer_norm.weight", "dec.output_norm.weight"},
      {"encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "enc.blk.0.attn_rel_b.weight"},
      {"decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "dec.blk.0.attn_rel_b.weight"},
      {"encoder.block.1.layer.0.SelfAttention.q.weight", "enc.blk.1.attn_q.weight"},
      {"encoder.block.1.layer.0.layer_norm.weight", "enc.blk.1.attn_norm.weight"},
      {"encoder.block.1.layer.1.DenseReluDense.wi_0.weight", "enc.blk.1.ffn_gate.weight"},
      {"encoder.block.1.layer.1.DenseReluDense.wi_1.weight", "enc.blk.1.ffn_up.weight"},
      {"encoder.block.1.layer.1.DenseReluDense.wi.weight", "enc.blk.1.ffn_up.weight"},
      {"encoder.block.1.layer.1.DenseReluDense.wo.weight", "enc.blk.1.ffn_down.weight"},
      {"encoder.block.1.layer.1.layer_norm.weight", "enc.blk.1.ffn_norm.weight"},
      {"decoder.block.3.layer.0.SelfAttention.o.weight", "dec.blk.3.attn_o.weight"},
      {"decoder.block.3.layer.1.EncDecAttention.k.weight", "dec.blk.3.cross_attn_k.weight"},
      {"decoder.block.3.layer.1.layer_norm.weight", "dec.blk.3.cross_attn_norm.weight"},
      {"decoder.block.3.layer.2.DenseReluDense.wo.weight", "dec.blk.3.ffn_down.weight"},
      {"decoder.block.3.layer.2.layer_norm.weight", "dec.blk.3.ffn_norm.weight"},
  };
  for (const auto& [hf, gguf] : pairs) {
    const std::string canonical = Name(hf, T5Naming::kHf);
    EXPECT_NE(canonical, "<unknown>") << hf;
    EXPECT_EQ(Name(gguf, T5Naming::kGguf), canonical) << hf << " vs " << gguf;
  }
  EXPECT_EQ(Name("encoder.block.1.layer.0.SelfAttention.q.weight", T5Naming::kHf), "encoder.layers.1.attn.wq");
  EXPECT_EQ(Name("decoder.block.3.layer.1.EncDecAttention.k.weight", T5Naming::kHf), "decoder.layers.3.cross_attn.wk");
  EXPECT_EQ(Name("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", T5Naming::kHf),
            "decoder.rel_bias");
}

TEST(T5NamesTest, CopiesAndUnusedTensorsAreSkippedUnknownOnesAreNot) {
  EXPECT_EQ(Name("encoder.embed_tokens.weight", T5Naming::kHf), "");
  EXPECT_EQ(Name("decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight", T5Naming::kHf), "");
  EXPECT_EQ(Name("dec.blk.0.cross_attn_rel_b.weight", T5Naming::kGguf), "");
  // UMT5: a relative bias in every layer.
  EXPECT_EQ(Name("encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight", T5Naming::kHf), "<unknown>");
  EXPECT_EQ(Name("enc.blk.2.attn_rel_b.weight", T5Naming::kGguf), "<unknown>");
  EXPECT_EQ(Name("encoder.block.0.layer.0.SelfAttention.q.bias", T5Naming::kHf), "<unknown>");
  EXPECT_EQ(Name("model.layers.0.self_attn.q_proj.weight", T5Naming::kHf), "<unknown>");
  EXPECT_EQ(Name("encoder.block.x.layer.0.SelfAttention.q.weight", T5Naming::kHf), "<unknown>");
}

TEST(T5ConfigTest, T5ConfigDefaultsAndFeedForwardForms) {
  // The original T5's config leaves feed_forward_proj and tie_word_embeddings to T5Config: relu, tied.
  absl::StatusOr<spec::Seq2SeqSpec> s = Seq2SeqSpecFromHfConfig(R"({"model_type": "t5", "vocab_size": 32128})", "c");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->mlp().activation(), spec::RELU);
  EXPECT_FALSE(s->mlp().gated());
  EXPECT_TRUE(s->tied_head());
  EXPECT_EQ(s->hidden_dim(), 512u);
  EXPECT_EQ(s->encoder_layers(), 6u);
  EXPECT_EQ(s->decoder_layers(), 6u);
  EXPECT_EQ(s->encoder_bias().num_buckets(), 32u);
  EXPECT_EQ(s->decoder_bias().max_distance(), 128u);
  EXPECT_EQ(s->decoder_start_token_id(), 0);
  EXPECT_EQ(s->eos_token_id(), 1);
  EXPECT_FLOAT_EQ(s->norm_eps(), 1e-6f);
  s = Seq2SeqSpecFromHfConfig(R"({"model_type": "mt5", "vocab_size": 100, "feed_forward_proj": "gated-gelu",
                                  "num_layers": 8, "num_decoder_layers": 4, "tie_word_embeddings": false})", "c");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->mlp().activation(), spec::GELU_TANH);  // "gated-gelu" is gelu_new in T5Config
  EXPECT_TRUE(s->mlp().gated());
  EXPECT_FALSE(s->tied_head());
  EXPECT_EQ(s->decoder_layers(), 4u);
  s = Seq2SeqSpecFromHfConfig(R"({"model_type": "t5", "vocab_size": 100, "feed_forward_proj": "gelu"})", "c");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->mlp().activation(), spec::GELU);  // plain "gelu" is the exact one
}

TEST(T5ConfigTest, UnsupportedValuesNameTheKey) {
  auto error = [](const std::string& json) { return std::string(Seq2SeqSpecFromHfConfig(json, "cfg.json").status().message()); };
  EXPECT_THAT(error(R"({"model_type": "umt5", "vocab_size": 10})"), HasSubstr("model_type"));
  EXPECT_THAT(error(R"({"model_type": "t5", "vocab_size": 10, "feed_forward_proj": "gated-relu"})"),
              HasSubstr("feed_forward_proj"));
  EXPECT_THAT(error(R"({"model_type": "t5"})"), HasSubstr("vocab_size"));
  EXPECT_THAT(error(R"({"model_type": "t5", "vocab_size": 10, "d_kv": -4})"), HasSubstr("d_kv"));
  EXPECT_THAT(error(R"({"model_type": "t5", "vocab_size": 10, "layer_norm_epsilon": 0})"),
              HasSubstr("layer_norm_epsilon"));
  EXPECT_THAT(error("[1, 2]"), HasSubstr("not a JSON object"));
}

}  // namespace
}  // namespace ttt::formats
