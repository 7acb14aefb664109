#include "core/formats/hf/hf_config.h"

#include <string>

#include "core/specs/validate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ttt::formats {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using json = nlohmann::json;

absl::StatusOr<spec::ModelSpec> FromJson(const json& config, const json* generation = nullptr) {
  HfConfigText text;
  text.config_json = config.dump();
  text.config_path = "/models/test/config.json";
  if (generation != nullptr) {
    text.generation_config_json = generation->dump();
    text.generation_config_path = "/models/test/generation_config.json";
  }
  return ModelSpecFromHfConfig(text);
}

json LlamaConfig() {
  return {{"model_type", "llama"},        {"hidden_size", 256},         {"intermediate_size", 688},
          {"num_hidden_layers", 2},       {"num_attention_heads", 8},   {"vocab_size", 1000},
          {"max_position_embeddings", 512}, {"rms_norm_eps", 1e-5},     {"bos_token_id", 1},
          {"eos_token_id", 2},            {"some_unknown_key", {1, 2}}};
}

TEST(HfConfigTest, LlamaGqaTinyFixture) {
  auto s = LoadHfModelSpec(std::string(TTT_FIXTURES_DIR) + "/llama-gqa-tiny/hf");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->family(), "llama");
  EXPECT_EQ(s->hidden_dim(), 128u);
  EXPECT_EQ(s->num_layers(), 3u);
  EXPECT_EQ(s->vocab_size(), 512u);
  EXPECT_EQ(s->max_seq_len(), 2048u);
  const spec::AttentionSpec& a = s->layer().attention();
  EXPECT_EQ(a.num_heads(), 4u);
  EXPECT_EQ(a.num_kv_heads(), 2u);
  EXPECT_EQ(a.head_dim(), 32u);
  EXPECT_FALSE(a.qkv_bias());
  EXPECT_EQ(a.rope().convention(), spec::RopeSpec::ROTATE_HALF);
  EXPECT_EQ(a.rope().theta(), 10000.0);
  EXPECT_EQ(s->layer().mlp().intermediate_dim(), 352u);
  EXPECT_TRUE(s->layer().mlp().gated());
  EXPECT_EQ(s->layer().mlp().activation(), spec::SILU);
  EXPECT_EQ(s->layer().attention_norm().kind(), spec::NormSpec::RMS_NORM);
  EXPECT_FLOAT_EQ(s->final_norm().eps(), 1e-5f);
  EXPECT_FALSE(s->lm_head().tied());
  EXPECT_EQ(s->special_tokens().bos_id(), 1);
  EXPECT_THAT(s->special_tokens().eos_ids(), ElementsAre(2));
  EXPECT_TRUE(s->special_tokens().add_bos());
  EXPECT_TRUE(ValidateModel(*s).ok()) << ValidateModel(*s).status();
}

TEST(HfConfigTest, Gpt2TinyFixtureQuirks) {
  auto s = LoadHfModelSpec(std::string(TTT_FIXTURES_DIR) + "/gpt2-tiny/hf");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->family(), "gpt2");
  EXPECT_EQ(s->hidden_dim(), 32u);
  EXPECT_EQ(s->num_layers(), 5u);
  EXPECT_EQ(s->vocab_size(), 1000u);
  EXPECT_EQ(s->max_seq_len(), 512u);
  EXPECT_TRUE(s->learned_positions());
  EXPECT_EQ(s->position_embedding().max_positions(), 512u);
  EXPECT_EQ(s->layer().attention().num_heads(), 4u);
  EXPECT_FALSE(s->layer().attention().use_rope());
  EXPECT_TRUE(s->layer().attention().qkv_bias());
  EXPECT_TRUE(s->layer().attention().output_bias());
  // n_inner is null: 4 * n_embd, not the unrelated intermediate_size (37).
  EXPECT_EQ(s->layer().mlp().intermediate_dim(), 128u);
  EXPECT_FALSE(s->layer().mlp().gated());
  EXPECT_TRUE(s->layer().mlp().bias());
  EXPECT_EQ(s->layer().mlp().activation(), spec::GELU_TANH);
  EXPECT_EQ(s->layer().attention_norm().kind(), spec::NormSpec::LAYER_NORM);
  EXPECT_TRUE(s->layer().attention_norm().bias());
  EXPECT_TRUE(s->lm_head().tied());
  EXPECT_EQ(s->special_tokens().bos_id(), 98);
  EXPECT_THAT(s->special_tokens().eos_ids(), ElementsAre(98));
  EXPECT_EQ(s->special_tokens().pad_id(), 98);
  EXPECT_FALSE(s->special_tokens().add_bos());
  EXPECT_TRUE(ValidateModel(*s).ok()) << ValidateModel(*s).status();
}

