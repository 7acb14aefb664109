#include "core/formats/gguf/gguf_model_spec.h"

#include <string>

#include "core/formats/testing/format_writers.h"
#include "core/specs/validate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::formats {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::GgufWriter;
using testing::TempDir;
using testing::WriteBytes;

absl::StatusOr<spec::ModelSpec> SpecOf(const std::string& path) {
  auto gguf = GgufFile::Open(path);
  if (!gguf.ok()) return gguf.status();
  return ModelSpecFromGguf(**gguf);
}

TEST(GgufModelSpecTest, Stories260K) {
  auto s = SpecOf(std::string(TTT_FIXTURES_DIR) + "/stories260K/stories260K.gguf");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->family(), "llama");
  EXPECT_EQ(s->hidden_dim(), 64u);
  EXPECT_EQ(s->num_layers(), 5u);
  EXPECT_EQ(s->vocab_size(), 512u);
  const spec::AttentionSpec& a = s->layer().attention();
  EXPECT_EQ(a.num_heads(), 8u);
  EXPECT_EQ(a.num_kv_heads(), 4u);
  EXPECT_EQ(a.head_dim(), 8u);
  EXPECT_EQ(a.rope().convention(), spec::RopeSpec::INTERLEAVED);
  EXPECT_EQ(a.rope().theta(), 10000.0);
  EXPECT_EQ(s->layer().mlp().intermediate_dim(), 172u);
  EXPECT_NEAR(s->final_norm().eps(), 1e-5f, 1e-9);
  EXPECT_EQ(s->special_tokens().bos_id(), 1);
  EXPECT_THAT(s->special_tokens().eos_ids(), ElementsAre(2));
  EXPECT_FALSE(s->special_tokens().has_pad_id()) << "0xFFFFFFFF means none";
  EXPECT_TRUE(s->special_tokens().add_bos());
  // This conversion stores output.weight (a copy of the embedding), so the head is not tied here.
  EXPECT_FALSE(s->lm_head().tied());
  EXPECT_TRUE(ValidateModel(*s).ok()) << ValidateModel(*s).status();
}

TEST(GgufModelSpecTest, MptAlibiTiny) {
  auto s = SpecOf(std::string(TTT_FIXTURES_DIR) + "/mpt-alibi-tiny/model-f32.gguf");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->family(), "mpt");
  EXPECT_EQ(s->hidden_dim(), 48u);
  EXPECT_EQ(s->num_layers(), 3u);
  EXPECT_EQ(s->vocab_size(), 1000u);
  EXPECT_EQ(s->max_seq_len(), 128u);
  EXPECT_FALSE(s->learned_positions());
  const spec::AttentionSpec& a = s->layer().attention();
  EXPECT_EQ(a.num_heads(), 6u);
  EXPECT_EQ(a.num_kv_heads(), 6u);
  EXPECT_FALSE(a.use_rope());
  EXPECT_FALSE(a.qkv_bias());
  EXPECT_EQ(a.position_bias().kind(), "alibi");
  EXPECT_FLOAT_EQ(a.position_bias().max_bias(), 8.0f);
  EXPECT_EQ(s->layer().mlp().intermediate_dim(), 192u);
  EXPECT_EQ(s->layer().mlp().activation(), spec::GELU);
  EXPECT_FALSE(s->layer().mlp().gated());
  EXPECT_EQ(s->final_norm().kind(), spec::NormSpec::LAYER_NORM);
  EXPECT_FALSE(s->final_norm().bias()) << "the file has no norm biases";
  EXPECT_TRUE(s->lm_head().tied());
  EXPECT_TRUE(ValidateModel(*s).ok()) << ValidateModel(*s).status();
}

TEST(GgufModelSpecTest, LlamaGqaTiny) {
  auto s = SpecOf(std::string(TTT_FIXTURES_DIR) + "/llama-gqa-tiny/model-f32.gguf");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->name(), "random-gqa-tiny");
  EXPECT_EQ(s->hidden_dim(), 128u);
  EXPECT_EQ(s->num_layers(), 3u);
  EXPECT_EQ(s->layer().attention().num_kv_heads(), 2u);
  EXPECT_EQ(s->layer().attention().head_dim(), 32u);
  EXPECT_EQ(s->layer().mlp().intermediate_dim(), 352u);
  EXPECT_EQ(s->max_seq_len(), 2048u);
  EXPECT_FALSE(s->lm_head().tied());
}

