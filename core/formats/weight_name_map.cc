#include "core/formats/weight_name_map.h"

#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt::formats {

WeightNameMap HfLlamaNames() {
  WeightNameMap m;
  m.globals = {{"model.embed_tokens.weight", "tok_embeddings"},
               {"model.norm.weight", "final_norm.weight"},
               {"lm_head.weight", "lm_head"}};
  m.layer_prefix = "model.layers.";
  for (const auto& [hf, canon] : std::vector<std::pair<std::string, std::string>>{
           {"self_attn.q_proj", "attn.wq"}, {"self_attn.k_proj", "attn.wk"}, {"self_attn.v_proj", "attn.wv"},
           {"self_attn.o_proj", "attn.wo"}, {"mlp.gate_proj", "mlp.w_gate"}, {"mlp.up_proj", "mlp.w_up"},
           {"mlp.down_proj", "mlp.w_down"},
           // Phi-3 stores q|k|v and gate|up fused.
           {"self_attn.qkv_proj", "attn.wqkv"}, {"mlp.gate_up_proj", "mlp.w_gate_up"}}) {
    m.layer_suffixes.emplace_back(hf + ".weight", canon);
    m.layer_suffixes.emplace_back(hf + ".bias", canon + ".bias");
  }
  m.layer_suffixes.emplace_back("input_layernorm.weight", "attn_norm.weight");
  m.layer_suffixes.emplace_back("post_attention_layernorm.weight", "mlp_norm.weight");
  // Mixtral's and Qwen2-MoE's mixture of experts (core/blocks/moe/moe.h's names).
  for (const auto& [hf, canon] : std::vector<std::pair<std::string, std::string>>{
           {"block_sparse_moe.gate", "mlp.router"},
           {"block_sparse_moe.experts.{e}.w1", "mlp.experts.{e}.w_gate"},
           {"block_sparse_moe.experts.{e}.w3", "mlp.experts.{e}.w_up"},
           {"block_sparse_moe.experts.{e}.w2", "mlp.experts.{e}.w_down"},
           {"mlp.gate", "mlp.router"},
           {"mlp.experts.{e}.gate_proj", "mlp.experts.{e}.w_gate"},
           {"mlp.experts.{e}.up_proj", "mlp.experts.{e}.w_up"},
           {"mlp.experts.{e}.down_proj", "mlp.experts.{e}.w_down"},
           {"mlp.shared_expert.gate_proj", "mlp.shared.w_gate"},
           {"mlp.shared_expert.up_proj", "mlp.shared.w_up"},
           {"mlp.shared_expert.down_proj", "mlp.shared.w_down"},
           {"mlp.shared_expert_gate", "mlp.shared_gate"}}) {
    m.layer_suffixes.emplace_back(hf + ".weight", canon);
  }
  m.ignored_suffixes = {"rotary_emb.inv_freq"};
  return m;
}

// Gemma 2's sandwich norms: its post_attention_layernorm normalises the attention's output (Llama's is the MLP's
// pre-norm, which Gemma 2 calls pre_feedforward_layernorm).
WeightNameMap HfGemma2Names() {
  WeightNameMap m = HfLlamaNames();
  for (auto& [hf, canon] : m.layer_suffixes) {
    if (hf == "post_attention_layernorm.weight") canon = "attn_post_norm.weight";
  }
  m.layer_suffixes.emplace_back("pre_feedforward_layernorm.weight", "mlp_norm.weight");
  m.layer_suffixes.emplace_back("post_feedforward_layernorm.weight", "mlp_post_norm.weight");
  return m;
}

