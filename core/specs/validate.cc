#include "core/specs/validate.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/runtime/checked_size.h"
#include "core/runtime/status.h"
#include "core/specs/layer_groups.h"

namespace ttt {
namespace {

absl::Status Invalid(absl::string_view spec, absl::string_view field, absl::string_view problem,
                     absl::string_view fix) {
  return absl::InvalidArgumentError(absl::StrCat(spec, ".", field, " ", problem, ": ", fix));
}

absl::Status RequirePositive(absl::string_view spec, absl::string_view field, uint64_t value,
                             absl::string_view fix) {
  if (value == 0) return Invalid(spec, field, "is 0", fix);
  return absl::OkStatus();
}

// The limits on what a model file may claim (core/runtime/checked_size.h), refused before any buffer is planned.
absl::Status RequireAtMost(absl::string_view spec, absl::string_view field, uint64_t value, int64_t limit,
                           absl::string_view what) {
  if (value > static_cast<uint64_t>(limit)) {
    return Invalid(spec, field, absl::StrCat("is ", value, ", more than the ", limit, " ", what, " this library supports"),
                   "the model file is corrupt or claims an impossible size; check where it came from");
  }
  return absl::OkStatus();
}

std::string Divisors(uint32_t n) {
  std::vector<uint32_t> divisors;
  for (uint32_t d = 1; d <= n; ++d) {
    if (n % d == 0) divisors.push_back(d);
  }
  return absl::StrJoin(divisors, ", ");
}

// Fills a sub-spec's size from the enclosing spec's `value` when unset (0), or checks that they agree.
template <typename Message>
absl::Status Agree(absl::string_view where, absl::string_view field, uint32_t value, Message* message,
                   uint32_t (Message::*get)() const, void (Message::*set)(uint32_t)) {
  const uint32_t current = (message->*get)();
  if (current == 0) {
    (message->*set)(value);
  } else if (current != value) {
    return Invalid(where, field, absl::StrCat("is ", current, " but the model's is ", value),
                   "leave it unset or make the two equal");
  }
  return absl::OkStatus();
}


absl::StatusOr<spec::NormSpec> CheckNorm(spec::NormSpec s) {
  if (s.kind() == spec::NormSpec::KIND_UNSPECIFIED) {
    return Invalid("NormSpec", "kind", "is unset", "set RMS_NORM or LAYER_NORM");
  }
  TTT_RETURN_IF_ERROR(RequirePositive("NormSpec", "dim", s.dim(), "set it to the hidden size"));
  if (!s.has_eps()) s.set_eps(1e-5f);
  if (!(s.eps() > 0) || !std::isfinite(s.eps())) {
    return Invalid("NormSpec", "eps", absl::StrCat("is ", s.eps()), "use a small positive value such as 1e-5");
  }
  if (s.bias() && s.kind() != spec::NormSpec::LAYER_NORM) {
    return Invalid("NormSpec", "bias", "is set on an RMSNorm", "RMSNorm has no bias: use LAYER_NORM or unset bias");
  }
  return s;
}

absl::StatusOr<spec::RopeSpec> CheckRope(spec::RopeSpec s) {
  if (!s.has_theta()) s.set_theta(10000.0);
  if (!(s.theta() > 1.0)) {
    return Invalid("RopeSpec", "theta", absl::StrCat("is ", s.theta()), "use the model's rope_theta (e.g. 10000)");
  }
  TTT_RETURN_IF_ERROR(RequirePositive("RopeSpec", "head_dim", s.head_dim(), "it is filled from AttentionSpec"));
  if (s.rotary_dim() == 0) s.set_rotary_dim(s.head_dim());
  if (s.rotary_dim() > s.head_dim() || s.rotary_dim() % 2 != 0) {
    return Invalid("RopeSpec", "rotary_dim",
                   absl::StrCat("is ", s.rotary_dim(), " with head_dim ", s.head_dim()),
                   "use an even number no larger than head_dim");
  }
  if (s.convention() == spec::RopeSpec::CONVENTION_UNSPECIFIED) {
    return Invalid("RopeSpec", "convention", "is unset",
                   "use ROTATE_HALF for Hugging Face weights, INTERLEAVED for GGUF and llama2.c");
  }
  const spec::RopeScaling& sc = s.scaling();
  if (sc.type() != spec::RopeScaling::NONE && !(sc.factor() > 0)) {
    return Invalid("RopeSpec", "scaling.factor", absl::StrCat("is ", sc.factor()), "use a positive factor (e.g. 8)");
  }
  if (sc.type() == spec::RopeScaling::LLAMA3) {
    if (!(sc.low_freq_factor() > 0) || !(sc.high_freq_factor() > sc.low_freq_factor())) {
      return Invalid("RopeSpec", "scaling.low_freq_factor/high_freq_factor",
                     absl::StrCat("are ", sc.low_freq_factor(), "/", sc.high_freq_factor()),
                     "need 0 < low_freq_factor < high_freq_factor (Llama 3.1 uses 1 and 4)");
    }
    TTT_RETURN_IF_ERROR(RequirePositive("RopeSpec", "scaling.original_max_position_embeddings",
                                        sc.original_max_position_embeddings(), "Llama 3.1 uses 8192"));
  }
  if (sc.type() == spec::RopeScaling::LONGROPE) {
    TTT_RETURN_IF_ERROR(RequirePositive("RopeSpec", "scaling.original_max_position_embeddings",
                                        sc.original_max_position_embeddings(), "Phi-3 uses 4096"));
    const int pairs = static_cast<int>(s.rotary_dim() / 2);
    for (const auto& [name, factors] : {std::pair{"scaling.short_factor", &sc.short_factor()},
                                        std::pair{"scaling.long_factor", &sc.long_factor()}}) {
      if (factors->size() != pairs) {
        return Invalid("RopeSpec", name, absl::StrCat("has ", factors->size(), " values"),
                       absl::StrCat("give one per rotated pair: rotary_dim / 2 = ", pairs));
      }
      for (double f : *factors) {
        if (!(f > 0)) return Invalid("RopeSpec", name, absl::StrCat("holds ", f), "every factor must be positive");
      }
    }
    if (sc.attention_factor() < 0) {
      return Invalid("RopeSpec", "scaling.attention_factor", absl::StrCat("is ", sc.attention_factor()),
                     "use a positive factor, or 0 for Phi-3's default");
    }
  }
  return s;
}

absl::StatusOr<spec::AttentionSpec> CheckAttention(spec::AttentionSpec s) {
  constexpr absl::string_view kSpec = "AttentionSpec";
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "hidden_dim", s.hidden_dim(), "set it to the model's hidden size"));
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "num_heads", s.num_heads(), "set the number of query heads"));
  if (s.num_kv_heads() == 0) s.set_num_kv_heads(s.num_heads());
  if (s.num_heads() % s.num_kv_heads() != 0) {
    return Invalid(kSpec, "num_heads",
                   absl::StrCat("(", s.num_heads(), ") is not a multiple of num_kv_heads (", s.num_kv_heads(), ")"),
                   absl::StrCat("set num_kv_heads to one of ", Divisors(s.num_heads())));
  }
  if (s.head_dim() == 0) {
    if (s.hidden_dim() % s.num_heads() != 0) {
      return Invalid(kSpec, "hidden_dim",
                     absl::StrCat("(", s.hidden_dim(), ") is not divisible by num_heads (", s.num_heads(), ")"),
                     absl::StrCat("set num_heads to one of ", Divisors(s.hidden_dim()),
                                  ", or set head_dim explicitly"));
    }
    s.set_head_dim(s.hidden_dim() / s.num_heads());
  }
  if (!s.has_causal()) s.set_causal(true);
  if (!s.has_softmax_scale()) s.set_softmax_scale(1.0f / std::sqrt(static_cast<float>(s.head_dim())));
  if (!(s.softmax_scale() > 0)) {
    return Invalid(kSpec, "softmax_scale", absl::StrCat("is ", s.softmax_scale()), "leave it unset for 1/sqrt(head_dim)");
  }
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "max_seq_len", s.max_seq_len(),
                                      "set the KV-cache capacity (the model's context length)"));
  if (s.use_rope()) {
    s.mutable_rope()->set_head_dim(s.head_dim());
    TTT_ASSIGN_OR_RETURN(*s.mutable_rope(), CheckRope(s.rope()));
  } else if (s.has_rope()) {
    return Invalid(kSpec, "rope", "is set but use_rope is false", "set use_rope: true or remove rope");
  }
  if (s.has_position_bias()) {
    const spec::PositionBiasSpec& bias = s.position_bias();
    if (bias.kind().empty()) {
      return Invalid(kSpec, "position_bias.kind", "is unset",
                     "name a registered position-bias kind (\"alibi\"), or remove position_bias");
    }
    if (!(bias.max_bias() > 0) || !std::isfinite(bias.max_bias())) {
      return Invalid(kSpec, "position_bias.max_bias", absl::StrCat("is ", bias.max_bias()),
                     "use the model's positive slope base (ALiBi: 8 in MPT and BLOOM; MPT's "
                     "attn_config.alibi_bias_max), or remove position_bias for a model without one");
    }
    // A score bias by distance and a rotation by position are two answers to the same question; no model
    // this library knows uses both, and a converter that sets both has likely misread its config.
    if (s.use_rope()) {
      return Invalid(kSpec, "position_bias", absl::StrCat("(\"", bias.kind(), "\") is set together with use_rope"),
                     "a model takes its positions from one of them: remove position_bias (RoPE models) or set "
                     "use_rope: false and remove rope (ALiBi models such as MPT and BLOOM)");
    }
  }
  if (!(s.logit_softcap() >= 0) || !std::isfinite(s.logit_softcap())) {
    return Invalid(kSpec, "logit_softcap", absl::StrCat("is ", s.logit_softcap()),
                   "use the model's positive cap (Gemma 2: 50), or 0 for none");
  }
  if (s.sliding_window_pattern() == 1 || (s.sliding_window_pattern() > 1 && s.sliding_window() == 0)) {
    return Invalid(kSpec, "sliding_window_pattern",
                   absl::StrCat("is ", s.sliding_window_pattern(), " with sliding_window ", s.sliding_window()),
                   "a pattern >= 2 says which layers skip the sliding_window (Gemma 2: 2, with a window); "
                   "0 applies the window to every layer");
  }
  return s;
}

