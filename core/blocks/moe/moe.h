// Mixture-of-experts feed-forward (Mixtral, Qwen2-MoE): a router scores the experts per token, the top k run
// and their outputs are summed weighted by the router's softmax probabilities (renormalised over the k when the
// spec says so); a shared expert, when the spec has one, runs for every token (scaled by a sigmoid gate in
// Qwen2-MoE). Each expert is a gated MLP (core/blocks/mlp).
//
// Rows are grouped by expert, so each chosen expert's weights are read once per step whatever the number of
// rows that chose it, and an expert no row chose is never read: a decode step's bytes follow the active
// parameters (k experts), not the total.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/blocks/block.h"
#include "core/blocks/mlp/mlp.h"
#include "core/specs/proto/moe.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class Moe : public LayerBlock {
 public:
  // Loads "<prefix>.router" [experts, hidden], "<prefix>.experts.<e>.w_gate", ".w_up" [expert_dim, hidden] and
  // ".w_down" [hidden, expert_dim] for every expert it holds (all, or a rank's local_experts) and, with a shared expert, "<prefix>.shared.w_gate", ".w_up",
  // ".w_down" (plus "<prefix>.shared_gate" [1, hidden] when it is gated).
  static absl::StatusOr<Moe> Create(const Validated<spec::MoeSpec>& spec, const WeightMap& weights,
                                    const std::string& prefix);

  int64_t ScratchFloats(int64_t rows) const override;
  // x [rows, hidden] -> out [rows, hidden].
  void Forward(const float* x, int64_t rows, float* out, float* scratch, const StepContext& step) const override;

  // The router's choice for each row: experts [rows, k] in decreasing probability, and their weights [rows, k]
  // (renormalised when the spec says so). `scratch` holds (rows + 1) * num_experts floats.
  void Route(const float* x, int64_t rows, Phase phase, int32_t* experts, float* weights, float* scratch) const;

  const spec::MoeSpec& spec() const { return spec_; }
  const Linear& router() const { return router_; }
  // Whether this block holds expert `e` (all of them, except on a tensor-parallel rank that holds whole
  // experts: MoeSpec.first_expert / local_experts); expert(e) takes the model's expert index.
  bool holds(int64_t e) const { return e >= first_expert_ && e < first_expert_ + static_cast<int64_t>(experts_.size()); }
  const Mlp& expert(int64_t e) const { return experts_[e - first_expert_]; }
  const Mlp* shared_expert() const { return shared_ ? &*shared_ : nullptr; }
  const std::vector<float>& shared_gate() const { return shared_gate_; }  // empty: ungated

  // Block: op "router"; "ff1_3" and "ff2" are every routed expert's gate+up and down projections (one config
  // for all experts); "shared_ff1_3" and "shared_ff2" the shared expert's.
  const ModuleDescriptor& descriptor() const override;
  std::vector<LinearOp> linear_ops() override;
  // The router, the shared expert and k of the experts (they have the same size).
  int64_t DecodeReadBytes() const override;

 private:
  spec::MoeSpec spec_;
  std::string prefix_;  // "layers.3.mlp"
  Linear router_;
  int64_t first_expert_ = 0;
  std::vector<Mlp> experts_;  // experts first_expert_ ... first_expert_ + size - 1
  std::optional<Mlp> shared_;
  std::vector<float> shared_gate_;
};

}  // namespace ttt
