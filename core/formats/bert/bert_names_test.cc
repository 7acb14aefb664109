// BERT tensor names (HF BertModel / BertFor*, llama.cpp GGUF) -> the encoder's canonical names, and config.json
// -> EncoderSpec. End-to-end loading against llama.cpp is tests/bert.
#include "core/formats/bert/bert_names.h"

#include "core/formats/bert/bert_checkpoint.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::formats {
namespace {

TEST(BertNamesTest, HfNames) {
  EXPECT_EQ(CanonicalBertName("embeddings.word_embeddings.weight", BertNaming::kHf), "tok_embeddings");
  EXPECT_EQ(CanonicalBertName("bert.embeddings.LayerNorm.gamma", BertNaming::kHf), "embedding_norm.weight");
  EXPECT_EQ(CanonicalBertName("encoder.layer.11.attention.self.query.bias", BertNaming::kHf), "layers.11.attn.wq.bias");
  EXPECT_EQ(CanonicalBertName("encoder.layer.0.output.dense.weight", BertNaming::kHf), "layers.0.mlp.w_down");
  EXPECT_EQ(CanonicalBertName("encoder.layer.0.attention.output.LayerNorm.bias", BertNaming::kHf),
            "layers.0.attention_norm.bias");
  EXPECT_EQ(CanonicalBertName("pooler.dense.weight", BertNaming::kHf), "");  // dropped, as the converter does
  EXPECT_EQ(CanonicalBertName("embeddings.position_ids", BertNaming::kHf), "");
  EXPECT_EQ(CanonicalBertName("encoder.layer.x.output.dense.weight", BertNaming::kHf), std::nullopt);
  EXPECT_EQ(CanonicalBertName("encoder.layer.0.attention.self.rotary.weight", BertNaming::kHf), std::nullopt);
}

TEST(BertNamesTest, GgufNames) {
  EXPECT_EQ(CanonicalBertName("token_types.weight", BertNaming::kGguf), "token_type_embeddings");
  EXPECT_EQ(CanonicalBertName("blk.1.attn_output_norm.weight", BertNaming::kGguf), "layers.1.attention_norm.weight");
  EXPECT_EQ(CanonicalBertName("blk.1.ffn_up.bias", BertNaming::kGguf), "layers.1.mlp.w_up.bias");
  EXPECT_EQ(CanonicalBertName("blk.1.layer_output_norm.bias", BertNaming::kGguf), "layers.1.mlp_norm.bias");
  EXPECT_EQ(CanonicalBertName("blk.0.attn_qkv.weight", BertNaming::kGguf), std::nullopt);  // nomic-bert's
  EXPECT_EQ(CanonicalBertName("token_embd.bias", BertNaming::kGguf), std::nullopt);
}

TEST(BertNamesTest, ConfigDefaultsAndErrors) {
  absl::StatusOr<spec::EncoderSpec> s = EncoderSpecFromHfConfig(R"({"model_type": "bert", "vocab_size": 30522})", "c");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->token_embedding().hidden_dim(), 768u);  // BertConfig's defaults
  EXPECT_EQ(s->num_layers(), 12u);
  EXPECT_EQ(s->position_embedding().max_positions(), 512u);
  EXPECT_EQ(s->mlp().activation(), spec::GELU);
  EXPECT_THAT(EncoderSpecFromHfConfig(R"({"model_type": "bert"})", "c").status().message(),
              ::testing::HasSubstr("vocab_size"));
  EXPECT_THAT(EncoderSpecFromHfConfig(R"({"model_type": "bert", "vocab_size": -3})", "c").status().message(),
              ::testing::HasSubstr("positive integer"));
  EXPECT_THAT(EncoderSpecFromHfConfig("[1, 2", "c").status().message(), ::testing::HasSubstr("not valid JSON"));
  EXPECT_THAT(EncoderSpecFromHfConfig(R"({"model_type": "bert", "vocab_size": 9, "is_decoder": true})", "c")
                  .status().message(), ::testing::HasSubstr("is_decoder"));
}

}  // namespace
}  // namespace ttt::formats