absl::StatusOr<spec::MlpSpec> CheckMlp(spec::MlpSpec s) {
  TTT_RETURN_IF_ERROR(RequirePositive("MlpSpec", "hidden_dim", s.hidden_dim(), "set it to the model's hidden size"));
  TTT_RETURN_IF_ERROR(RequirePositive("MlpSpec", "intermediate_dim", s.intermediate_dim(),
                                      "set the FFN size (often 4x hidden_dim, or ~2.7x for gated MLPs)"));
  if (s.activation() == spec::ACTIVATION_UNSPECIFIED) {
    return Invalid("MlpSpec", "activation", "is unset or unknown", "use SILU, GELU, GELU_TANH or RELU");
  }
  if (s.gated() && s.activation() == spec::RELU) {
    return Invalid("MlpSpec", "activation", "is RELU on a gated MLP", "gated MLPs support SILU (SwiGLU) and GELU/GELU_TANH (GeGLU)");
  }
  return s;
}

absl::StatusOr<spec::MoeSpec> CheckMoe(spec::MoeSpec s) {
  constexpr absl::string_view kSpec = "MoeSpec";
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "hidden_dim", s.hidden_dim(), "set it to the model's hidden size"));
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "expert_dim", s.expert_dim(),
                                      "set each expert's intermediate size (Mixtral: intermediate_size; Qwen2-MoE: "
                                      "moe_intermediate_size)"));
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "num_experts", s.num_experts(), "set the number of routed experts"));
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "experts_per_token", s.experts_per_token(),
                                      "set how many experts each token runs (Mixtral: 2)"));
  if (s.experts_per_token() > s.num_experts()) {
    return Invalid(kSpec, "experts_per_token",
                   absl::StrCat("(", s.experts_per_token(), ") exceeds num_experts (", s.num_experts(), ")"),
                   absl::StrCat("set it to at most ", s.num_experts()));
  }
  if (s.activation() == spec::ACTIVATION_UNSPECIFIED) s.set_activation(spec::SILU);
  if (s.activation() == spec::RELU) {
    return Invalid(kSpec, "activation", "is RELU", "experts are gated MLPs: use SILU (SwiGLU) or GELU/GELU_TANH (GeGLU)");
  }
  if (s.shared_expert_gate() && s.shared_expert_dim() == 0) {
    return Invalid(kSpec, "shared_expert_gate", "is set without a shared expert",
                   "set shared_expert_dim, or unset shared_expert_gate");
  }
  if (s.local_experts() == 0 && s.first_expert() != 0) {
    return Invalid(kSpec, "first_expert", absl::StrCat("is ", s.first_expert(), " without local_experts"),
                   "leave it 0: only a tensor-parallel rank's share of whole experts starts elsewhere");
  }
  if (uint64_t{s.first_expert()} + s.local_experts() > s.num_experts()) {
    return Invalid(kSpec, "local_experts",
                   absl::StrCat("(", s.local_experts(), " from expert ", s.first_expert(), ") run past the ",
                                s.num_experts(), " experts"),
                   "a rank holds a range of the model's experts");
  }
  return s;
}