WeightNameMap HfGpt2Names() {
  WeightNameMap m;
  m.strip_prefixes = {"transformer."};
  m.globals = {{"wte.weight", "tok_embeddings"},    {"wpe.weight", "pos_embeddings"},
               {"ln_f.weight", "final_norm.weight"}, {"ln_f.bias", "final_norm.bias"},
               {"lm_head.weight", "lm_head"}};
  m.layer_prefix = "h.";
  m.layer_suffixes = {{"ln_1.weight", "attn_norm.weight"},     {"ln_1.bias", "attn_norm.bias"},
                      {"attn.c_attn.weight", "attn.wqkv"},     {"attn.c_attn.bias", "attn.wqkv.bias"},
                      {"attn.c_proj.weight", "attn.wo"},       {"attn.c_proj.bias", "attn.wo.bias"},
                      {"ln_2.weight", "mlp_norm.weight"},      {"ln_2.bias", "mlp_norm.bias"},
                      {"mlp.c_fc.weight", "mlp.w_up"},         {"mlp.c_fc.bias", "mlp.w_up.bias"},
                      {"mlp.c_proj.weight", "mlp.w_down"},     {"mlp.c_proj.bias", "mlp.w_down.bias"}};
  // The causal-mask buffers older transformers versions saved with the weights.
  m.ignored_suffixes = {"attn.bias", "attn.masked_bias"};
  m.transpose_layer_matrices = true;
  return m;
}

WeightNameMap HfMptNames() {
  WeightNameMap m;
  m.strip_prefixes = {"transformer."};
  m.globals = {{"wte.weight", "tok_embeddings"},       {"wpe.weight", "pos_embeddings"},
               {"norm_f.weight", "final_norm.weight"}, {"norm_f.bias", "final_norm.bias"},
               {"lm_head.weight", "lm_head"}};
  m.layer_prefix = "blocks.";
  for (const auto& [hf, canon] : std::vector<std::pair<std::string, std::string>>{
           {"norm_1", "attn_norm"}, {"attn.Wqkv", "attn.wqkv"}, {"attn.out_proj", "attn.wo"},
           {"norm_2", "mlp_norm"}, {"ffn.up_proj", "mlp.w_up"}, {"ffn.down_proj", "mlp.w_down"}}) {
    const bool norm = canon.ends_with("_norm");
    m.layer_suffixes.emplace_back(hf + ".weight", norm ? canon + ".weight" : canon);
    m.layer_suffixes.emplace_back(hf + ".bias", canon + ".bias");
  }
  return m;
}

namespace {

void AddGgufLayerNames(WeightNameMap& m, const std::vector<std::pair<std::string, std::string>>& pairs) {
  m.layer_prefix = "blk.";
  for (const auto& [gguf, canon] : pairs) {
    m.layer_suffixes.emplace_back(gguf + ".weight", canon);
    m.layer_suffixes.emplace_back(gguf + ".bias", canon + ".bias");
  }
  m.layer_suffixes.emplace_back("attn_norm.weight", "attn_norm.weight");
  m.layer_suffixes.emplace_back("attn_norm.bias", "attn_norm.bias");
  m.layer_suffixes.emplace_back("ffn_norm.weight", "mlp_norm.weight");
  m.layer_suffixes.emplace_back("ffn_norm.bias", "mlp_norm.bias");
}

}  // namespace

WeightNameMap GgufLlamaNames() {
  WeightNameMap m;
  m.globals = {{"token_embd.weight", "tok_embeddings"},
               {"output_norm.weight", "final_norm.weight"},
               {"output.weight", "lm_head"}};
  AddGgufLayerNames(m, {{"attn_q", "attn.wq"},
                        {"attn_k", "attn.wk"},
                        {"attn_v", "attn.wv"},
                        {"attn_output", "attn.wo"},
                        {"ffn_gate", "mlp.w_gate"},
                        {"ffn_up", "mlp.w_up"},
                        {"ffn_down", "mlp.w_down"}});
  // Mixtral's (arch llama) and Qwen2-MoE's experts, each kind of projection stacked [experts, out, in].
  for (const auto& [gguf, canon] : std::vector<std::pair<std::string, std::string>>{
           {"ffn_gate_inp", "mlp.router"},
           {"ffn_gate_exps", "mlp.experts.{e}.w_gate"},
           {"ffn_up_exps", "mlp.experts.{e}.w_up"},
           {"ffn_down_exps", "mlp.experts.{e}.w_down"},
           {"ffn_gate_inp_shexp", "mlp.shared_gate"},
           {"ffn_gate_shexp", "mlp.shared.w_gate"},
           {"ffn_up_shexp", "mlp.shared.w_up"},
           {"ffn_down_shexp", "mlp.shared.w_down"}}) {
    m.layer_suffixes.emplace_back(gguf + ".weight", canon);
  }
  // Precomputed RoPE tables some converters add; the rotation is recomputed from the spec.
  m.ignored_suffixes = {"attn_rot_embd.weight"};
  return m;
}

