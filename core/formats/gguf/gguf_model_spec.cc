#include "core/formats/gguf/gguf_model_spec.h"

#include <functional>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/formats/gemma2_spec.h"
#include "core/runtime/status.h"

namespace ttt::formats {
namespace {

absl::Status BadValue(const GgufFile& f, const std::string& key, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("GGUF file '", f.path(), "': metadata key '", key, "' ",
                                                 absl::string_view(problem.data(), problem.size())));
}

absl::StatusOr<uint32_t> Uint(const GgufFile& f, const std::string& key, std::optional<uint32_t> fallback) {
  if (!f.Has(key)) {
    if (fallback) return *fallback;
    return absl::NotFoundError(absl::StrCat("GGUF file '", f.path(), "' lacks the metadata key '", key,
                                            "' this architecture needs; re-convert it with a current llama.cpp"));
  }
  TTT_ASSIGN_OR_RETURN(int64_t v, f.GetInt(key));
  if (v < 0 || v > std::numeric_limits<uint32_t>::max()) return BadValue(f, key, absl::StrCat("is ", v));
  return static_cast<uint32_t>(v);
}

absl::StatusOr<double> Float(const GgufFile& f, const std::string& key, double fallback) {
  if (!f.Has(key)) return fallback;
  return f.GetFloat(key);
}

// A token id, or nothing when absent or set to -1 / 0xFFFFFFFF (llama.cpp's "none").
absl::StatusOr<std::optional<int32_t>> TokenId(const GgufFile& f, const std::string& key) {
  if (!f.Has(key)) return std::nullopt;
  TTT_ASSIGN_OR_RETURN(int64_t v, f.GetInt(key));
  if (v < 0 || v >= std::numeric_limits<int32_t>::max()) return std::nullopt;
  return static_cast<int32_t>(v);
}

void SetNorm(spec::NormSpec* norm, spec::NormSpec::Kind kind, uint32_t dim, double eps) {
  norm->set_kind(kind);
  norm->set_dim(dim);
  norm->set_eps(static_cast<float>(eps));
  norm->set_bias(kind == spec::NormSpec::LAYER_NORM);
}

// llama.cpp's MPT (llm_build_mpt): LayerNorms (biases when the file has them), a fused attn_qkv, ALiBi when
// mpt.attention.max_alibi_bias > 0 and learned positions when position_embd is present, a plain GELU MLP (exact
// GELU, MPT's own; llama.cpp's CPU backend approximates it with tanh, ~5e-4 of max|logit| apart).
absl::Status FillMpt(const GgufFile& f, uint32_t dim, uint32_t ctx, spec::ModelSpec* s) {
  TTT_ASSIGN_OR_RETURN(double eps, Float(f, "mpt.attention.layer_norm_epsilon", 1e-5));
  TTT_ASSIGN_OR_RETURN(double max_bias, Float(f, "mpt.attention.max_alibi_bias", 0.0));
  TTT_ASSIGN_OR_RETURN(double clamp, Float(f, "mpt.attention.clamp_kqv", 0.0));
  if (clamp > 0) {
    return BadValue(f, "mpt.attention.clamp_kqv",
                    absl::StrCat("is ", clamp, "; clamping q/k/v (MPT's clip_qkv) is not supported"));
  }
  if (f.FindTensor("blk.0.attn_q_norm.weight") != nullptr) {
    return absl::UnimplementedError(absl::StrCat("GGUF file '", f.path(),
                                                 "' has attn_q_norm/attn_k_norm tensors (MPT's qk_ln), which are "
                                                 "not supported"));
  }
  const bool learned_positions = f.FindTensor("position_embd.weight") != nullptr;
  if (!(max_bias > 0) && !learned_positions) {
    return BadValue(f, "mpt.attention.max_alibi_bias",
                    "is missing or not positive and there is no position_embd tensor: the model would have no "
                    "positions");
  }
  spec::DecoderLayerSpec* layer = s->mutable_layer();
  const bool norm_bias = f.FindTensor("blk.0.attn_norm.bias") != nullptr;
  for (spec::NormSpec* n : {layer->mutable_attention_norm(), layer->mutable_mlp_norm(), s->mutable_final_norm()}) {
    SetNorm(n, spec::NormSpec::LAYER_NORM, dim, eps);
    n->set_bias(norm_bias);
  }
  if (learned_positions) {
    s->set_learned_positions(true);
    s->mutable_position_embedding()->set_max_positions(ctx);
    s->mutable_position_embedding()->set_hidden_dim(dim);
  }
  spec::AttentionSpec* attn = layer->mutable_attention();
  attn->set_qkv_bias(f.FindTensor("blk.0.attn_qkv.bias") != nullptr);
  attn->set_output_bias(f.FindTensor("blk.0.attn_output.bias") != nullptr);
  attn->set_use_rope(false);
  if (max_bias > 0) {
    attn->mutable_position_bias()->set_kind("alibi");
    attn->mutable_position_bias()->set_max_bias(static_cast<float>(max_bias));
  }
  spec::MlpSpec* mlp = layer->mutable_mlp();
  mlp->set_activation(spec::GELU);
  mlp->set_gated(false);
  mlp->set_bias(f.FindTensor("blk.0.ffn_up.bias") != nullptr);
  return absl::OkStatus();
}

// Mixtral (arch llama with <arch>.expert_count) and Qwen2-MoE: a mixture of experts replaces the dense MLP, as
// llama.cpp's llm_build_moe_ffn computes it: softmax router, top expert_used_count, renormalised for Mixtral
// (norm_w true in build_llama), not for Qwen2-MoE (build_qwen2moe), whose shared expert has a sigmoid gate.
absl::Status FillExperts(const GgufFile& f, const std::string& arch, uint32_t dim, uint32_t ff, spec::ModelSpec* s) {
  const std::string count_key = arch + ".expert_count";
  if (!f.Has(count_key)) {
    if (arch == "qwen2moe") return Uint(f, count_key, std::nullopt).status();
    return absl::OkStatus();  // a dense model
  }
  TTT_ASSIGN_OR_RETURN(uint32_t experts, Uint(f, count_key, std::nullopt));
  if (experts == 0) return absl::OkStatus();
  TTT_ASSIGN_OR_RETURN(uint32_t per_token, Uint(f, arch + ".expert_used_count", std::nullopt));
  spec::DecoderLayerSpec* layer = s->mutable_layer();
  layer->clear_mlp();
  spec::MoeSpec* moe = layer->mutable_moe();
  moe->set_hidden_dim(dim);
  moe->set_num_experts(experts);
  moe->set_experts_per_token(per_token);
  moe->set_activation(spec::SILU);
  if (arch == "llama") {
    if (f.FindTensor("blk.0.ffn_gate_exps.weight") == nullptr) {
      return absl::UnimplementedError(absl::StrCat("GGUF file '", f.path(), "' has ", count_key, " ", experts,
                                                   " but no blk.0.ffn_gate_exps.weight: per-expert tensors from old "
                                                   "converters are not read; re-convert it with a current llama.cpp"));
    }
    moe->set_expert_dim(ff);
    moe->set_normalize_top_k(true);
    return absl::OkStatus();
  }
  TTT_ASSIGN_OR_RETURN(uint32_t expert_dim, Uint(f, arch + ".expert_feed_forward_length", ff / per_token));
  TTT_ASSIGN_OR_RETURN(uint32_t shared_dim, Uint(f, arch + ".expert_shared_feed_forward_length", ff));
  moe->set_expert_dim(expert_dim);
  moe->set_normalize_top_k(false);
  moe->set_shared_expert_dim(shared_dim);
  moe->set_shared_expert_gate(true);
  return absl::OkStatus();
}

// llama.cpp's gemma2 (its defaults where a key is absent): see formats/hf's FillGemma2. The converter stores the
// RMSNorm weights as 1 + w already, so the norms are plain. A GGUF has no query_pre_attn_scalar: as llama.cpp,
// the 46-layer model (27B) scales scores by (hidden / heads)^-1/2, every other by head_dim^-1/2.
// Phi-3's LongRoPE as llama.cpp's converter writes it: per-pair divisors as the tensors rope_factors_short/long
// ([rotary_dim / 2] f32), the original context and the attention factor as keys. No factor tensors: plain RoPE.
absl::Status FillLongRope(const GgufFile& f, const std::function<std::string(const char*)>& key,
                          spec::RopeScaling* scaling) {
  const bool has_short = f.FindTensor("rope_factors_short.weight") != nullptr;
  const bool has_long = f.FindTensor("rope_factors_long.weight") != nullptr;
  if (!has_short && !has_long) return absl::OkStatus();
  if (has_short != has_long) {
    return absl::InvalidArgumentError(absl::StrCat("GGUF file '", f.path(), "' has only one of rope_factors_short/",
                                                   "rope_factors_long: LongRoPE needs both; re-convert the model"));
  }
  scaling->set_type(spec::RopeScaling::LONGROPE);
  TTT_ASSIGN_OR_RETURN(uint32_t context, Uint(f, key("context_length"), std::nullopt));
  TTT_ASSIGN_OR_RETURN(uint32_t original, Uint(f, key("rope.scaling.original_context_length"), context));
  TTT_ASSIGN_OR_RETURN(double attention_factor, Float(f, key("rope.scaling.attn_factor"), 1.0));
  scaling->set_original_max_position_embeddings(original);
  scaling->set_factor(original > 0 ? static_cast<double>(context) / original : 1.0);
  scaling->set_attention_factor(attention_factor);
  const std::pair<const char*, google::protobuf::RepeatedField<double>*> sets[] = {
      {"rope_factors_short.weight", scaling->mutable_short_factor()},
      {"rope_factors_long.weight", scaling->mutable_long_factor()}};
  for (const auto& [name, out] : sets) {
    TTT_ASSIGN_OR_RETURN(Tensor t, f.LoadTensor(name));
    const std::vector<float> values = t.ToF32();
    out->Assign(values.begin(), values.end());  // the length is checked against rotary_dim by validation
  }
  return absl::OkStatus();
}

absl::Status FillGemma2(const GgufFile& f, spec::ModelSpec* s) {
  Gemma2Settings g;
  TTT_ASSIGN_OR_RETURN(g.attn_softcap, Float(f, "gemma2.attn_logit_softcapping", g.attn_softcap));
  TTT_ASSIGN_OR_RETURN(g.final_softcap, Float(f, "gemma2.final_logit_softcapping", g.final_softcap));
  TTT_ASSIGN_OR_RETURN(g.sliding_window, Uint(f, "gemma2.attention.sliding_window", g.sliding_window));
  if (!(g.attn_softcap >= 0) || !(g.final_softcap >= 0)) return BadValue(f, "gemma2.*_logit_softcapping", "is negative");
  const spec::AttentionSpec& attn = s->layer().attention();
  g.query_scalar = s->num_layers() == 46 ? s->hidden_dim() / attn.num_heads() : attn.head_dim();
  ApplyGemma2(g, s);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<spec::ModelSpec> ModelSpecFromGguf(const GgufFile& f) {
  TTT_ASSIGN_OR_RETURN(std::string arch, f.GetString("general.architecture"));
  const bool gpt2 = arch == "gpt2", mpt = arch == "mpt";
  if (arch != "llama" && arch != "qwen2" && arch != "qwen2moe" && arch != "phi3" && arch != "gemma2" && !gpt2 &&
      !mpt) {
    return absl::UnimplementedError(absl::StrCat("GGUF file '", f.path(), "' has general.architecture \"", arch,
                                                 "\"; supported architectures are llama (Mixtral included), qwen2, "
                                                 "qwen2moe, phi3, gemma2, gpt2 and mpt",
                                                 arch == "bert" ? " (bert is an encoder: embed with `ttt embed` or "
                                                                  "LoadEncoder)"
                                                 : arch == "t5" ? " (t5 is an encoder-decoder: run it with `ttt generate` "
                                                                  "or LoadSeq2Seq)"
                                                                : ""));
  }
  auto key = [&](const char* suffix) { return absl::StrCat(arch, ".", suffix); };
  TTT_ASSIGN_OR_RETURN(uint32_t dim, Uint(f, key("embedding_length"), std::nullopt));
  TTT_ASSIGN_OR_RETURN(uint32_t layers, Uint(f, key("block_count"), std::nullopt));
  TTT_ASSIGN_OR_RETURN(uint32_t ff, Uint(f, key("feed_forward_length"), std::nullopt));
  TTT_ASSIGN_OR_RETURN(uint32_t heads, Uint(f, key("attention.head_count"), std::nullopt));
  TTT_ASSIGN_OR_RETURN(uint32_t ctx, Uint(f, key("context_length"), std::nullopt));
  TTT_ASSIGN_OR_RETURN(uint32_t kv_heads, Uint(f, key("attention.head_count_kv"), heads));
  if (heads == 0) return BadValue(f, key("attention.head_count"), "is 0");
  TTT_ASSIGN_OR_RETURN(uint32_t head_dim, Uint(f, key("attention.key_length"), dim / heads));

  uint32_t vocab = 0;
  if (f.Has(key("vocab_size"))) {
    TTT_ASSIGN_OR_RETURN(vocab, Uint(f, key("vocab_size"), std::nullopt));
  } else if (f.Has("tokenizer.ggml.tokens")) {
    TTT_ASSIGN_OR_RETURN(std::vector<std::string> tokens, f.GetStringArray("tokenizer.ggml.tokens"));
    vocab = static_cast<uint32_t>(tokens.size());
  } else if (const GgufTensorInfo* emb = f.FindTensor("token_embd.weight"); emb && emb->shape.size() == 2) {
    vocab = static_cast<uint32_t>(emb->shape[0]);
  } else {
    return absl::NotFoundError(absl::StrCat("GGUF file '", f.path(), "' has neither ", key("vocab_size"),
                                            " nor tokenizer.ggml.tokens nor token_embd.weight to size the vocabulary"));
  }

  spec::ModelSpec s;
  s.set_family(arch);
  if (f.Has("general.name")) {
    TTT_ASSIGN_OR_RETURN(std::string name, f.GetString("general.name"));
    s.set_name(name);
  } else {
    s.set_name(arch);
  }
  s.set_vocab_size(vocab);
  s.set_hidden_dim(dim);
  s.set_num_layers(layers);
  s.set_max_seq_len(ctx);
  s.mutable_token_embedding()->set_vocab_size(vocab);
  s.mutable_token_embedding()->set_hidden_dim(dim);

  spec::DecoderLayerSpec* layer = s.mutable_layer();
  spec::AttentionSpec* attn = layer->mutable_attention();
  attn->set_hidden_dim(dim);
  attn->set_num_heads(heads);
  attn->set_num_kv_heads(kv_heads);
  attn->set_head_dim(head_dim);
  attn->set_max_seq_len(ctx);
  spec::MlpSpec* mlp = layer->mutable_mlp();
  mlp->set_hidden_dim(dim);
  mlp->set_intermediate_dim(ff);

  if (mpt) {
    TTT_RETURN_IF_ERROR(FillMpt(f, dim, ctx, &s));
  } else if (gpt2) {
    TTT_ASSIGN_OR_RETURN(double eps, Float(f, key("attention.layer_norm_epsilon"), 1e-5));
    for (spec::NormSpec* n : {layer->mutable_attention_norm(), layer->mutable_mlp_norm(), s.mutable_final_norm()}) {
      SetNorm(n, spec::NormSpec::LAYER_NORM, dim, eps);
    }
    s.set_learned_positions(true);
    s.mutable_position_embedding()->set_max_positions(ctx);
    s.mutable_position_embedding()->set_hidden_dim(dim);
    attn->set_qkv_bias(true);
    attn->set_output_bias(true);
    attn->set_use_rope(false);
    mlp->set_activation(spec::GELU_TANH);
    mlp->set_gated(false);
    mlp->set_bias(true);
  } else {
    TTT_ASSIGN_OR_RETURN(double eps, Float(f, key("attention.layer_norm_rms_epsilon"), 1e-5));
    for (spec::NormSpec* n : {layer->mutable_attention_norm(), layer->mutable_mlp_norm(), s.mutable_final_norm()}) {
      SetNorm(n, spec::NormSpec::RMS_NORM, dim, eps);
    }
    attn->set_qkv_bias(arch == "qwen2" || arch == "qwen2moe" || f.FindTensor("blk.0.attn_q.bias") != nullptr ||
                       f.FindTensor("blk.0.attn_qkv.bias") != nullptr);
    attn->set_output_bias(f.FindTensor("blk.0.attn_output.bias") != nullptr);
    attn->set_use_rope(true);
    spec::RopeSpec* rope = attn->mutable_rope();
    TTT_ASSIGN_OR_RETURN(double theta, Float(f, key("rope.freq_base"), 10000.0));
    TTT_ASSIGN_OR_RETURN(uint32_t rotary, Uint(f, key("rope.dimension_count"), head_dim));
    rope->set_theta(theta);
    rope->set_head_dim(head_dim);
    rope->set_rotary_dim(rotary == head_dim ? 0 : rotary);
    rope->set_convention(arch == "llama" ? spec::RopeSpec::INTERLEAVED : spec::RopeSpec::ROTATE_HALF);
    if (f.Has(key("rope.scaling.type"))) {
      TTT_ASSIGN_OR_RETURN(std::string type, f.GetString(key("rope.scaling.type")));
      if (type == "linear") {
        TTT_ASSIGN_OR_RETURN(double factor, Float(f, key("rope.scaling.factor"), 1.0));
        rope->mutable_scaling()->set_type(spec::RopeScaling::LINEAR);
        rope->mutable_scaling()->set_factor(factor);
      } else if (type != "none") {
        return absl::UnimplementedError(absl::StrCat("GGUF file '", f.path(), "': ", key("rope.scaling.type"), " \"",
                                                     type, "\" is not supported (only linear)"));
      }
    }
    if (arch == "phi3") {
      // llama.cpp's phi3 attends within the window when the key says so (0: Phi-4, the whole past).
      TTT_ASSIGN_OR_RETURN(uint32_t window, Uint(f, key("attention.sliding_window"), 0));
      attn->set_sliding_window(window);
      TTT_RETURN_IF_ERROR(FillLongRope(f, key, rope->mutable_scaling()));
    }
    if (f.FindTensor("rope_freqs.weight") != nullptr) {
      // Llama 3.1 stores its frequency scaling as a tensor of per-dimension factors.
      return absl::UnimplementedError(absl::StrCat(
          "GGUF file '", f.path(), "' scales RoPE with a rope_freqs.weight tensor (Llama 3.1 style), which this "
          "reader does not translate; load the Hugging Face checkpoint instead (its rope_scaling is supported)"));
    }
    mlp->set_activation(spec::SILU);
    mlp->set_gated(true);
    mlp->set_bias(false);
    TTT_RETURN_IF_ERROR(FillExperts(f, arch, dim, ff, &s));
    if (arch == "gemma2") TTT_RETURN_IF_ERROR(FillGemma2(f, &s));
  }

  s.mutable_lm_head()->set_hidden_dim(dim);
  s.mutable_lm_head()->set_vocab_size(vocab);
  s.mutable_lm_head()->set_tied(f.FindTensor("output.weight") == nullptr);

  spec::SpecialTokens* special = s.mutable_special_tokens();
  TTT_ASSIGN_OR_RETURN(std::optional<int32_t> bos, TokenId(f, "tokenizer.ggml.bos_token_id"));
  TTT_ASSIGN_OR_RETURN(std::optional<int32_t> eos, TokenId(f, "tokenizer.ggml.eos_token_id"));
  TTT_ASSIGN_OR_RETURN(std::optional<int32_t> eot, TokenId(f, "tokenizer.ggml.eot_token_id"));
  TTT_ASSIGN_OR_RETURN(std::optional<int32_t> pad, TokenId(f, "tokenizer.ggml.padding_token_id"));
  if (bos) special->set_bos_id(*bos);
  if (eos) special->add_eos_ids(*eos);
  if (eot && eot != eos) special->add_eos_ids(*eot);
  if (pad) special->set_pad_id(*pad);
  bool add_bos = false;
  if (f.Has("tokenizer.ggml.add_bos_token")) {
    TTT_ASSIGN_OR_RETURN(add_bos, f.GetBool("tokenizer.ggml.add_bos_token"));
  } else if (f.Has("tokenizer.ggml.model")) {
    TTT_ASSIGN_OR_RETURN(std::string model, f.GetString("tokenizer.ggml.model"));
    add_bos = model == "llama";  // llama.cpp's default for SentencePiece vocabularies
  }
  special->set_add_bos(add_bos && bos.has_value());
  return s;
}

}  // namespace ttt::formats