TEST(HfConfigTest, MptAlibiTinyFixture) {
  auto s = LoadHfModelSpec(std::string(TTT_FIXTURES_DIR) + "/mpt-alibi-tiny/hf");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->family(), "mpt");
  EXPECT_EQ(s->hidden_dim(), 48u);
  EXPECT_EQ(s->num_layers(), 3u);
  EXPECT_EQ(s->vocab_size(), 1000u);
  EXPECT_EQ(s->max_seq_len(), 128u);
  // learned_pos_emb is true, yet with ALiBi there is no transformer.wpe: no learned positions, no RoPE.
  EXPECT_FALSE(s->learned_positions());
  const spec::AttentionSpec& a = s->layer().attention();
  EXPECT_EQ(a.num_heads(), 6u);
  EXPECT_EQ(a.num_kv_heads(), 6u);
  EXPECT_EQ(a.head_dim(), 8u);
  EXPECT_FALSE(a.use_rope());
  EXPECT_FALSE(a.qkv_bias());
  EXPECT_FALSE(a.output_bias());
  EXPECT_FALSE(a.has_softmax_scale());
  EXPECT_EQ(a.position_bias().kind(), "alibi");
  EXPECT_FLOAT_EQ(a.position_bias().max_bias(), 8.0f);
  EXPECT_EQ(s->layer().mlp().intermediate_dim(), 192u);
  EXPECT_FALSE(s->layer().mlp().gated());
  EXPECT_FALSE(s->layer().mlp().bias());
  EXPECT_EQ(s->layer().mlp().activation(), spec::GELU);
  for (const spec::NormSpec* n : {&s->layer().attention_norm(), &s->layer().mlp_norm(), &s->final_norm()}) {
    EXPECT_EQ(n->kind(), spec::NormSpec::LAYER_NORM);
    EXPECT_FALSE(n->bias()) << "no_bias covers the LayerNorms";
    EXPECT_FLOAT_EQ(n->eps(), 1e-5f);
  }
  EXPECT_TRUE(s->lm_head().tied());
  EXPECT_FALSE(s->special_tokens().has_bos_id());
  EXPECT_FALSE(s->special_tokens().add_bos());
  EXPECT_TRUE(ValidateModel(*s).ok()) << ValidateModel(*s).status();
}

json MptConfig() {
  return {{"model_type", "mpt"}, {"d_model", 64}, {"n_heads", 4}, {"n_layers", 2}, {"vocab_size", 100},
          {"max_seq_len", 256}, {"expansion_ratio", 2}, {"no_bias", false},
          {"attn_config", {{"alibi", true}, {"alibi_bias_max", 16}, {"clip_qkv", nullptr}, {"qk_ln", false}}}};
}

TEST(HfConfigTest, MptOptions) {
  auto s = FromJson(MptConfig());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FLOAT_EQ(s->layer().attention().position_bias().max_bias(), 16.0f);
  EXPECT_TRUE(s->layer().attention().qkv_bias());
  EXPECT_TRUE(s->layer().attention_norm().bias());
  EXPECT_TRUE(s->layer().mlp().bias());
  EXPECT_EQ(s->layer().mlp().intermediate_dim(), 128u);

  json gqa = MptConfig();
  gqa["attn_config"]["attn_type"] = "grouped_query_attention";
  gqa["attn_config"]["kv_n_heads"] = 2;
  gqa["attn_config"]["softmax_scale"] = 0.5;
  s = FromJson(gqa);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->layer().attention().num_kv_heads(), 2u);
  EXPECT_FLOAT_EQ(s->layer().attention().softmax_scale(), 0.5f);

  // Without ALiBi, llm-foundry's MPT adds learned positions (transformer.wpe).
  json learned = MptConfig();
  learned["attn_config"]["alibi"] = false;
  learned["learned_pos_emb"] = true;
  s = FromJson(learned);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->learned_positions());
  EXPECT_FALSE(s->layer().attention().has_position_bias());
  EXPECT_EQ(s->position_embedding().max_positions(), 256u);
}

