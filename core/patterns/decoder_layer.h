// Pre-norm decoder layer composed from the blocks: x += attn(norm(x)); x += mlp(norm(x)).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/blocks/attention/attention.h"
#include "core/blocks/mlp/mlp.h"
#include "core/blocks/norm/norm.h"
#include "core/specs/proto/decoder_layer.pb.h"

namespace ttt {

class DecoderLayer {
 public:
  // Loads the weights of "layers.<index>.{attn_norm,attn,mlp_norm,mlp}".
  static absl::StatusOr<std::unique_ptr<DecoderLayer>> Create(const spec::DecoderLayerSpec& spec,
                                                              const WeightMap& weights, int64_t index);

  // Stores every projection of the layer in `dtype`.
  absl::Status ConvertLinearWeights(DType dtype);

  int64_t ScratchFloats(int64_t tokens) const;
  // x [tokens, hidden] is updated in place (the residual stream).
  void Prefill(float* x, int64_t tokens, int64_t pos0, KvCache& cache, int64_t slot, float* scratch) const;
  void Decode(float* x, int64_t batch, const int32_t* positions, const int32_t* slots, KvCache& cache,
              float* scratch) const;

  int64_t index() const { return index_; }
  const Norm& attention_norm() const { return attention_norm_; }
  const Attention& attention() const { return *attention_; }
  const Norm& mlp_norm() const { return mlp_norm_; }
  const Mlp& mlp() const { return mlp_; }
  // The layer's blocks by their names in the model (core/patterns/model_modules.h), for the hardware config
  // (CausalLm::Specialize), which specialises each block's ops.
  std::vector<std::pair<std::string, Block*>> blocks() { return {{"attention", attention_.get()}, {"mlp", &mlp_}}; }
  // The layer's projections in the order a step runs them: wqkv, wo, the MLP's up (gate) and down.
  std::array<const Linear*, 4> projections() const {
    return {&attention_->qkv_projection(), &attention_->output_projection(), &mlp_.up_projection(),
            &mlp_.down_projection()};
  }

 private:
  template <typename AttentionCall>
  void Run(float* x, int64_t rows, float* scratch, Phase phase, AttentionCall&& attend) const;

  int64_t index_ = 0;
  int64_t hidden_ = 0;
  Norm attention_norm_;
  std::unique_ptr<Attention> attention_;
  Norm mlp_norm_;
  Mlp mlp_;
};

}  // namespace ttt
