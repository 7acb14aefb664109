// The attention of encoder-decoder models (T5): separate Q, K, V and output projections without biases, an
// additive per-head score bias (the relative position bias, or none), scores not scaled by 1/sqrt(head_dim)
// (T5 folds that into its query weights), and num_heads * head_dim independent of the hidden size.
// One block serves three uses:
//   encoder self-attention  - keys and values of the same rows, every query sees every key;
//   decoder self-attention  - keys and values appended to a per-sequence cache, causal;
//   cross-attention         - queries from the decoder over keys and values projected once from the encoder's
//                             output (ProjectKeysValues when a source is encoded) and kept for every step.
#pragma once

#include <array>

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "core/blocks/linear/linear.h"
#include "core/blocks/weights.h"
#include "core/ops/tt_numerics.h"

namespace ttt {

// Keys and values of one sequence, [rows, num_heads * head_dim] each, grown as rows are appended.
struct KeysValues {
  std::vector<float> keys;
  std::vector<float> values;
  int64_t rows = 0;
};

class Seq2SeqAttention {
 public:
  Seq2SeqAttention() = default;
  // Loads "<prefix>.wq/.wk/.wv" [heads * head_dim, hidden] and "<prefix>.wo" [hidden, heads * head_dim].
  static absl::StatusOr<Seq2SeqAttention> Create(int64_t hidden, int64_t num_heads, int64_t head_dim,
                                                 const WeightMap& weights, const std::string& prefix);

  // Appends the keys and values of x [rows, hidden] to `kv`.
  void ProjectKeysValues(const float* x, int64_t rows, KeysValues& kv) const;
  // Queries of x [tokens, hidden], at positions q0 .. q0+tokens-1, over all of `kv`; bias [heads, tokens,
  // kv.rows] or null; causal: query position p sees keys 0..p only. out [tokens, hidden].
  void Attend(const float* x, int64_t tokens, int64_t q0, const KeysValues& kv, const float* bias, bool causal,
              float* out) const;
  // The four projections in the order of the attention module's ops (wq, wk, wv: "wqkv"; wo: "wo"), for the
  // pattern to specialise to a device (core/hwconfig/specialize_block.h).
  std::array<Linear*, 4> projections() { return {&wq_, &wk_, &wv_, &wo_}; }
  // The attention products (the module's "sdpa" op) as an emulated Tenstorrent device computes them
  // (ops::TtAttention), per phase: prompts (prefill) and one-token decoder steps (decode); nullopt: f32.
  void SetSdpaNumerics(Phase phase, std::optional<ops::TtMatmulNumerics> numerics) {
    sdpa_[static_cast<int>(phase)] = numerics;
  }
  const std::optional<ops::TtMatmulNumerics>& sdpa_numerics(Phase phase) const {
    return sdpa_[static_cast<int>(phase)];
  }
  int64_t inner_dim() const { return num_heads_ * head_dim_; }
  int64_t num_heads() const { return num_heads_; }
  int64_t head_dim() const { return head_dim_; }
  const Linear& wq() const { return wq_; }
  const Linear& wk() const { return wk_; }
  const Linear& wv() const { return wv_; }
  const Linear& wo() const { return wo_; }

 private:
  int64_t hidden_ = 0, num_heads_ = 0, head_dim_ = 0;
  Linear wq_, wk_, wv_, wo_;
  std::array<std::optional<ops::TtMatmulNumerics>, 2> sdpa_;
};

}  // namespace ttt
