#include "core/formats/hf/hf_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/formats/gemma2_spec.h"
#include "core/formats/hf/internal/config_reader.h"
#include "core/formats/hf/internal/hf_moe_config.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "nlohmann/json.hpp"

namespace ttt::formats {
namespace {

using json = nlohmann::json;
using internal::ConfigReader;
using internal::FillMoe;
using internal::QwenMoeDenseLayers;

absl::StatusOr<json> ParseJson(const std::string& text, const std::string& path) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not valid JSON; re-download it"));
  }
  if (!j.is_object()) return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not a JSON object"));
  return j;
}

absl::StatusOr<spec::Activation> ParseActivation(const ConfigReader& r, const char* key, const std::string& fallback) {
  TTT_ASSIGN_OR_RETURN(std::string name, r.String(key, fallback));
  if (name == "silu" || name == "swish") return spec::SILU;
  if (name == "gelu") return spec::GELU;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return spec::GELU_TANH;
  if (name == "relu") return spec::RELU;
  return r.Error(key, absl::StrCat("is \"", name, "\"; supported activations are silu, gelu, gelu_new, ",
                                   "gelu_pytorch_tanh, gelu_fast and relu"));
}

// Phi-3's LongRoPE: per-pair short and long divisors. Like Hugging Face, the original context is the config's
// top-level original_max_position_embeddings (or rope_scaling's), and the factor that sets the default
// attention factor is max_position_embeddings over it.
absl::Status ParseLongRope(const ConfigReader& r, const ConfigReader& s, spec::RopeScaling* scaling) {
  scaling->set_type(spec::RopeScaling::LONGROPE);
  TTT_ASSIGN_OR_RETURN(uint32_t max_pos, r.Uint("max_position_embeddings", 0));
  TTT_ASSIGN_OR_RETURN(uint32_t original, s.Uint("original_max_position_embeddings", max_pos));
  TTT_ASSIGN_OR_RETURN(original, r.Uint("original_max_position_embeddings", original));
  if (original == 0) {
    return r.Error("original_max_position_embeddings", "is missing; longrope scaling needs the original context");
  }
  double factor = 1.0;
  if (r.Has("original_max_position_embeddings")) {
    factor = static_cast<double>(max_pos) / original;
  } else {
    TTT_ASSIGN_OR_RETURN(factor, s.Float("factor", 1.0));
  }
  scaling->set_factor(factor);
  scaling->set_original_max_position_embeddings(original);
  TTT_ASSIGN_OR_RETURN(double attention_factor, s.Float("attention_factor", 0.0));
  scaling->set_attention_factor(attention_factor);
  const std::pair<const char*, google::protobuf::RepeatedField<double>*> sets[] = {
      {"short_factor", scaling->mutable_short_factor()}, {"long_factor", scaling->mutable_long_factor()}};
  for (const auto& [key, out] : sets) {
    TTT_ASSIGN_OR_RETURN(std::vector<double> factors, s.Floats(key));
    if (factors.empty()) return r.Error("rope_scaling", absl::StrCat("(longrope) has no \"", key, "\" list"));
    out->Assign(factors.begin(), factors.end());  // the length is checked against rotary_dim by validation
  }
  return absl::OkStatus();
}

absl::Status ParseRopeScaling(const ConfigReader& r, spec::RopeScaling* scaling) {
  if (!r.Has("rope_scaling")) return absl::OkStatus();
  const json& rs = r.raw("rope_scaling");
  if (!rs.is_object()) return r.Error("rope_scaling", absl::StrCat("is ", rs.dump(), "; expected an object or null"));
  ConfigReader s(rs, r.path());
  std::string type;
  if (s.Has("rope_type")) {
    TTT_ASSIGN_OR_RETURN(type, s.String("rope_type", ""));
  } else {
    TTT_ASSIGN_OR_RETURN(type, s.String("type", ""));
  }
  if (type == "default" || type.empty()) return absl::OkStatus();
  if (type == "longrope" || type == "su") return ParseLongRope(r, s, scaling);
  if (type != "linear" && type != "llama3") {
    return r.Error("rope_scaling", absl::StrCat("has type \"", type,
                                                "\"; only linear, llama3 and longrope (su) scaling are supported"));
  }
  if (!s.Has("factor")) return r.Error("rope_scaling", "has no \"factor\"");
  TTT_ASSIGN_OR_RETURN(double factor, s.Float("factor", 1.0));
  scaling->set_factor(factor);
  if (type == "linear") {
    scaling->set_type(spec::RopeScaling::LINEAR);
    return absl::OkStatus();
  }
  scaling->set_type(spec::RopeScaling::LLAMA3);
  TTT_ASSIGN_OR_RETURN(double low, s.Float("low_freq_factor", 1.0));
  TTT_ASSIGN_OR_RETURN(double high, s.Float("high_freq_factor", 4.0));
  TTT_ASSIGN_OR_RETURN(uint32_t original, s.Uint("original_max_position_embeddings", 8192));
  scaling->set_low_freq_factor(low);
  scaling->set_high_freq_factor(high);
  scaling->set_original_max_position_embeddings(original);
  return absl::OkStatus();
}