absl::StatusOr<spec::TokenEmbeddingSpec> CheckTokenEmbedding(spec::TokenEmbeddingSpec s) {
  TTT_RETURN_IF_ERROR(RequirePositive("TokenEmbeddingSpec", "vocab_size", s.vocab_size(), "set the vocabulary size"));
  TTT_RETURN_IF_ERROR(RequirePositive("TokenEmbeddingSpec", "hidden_dim", s.hidden_dim(), "set the hidden size"));
  if (!s.has_scale()) s.set_scale(1.0f);
  return s;
}

absl::StatusOr<spec::PositionEmbeddingSpec> CheckPositionEmbedding(spec::PositionEmbeddingSpec s) {
  TTT_RETURN_IF_ERROR(RequirePositive("PositionEmbeddingSpec", "max_positions", s.max_positions(),
                                      "set the number of learned positions (GPT-2: n_positions)"));
  TTT_RETURN_IF_ERROR(RequirePositive("PositionEmbeddingSpec", "hidden_dim", s.hidden_dim(), "set the hidden size"));
  return s;
}

absl::StatusOr<spec::LmHeadSpec> CheckLmHead(spec::LmHeadSpec s) {
  TTT_RETURN_IF_ERROR(RequirePositive("LmHeadSpec", "hidden_dim", s.hidden_dim(), "set the hidden size"));
  TTT_RETURN_IF_ERROR(RequirePositive("LmHeadSpec", "vocab_size", s.vocab_size(), "set the vocabulary size"));
  if (s.tied() && s.bias()) {
    return Invalid("LmHeadSpec", "bias", "is set on a tied head", "a tied head reuses the embedding only: unset bias");
  }
  if (!(s.logit_softcap() >= 0) || !std::isfinite(s.logit_softcap())) {
    return Invalid("LmHeadSpec", "logit_softcap", absl::StrCat("is ", s.logit_softcap()),
                   "use the model's positive cap (Gemma 2: 30), or 0 for none");
  }
  return s;
}