TEST(HfConfigTest, LlamaDefaultsAndOptions) {
  json c = LlamaConfig();
  auto s = FromJson(c);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->layer().attention().num_kv_heads(), 8u) << "defaults to num_attention_heads";
  EXPECT_EQ(s->layer().attention().head_dim(), 32u);
  EXPECT_FALSE(s->lm_head().tied());
  EXPECT_EQ(s->layer().attention().rope().scaling().type(), spec::RopeScaling::NONE);

  c["attention_bias"] = true;
  c["mlp_bias"] = true;
  c["tie_word_embeddings"] = true;
  c["head_dim"] = 64;
  c["partial_rotary_factor"] = 0.5;
  c["eos_token_id"] = {2, 7};
  c["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}};
  s = FromJson(c);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->layer().attention().qkv_bias());
  EXPECT_TRUE(s->layer().attention().output_bias());
  EXPECT_TRUE(s->layer().mlp().bias());
  EXPECT_TRUE(s->lm_head().tied());
  EXPECT_EQ(s->layer().attention().head_dim(), 64u);
  EXPECT_EQ(s->layer().attention().rope().rotary_dim(), 32u);
  EXPECT_THAT(s->special_tokens().eos_ids(), ElementsAre(2, 7));
  const spec::RopeScaling& sc = s->layer().attention().rope().scaling();
  EXPECT_EQ(sc.type(), spec::RopeScaling::LLAMA3);
  EXPECT_EQ(sc.factor(), 8.0);
  EXPECT_EQ(sc.high_freq_factor(), 4.0);
  EXPECT_EQ(sc.original_max_position_embeddings(), 8192u);
  EXPECT_TRUE(ValidateModel(*s).ok()) << ValidateModel(*s).status();

  c["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
  s = FromJson(c);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->layer().attention().rope().scaling().type(), spec::RopeScaling::LINEAR);
  EXPECT_EQ(s->layer().attention().rope().scaling().factor(), 2.0);
  c["rope_scaling"] = nullptr;
  EXPECT_TRUE(FromJson(c).ok());

  for (const auto& [act, expected] : std::vector<std::pair<std::string, spec::Activation>>{
           {"silu", spec::SILU}, {"gelu", spec::GELU}, {"gelu_pytorch_tanh", spec::GELU_TANH}, {"relu", spec::RELU}}) {
    c["hidden_act"] = act;
    auto a = FromJson(c);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->layer().mlp().activation(), expected) << act;
  }
}

TEST(HfConfigTest, MistralAndQwen2Quirks) {
  json m = LlamaConfig();
  m["model_type"] = "mistral";
  m["num_key_value_heads"] = 2;
  m["sliding_window"] = 4096;
  m["attention_bias"] = true;  // not a Mistral key: ignored
  auto s = FromJson(m);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->family(), "mistral");
  EXPECT_EQ(s->layer().attention().sliding_window(), 4096u);
  EXPECT_FALSE(s->layer().attention().qkv_bias());
  m["sliding_window"] = nullptr;
  EXPECT_EQ(FromJson(m)->layer().attention().sliding_window(), 0u);

  json q = LlamaConfig();
  q["model_type"] = "qwen2";
  q["tie_word_embeddings"] = true;
  q["sliding_window"] = 4096;
  q["use_sliding_window"] = false;
  q["rope_theta"] = 1000000.0;
  s = FromJson(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->layer().attention().qkv_bias());
  EXPECT_FALSE(s->layer().attention().output_bias());
  EXPECT_EQ(s->layer().attention().sliding_window(), 0u);
  EXPECT_TRUE(s->lm_head().tied());
  EXPECT_EQ(s->layer().attention().rope().theta(), 1e6);
  EXPECT_FALSE(s->special_tokens().add_bos());
}

// Qwen2MoeDecoderLayer: a layer is sparse unless listed in mlp_only_layers or (layer + 1) is not a multiple of
// decoder_sparse_step; the dense ones become a layer group with a gated MLP of intermediate_size.
TEST(HfConfigTest, Qwen2MoeDenseLayersBecomeALayerGroup) {
  json q = LlamaConfig();
  q["model_type"] = "qwen2_moe";
  q["num_hidden_layers"] = 6;
  q["num_experts"] = 4;
  q["num_experts_per_tok"] = 2;
  q["moe_intermediate_size"] = 64;
  q["shared_expert_intermediate_size"] = 128;
  q["decoder_sparse_step"] = 2;
  q["mlp_only_layers"] = {5};
  auto s = FromJson(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->layer().has_moe());
  ASSERT_EQ(s->layer_groups_size(), 1);
  EXPECT_THAT(s->layer_groups(0).layers(), ElementsAre(0, 2, 4, 5));
  const spec::DecoderLayerSpec& dense = s->layer_groups(0).layer();
  EXPECT_FALSE(dense.has_moe());
  EXPECT_EQ(dense.mlp().intermediate_dim(), 688u);
  EXPECT_TRUE(dense.mlp().gated());
  EXPECT_EQ(dense.mlp().activation(), spec::SILU);
  EXPECT_TRUE(dense.attention().qkv_bias());  // the rest of the layer as the sparse ones
  EXPECT_TRUE(ValidateModel(*s).ok()) << ValidateModel(*s).status();

  q["decoder_sparse_step"] = 1;  // every layer sparse (the published models): one layer spec
  q["mlp_only_layers"] = json::array();
  s = FromJson(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->layer().has_moe());
  EXPECT_EQ(s->layer_groups_size(), 0);

  q["mlp_only_layers"] = {0, 1, 2, 3, 4, 5};  // every layer dense: ModelSpec.layer is the dense one
  s = FromJson(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->layer().has_moe());
  EXPECT_EQ(s->layer().mlp().intermediate_dim(), 688u);
  EXPECT_EQ(s->layer_groups_size(), 0);

  q["mlp_only_layers"] = {6};
  EXPECT_THAT(std::string(FromJson(q).status().message()),
              HasSubstr("key \"mlp_only_layers\" holds 6, not a layer number below num_hidden_layers (6)"));
  q["mlp_only_layers"] = json::array();
  q["decoder_sparse_step"] = 0;
  EXPECT_THAT(std::string(FromJson(q).status().message()), HasSubstr("key \"decoder_sparse_step\" is 0"));
}