void SetNorm(spec::NormSpec* norm, spec::NormSpec::Kind kind, uint32_t dim, double eps) {
  norm->set_kind(kind);
  norm->set_dim(dim);
  norm->set_eps(static_cast<float>(eps));
  norm->set_bias(kind == spec::NormSpec::LAYER_NORM);
}

// llama, mistral, qwen2, phi3 and the mixture-of-experts forms (mixtral, qwen2_moe): pre-RMSNorm decoder, gated
// MLP or experts, rotate-half RoPE. (Phi-3's fused qkv_proj and gate_up_proj are split by the weight loader.)
absl::Status FillLlamaFamily(const ConfigReader& r, const std::string& type, spec::ModelSpec* s) {
  TTT_ASSIGN_OR_RETURN(uint32_t hidden, r.RequiredUint("hidden_size", type));
  TTT_ASSIGN_OR_RETURN(uint32_t intermediate, r.RequiredUint("intermediate_size", type));
  TTT_ASSIGN_OR_RETURN(uint32_t layers, r.RequiredUint("num_hidden_layers", type));
  TTT_ASSIGN_OR_RETURN(uint32_t heads, r.RequiredUint("num_attention_heads", type));
  TTT_ASSIGN_OR_RETURN(uint32_t vocab, r.RequiredUint("vocab_size", type));
  TTT_ASSIGN_OR_RETURN(uint32_t kv_heads, r.Uint("num_key_value_heads", heads));
  if (heads == 0) return r.Error("num_attention_heads", "is 0");
  TTT_ASSIGN_OR_RETURN(uint32_t head_dim, r.Uint("head_dim", hidden / heads));
  uint32_t default_positions = type == "llama"                         ? 2048
                               : type == "phi3"                        ? 4096
                               : type == "gemma2"                      ? 8192
                               : type == "mistral" || type == "mixtral" ? 131072
                                                                       : 32768;
  TTT_ASSIGN_OR_RETURN(uint32_t max_pos, r.Uint("max_position_embeddings", default_positions));
  TTT_ASSIGN_OR_RETURN(double eps, r.Float("rms_norm_eps", 1e-6));
  TTT_ASSIGN_OR_RETURN(double theta, r.Float("rope_theta", 10000.0));
  TTT_ASSIGN_OR_RETURN(double partial, r.Float("partial_rotary_factor", 1.0));
  TTT_ASSIGN_OR_RETURN(bool tied, r.Bool("tie_word_embeddings", false));
  TTT_ASSIGN_OR_RETURN(spec::Activation act, ParseActivation(r, "hidden_act", "silu"));

  bool qkv_bias = false, out_bias = false, mlp_bias = false;
  uint32_t window = 0;
  if (type == "llama") {
    TTT_ASSIGN_OR_RETURN(qkv_bias, r.Bool("attention_bias", false));
    out_bias = qkv_bias;
    TTT_ASSIGN_OR_RETURN(mlp_bias, r.Bool("mlp_bias", false));
  } else if (type == "qwen2" || type == "qwen2_moe") {
    qkv_bias = true;  // Qwen2 always has q/k/v biases and no o_proj bias, whatever attention_bias says
    TTT_ASSIGN_OR_RETURN(bool use_window, r.Bool("use_sliding_window", false));
    if (use_window) {
      TTT_ASSIGN_OR_RETURN(window, r.Uint("sliding_window", 0));
    }
  } else {  // mistral, mixtral, phi3 (Phi-3-mini-4k: 2047), gemma2 (on every other layer: FillGemma2)
    TTT_ASSIGN_OR_RETURN(window, r.Uint("sliding_window", 0));
  }

  s->set_vocab_size(vocab);
  s->set_hidden_dim(hidden);
  s->set_num_layers(layers);
  s->set_max_seq_len(max_pos);
  spec::DecoderLayerSpec* layer = s->mutable_layer();
  SetNorm(layer->mutable_attention_norm(), spec::NormSpec::RMS_NORM, hidden, eps);
  SetNorm(layer->mutable_mlp_norm(), spec::NormSpec::RMS_NORM, hidden, eps);
  SetNorm(s->mutable_final_norm(), spec::NormSpec::RMS_NORM, hidden, eps);
  spec::AttentionSpec* attn = layer->mutable_attention();
  attn->set_hidden_dim(hidden);
  attn->set_num_heads(heads);
  attn->set_num_kv_heads(kv_heads);
  attn->set_head_dim(head_dim);
  attn->set_qkv_bias(qkv_bias);
  attn->set_output_bias(out_bias);
  attn->set_sliding_window(window);
  attn->set_max_seq_len(max_pos);
  attn->set_use_rope(true);
  spec::RopeSpec* rope = attn->mutable_rope();
  rope->set_theta(theta);
  rope->set_head_dim(head_dim);
  if (!(partial > 0 && partial <= 1)) return r.Error("partial_rotary_factor", "must be in (0, 1]");
  uint32_t rotary = static_cast<uint32_t>(head_dim * partial) & ~1u;
  rope->set_rotary_dim(rotary == head_dim ? 0 : rotary);
  rope->set_convention(spec::RopeSpec::ROTATE_HALF);
  TTT_RETURN_IF_ERROR(ParseRopeScaling(r, rope->mutable_scaling()));
  if (type == "mixtral" || type == "qwen2_moe") {
    TTT_RETURN_IF_ERROR(FillMoe(r, type, hidden, intermediate, act, layer));
    if (type == "qwen2_moe") TTT_RETURN_IF_ERROR(QwenMoeDenseLayers(r, intermediate, s));
  } else {
    spec::MlpSpec* mlp = layer->mutable_mlp();
    mlp->set_hidden_dim(hidden);
    mlp->set_intermediate_dim(intermediate);
    mlp->set_activation(act);
    mlp->set_gated(true);
    mlp->set_bias(mlp_bias);
  }
  s->mutable_lm_head()->set_tied(tied);
  s->mutable_special_tokens()->set_add_bos(type != "qwen2" && type != "qwen2_moe");
  return absl::OkStatus();
}

