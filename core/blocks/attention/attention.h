// Multi-head attention with grouped KV heads (MHA/GQA/MQA), optional biases, RoPE or none, a registered
// position bias (ALiBi) or none, optional soft-capping of the scores, causal with an optional sliding window
// (on every layer or on a pattern of them), over a preallocated KV cache. Q, K and V come from one fused
// projection.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/blocks/attention/kv_cache.h"
#include "core/blocks/block.h"
#include "core/blocks/linear/linear.h"
#include "core/blocks/rope/rope.h"
#include "core/specs/proto/attention.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class Attention : public LayerBlock {
 public:
  // Loads "<prefix>.wq/.wk/.wv/.wo" (and ".bias" of each when the spec has biases). A spec's position_bias
  // takes its slopes from its registered kind (NotFound, saying how to register it, when it is not).
  static absl::StatusOr<std::unique_ptr<Attention>> Create(const Validated<spec::AttentionSpec>& spec,
                                                           const WeightMap& weights, const std::string& prefix);

  // Stores the Q/K/V and output projections in `dtype` (f32, bf16, i8, bfp8, bfp4).
  absl::Status ConvertWeights(DType dtype);

  // Floats of scratch Prefill/Decode need for up to `tokens` rows.
  int64_t ScratchFloats(int64_t tokens) const override;
  // Floats of attention work (KvCache::PlanAttentionWork) for up to `max_kv_len` keys in a `kv_dtype` cache.
  int64_t AttentionWorkFloats(int64_t max_kv_len, DType kv_dtype) const;

  // One sequence: x [tokens, hidden] at positions pos0.. of cache slot `slot` (layer `layer`) -> out.
  void Prefill(const float* x, int64_t tokens, int64_t pos0, KvCache& cache, int64_t layer, int64_t slot,
               float* out, float* scratch) const;
  // One token for each of `batch` sequences: x [batch, hidden], positions[b] in slots[b] -> out.
  void Decode(const float* x, int64_t batch, const int32_t* positions, const int32_t* slots, KvCache& cache,
              int64_t layer, float* out, float* scratch) const;

  const spec::AttentionSpec& spec() const { return *spec_; }
  int64_t kv_dim() const { return spec_.kv_dim(); }
  const Linear& qkv_projection() const { return qkv_; }
  const Linear& output_projection() const { return wo_; }
  // Block: op "wqkv" is the fused Q/K/V projection, "wo" the output one. Op "sdpa" of a phase: with
  // numerics, attention runs as an emulated Tenstorrent device computes it (ops::TtAttention); without (the
  // default, and on the cpu device), in f32 on the CPU kernels.
  const ModuleDescriptor& descriptor() const override;
  // LayerBlock: Prefill or Decode, as `step` says.
  void Forward(const float* x, int64_t rows, float* out, float* scratch, const StepContext& step) const override;
  std::vector<LinearOp> linear_ops() override;
  absl::Status SetMatmulNumerics(const std::string& op, Phase phase,
                                 std::optional<ops::TtMatmulNumerics> numerics) override;

 private:
  explicit Attention(Validated<spec::AttentionSpec> spec) : spec_(std::move(spec)) {}
  int64_t q_dim() const { return spec_.q_dim(); }
  // The layer's attention: within the sliding window or, on the pattern's global layers, over the whole past.
  const ops::AttentionParams& ParamsOf(int64_t layer) const;
  // Copies the queries of one fused-projection row into q, rotates q and (in place) k, and stores k and v at
  // `*position` of the cache slot in the cache's dtype.
  void SplitQkv(float* qkv_row, const int32_t* position, float* q, KvCache& cache, int64_t layer,
                int64_t slot) const;

  Validated<spec::AttentionSpec> spec_;
  std::string prefix_;  // "layers.3.attn"
  ops::AttentionParams params_;
  ops::AttentionParams global_params_;  // params_ without the sliding window
  Linear qkv_;
  Linear wo_;
  std::optional<Rope> rope_;
  // The position bias's per-head slopes (params_.slopes points into them), shared so a copy keeps them alive.
  std::shared_ptr<const std::vector<float>> slopes_;
  std::optional<ops::TtMatmulNumerics> sdpa_[2];  // per Phase
};

}  // namespace ttt
