// Per-family translation of a checkpoint's tensor names to the canonical names of canonical_weights.h.
// Families differ only in these tables (plus layout quirks: GPT-2's Conv1D weights stored [in, out]; fused
// projections, canonical "attn.wqkv" (q|k|v) and "mlp.w_gate_up" (gate|up), split into their parts; experts
// stacked in one tensor, split per expert).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/formats/canonical_weights.h"
#include "core/specs/proto/model.pb.h"

namespace ttt::formats {

struct WeightNameMap {
  std::vector<std::string> strip_prefixes;                          // dropped before matching ("transformer.")
  std::vector<std::pair<std::string, std::string>> globals;         // whole name -> canonical name
  std::string layer_prefix;                                         // "model.layers." then "<i>."
  // suffix -> canonical suffix. "{e}" stands for an expert's index: in both, one tensor per expert
  // ("block_sparse_moe.experts.{e}.w1.weight"); only in the canonical suffix, one tensor stacking every expert
  // [experts, out, in] that is split into per-expert views (llama.cpp's "ffn_gate_exps.weight").
  std::vector<std::pair<std::string, std::string>> layer_suffixes;
  std::vector<std::string> ignored_suffixes;                        // buffers that are not weights
  bool transpose_layer_matrices = false;  // 2-D layer weights are stored [in, out] (GPT-2 Conv1D)
};

WeightNameMap HfLlamaNames();  // llama, mistral, qwen2, mixtral, qwen2_moe in transformers' layout
WeightNameMap HfGpt2Names();
WeightNameMap HfMptNames();
WeightNameMap HfGemma2Names();  // Llama's names with the sandwich norms
WeightNameMap GgufLlamaNames();  // llama.cpp's llama (Mixtral's experts included), qwen2 and qwen2moe tensors
WeightNameMap GgufGpt2Names();
WeightNameMap GgufMptNames();
WeightNameMap GgufPhi3Names();
WeightNameMap GgufGemma2Names();

// The map of a spec's family (ModelSpec.family: "gpt2", "mpt", else the llama layout).
WeightNameMap HfNames(const std::string& family);
WeightNameMap GgufNames(const std::string& family);

// Loads every tensor of `names` that the map knows and returns them under canonical names: Conv1D
// weights transposed into contiguous copies, fused q/k/v split into views, a lm_head dropped when the spec
// ties it. Unknown names are an error naming the tensor and `source` unless the map ignores them.
absl::StatusOr<WeightMap> MapWeights(const WeightNameMap& map, const Validated<spec::ModelSpec>& spec,
                                     const std::vector<std::string>& names,
                                     const std::function<absl::StatusOr<Tensor>(const std::string&)>& load,
                                     const std::string& source);

}  // namespace ttt::formats