// Gemma 2: Llama's layout plus (1 + w) RMSNorms, post-norms on both branches' outputs (sandwich norms),
// embeddings scaled by sqrt(hidden), a tanh-GELU GeGLU, soft-capped attention scores and logits, the sliding
// window on the even layers only (the odd ones see the whole past), scores scaled by query_pre_attn_scalar^-1/2,
// and always a tied head. Defaults are transformers' Gemma2Config's; a cap given as null means none.
absl::Status FillGemma2(const ConfigReader& r, spec::ModelSpec* s) {
  TTT_RETURN_IF_ERROR(FillLlamaFamily(r, "gemma2", s));
  TTT_ASSIGN_OR_RETURN(spec::Activation act, ParseActivation(r, "hidden_activation", "gelu_pytorch_tanh"));
  auto cap = [&](const char* key, double fallback) -> absl::StatusOr<double> {
    if (r.IsNull(key)) return 0.0;
    TTT_ASSIGN_OR_RETURN(double value, r.Float(key, fallback));
    if (!(value >= 0)) return r.Error(key, absl::StrCat("is ", value, "; expected a positive cap or null"));
    return value;
  };
  Gemma2Settings g;
  TTT_ASSIGN_OR_RETURN(g.attn_softcap, cap("attn_logit_softcapping", g.attn_softcap));
  TTT_ASSIGN_OR_RETURN(g.final_softcap, cap("final_logit_softcapping", g.final_softcap));
  spec::DecoderLayerSpec* layer = s->mutable_layer();
  TTT_ASSIGN_OR_RETURN(g.query_scalar, r.Float("query_pre_attn_scalar", layer->attention().head_dim()));
  if (!(g.query_scalar > 0)) return r.Error("query_pre_attn_scalar", "must be positive (Gemma 2: head_dim)");
  if (r.Has("sliding_window")) g.sliding_window = layer->attention().sliding_window();
  // Stored as w, scaling by 1 + w (the post-norms are copies of the attention norm).
  for (spec::NormSpec* n : {layer->mutable_attention_norm(), layer->mutable_mlp_norm(), s->mutable_final_norm()}) {
    n->set_unit_offset(true);
  }
  ApplyGemma2(g, s);
  layer->mutable_mlp()->set_activation(act);
  s->mutable_lm_head()->set_tied(true);  // Gemma2ForCausalLM always ties lm_head to embed_tokens
  return absl::OkStatus();
}

