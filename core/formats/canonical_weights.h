// The canonical weight names every checkpoint format is translated to, and the shapes a spec implies.
// 2-D weights are [out_features, in_features] like torch nn.Linear.
//   tok_embeddings [vocab, dim]            pos_embeddings [max_positions, dim] (learned positions only)
//   layers.{i}.attn_norm.weight / .bias    layers.{i}.attn.wq / wk / wv / wo (+ ".bias")
//   layers.{i}.mlp_norm.weight / .bias     layers.{i}.mlp.w_gate / w_up / w_down (+ ".bias"); no w_gate
//                                          when the MLP is not gated
//   final_norm.weight / .bias              lm_head [vocab, dim] (+ lm_head.bias), absent when tied
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "core/runtime/tensor.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"

namespace ttt::formats {

using WeightMap = absl::flat_hash_map<std::string, Tensor>;

// Every weight `spec` (validated: head_dim and num_kv_heads filled) needs, with its shape, sorted by name.
std::vector<std::pair<std::string, Shape>> ExpectedWeightShapes(const Validated<spec::ModelSpec>& spec);

// Checks that every expected weight is present with its shape and that no weight is left over; errors
// name the tensor, the expected and actual shapes and `source` (the file or folder loaded).
absl::Status CheckWeights(const Validated<spec::ModelSpec>& spec, const WeightMap& weights, const std::string& source);

}  // namespace ttt::formats
