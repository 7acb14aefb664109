#include "core/formats/t5/t5_names.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ttt::formats {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Per-layer module paths (after "<stack>.block.<i>." / "<stack>.blk.<i>.") -> canonical module names.
const Pairs& HfEncoderLayer() {
  static const Pairs p = {{"layer.0.SelfAttention.q", "attn.wq"},  {"layer.0.SelfAttention.k", "attn.wk"},
                          {"layer.0.SelfAttention.v", "attn.wv"},  {"layer.0.SelfAttention.o", "attn.wo"},
                          {"layer.0.layer_norm", "attention_norm.weight"},
                          {"layer.1.DenseReluDense.wi_0", "mlp.w_gate"}, {"layer.1.DenseReluDense.wi_1", "mlp.w_up"},
                          {"layer.1.DenseReluDense.wi", "mlp.w_up"},     {"layer.1.DenseReluDense.wo", "mlp.w_down"},
                          {"layer.1.layer_norm", "mlp_norm.weight"}};
  return p;
}
const Pairs& HfDecoderLayer() {
  static const Pairs p = {{"layer.0.SelfAttention.q", "self_attn.wq"},   {"layer.0.SelfAttention.k", "self_attn.wk"},
                          {"layer.0.SelfAttention.v", "self_attn.wv"},   {"layer.0.SelfAttention.o", "self_attn.wo"},
                          {"layer.0.layer_norm", "self_attn_norm.weight"},
                          {"layer.1.EncDecAttention.q", "cross_attn.wq"}, {"layer.1.EncDecAttention.k", "cross_attn.wk"},
                          {"layer.1.EncDecAttention.v", "cross_attn.wv"}, {"layer.1.EncDecAttention.o", "cross_attn.wo"},
                          {"layer.1.layer_norm", "cross_attn_norm.weight"},
                          {"layer.2.DenseReluDense.wi_0", "mlp.w_gate"}, {"layer.2.DenseReluDense.wi_1", "mlp.w_up"},
                          {"layer.2.DenseReluDense.wi", "mlp.w_up"},     {"layer.2.DenseReluDense.wo", "mlp.w_down"},
                          {"layer.2.layer_norm", "mlp_norm.weight"}};
  return p;
}
const Pairs& GgufEncoderLayer() {
  static const Pairs p = {{"attn_q", "attn.wq"},   {"attn_k", "attn.wk"},         {"attn_v", "attn.wv"},
                          {"attn_o", "attn.wo"},   {"attn_norm", "attention_norm.weight"},
                          {"ffn_gate", "mlp.w_gate"}, {"ffn_up", "mlp.w_up"},     {"ffn_down", "mlp.w_down"},
                          {"ffn_norm", "mlp_norm.weight"}};
  return p;
}
const Pairs& GgufDecoderLayer() {
  static const Pairs p = {{"attn_q", "self_attn.wq"},        {"attn_k", "self_attn.wk"},
                          {"attn_v", "self_attn.wv"},        {"attn_o", "self_attn.wo"},
                          {"attn_norm", "self_attn_norm.weight"},
                          {"cross_attn_q", "cross_attn.wq"}, {"cross_attn_k", "cross_attn.wk"},
                          {"cross_attn_v", "cross_attn.wv"}, {"cross_attn_o", "cross_attn.wo"},
                          {"cross_attn_norm", "cross_attn_norm.weight"},
                          {"ffn_gate", "mlp.w_gate"},        {"ffn_up", "mlp.w_up"},
                          {"ffn_down", "mlp.w_down"},        {"ffn_norm", "mlp_norm.weight"}};
  return p;
}

std::optional<std::string> LayerName(const std::string& stack, int layer, const std::string& module,
                                     T5Naming naming) {
  const bool encoder = stack == "encoder";
  const std::string self_bias = naming == T5Naming::kHf ? "layer.0.SelfAttention.relative_attention_bias" : "attn_rel_b";
  const std::string cross_bias =
      naming == T5Naming::kHf ? "layer.1.EncDecAttention.relative_attention_bias" : "cross_attn_rel_b";
  if (module == self_bias) {
    if (layer != 0) return std::nullopt;  // a bias per layer (UMT5) is not T5's
    return stack + ".rel_bias";
  }
  if (!encoder && module == cross_bias) return "";  // stored by some checkpoints, never read by T5
  const Pairs& pairs = naming == T5Naming::kHf ? (encoder ? HfEncoderLayer() : HfDecoderLayer())
                                               : (encoder ? GgufEncoderLayer() : GgufDecoderLayer());
  for (const auto& [from, to] : pairs) {
    if (module == from) return absl::StrCat(stack, ".layers.", layer, ".", to);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CanonicalT5Name(const std::string& full, T5Naming naming) {
  if (!absl::EndsWith(full, ".weight")) return std::nullopt;  // T5 has no biases
  const std::string name = full.substr(0, full.size() - 7);
  if (naming == T5Naming::kHf) {
    if (name == "shared") return "tok_embeddings";
    if (name == "encoder.embed_tokens" || name == "decoder.embed_tokens") return "";  // copies of shared
    if (name == "lm_head") return "lm_head";
    if (name == "encoder.final_layer_norm") return "encoder.final_norm.weight";
    if (name == "decoder.final_layer_norm") return "decoder.final_norm.weight";
  } else {
    if (name == "token_embd") return "tok_embeddings";
    if (name == "output") return "lm_head";
    if (name == "enc.output_norm") return "encoder.final_norm.weight";
    if (name == "dec.output_norm") return "decoder.final_norm.weight";
  }
  // "<stack>.block.<i>.<module>" (HF) or "<enc|dec>.blk.<i>.<module>" (GGUF).
  std::vector<std::string> parts = absl::StrSplit(name, absl::MaxSplits('.', 3));
  if (parts.size() != 4) return std::nullopt;
  std::string stack;
  if (naming == T5Naming::kHf && parts[1] == "block" && (parts[0] == "encoder" || parts[0] == "decoder")) {
    stack = parts[0];
  } else if (naming == T5Naming::kGguf && parts[1] == "blk" && (parts[0] == "enc" || parts[0] == "dec")) {
    stack = parts[0] == "enc" ? "encoder" : "decoder";
  } else {
    return std::nullopt;
  }
  int layer = 0;
  if (!absl::SimpleAtoi(parts[2], &layer) || layer < 0) return std::nullopt;
  return LayerName(stack, layer, parts[3], naming);
}

}  // namespace ttt::formats