// GPT-2: learned positions, pre-LayerNorm, plain GELU MLP, biases everywhere, fused QKV in the file.
absl::Status FillGpt2(const ConfigReader& r, spec::ModelSpec* s) {
  TTT_ASSIGN_OR_RETURN(uint32_t hidden, r.RequiredUint("n_embd", "gpt2"));
  TTT_ASSIGN_OR_RETURN(uint32_t layers, r.RequiredUint("n_layer", "gpt2"));
  TTT_ASSIGN_OR_RETURN(uint32_t heads, r.RequiredUint("n_head", "gpt2"));
  TTT_ASSIGN_OR_RETURN(uint32_t vocab, r.RequiredUint("vocab_size", "gpt2"));
  TTT_ASSIGN_OR_RETURN(uint32_t n_ctx, r.Uint("n_ctx", 1024));
  TTT_ASSIGN_OR_RETURN(uint32_t positions, r.Uint("n_positions", n_ctx));
  // n_inner null means 4 * n_embd; GPT-2 never reads intermediate_size, even when a config carries one.
  TTT_ASSIGN_OR_RETURN(uint32_t inner, r.Uint("n_inner", 4 * hidden));
  TTT_ASSIGN_OR_RETURN(double eps, r.Float("layer_norm_epsilon", 1e-5));
  TTT_ASSIGN_OR_RETURN(bool tied, r.Bool("tie_word_embeddings", true));
  TTT_ASSIGN_OR_RETURN(spec::Activation act, ParseActivation(r, "activation_function", "gelu_new"));

  s->set_vocab_size(vocab);
  s->set_hidden_dim(hidden);
  s->set_num_layers(layers);
  s->set_max_seq_len(positions);
  s->set_learned_positions(true);
  s->mutable_position_embedding()->set_max_positions(positions);
  s->mutable_position_embedding()->set_hidden_dim(hidden);
  spec::DecoderLayerSpec* layer = s->mutable_layer();
  SetNorm(layer->mutable_attention_norm(), spec::NormSpec::LAYER_NORM, hidden, eps);
  SetNorm(layer->mutable_mlp_norm(), spec::NormSpec::LAYER_NORM, hidden, eps);
  SetNorm(s->mutable_final_norm(), spec::NormSpec::LAYER_NORM, hidden, eps);
  spec::AttentionSpec* attn = layer->mutable_attention();
  attn->set_hidden_dim(hidden);
  attn->set_num_heads(heads);
  attn->set_num_kv_heads(heads);
  if (heads != 0) attn->set_head_dim(hidden / heads);
  attn->set_qkv_bias(true);
  attn->set_output_bias(true);
  attn->set_max_seq_len(positions);
  attn->set_use_rope(false);
  spec::MlpSpec* mlp = layer->mutable_mlp();
  mlp->set_hidden_dim(hidden);
  mlp->set_intermediate_dim(inner);
  mlp->set_activation(act);
  mlp->set_gated(false);
  mlp->set_bias(true);
  s->mutable_lm_head()->set_tied(tied);
  s->mutable_special_tokens()->set_add_bos(false);
  return absl::OkStatus();
}