std::string Gpt2Metadata(GgufWriter& w) {
  w.AddString("general.architecture", "gpt2")
      .AddU32("gpt2.embedding_length", 8)
      .AddU32("gpt2.block_count", 1)
      .AddU32("gpt2.feed_forward_length", 32)
      .AddU32("gpt2.attention.head_count", 2)
      .AddU32("gpt2.context_length", 16)
      .AddF32("gpt2.attention.layer_norm_epsilon", 1e-5f)
      .AddStringArray("tokenizer.ggml.tokens", {"a", "b", "c", "d"})
      .AddU32("tokenizer.ggml.eos_token_id", 3);
  return w.Build();
}

TEST(GgufModelSpecTest, Gpt2Metadata) {
  GgufWriter w;
  TempDir dir;
  WriteBytes(dir.File("g.gguf"), Gpt2Metadata(w));
  auto s = SpecOf(dir.File("g.gguf"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->family(), "gpt2");
  EXPECT_EQ(s->vocab_size(), 4u);
  EXPECT_TRUE(s->learned_positions());
  EXPECT_EQ(s->position_embedding().max_positions(), 16u);
  EXPECT_EQ(s->layer().attention_norm().kind(), spec::NormSpec::LAYER_NORM);
  EXPECT_FALSE(s->layer().attention().use_rope());
  EXPECT_EQ(s->layer().mlp().activation(), spec::GELU_TANH);
  EXPECT_FALSE(s->layer().mlp().gated());
  EXPECT_TRUE(s->lm_head().tied());
  EXPECT_THAT(s->special_tokens().eos_ids(), ElementsAre(3));
  EXPECT_TRUE(ValidateModel(*s).ok()) << ValidateModel(*s).status();
}

TEST(GgufModelSpecTest, ErrorsNameTheKey) {
  TempDir dir;
  auto expect = [&](GgufWriter& w, const std::string& fragment) {
    WriteBytes(dir.File("e.gguf"), w.Build());
    auto s = SpecOf(dir.File("e.gguf"));
    ASSERT_FALSE(s.ok()) << fragment;
    EXPECT_THAT(std::string(s.status().message()), HasSubstr(fragment));
  };
  GgufWriter no_arch;
  expect(no_arch, "general.architecture");
  GgufWriter bert;
  bert.AddString("general.architecture", "bert");
  expect(bert, "bert");
  GgufWriter partial;
  partial.AddString("general.architecture", "llama").AddU32("llama.embedding_length", 8);
  expect(partial, "llama.block_count");
  GgufWriter wrong_type;
  wrong_type.AddString("general.architecture", "llama").AddString("llama.embedding_length", "8");
  expect(wrong_type, "llama.embedding_length");
  GgufWriter yarn;
  yarn.AddString("general.architecture", "llama").AddU32("llama.embedding_length", 8).AddU32("llama.block_count", 1)
      .AddU32("llama.feed_forward_length", 8).AddU32("llama.attention.head_count", 2)
      .AddU32("llama.context_length", 8).AddU32("llama.vocab_size", 4).AddString("llama.rope.scaling.type", "yarn");
  expect(yarn, "yarn");
  auto mpt = [](GgufWriter& w) -> GgufWriter& {
    return w.AddString("general.architecture", "mpt").AddU32("mpt.embedding_length", 8).AddU32("mpt.block_count", 1)
        .AddU32("mpt.feed_forward_length", 32).AddU32("mpt.attention.head_count", 2).AddU32("mpt.context_length", 8)
        .AddU32("mpt.vocab_size", 4);
  };
  GgufWriter no_positions;
  expect(mpt(no_positions), "the model would have no positions");
  GgufWriter clamped;
  expect(mpt(clamped).AddF32("mpt.attention.max_alibi_bias", 8).AddF32("mpt.attention.clamp_kqv", 6), "clamp_kqv");
}

}  // namespace
}  // namespace ttt::formats
