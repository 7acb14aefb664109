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

}  // namespace
}  // namespace ttt::formats