// MPT (mosaicml, transformers' MptForCausalLM): ALiBi instead of rotary or learned positions, pre-LayerNorm
// (no biases anywhere when no_bias, the LayerNorms included), exact GELU MLP of expansion_ratio x d_model, a
// fused Wqkv (rows q | k | v), tied head. Its config nests the attention keys in attn_config.
absl::Status FillMpt(const ConfigReader& r, spec::ModelSpec* s) {
  TTT_ASSIGN_OR_RETURN(uint32_t hidden, r.RequiredUint("d_model", "mpt"));
  TTT_ASSIGN_OR_RETURN(uint32_t heads, r.RequiredUint("n_heads", "mpt"));
  TTT_ASSIGN_OR_RETURN(uint32_t layers, r.RequiredUint("n_layers", "mpt"));
  TTT_ASSIGN_OR_RETURN(uint32_t vocab, r.RequiredUint("vocab_size", "mpt"));
  TTT_ASSIGN_OR_RETURN(uint32_t max_seq_len, r.Uint("max_seq_len", 2048));
  TTT_ASSIGN_OR_RETURN(uint32_t expansion, r.Uint("expansion_ratio", 4));
  TTT_ASSIGN_OR_RETURN(bool no_bias, r.Bool("no_bias", true));
  TTT_ASSIGN_OR_RETURN(bool learned_pos_emb, r.Bool("learned_pos_emb", true));
  TTT_ASSIGN_OR_RETURN(double eps, r.Float("layer_norm_epsilon", 1e-5));
  TTT_ASSIGN_OR_RETURN(std::string norm_type, r.String("norm_type", "low_precision_layernorm"));
  // low_precision_layernorm is a LayerNorm run in the autocast dtype: in f32 it is a LayerNorm.
  if (norm_type != "low_precision_layernorm" && norm_type != "layernorm") {
    return r.Error("norm_type",
                   absl::StrCat("is \"", norm_type, "\"; supported: low_precision_layernorm and layernorm"));
  }
  if (r.Has("logit_scale")) {
    return r.Error("logit_scale", "is set; scaled MPT logits are not supported (remove it only if it is 1)");
  }
  if (r.Has("ffn_config")) {
    if (!r.raw("ffn_config").is_object()) return r.Error("ffn_config", "is not an object");
    ConfigReader ffn(r.raw("ffn_config"), r.path());
    TTT_ASSIGN_OR_RETURN(std::string ffn_type, ffn.String("ffn_type", "mptmlp"));
    if (ffn_type != "mptmlp") {
      return r.Error("ffn_config",
                     absl::StrCat("has ffn_type \"", ffn_type, "\"; only mptmlp (up, GELU, down) is supported"));
    }
  }

  // attn_config: transformers' MptAttentionConfig defaults (alibi true, alibi_bias_max 8) for keys it leaves out.
  bool alibi = true, qk_ln = false;
  double alibi_bias_max = 8;
  uint32_t kv_heads = heads;
  std::optional<double> softmax_scale;
  if (r.Has("attn_config")) {
    if (!r.raw("attn_config").is_object()) return r.Error("attn_config", "is not an object");
    ConfigReader a(r.raw("attn_config"), r.path());
    TTT_ASSIGN_OR_RETURN(alibi, a.Bool("alibi", true));
    TTT_ASSIGN_OR_RETURN(alibi_bias_max, a.Float("alibi_bias_max", 8));
    TTT_ASSIGN_OR_RETURN(qk_ln, a.Bool("qk_ln", false));
    if (a.Has("clip_qkv")) {
      return a.Error("clip_qkv", "(in attn_config) is set; clamping q/k/v is not supported: only null");
    }
    if (qk_ln) return a.Error("qk_ln", "(in attn_config) is true; LayerNorms on q and k are not supported");
    TTT_ASSIGN_OR_RETURN(bool prefix_lm, a.Bool("prefix_lm", false));
    if (prefix_lm) return a.Error("prefix_lm", "(in attn_config) is true; only causal language models are supported");
    if (a.Has("softmax_scale")) {
      TTT_ASSIGN_OR_RETURN(softmax_scale, a.Float("softmax_scale", 0));
    }
    TTT_ASSIGN_OR_RETURN(std::string attn_type, a.String("attn_type", "multihead_attention"));
    if (attn_type == "multiquery_attention") {
      kv_heads = 1;
    } else if (attn_type == "grouped_query_attention") {
      TTT_ASSIGN_OR_RETURN(kv_heads, a.Uint("kv_n_heads", heads));
    } else if (attn_type != "multihead_attention") {
      return a.Error("attn_type", absl::StrCat("(in attn_config) is \"", attn_type,
                                               "\"; supported: multihead_attention, multiquery_attention, "
                                               "grouped_query_attention"));
    }
  }
  if (alibi && !(alibi_bias_max > 0)) {
    return r.Error("attn_config",
                   absl::StrCat("has alibi_bias_max ", alibi_bias_max, "; ALiBi needs a positive one (8)"));
  }
  if (!alibi && !learned_pos_emb) {
    return r.Error("attn_config", "has alibi false and learned_pos_emb is false: the model would have no positions");
  }

  s->set_vocab_size(vocab);
  s->set_hidden_dim(hidden);
  s->set_num_layers(layers);
  s->set_max_seq_len(max_seq_len);
  // mpt-7b says learned_pos_emb true but, with ALiBi, holds no transformer.wpe: ALiBi is the only position
  // signal. Learned positions only without ALiBi.
  if (!alibi) {
    s->set_learned_positions(true);
    s->mutable_position_embedding()->set_max_positions(max_seq_len);
    s->mutable_position_embedding()->set_hidden_dim(hidden);
  }
  spec::DecoderLayerSpec* layer = s->mutable_layer();
  for (spec::NormSpec* n : {layer->mutable_attention_norm(), layer->mutable_mlp_norm(), s->mutable_final_norm()}) {
    SetNorm(n, spec::NormSpec::LAYER_NORM, hidden, eps);
    n->set_bias(!no_bias);
  }
  spec::AttentionSpec* attn = layer->mutable_attention();
  attn->set_hidden_dim(hidden);
  attn->set_num_heads(heads);
  attn->set_num_kv_heads(kv_heads);
  if (heads != 0) attn->set_head_dim(hidden / heads);
  attn->set_qkv_bias(!no_bias);
  attn->set_output_bias(!no_bias);
  attn->set_max_seq_len(max_seq_len);
  attn->set_use_rope(false);
  if (softmax_scale) attn->set_softmax_scale(static_cast<float>(*softmax_scale));
  if (alibi) {
    attn->mutable_position_bias()->set_kind("alibi");
    attn->mutable_position_bias()->set_max_bias(static_cast<float>(alibi_bias_max));
  }
  spec::MlpSpec* mlp = layer->mutable_mlp();
  mlp->set_hidden_dim(hidden);
  mlp->set_intermediate_dim(expansion * hidden);
  mlp->set_activation(spec::GELU);  // nn.GELU(approximate="none")
  mlp->set_gated(false);
  mlp->set_bias(!no_bias);
  s->mutable_lm_head()->set_tied(true);  // MPT always ties its head to wte
  s->mutable_special_tokens()->set_add_bos(false);
  return absl::OkStatus();
}

