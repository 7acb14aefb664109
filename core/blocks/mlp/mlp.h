// Feed-forward block: plain MLP  down(act(up(x)))  or gated MLP  down(act(gate(x)) * up(x))  (SwiGLU,
// GeGLU). A gated MLP fuses gate and up into one projection so x is read once.
#pragma once

#include "core/blocks/block.h"
#include "core/specs/proto/mlp.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class Mlp : public LayerBlock {
 public:
  // Loads "<prefix>.w_up", "<prefix>.w_down" and, when gated, "<prefix>.w_gate" (plus biases).
  static absl::StatusOr<Mlp> Create(const Validated<spec::MlpSpec>& spec, const WeightMap& weights, const std::string& prefix);

  // Stores the projections in `dtype` (f32, bf16, i8, bfp8, bfp4).
  absl::Status ConvertWeights(DType dtype);

  int64_t ScratchFloats(int64_t tokens) const override;
  // x [rows, hidden] -> out [rows, hidden]; rows are prompt tokens (prefill) or sequences (decode).
  void Forward(const float* x, int64_t rows, float* out, float* scratch, Phase phase = Phase::kDecode) const;

  const spec::MlpSpec& spec() const { return spec_; }
  const Linear& up_projection() const { return up_; }  // [gate; up] when gated
  const Linear& down_projection() const { return down_; }
  // Block: op "ff1_3" is the up projection (with the gate when gated), "ff2" the down projection.
  const ModuleDescriptor& descriptor() const override;
  void Forward(const float* x, int64_t rows, float* out, float* scratch, const StepContext& step) const override {
    Forward(x, rows, out, scratch, step.phase);
  }
  std::vector<LinearOp> linear_ops() override;

 private:
  spec::MlpSpec spec_;
  std::string prefix_;  // "layers.3.mlp"
  Linear up_;
  Linear down_;
};

}  // namespace ttt