WeightNameMap GgufGpt2Names() {
  WeightNameMap m;
  m.globals = {{"token_embd.weight", "tok_embeddings"},   {"position_embd.weight", "pos_embeddings"},
               {"output_norm.weight", "final_norm.weight"}, {"output_norm.bias", "final_norm.bias"},
               {"output.weight", "lm_head"}};
  AddGgufLayerNames(m, {{"attn_qkv", "attn.wqkv"},
                        {"attn_output", "attn.wo"},
                        {"ffn_up", "mlp.w_up"},
                        {"ffn_down", "mlp.w_down"}});
  return m;
}

// llama.cpp's phi3: fused attn_qkv, and ffn_up holding gate|up (its SWIGLU splits it in halves, gate first).
WeightNameMap GgufPhi3Names() {
  WeightNameMap m;
  m.globals = {{"token_embd.weight", "tok_embeddings"},
               {"output_norm.weight", "final_norm.weight"},
               {"output.weight", "lm_head"}};
  AddGgufLayerNames(m, {{"attn_qkv", "attn.wqkv"},
                        {"attn_output", "attn.wo"},
                        {"ffn_up", "mlp.w_gate_up"},
                        {"ffn_down", "mlp.w_down"}});
  // LongRoPE's factor tensors (Phi-3 128k) are read into the spec (gguf_model_spec.cc), not loaded as weights.
  m.ignored_suffixes = {"rope_factors_short.weight", "rope_factors_long.weight"};
  return m;
}

// llama.cpp's gemma2: Llama's names plus the two post-norms (their weights already hold Gemma's 1 + w).
WeightNameMap GgufGemma2Names() {
  WeightNameMap m = GgufLlamaNames();
  m.layer_suffixes.emplace_back("post_attention_norm.weight", "attn_post_norm.weight");
  m.layer_suffixes.emplace_back("post_ffw_norm.weight", "mlp_post_norm.weight");
  return m;
}

// llama.cpp names MPT's tensors as GPT-2's (fused attn_qkv; biases and position_embd when a model has them).
WeightNameMap GgufMptNames() { return GgufGpt2Names(); }

WeightNameMap HfNames(const std::string& family) {
  if (family == "gpt2") return HfGpt2Names();
  if (family == "mpt") return HfMptNames();
  if (family == "gemma2") return HfGemma2Names();
  return HfLlamaNames();
}

WeightNameMap GgufNames(const std::string& family) {
  if (family == "gpt2") return GgufGpt2Names();
  if (family == "mpt") return GgufMptNames();
  if (family == "phi3") return GgufPhi3Names();
  if (family == "gemma2") return GgufGemma2Names();
  return GgufLlamaNames();
}

