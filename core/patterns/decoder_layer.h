// A decoder layer composed from blocks as a list of residual branches, each an optional norm and a block:
// x += block(norm(x)), or x += post_norm(block(norm(x))) with a post-norm. The pre-norm layer of every family is [attention_norm + attention, mlp_norm + mlp], the
// feed-forward being a dense MLP or a mixture of experts;
// a layer spec's `modules` add branches of any registered kind after those (core/blocks/model_modules.h).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/blocks/attention/attention.h"
#include "core/blocks/mlp/mlp.h"
#include "core/blocks/norm/norm.h"
#include "core/blocks/model_modules.h"
#include "core/patterns/transport.h"

namespace ttt {

class DecoderLayer {
 public:
  // Builds the branches of `modules` (one layer's instances), loading the weights of "layers.<index>.<weights>".
  static absl::StatusOr<std::unique_ptr<DecoderLayer>> Create(const std::vector<ModuleInstance>& modules,
                                                              const WeightMap& weights, int64_t index,
                                                              int64_t hidden);

  // Stores every projection of the layer in `dtype`.
  absl::Status ConvertLinearWeights(DType dtype);

  int64_t ScratchFloats(int64_t tokens) const;
  // x [tokens, hidden] is updated in place (the residual stream).
  void Prefill(float* x, int64_t tokens, int64_t pos0, KvCache& cache, int64_t slot, float* scratch) const;
  void Decode(float* x, int64_t batch, const int32_t* positions, const int32_t* slots, KvCache& cache,
              float* scratch) const;

  int64_t index() const { return index_; }
  const Norm& attention_norm() const { return *branches_[0].norm; }
  const Attention& attention() const { return *attention_; }
  const Norm& mlp_norm() const { return *branches_[1].norm; }
  const Mlp* mlp() const { return mlp_; }  // null when the feed-forward is of another kind (a mixture of experts)
  const LayerBlock& feed_forward() const { return *branches_[1].block; }

  // One residual branch: x += post_norm(block(norm(x))).
  struct Branch {
    std::string name;          // the block's name in the model ("attention", a layer module's name)
    std::optional<Norm> norm;  // applied to the branch input first
    std::unique_ptr<LayerBlock> block;
    std::optional<Norm> post_norm;  // applied to the block's output (Gemma 2's sandwich norms)
  };
  const std::vector<Branch>& branches() const { return branches_; }
  // The layer's blocks by their names in the model, for the hardware config (CausalLm::Specialize), which
  // specialises each block's ops.
  std::vector<std::pair<std::string, Block*>> blocks();

  // Tensor parallelism (core/patterns/tensor_parallel_lm.h): the first two branches' blocks hold a rank's
  // shards and output partial sums, all-reduced over `transport` before the residual add.
  void SetTensorParallel(Transport* transport);

 private:
  void Run(float* x, int64_t rows, float* scratch, const StepContext& step) const;
  // Sums a branch's partial outputs [rows, hidden] over the ranks and packs the sum as `format` (the
  // projection that produced them) packs its output.
  void AllReduce(const Branch& branch, const Linear* format, float* values, int64_t rows, Phase phase) const;

  int64_t index_ = 0;
  int64_t hidden_ = 0;
  std::vector<Branch> branches_;
  const Attention* attention_ = nullptr;  // the blocks of the first two branches
  const Mlp* mlp_ = nullptr;  // the second branch's block when it is a dense MLP
  Transport* transport_ = nullptr;
  const Linear* reduce_format_[2] = {nullptr, nullptr};
};

}  // namespace ttt