absl::StatusOr<spec::DecoderLayerSpec> CheckDecoderLayer(spec::DecoderLayerSpec s) {
  TTT_ASSIGN_OR_RETURN(*s.mutable_attention(), CheckAttention(s.attention()));
  uint32_t hidden = s.attention().hidden_dim();
  TTT_RETURN_IF_ERROR(Agree("DecoderLayerSpec", "attention_norm.dim", hidden, s.mutable_attention_norm(), &spec::NormSpec::dim, &spec::NormSpec::set_dim));
  TTT_RETURN_IF_ERROR(Agree("DecoderLayerSpec", "mlp_norm.dim", hidden, s.mutable_mlp_norm(), &spec::NormSpec::dim, &spec::NormSpec::set_dim));
  TTT_ASSIGN_OR_RETURN(*s.mutable_attention_norm(), CheckNorm(s.attention_norm()));
  TTT_ASSIGN_OR_RETURN(*s.mutable_mlp_norm(), CheckNorm(s.mlp_norm()));
  if (s.has_attention_post_norm()) {
    TTT_RETURN_IF_ERROR(Agree("DecoderLayerSpec", "attention_post_norm.dim", hidden, s.mutable_attention_post_norm(), &spec::NormSpec::dim, &spec::NormSpec::set_dim));
    TTT_ASSIGN_OR_RETURN(*s.mutable_attention_post_norm(), CheckNorm(s.attention_post_norm()));
  }
  if (s.has_mlp_post_norm()) {
    TTT_RETURN_IF_ERROR(Agree("DecoderLayerSpec", "mlp_post_norm.dim", hidden, s.mutable_mlp_post_norm(), &spec::NormSpec::dim, &spec::NormSpec::set_dim));
    TTT_ASSIGN_OR_RETURN(*s.mutable_mlp_post_norm(), CheckNorm(s.mlp_post_norm()));
  }
  // The feed-forward branch is a dense MLP or a mixture of experts, never both.
  if (s.has_moe()) {
    if (s.has_mlp()) {
      return Invalid("DecoderLayerSpec", "mlp", "is set together with moe",
                     "a layer has one feed-forward: remove mlp for a mixture-of-experts layer");
    }
    TTT_RETURN_IF_ERROR(Agree("DecoderLayerSpec", "moe.hidden_dim", hidden, s.mutable_moe(), &spec::MoeSpec::hidden_dim, &spec::MoeSpec::set_hidden_dim));
    TTT_ASSIGN_OR_RETURN(*s.mutable_moe(), CheckMoe(s.moe()));
    return s;
  }
  TTT_RETURN_IF_ERROR(Agree("DecoderLayerSpec", "mlp.hidden_dim", hidden, s.mutable_mlp(), &spec::MlpSpec::hidden_dim, &spec::MlpSpec::set_hidden_dim));
  TTT_ASSIGN_OR_RETURN(*s.mutable_mlp(), CheckMlp(s.mlp()));
  return s;
}