namespace {

constexpr std::string_view kExpert = "{e}";

// `rest` against a layer suffix pair: the canonical suffix, with "{e}" filled in when both hold one; "" when
// they do not match. A canonical "{e}" alone (a stacked tensor) is left for the caller to split.
std::string MatchSuffix(absl::string_view rest, const std::string& from, const std::string& to) {
  const size_t at = from.find(kExpert);
  if (at == std::string::npos) return rest == from ? to : "";
  const absl::string_view head = absl::string_view(from).substr(0, at);
  const absl::string_view tail = absl::string_view(from).substr(at + kExpert.size());
  if (rest.size() <= head.size() + tail.size() || !absl::StartsWith(rest, head) || !absl::EndsWith(rest, tail)) return "";
  const absl::string_view index = rest.substr(head.size(), rest.size() - head.size() - tail.size());
  uint32_t e;
  if (!absl::SimpleAtoi(index, &e)) return "";
  std::string out = to;
  out.replace(out.find(kExpert), kExpert.size(), index.data(), index.size());
  return out;
}

// A fused projection's parts, stacked by rows in this order: its canonical name and theirs with their rows.
struct FusedRows {
  const char* fused;  // "attn.wqkv"
  const char* what;   // for errors: "q/k/v"
  // {"attn.wq", q_dim}, ... of layer i: a layer group (ModelSpec.layer_groups) may give layers other widths.
  std::function<std::vector<std::pair<std::string, int64_t>>(uint32_t layer)> parts;
};

// Splits every layer's fused weights (and biases) into views of their parts: checkpoints that store q|k|v
// (GPT-2, MPT, Phi-3) or gate|up (Phi-3) as one tensor.
absl::Status SplitFusedRows(const Validated<spec::ModelSpec>& spec, const FusedRows& f, WeightMap& weights,
                            const std::string& source) {
  // The fused tensors the checkpoint holds, found by name (not by looping over the layer count, which a hostile
  // config may set to billions): "layers.<i>.<fused>" and "layers.<i>.<fused>.bias".
  struct Found {
    std::string name, layer;
    const char* tail;
  };
  std::vector<Found> found;
  const std::string fused_weight = f.fused, fused_bias = absl::StrCat(f.fused, ".bias");
  for (const auto& [name, tensor] : weights) {
    absl::string_view rest = name;
    if (!absl::ConsumePrefix(&rest, "layers.")) continue;
    const size_t dot = rest.find('.');
    if (dot == absl::string_view::npos) continue;
    const absl::string_view after = rest.substr(dot + 1);
    if (after == fused_weight || after == fused_bias) {
      found.push_back({name, std::string(rest.substr(0, dot)), after == fused_weight ? "" : ".bias"});
    }
  }
  for (const Found& one : found) {
    const char* tail = one.tail;
    const std::string& fused = one.name;
    auto it = weights.find(fused);
    uint32_t layer = 0;
    if (!absl::SimpleAtoi(one.layer, &layer) || layer >= spec->num_layers()) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint '", source, "': ", fused, " names layer ", one.layer,
                                                     " but the model has ", spec->num_layers(), " layers"));
    }
    const std::vector<std::pair<std::string, int64_t>> parts = f.parts(layer);
    if (parts.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint '", source, "': ", fused, " is a fused ", f.what,
                                                     " weight, but layer ", one.layer,
                                                     " has experts (mixture of experts), not one ", f.what));
    }
    int64_t rows = 0;
    for (const auto& [name, n] : parts) rows += n;
    Tensor t = std::move(it->second);
    weights.erase(it);
    if (t.rank() < 1 || t.dim(0) != rows || t.rank() != (*tail == '\0' ? 2 : 1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint '", source, "': fused ", f.what, " weight of layer ", one.layer, " (", fused, ") has shape ",
          ShapeString(t.shape()), " but the spec needs ", rows, " rows (", f.what, ")",
          *tail == '\0' ? absl::StrCat(" of ", spec->hidden_dim()) : std::string()));
    }
    int64_t start = 0;
    for (const auto& [name, n] : parts) {
      weights[absl::StrCat("layers.", one.layer, ".", name, tail)] = t.Slice(0, start, n);
      start += n;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WeightMap> MapWeights(const WeightNameMap& map, const Validated<spec::ModelSpec>& spec,
                                     const std::vector<std::string>& names,
                                     const std::function<absl::StatusOr<Tensor>(const std::string&)>& load,
                                     const std::string& source) {
  WeightMap weights;
  for (const std::string& name : names) {
    absl::string_view n = name;
    for (const std::string& prefix : map.strip_prefixes) {
      if (absl::ConsumePrefix(&n, prefix)) break;
    }
    bool ignored = false;
    for (const std::string& suffix : map.ignored_suffixes) {
      ignored |= n == suffix || absl::EndsWith(n, absl::StrCat(".", suffix));
    }
    if (ignored) continue;

    std::string canonical;
    for (const auto& [from, to] : map.globals) {
      if (n == from) canonical = to;
    }
    if (canonical.empty() && absl::ConsumePrefix(&n, map.layer_prefix)) {
      size_t dot = n.find('.');
      uint32_t layer;
      if (dot != absl::string_view::npos && absl::SimpleAtoi(n.substr(0, dot), &layer)) {
        if (layer >= spec->num_layers()) {
          return absl::InvalidArgumentError(absl::StrCat("checkpoint '", source, "': tensor '", name, "' is in layer ",
                                                         layer, " but the config has ", spec->num_layers(), " layers"));
        }
        absl::string_view rest = n.substr(dot + 1);
        for (const auto& [from, to] : map.layer_suffixes) {
          if (std::string suffix = MatchSuffix(rest, from, to); !suffix.empty()) {
            canonical = absl::StrCat("layers.", layer, ".", suffix);
          }
        }
      }
    }
    if (canonical.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint '", source, "': tensor '", name, "' is not a weight of a ", spec->family(),
          " model; is the config's model type right?"));
    }
    if (spec->lm_head().tied() && absl::StartsWith(canonical, "lm_head")) continue;  // a copy of the embedding
    if (weights.contains(canonical)) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint '", source, "': tensor '", name,
                                                     "' is a second copy of weight '", canonical, "'"));
    }
    TTT_ASSIGN_OR_RETURN(Tensor t, load(name));
    if (const size_t at = canonical.find(kExpert); at != std::string::npos) {
      // Every expert's matrix stacked [experts, out, in]: one view per expert.
      if (t.rank() != 3) {
        return absl::InvalidArgumentError(absl::StrCat("checkpoint '", source, "': tensor '", name, "' has shape ",
                                                       ShapeString(t.shape()), "; expected [experts, out, in]"));
      }
      for (int64_t e = 0; e < t.dim(0); ++e) {
        std::string each = canonical;
        each.replace(at, kExpert.size(), absl::StrCat(e));
        weights[each] = t.Row(e);
      }
      continue;
    }
    if (map.transpose_layer_matrices && absl::StartsWith(canonical, "layers.") && t.rank() == 2) {
      t = t.Transpose(0, 1).Contiguous();
    }
    weights[canonical] = std::move(t);
  }
  // Every layer has the model's head shape (validation refuses a group that changes it); widths may differ.
  const int64_t q = spec.attention().q_dim(), kv = spec.attention().kv_dim();
  auto qkv = [&](uint32_t) -> std::vector<std::pair<std::string, int64_t>> {
    return {{"attn.wq", q}, {"attn.wk", kv}, {"attn.wv", kv}};
  };
  TTT_RETURN_IF_ERROR(SplitFusedRows(spec, {"attn.wqkv", "q/k/v", qkv}, weights, source));
  auto gate_up = [&](uint32_t layer) -> std::vector<std::pair<std::string, int64_t>> {
    const spec::DecoderLayerSpec& l = *spec.layer(layer);
    if (l.has_moe()) return {};  // experts are stored per expert, never fused
    const int64_t ff = l.mlp().intermediate_dim();
    return {{"mlp.w_gate", ff}, {"mlp.w_up", ff}};
  };
  TTT_RETURN_IF_ERROR(SplitFusedRows(spec, {"mlp.w_gate_up", "gate/up", gate_up}, weights, source));
  return weights;
}

}  // namespace ttt::formats
