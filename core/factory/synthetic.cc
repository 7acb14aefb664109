#include "core/factory/synthetic.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "core/blocks/model_modules.h"
#include "core/formats/canonical_weights.h"
#include "core/specs/layer_groups.h"
#include "core/specs/text_format.h"

namespace ttt {
namespace {

struct NamedShapeText {
  const char* name;
  const char* text;  // ModelSpec in text format; shapes from each model's published config.json
};

constexpr NamedShapeText kShapes[] = {
    {"smollm-135m",  // HuggingFaceTB/SmolLM-135M
     R"pb(family: "llama" vocab_size: 49152 hidden_dim: 576 num_layers: 30 max_seq_len: 2048
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 9 num_kv_heads: 3 use_rope: true rope { theta: 10000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 1536 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM } lm_head { tied: true })pb"},
    // SmolLM-135M's sizes with Gemma 2's computation (google/gemma-2-2b's config): (1 + w) RMSNorms with post-norms,
    // scaled embeddings, tanh-GELU GeGLU, scores capped at 50 and logits at 30, a 4096-token window on even layers.
    // `ttt bench` against smollm-135m prices those features.
    {"gemma2-style-135m",
     R"pb(family: "gemma2" vocab_size: 49152 hidden_dim: 576 num_layers: 30 max_seq_len: 8192
          token_embedding { scale: 24 }
          layer { attention_norm { kind: RMS_NORM unit_offset: true eps: 1e-6 }
                  attention { num_heads: 9 num_kv_heads: 3 use_rope: true rope { theta: 10000 convention: ROTATE_HALF }
                              sliding_window: 4096 sliding_window_pattern: 2 logit_softcap: 50 }
                  attention_post_norm { kind: RMS_NORM unit_offset: true eps: 1e-6 }
                  mlp_norm { kind: RMS_NORM unit_offset: true eps: 1e-6 }
                  mlp { intermediate_dim: 1536 activation: GELU_TANH gated: true }
                  mlp_post_norm { kind: RMS_NORM unit_offset: true eps: 1e-6 } }
          final_norm { kind: RMS_NORM unit_offset: true eps: 1e-6 } lm_head { tied: true logit_softcap: 30 })pb"},
    {"tinyllama-1.1b",  // TinyLlama/TinyLlama-1.1B-Chat-v1.0
     R"pb(family: "llama" vocab_size: 32000 hidden_dim: 2048 num_layers: 22 max_seq_len: 2048
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 32 num_kv_heads: 4 use_rope: true rope { theta: 10000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 5632 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    {"llama-8b",  // meta-llama/Llama-3.1-8B (shape only: for hardware-config checks, too big to build casually)
     R"pb(family: "llama" vocab_size: 128256 hidden_dim: 4096 num_layers: 32 max_seq_len: 131072
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 32 num_kv_heads: 8 use_rope: true rope { theta: 500000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 14336 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    {"llama-70b",  // meta-llama/Llama-3.1-70B (shape only: for hardware-config checks)
     R"pb(family: "llama" vocab_size: 128256 hidden_dim: 8192 num_layers: 80 max_seq_len: 131072
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 64 num_kv_heads: 8 use_rope: true rope { theta: 500000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 28672 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    // Shapes of the models in tt-metal's published throughput table (`ttt predict --validate`), from each
    // model's config.json; shape only, like llama-8b. Qwen3's q/k norms and Falcon's parallel attention
    // branch change no matmul's size and are left out.
    {"llama-1b",  // meta-llama/Llama-3.2-1B
     R"pb(family: "llama" vocab_size: 128256 hidden_dim: 2048 num_layers: 16 max_seq_len: 131072
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 32 num_kv_heads: 8 head_dim: 64 use_rope: true rope { theta: 500000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 8192 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM } lm_head { tied: true })pb"},
    {"llama-3b",  // meta-llama/Llama-3.2-3B
     R"pb(family: "llama" vocab_size: 128256 hidden_dim: 3072 num_layers: 28 max_seq_len: 131072
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 24 num_kv_heads: 8 head_dim: 128 use_rope: true rope { theta: 500000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 8192 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM } lm_head { tied: true })pb"},
    {"mistral-7b",  // mistralai/Mistral-7B-Instruct-v0.3
     R"pb(family: "mistral" vocab_size: 32768 hidden_dim: 4096 num_layers: 32 max_seq_len: 32768
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 32 num_kv_heads: 8 use_rope: true rope { theta: 1000000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 14336 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    {"falcon-7b",  // tiiuae/falcon-7b: multi-query attention, plain GELU MLP
     R"pb(family: "falcon" vocab_size: 65024 hidden_dim: 4544 num_layers: 32 max_seq_len: 2048
          layer { attention_norm { kind: LAYER_NORM bias: true }
                  attention { num_heads: 71 num_kv_heads: 1 use_rope: true rope { theta: 10000 convention: ROTATE_HALF } }
                  mlp_norm { kind: LAYER_NORM bias: true } mlp { intermediate_dim: 18176 activation: GELU } }
          final_norm { kind: LAYER_NORM bias: true })pb"},
    {"qwen2.5-7b",  // Qwen/Qwen2.5-7B-Instruct
     R"pb(family: "qwen2" vocab_size: 152064 hidden_dim: 3584 num_layers: 28 max_seq_len: 32768
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 28 num_kv_heads: 4 qkv_bias: true use_rope: true rope { theta: 1000000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 18944 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    {"qwen2.5-72b",  // Qwen/Qwen2.5-72B-Instruct
     R"pb(family: "qwen2" vocab_size: 152064 hidden_dim: 8192 num_layers: 80 max_seq_len: 32768
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 64 num_kv_heads: 8 qkv_bias: true use_rope: true rope { theta: 1000000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 29568 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    {"qwen3-32b",  // Qwen/Qwen3-32B
     R"pb(family: "qwen3" vocab_size: 151936 hidden_dim: 5120 num_layers: 64 max_seq_len: 40960
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 64 num_kv_heads: 8 head_dim: 128 use_rope: true rope { theta: 1000000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 25600 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    {"mixtral-8x7b",  // mistralai/Mixtral-8x7B-v0.1
     R"pb(family: "mixtral" vocab_size: 32000 hidden_dim: 4096 num_layers: 32 max_seq_len: 32768
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 32 num_kv_heads: 8 use_rope: true rope { theta: 1000000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM }
                  moe { expert_dim: 14336 num_experts: 8 experts_per_token: 2 normalize_top_k: true activation: SILU } }
          final_norm { kind: RMS_NORM })pb"},
    {"gpt2-124m",  // openai-community/gpt2
     R"pb(family: "gpt2" vocab_size: 50257 hidden_dim: 768 num_layers: 12 max_seq_len: 1024 learned_positions: true
          position_embedding { max_positions: 1024 }
          layer { attention_norm { kind: LAYER_NORM bias: true }
                  attention { num_heads: 12 qkv_bias: true output_bias: true }
                  mlp_norm { kind: LAYER_NORM bias: true } mlp { intermediate_dim: 3072 activation: GELU_TANH bias: true } }
          final_norm { kind: LAYER_NORM bias: true } lm_head { tied: true })pb"},
    // Mixtral-8x7B's pattern (mistralai/Mixtral-8x7B-v0.1: 8 experts, 2 per token, expert FFN 3.5x hidden, GQA 4:1)
    // at 1/4 of its width and 1/4 of its layers, and the dense model with the same active parameters (one MLP as
    // wide as two experts): `ttt bench` compares their decode speed.
    {"mixtral-mini",
     R"pb(family: "mixtral" vocab_size: 32000 hidden_dim: 1024 num_layers: 8 max_seq_len: 4096
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 8 num_kv_heads: 2 use_rope: true rope { theta: 1000000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM }
                  moe { expert_dim: 3584 num_experts: 8 experts_per_token: 2 normalize_top_k: true activation: SILU } }
          final_norm { kind: RMS_NORM })pb"},
    {"mixtral-mini-dense",
     R"pb(family: "llama" vocab_size: 32000 hidden_dim: 1024 num_layers: 8 max_seq_len: 4096
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 8 num_kv_heads: 2 use_rope: true rope { theta: 1000000 convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 7168 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    {"llama-gqa-tiny",  // tests/fixtures/llama-gqa-tiny
     R"pb(family: "llama" vocab_size: 512 hidden_dim: 128 num_layers: 3 max_seq_len: 2048
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 4 num_kv_heads: 2 use_rope: true rope { convention: ROTATE_HALF } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 352 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM })pb"},
    {"stories260k",  // tests/fixtures/stories260K
     R"pb(family: "llama" vocab_size: 512 hidden_dim: 64 num_layers: 5 max_seq_len: 512
          layer { attention_norm { kind: RMS_NORM }
                  attention { num_heads: 8 num_kv_heads: 4 use_rope: true rope { convention: INTERLEAVED } }
                  mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 172 activation: SILU gated: true } }
          final_norm { kind: RMS_NORM } lm_head { tied: true })pb"},
};

}  // namespace

std::vector<std::string> NamedShapes() {
  std::vector<std::string> names;
  for (const auto& s : kShapes) names.push_back(s.name);
  return names;
}

absl::StatusOr<spec::ModelSpec> NamedShape(const std::string& name) {
  for (const auto& s : kShapes) {
    if (name != s.name) continue;
    spec::ModelSpec spec;
    absl::Status status = ParseTextProto(s.text, &spec, s.name);
    if (!status.ok()) return status;
    spec.set_name(s.name);
    return spec;
  }
  return absl::NotFoundError(absl::StrCat("unknown model shape '", name, "': known shapes are ",
                                          absl::StrJoin(NamedShapes(), ", ")));
}

WeightMap SyntheticWeights(const Validated<spec::ModelSpec>& validated, uint64_t seed, const ModuleRegistry& kinds) {
  const spec::ModelSpec& spec = *validated;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  WeightMap w;
  auto random = [&](const std::string& name, Shape shape) {
    Tensor t = Tensor::Empty(DType::kF32, shape);
    float* d = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) d[i] = normal(rng);
    w[name] = std::move(t);
  };
  auto constant = [&](const std::string& name, Shape shape, float value) {
    Tensor t = Tensor::Empty(DType::kF32, shape);
    std::fill(t.data<float>(), t.data<float>() + t.numel(), value);
    w[name] = std::move(t);
  };
  auto norm = [&](const std::string& prefix, const spec::NormSpec& n) {
    constant(prefix + ".weight", {n.dim()}, n.unit_offset() ? 0.0f : 1.0f);
    if (n.bias()) constant(prefix + ".bias", {n.dim()}, 0.0f);
  };
  const int64_t hidden = spec.hidden_dim(), vocab = spec.vocab_size();
  random("tok_embeddings", {vocab, hidden});
  if (spec.learned_positions()) random("pos_embeddings", {spec.position_embedding().max_positions(), hidden});
  // Every layer from its own spec (ModelSpec.layer or its layer_groups entry).
  std::vector<std::string> moe_prefixes;
  for (uint32_t l = 0; l < spec.num_layers(); ++l) {
    const Validated<spec::DecoderLayerSpec> layer = validated.layer(l);
    const spec::AttentionSpec& a = layer->attention();
    const int64_t qd = layer.attention().q_dim(), kvd = layer.attention().kv_dim();
    const std::string p = absl::StrCat("layers.", l);
    norm(p + ".attn_norm", layer->attention_norm());
    norm(p + ".mlp_norm", layer->mlp_norm());
    if (layer->has_attention_post_norm()) norm(p + ".attn_post_norm", layer->attention_post_norm());
    if (layer->has_mlp_post_norm()) norm(p + ".mlp_post_norm", layer->mlp_post_norm());
    const std::pair<const char*, Shape> attn[] = {
        {".attn.wq", {qd, hidden}}, {".attn.wk", {kvd, hidden}}, {".attn.wv", {kvd, hidden}}, {".attn.wo", {hidden, qd}}};
    for (const auto& [name, shape] : attn) {
      random(p + name, shape);
      bool bias = std::string(name) == ".attn.wo" ? a.output_bias() : a.qkv_bias();
      if (bias) constant(p + name + ".bias", {shape[0]}, 0.0f);
    }
    if (layer->has_moe()) {  // below, from the checkpoint layout
      moe_prefixes.push_back(p + ".mlp.");
      continue;
    }
    const spec::MlpSpec& m = layer->mlp();
    std::vector<std::pair<std::string, Shape>> mlp = {{".mlp.w_up", {m.intermediate_dim(), hidden}},
                                                      {".mlp.w_down", {hidden, m.intermediate_dim()}}};
    if (m.gated()) mlp.push_back({".mlp.w_gate", {m.intermediate_dim(), hidden}});
    for (const auto& [name, shape] : mlp) {
      random(p + name, shape);
      if (m.bias()) constant(p + name + ".bias", {shape[0]}, 0.0f);
    }
  }
  // A mixture of experts: every matrix the checkpoint layout lists for it (router, experts, shared expert).
  if (!moe_prefixes.empty()) {
    for (const auto& [name, shape] : formats::ExpectedWeightShapes(validated)) {
      for (const std::string& prefix : moe_prefixes) {
        if (absl::StartsWith(name, prefix)) random(name, shape);
      }
    }
  }
  // Modules a layer names by kind: a matrix "<prefix>.<op>" for each weight op (the convention of layer
  // modules' weights, core/specs/proto/module.proto), their norms like the others.
  auto modules = ListModelModules(validated, kinds);
  for (uint32_t l = 0; modules.ok() && l < spec.num_layers(); ++l) {
    for (const spec::ModuleSpec& ms : LayerSpecOf(spec, l).modules()) {
      const std::string name = ms.name().empty() ? ms.kind() : ms.name();
      const std::string p = absl::StrCat("layers.", l, ".", name);
      if (ms.has_norm()) norm(p + "_norm", ms.norm());
      for (const ModuleInstance& m : modules->layers[l]) {
        if (m.name != name) continue;
        for (const OpInfo& op : m.descriptor->Ops(*m.spec)) {
          if (op.weight) random(absl::StrCat(p, ".", op.name), {op.out, op.in});
        }
      }
    }
  }

  norm("final_norm", spec.final_norm());
  if (!spec.lm_head().tied()) random("lm_head", {vocab, hidden});
  return w;
}

}  // namespace ttt