// ModelSpec.layer_groups: each selects some layers, none twice, and keeps the base layer's head shape (the KV
// cache and the tensor-parallel split of heads have one shape per model). `check_layer` validates a group's
// layer as it does ModelSpec.layer.
template <class CheckLayer>
absl::Status CheckLayerGroups(spec::ModelSpec& s, const CheckLayer& check_layer) {
  constexpr absl::string_view kSpec = "ModelSpec";
  const spec::AttentionSpec& base = s.layer().attention();
  for (int g = 0; g < s.layer_groups_size(); ++g) {
    spec::LayerGroup* group = s.mutable_layer_groups(g);
    const std::string field = absl::StrCat("layer_groups[", g, "]");
    if (group->layers().empty() && group->every() == 0) {
      return Invalid(kSpec, field, "selects no layer", "list them in `layers` or set `every` (and `first`)");
    }
    for (uint32_t listed : group->layers()) {
      if (listed >= s.num_layers()) {
        return Invalid(kSpec, field + ".layers", absl::StrCat("names layer ", listed, " of a model with ", s.num_layers()),
                       absl::StrCat("layers are numbered 0 to ", s.num_layers() - 1));
      }
    }
    if (group->every() > 0 && group->first() >= s.num_layers()) {
      return Invalid(kSpec, field + ".first", absl::StrCat("(", group->first(), ") is past the last layer (", s.num_layers() - 1, ")"),
                     "start the group at an existing layer");
    }
    TTT_RETURN_IF_ERROR(check_layer(group->mutable_layer(), field + ".layer"));
    const spec::AttentionSpec& a = group->layer().attention();
    if (a.num_heads() != base.num_heads() || a.num_kv_heads() != base.num_kv_heads() || a.head_dim() != base.head_dim()) {
      return Invalid(kSpec, field + ".layer.attention",
                     absl::StrCat("has ", a.num_heads(), " heads, ", a.num_kv_heads(), " KV heads of ", a.head_dim(),
                                  " where ModelSpec.layer has ", base.num_heads(), ", ", base.num_kv_heads(), " of ",
                                  base.head_dim()),
                     "every layer keeps one head shape (the KV cache and the split of heads across chips have one)");
    }
  }
  for (uint32_t l = 0; l < s.num_layers(); ++l) {
    int first_group = -1;
    for (int g = 0; g < s.layer_groups_size(); ++g) {
      if (!LayerGroupSelects(s.layer_groups(g), l)) continue;
      if (first_group >= 0) {
        return Invalid(kSpec, absl::StrCat("layer_groups[", g, "]"),
                       absl::StrCat("selects layer ", l, ", which layer_groups[", first_group, "] selects too"),
                       "a layer is built from one spec: select it in one group only");
      }
      first_group = g;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<spec::ModelSpec> CheckModel(spec::ModelSpec s) {
  constexpr absl::string_view kSpec = "ModelSpec";
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "vocab_size", s.vocab_size(), "set the vocabulary size"));
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "hidden_dim", s.hidden_dim(), "set the hidden size"));
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "num_layers", s.num_layers(), "set the number of decoder layers"));
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "max_seq_len", s.max_seq_len(), "set the context length"));
  TTT_RETURN_IF_ERROR(RequireAtMost(kSpec, "vocab_size", s.vocab_size(), kMaxVocabSize, "tokens"));
  TTT_RETURN_IF_ERROR(RequireAtMost(kSpec, "max_seq_len", s.max_seq_len(), kMaxContextLength, "tokens of context"));
  // A layer's spec takes the model's sizes; `field` names it in errors ("layer", "layer_groups[1].layer").
  auto check_layer = [&](spec::DecoderLayerSpec* layer, const std::string& field) -> absl::Status {
    TTT_RETURN_IF_ERROR(Agree(kSpec, field + ".attention.hidden_dim", s.hidden_dim(), layer->mutable_attention(), &spec::AttentionSpec::hidden_dim, &spec::AttentionSpec::set_hidden_dim));
    TTT_RETURN_IF_ERROR(Agree(kSpec, field + ".attention.max_seq_len", s.max_seq_len(), layer->mutable_attention(), &spec::AttentionSpec::max_seq_len, &spec::AttentionSpec::set_max_seq_len));
    auto layer_or = CheckDecoderLayer(*layer);
    if (!layer_or.ok()) return Annotate(layer_or.status(), absl::StrCat("ModelSpec.", field));
    *layer = *std::move(layer_or);
    if (layer->moe().local_experts() != 0) {
      return Invalid(kSpec, field + ".moe.local_experts", absl::StrCat("is ", layer->moe().local_experts()),
                     "leave it 0: only a tensor-parallel rank's share of the experts sets it");
    }
    return absl::OkStatus();
  };
  spec::DecoderLayerSpec* layer = s.mutable_layer();
  TTT_RETURN_IF_ERROR(check_layer(layer, "layer"));
  TTT_RETURN_IF_ERROR(CheckLayerGroups(s, check_layer));

  spec::TokenEmbeddingSpec* emb = s.mutable_token_embedding();
  TTT_RETURN_IF_ERROR(Agree(kSpec, "token_embedding.vocab_size", s.vocab_size(), emb, &spec::TokenEmbeddingSpec::vocab_size, &spec::TokenEmbeddingSpec::set_vocab_size));
  TTT_RETURN_IF_ERROR(Agree(kSpec, "token_embedding.hidden_dim", s.hidden_dim(), emb, &spec::TokenEmbeddingSpec::hidden_dim, &spec::TokenEmbeddingSpec::set_hidden_dim));
  TTT_ASSIGN_OR_RETURN(*emb, CheckTokenEmbedding(*emb));
  if (emb->first_token() != 0) {
    return Invalid(kSpec, "token_embedding.first_token", absl::StrCat("is ", emb->first_token()),
                   "leave it 0: only a tensor-parallel rank's slice of the table starts at another token");
  }
  if (s.learned_positions()) {
    spec::PositionEmbeddingSpec* pos = s.mutable_position_embedding();
    TTT_RETURN_IF_ERROR(Agree(kSpec, "position_embedding.hidden_dim", s.hidden_dim(), pos, &spec::PositionEmbeddingSpec::hidden_dim, &spec::PositionEmbeddingSpec::set_hidden_dim));
    TTT_ASSIGN_OR_RETURN(*pos, CheckPositionEmbedding(*pos));
    if (pos->max_positions() < s.max_seq_len()) {
      return Invalid(kSpec, "max_seq_len", absl::StrCat("(", s.max_seq_len(), ") exceeds the ", pos->max_positions(), " learned positions"),
                     absl::StrCat("set max_seq_len to at most ", pos->max_positions()));
    }
  }
  bool some_layer_has_positions = layer->attention().use_rope() || layer->attention().has_position_bias();
  for (const spec::LayerGroup& group : s.layer_groups()) {
    some_layer_has_positions |= group.layer().attention().use_rope() || group.layer().attention().has_position_bias();
  }
  if (!s.learned_positions() && !some_layer_has_positions) {
    return Invalid(kSpec, "layer.attention.use_rope",
                   "is false and the model has neither learned positions nor an attention position bias",
                   "the model would have no position information: enable RoPE, learned_positions or "
                   "layer.attention.position_bias (ALiBi)");
  }
  TTT_RETURN_IF_ERROR(Agree(kSpec, "final_norm.dim", s.hidden_dim(), s.mutable_final_norm(), &spec::NormSpec::dim, &spec::NormSpec::set_dim));
  TTT_ASSIGN_OR_RETURN(*s.mutable_final_norm(), CheckNorm(s.final_norm()));
  spec::LmHeadSpec* head = s.mutable_lm_head();
  TTT_RETURN_IF_ERROR(Agree(kSpec, "lm_head.hidden_dim", s.hidden_dim(), head, &spec::LmHeadSpec::hidden_dim, &spec::LmHeadSpec::set_hidden_dim));
  TTT_RETURN_IF_ERROR(Agree(kSpec, "lm_head.vocab_size", s.vocab_size(), head, &spec::LmHeadSpec::vocab_size, &spec::LmHeadSpec::set_vocab_size));
  TTT_ASSIGN_OR_RETURN(*head, CheckLmHead(*head));
  const spec::SpecialTokens& special = s.special_tokens();
  auto check_id = [&](absl::string_view field, int32_t id) -> absl::Status {
    if (id < 0 || static_cast<uint32_t>(id) >= s.vocab_size()) {
      return Invalid(kSpec, absl::StrCat("special_tokens.", field), absl::StrCat("(", id, ") is outside the vocabulary of ", s.vocab_size()),
                     "fix the id or remove it");
    }
    return absl::OkStatus();
  };
  if (special.has_bos_id()) TTT_RETURN_IF_ERROR(check_id("bos_id", special.bos_id()));
  for (int32_t eos : special.eos_ids()) TTT_RETURN_IF_ERROR(check_id("eos_ids", eos));
  if (special.add_bos() && !special.has_bos_id()) {
    return Invalid(kSpec, "special_tokens.add_bos", "is set without bos_id", "set bos_id or unset add_bos");
  }
  return s;
}

}  // namespace