TEST(HfConfigTest, GenerationConfigOverridesTokenIds) {
  json c = LlamaConfig();
  json gen = {{"bos_token_id", 5}, {"eos_token_id", {8, 9}}, {"pad_token_id", 0}};
  auto s = FromJson(c, &gen);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->special_tokens().bos_id(), 5);
  EXPECT_THAT(s->special_tokens().eos_ids(), ElementsAre(8, 9));
  EXPECT_EQ(s->special_tokens().pad_id(), 0);
}

void ExpectError(const json& config, const std::string& fragment) {
  auto s = FromJson(config);
  ASSERT_FALSE(s.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_THAT(std::string(s.status().message()), HasSubstr(fragment));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("/models/test/config.json"));
}

TEST(HfConfigTest, ErrorsNameTheKeyAndFile) {
  json c = LlamaConfig();
  c.erase("hidden_size");
  ExpectError(c, "hidden_size");
  c = LlamaConfig();
  c.erase("model_type");
  ExpectError(c, "model_type");
  c = LlamaConfig();
  c["model_type"] = "bert";
  ExpectError(c, "\"bert\"");
  c = LlamaConfig();
  c["num_attention_heads"] = "eight";
  ExpectError(c, "num_attention_heads");
  c = LlamaConfig();
  c["num_hidden_layers"] = -2;
  ExpectError(c, "num_hidden_layers");
  c = LlamaConfig();
  c["hidden_act"] = "swiglu_magic";
  ExpectError(c, "hidden_act");
  c = LlamaConfig();
  c["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  ExpectError(c, "yarn");
  c = LlamaConfig();
  c["rope_scaling"] = {{"rope_type", "linear"}};
  ExpectError(c, "factor");
  c = LlamaConfig();
  c["eos_token_id"] = {2, "x"};
  ExpectError(c, "eos_token_id");
  c = LlamaConfig();
  c["tie_word_embeddings"] = "yes";
  ExpectError(c, "tie_word_embeddings");
  json g = {{"model_type", "gpt2"}, {"n_embd", 32}, {"n_head", 4}, {"vocab_size", 10}};
  ExpectError(g, "n_layer");

  HfConfigText garbage;
  garbage.config_json = "{\"model_type\": \"llama\", ";
  garbage.config_path = "/models/test/config.json";
  auto s = ModelSpecFromHfConfig(garbage);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("not valid JSON"));
  garbage.config_json = "[1]";
  EXPECT_FALSE(ModelSpecFromHfConfig(garbage).ok());
  EXPECT_EQ(LoadHfModelSpec("/nonexistent/folder").status().code(), absl::StatusCode::kNotFound);
}

TEST(HfConfigTest, MptRejectsWhatItCannotRun) {
  json c = MptConfig();
  c["attn_config"]["clip_qkv"] = 6;
  ExpectError(c, "\"clip_qkv\" (in attn_config) is set");
  c = MptConfig();
  c["attn_config"]["qk_ln"] = true;
  ExpectError(c, "\"qk_ln\" (in attn_config) is true");
  c = MptConfig();
  c["attn_config"]["alibi"] = false;
  c["learned_pos_emb"] = false;
  ExpectError(c, "the model would have no positions");
  c = MptConfig();
  c["ffn_config"] = {{"ffn_type", "mptglu"}};
  ExpectError(c, "mptglu");
  c = MptConfig();
  c["norm_type"] = "rmsnorm";
  ExpectError(c, "norm_type");
  c = MptConfig();
  c.erase("d_model");
  ExpectError(c, "d_model");
}

}  // namespace
}  // namespace ttt::formats
