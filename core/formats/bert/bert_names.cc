#include "core/formats/bert/bert_names.h"

#include <cctype>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ttt::formats {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Module paths -> canonical module names; a tensor is "<module>.weight" or "<module>.bias" in both.
const Pairs& HfGlobals() {
  static const Pairs p = {{"embeddings.word_embeddings", "tok_embeddings"},
                          {"embeddings.position_embeddings", "pos_embeddings"},
                          {"embeddings.token_type_embeddings", "token_type_embeddings"},
                          {"embeddings.LayerNorm", "embedding_norm"}};
  return p;
}
const Pairs& HfLayer() {
  static const Pairs p = {{"attention.self.query", "attn.wq"},          {"attention.self.key", "attn.wk"},
                          {"attention.self.value", "attn.wv"},          {"attention.output.dense", "attn.wo"},
                          {"attention.output.LayerNorm", "attention_norm"}, {"intermediate.dense", "mlp.w_up"},
                          {"output.dense", "mlp.w_down"},               {"output.LayerNorm", "mlp_norm"}};
  return p;
}
const Pairs& GgufGlobals() {
  static const Pairs p = {{"token_embd", "tok_embeddings"},
                          {"position_embd", "pos_embeddings"},
                          {"token_types", "token_type_embeddings"},
                          {"token_embd_norm", "embedding_norm"}};
  return p;
}
const Pairs& GgufLayer() {
  static const Pairs p = {{"attn_q", "attn.wq"},         {"attn_k", "attn.wk"},
                          {"attn_v", "attn.wv"},         {"attn_output", "attn.wo"},
                          {"attn_output_norm", "attention_norm"}, {"ffn_up", "mlp.w_up"},
                          {"ffn_down", "mlp.w_down"},    {"layer_output_norm", "mlp_norm"}};
  return p;
}

// A projection's weight is the canonical name itself ("layers.0.attn.wq"), its bias "<name>.bias"; embedding
// tables are the bare name; norms keep ".weight" / ".bias" (Norm::Create's convention).
std::string Canonical(const std::string& module, const std::string& kind) {
  const bool table = module == "tok_embeddings" || module == "pos_embeddings" || module == "token_type_embeddings";
  const bool norm = absl::EndsWith(module, "norm");
  if (table) return kind == "weight" ? module : "";
  if (norm) return absl::StrCat(module, ".", kind);
  return kind == "weight" ? module : absl::StrCat(module, ".bias");
}

std::optional<std::string> Lookup(const Pairs& pairs, const std::string& module, const std::string& kind,
                                  const std::string& prefix) {
  for (const auto& [from, to] : pairs) {
    if (module == from) {
      std::string name = Canonical(prefix + to, kind);
      if (name.empty()) return std::nullopt;  // a table with a bias: not BERT's
      return name;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CanonicalBertName(const std::string& full, BertNaming naming) {
  std::string name = full;
  if (naming == BertNaming::kHf) {
    // BertFor* checkpoints nest the encoder under "bert."; TF-era ones call LayerNorm's tensors gamma/beta.
    if (absl::StartsWith(name, "bert.")) name = name.substr(5);
    if (name == "embeddings.position_ids" || absl::StartsWith(name, "pooler.") || absl::StartsWith(name, "cls.")) {
      return "";
    }
    if (absl::EndsWith(name, ".gamma")) name = absl::StrCat(name.substr(0, name.size() - 6), ".weight");
    if (absl::EndsWith(name, ".beta")) name = absl::StrCat(name.substr(0, name.size() - 5), ".bias");
  } else if (absl::StartsWith(name, "cls.")) {
    return "";  // a reranker's classification head (cls.weight, cls.output.*): not part of embeddings
  }
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string module = name.substr(0, dot), kind = name.substr(dot + 1);
  if (kind != "weight" && kind != "bias") return std::nullopt;
  const char* layer_prefix = naming == BertNaming::kHf ? "encoder.layer." : "blk.";
  if (absl::StartsWith(module, layer_prefix)) {
    const std::string rest = module.substr(std::string(layer_prefix).size());
    const size_t end = rest.find('.');
    int layer = 0;
    if (end == std::string::npos || !absl::SimpleAtoi(absl::string_view(rest.data(), end), &layer) || layer < 0) {
      return std::nullopt;
    }
    return Lookup(naming == BertNaming::kHf ? HfLayer() : GgufLayer(), rest.substr(end + 1), kind,
                  absl::StrCat("layers.", layer, "."));
  }
  return Lookup(naming == BertNaming::kHf ? HfGlobals() : GgufGlobals(), module, kind, "");
}

}  // namespace ttt::formats