// The one maker of Validated<S> (a friend of it): what the checks above accepted.
// An encoder's parts share its hidden size (token_embedding.hidden_dim); attention is bidirectional and
// position-free (the positions are the learned table's), and its capacity is the position table's.
absl::StatusOr<spec::EncoderSpec> CheckEncoder(spec::EncoderSpec s) {
  constexpr absl::string_view kSpec = "EncoderSpec";
  TTT_RETURN_IF_ERROR(RequirePositive(kSpec, "num_layers", s.num_layers(), "set the number of encoder layers"));
  TTT_ASSIGN_OR_RETURN(*s.mutable_token_embedding(), CheckTokenEmbedding(s.token_embedding()));
  const uint32_t hidden = s.token_embedding().hidden_dim();
  TTT_RETURN_IF_ERROR(Agree(kSpec, "position_embedding.hidden_dim", hidden, s.mutable_position_embedding(),
                            &spec::PositionEmbeddingSpec::hidden_dim, &spec::PositionEmbeddingSpec::set_hidden_dim));
  TTT_ASSIGN_OR_RETURN(*s.mutable_position_embedding(), CheckPositionEmbedding(s.position_embedding()));
  if (s.type_vocab_size() == 0) s.set_type_vocab_size(1);
  for (auto* norm : {s.mutable_embedding_norm(), s.mutable_attention_norm(), s.mutable_mlp_norm()}) {
    TTT_RETURN_IF_ERROR(Agree(kSpec, "norm dim", hidden, norm, &spec::NormSpec::dim, &spec::NormSpec::set_dim));
    TTT_ASSIGN_OR_RETURN(*norm, CheckNorm(*norm));
  }
  spec::AttentionSpec* attention = s.mutable_attention();
  TTT_RETURN_IF_ERROR(Agree(kSpec, "attention.hidden_dim", hidden, attention, &spec::AttentionSpec::hidden_dim,
                            &spec::AttentionSpec::set_hidden_dim));
  if (attention->causal() && attention->has_causal()) {
    return Invalid(kSpec, "attention.causal", "is true", "an encoder attends both ways: leave causal unset");
  }
  if (attention->use_rope() || attention->sliding_window() != 0 || attention->has_position_bias()) {
    return Invalid(kSpec, "attention", "has RoPE, a sliding window or a position bias",
                   "an encoder's positions are its learned table's: remove them");
  }
  attention->set_causal(false);
  if (attention->max_seq_len() == 0) attention->set_max_seq_len(s.position_embedding().max_positions());
  TTT_ASSIGN_OR_RETURN(*attention, CheckAttention(*attention));
  TTT_RETURN_IF_ERROR(Agree(kSpec, "mlp.hidden_dim", hidden, s.mutable_mlp(), &spec::MlpSpec::hidden_dim,
                            &spec::MlpSpec::set_hidden_dim));
  TTT_ASSIGN_OR_RETURN(*s.mutable_mlp(), CheckMlp(s.mlp()));
  if (s.default_pooling() == spec::POOLING_UNSPECIFIED) s.set_default_pooling(spec::MEAN);
  return s;
}