absl::Status ApplySpecialTokens(const ConfigReader& r, spec::SpecialTokens* special) {
  TTT_ASSIGN_OR_RETURN(std::vector<int32_t> bos, r.TokenIds("bos_token_id"));
  TTT_ASSIGN_OR_RETURN(std::vector<int32_t> eos, r.TokenIds("eos_token_id"));
  TTT_ASSIGN_OR_RETURN(std::vector<int32_t> pad, r.TokenIds("pad_token_id"));
  if (!bos.empty()) special->set_bos_id(bos[0]);
  if (!eos.empty()) {
    special->clear_eos_ids();
    for (int32_t id : eos) special->add_eos_ids(id);
  }
  if (!pad.empty()) special->set_pad_id(pad[0]);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<spec::ModelSpec> ModelSpecFromHfConfig(const HfConfigText& text) {
  TTT_ASSIGN_OR_RETURN(json config, ParseJson(text.config_json, text.config_path));
  ConfigReader r(config, text.config_path);
  if (!r.Has("model_type")) {
    return r.Error("model_type", "is missing; supported model types are llama, mistral, mixtral, qwen2, qwen2_moe, phi3, gemma2, gpt2 and mpt");
  }
  TTT_ASSIGN_OR_RETURN(std::string type, r.String("model_type", ""));
  spec::ModelSpec s;
  s.set_family(type);
  TTT_ASSIGN_OR_RETURN(std::string name, r.String("_name_or_path", ""));
  if (name.empty()) name = std::filesystem::path(text.config_path).parent_path().filename().string();
  s.set_name(name.empty() ? type : name);
  if (type == "llama" || type == "mistral" || type == "qwen2" || type == "mixtral" || type == "qwen2_moe" ||
      type == "phi3") {
    TTT_RETURN_IF_ERROR(FillLlamaFamily(r, type, &s));
  } else if (type == "gemma2") {
    TTT_RETURN_IF_ERROR(FillGemma2(r, &s));
  } else if (type == "gpt2") {
    TTT_RETURN_IF_ERROR(FillGpt2(r, &s));
  } else if (type == "mpt") {
    TTT_RETURN_IF_ERROR(FillMpt(r, &s));
  } else {
    // An encoder is not a causal LM: point at the encoder's front door instead of listing decoders only.
    const std::string encoder_hint =
        type == "bert"                   ? " (\"bert\" is an encoder: embed with `ttt embed` or LoadEncoder)"
        : type == "t5" || type == "mt5" ? absl::StrCat(" (\"", type, "\" is an encoder-decoder: run it with `ttt generate` or LoadSeq2Seq)")
                                         : "";
    return r.Error("model_type", absl::StrCat("is \"", type, "\"; supported model types are llama, mistral, mixtral, qwen2, qwen2_moe, phi3, gemma2, gpt2 and mpt", encoder_hint));
  }
  s.mutable_token_embedding()->set_vocab_size(s.vocab_size());
  s.mutable_token_embedding()->set_hidden_dim(s.hidden_dim());
  s.mutable_lm_head()->set_vocab_size(s.vocab_size());
  s.mutable_lm_head()->set_hidden_dim(s.hidden_dim());

  TTT_RETURN_IF_ERROR(ApplySpecialTokens(r, s.mutable_special_tokens()));
  if (text.generation_config_json) {
    // generation_config.json is what transformers' generate() uses, so its ids win over config.json's.
    TTT_ASSIGN_OR_RETURN(json gen, ParseJson(*text.generation_config_json, text.generation_config_path));
    TTT_RETURN_IF_ERROR(ApplySpecialTokens(ConfigReader(gen, text.generation_config_path), s.mutable_special_tokens()));
  }
  if (text.tokenizer_config_json) {
    TTT_ASSIGN_OR_RETURN(json tok, ParseJson(*text.tokenizer_config_json, text.tokenizer_config_path));
    ConfigReader t(tok, text.tokenizer_config_path);
    TTT_ASSIGN_OR_RETURN(bool add_bos, t.Bool("add_bos_token", s.special_tokens().add_bos()));
    s.mutable_special_tokens()->set_add_bos(add_bos);
  }
  if (!s.special_tokens().has_bos_id()) s.mutable_special_tokens()->set_add_bos(false);
  return s;
}

absl::StatusOr<spec::ModelSpec> LoadHfModelSpec(const std::string& dir) {
  namespace fs = std::filesystem;
  HfConfigText text;
  text.config_path = (fs::path(dir) / "config.json").string();
  TTT_ASSIGN_OR_RETURN(text.config_json, ReadFileToString(text.config_path));
  std::error_code ec;
  text.generation_config_path = (fs::path(dir) / "generation_config.json").string();
  if (fs::exists(text.generation_config_path, ec)) {
    TTT_ASSIGN_OR_RETURN(text.generation_config_json, ReadFileToString(text.generation_config_path));
  }
  text.tokenizer_config_path = (fs::path(dir) / "tokenizer_config.json").string();
  if (fs::exists(text.tokenizer_config_path, ec)) {
    TTT_ASSIGN_OR_RETURN(text.tokenizer_config_json, ReadFileToString(text.tokenizer_config_path));
  }
  return ModelSpecFromHfConfig(text);
}

}  // namespace ttt::formats