struct SpecValidator {
  template <class S>
  static Validated<S> Make(S spec) {
    return Validated<S>(std::make_shared<const S>(std::move(spec)));
  }
  static Validated<google::protobuf::Message> Make(std::unique_ptr<google::protobuf::Message> spec) {
    return Validated<google::protobuf::Message>(std::shared_ptr<const google::protobuf::Message>(std::move(spec)));
  }
};

#define TTT_VALIDATOR(Name, Type)                                                \
  absl::StatusOr<Validated<spec::Type>> Validate##Name(spec::Type spec) {        \
    TTT_ASSIGN_OR_RETURN(spec::Type checked, Check##Name(std::move(spec)));      \
    return SpecValidator::Make(std::move(checked));                              \
  }
TTT_VALIDATOR(Norm, NormSpec)
TTT_VALIDATOR(Rope, RopeSpec)
TTT_VALIDATOR(Attention, AttentionSpec)
TTT_VALIDATOR(Mlp, MlpSpec)
TTT_VALIDATOR(Moe, MoeSpec)
TTT_VALIDATOR(TokenEmbedding, TokenEmbeddingSpec)
TTT_VALIDATOR(PositionEmbedding, PositionEmbeddingSpec)
TTT_VALIDATOR(LmHead, LmHeadSpec)
TTT_VALIDATOR(DecoderLayer, DecoderLayerSpec)
TTT_VALIDATOR(Model, ModelSpec)
TTT_VALIDATOR(Encoder, EncoderSpec)
#undef TTT_VALIDATOR

absl::StatusOr<Validated<google::protobuf::Message>> ValidateModuleSpec(
    std::unique_ptr<google::protobuf::Message> spec,
    const std::function<absl::Status(google::protobuf::Message&)>& validate) {
  if (spec == nullptr) return absl::InvalidArgumentError("no module spec to validate");
  if (validate) TTT_RETURN_IF_ERROR(validate(*spec));
  return SpecValidator::Make(std::move(spec));
}

}  // namespace ttt
