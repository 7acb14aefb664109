// A linear projection y = x W^T + b with W [out_features, in_features], as torch's nn.Linear. W may be
// stored in f32, bf16, int8 (per-row scale), bfp8 or bfp4, or in the ggml block format of a quantised GGUF
// file (kept as the file has it, whatever the hardware config asks for); each has a GEMV kernel of its own.
//
// A Linear is specialised per execution phase (prefill, decode) by its hardware config: the weight's
// storage format and, on an emulated Tenstorrent device, the matrix engine's numerics (ops::TtLinear).
// When prefill and decode ask for different weight formats both copies are kept (memory for speed: a
// decode-optimised BFP4 copy next to a BF16 prefill copy); when they agree there is one copy.
#pragma once

#include <functional>
#include <optional>

#include "core/blocks/weights.h"
#include "core/ops/ops.h"
#include "core/ops/tt_numerics.h"
#include "core/runtime/phase.h"

namespace ttt {

// How one phase of a Linear runs.
struct LinearExecution {
  DType weight_dtype = DType::kF32;
  bool emulate_tt = false;        // true: ops::TtLinear with `numerics`; false: the CPU kernels (f32 math)
  ops::TtMatmulNumerics numerics;
};

// Produces a phase's weight in `dtype`; `convert` does the conversion from the f32 values. A weight cache
// returns a stored copy instead (see CausalLm::Create). Null: always convert.
using WeightSource = std::function<absl::StatusOr<ops::LinearWeight>(
    Phase phase, DType dtype, const std::function<absl::StatusOr<ops::LinearWeight>()>& convert)>;

class Linear {
 public:
  Linear() = default;
  Linear(Tensor weight, Tensor bias) : weight_{std::move(weight), Tensor(), {}}, bias_(std::move(bias)) {}
  // A fused projection (ops::StackRows).
  Linear(ops::LinearWeight weight, Tensor bias) : weight_(std::move(weight)), bias_(std::move(bias)) {}
  // Loads "<name>" [out, in] and, when `has_bias`, "<name>.bias" [out].
  static absl::StatusOr<Linear> Load(const WeightMap& weights, const std::string& name, int64_t out_features,
                                     int64_t in_features, bool has_bias);

  // Re-stores the weight in `dtype` for both phases with CPU numerics. f32 -> f32 is free.
  absl::Status ConvertWeight(DType dtype);
  // Specialises both phases. Done when a model is built, and again by ApplyHwConfig. A weight already
  // converted is re-converted from its dequantised values (a rebuilt model, not this, recovers precision
  // lost earlier).
  absl::Status Specialize(const LinearExecution& prefill, const LinearExecution& decode,
                          const WeightSource& source = nullptr);

  // x [m, in] -> y [m, out], as `phase` is configured.
  void Forward(const float* x, int64_t m, float* y, Phase phase = Phase::kDecode) const;

  int64_t in_features() const { return weight_.values.dim(1); }
  int64_t out_features() const { return weight_.out_features(); }
  // The decode weight's format (the one decoding reads).
  DType weight_dtype() const { return weight_.values.dtype(); }
  DType weight_dtype(Phase phase) const { return weight(phase).values.dtype(); }
  // Bytes read from memory per decode forward pass (values and scales).
  int64_t weight_bytes() const;
  // Bytes of every weight copy held (decode, plus prefill when it differs).
  int64_t resident_weight_bytes() const;
  const ops::LinearWeight& weight() const { return weight_; }
  const ops::LinearWeight& weight(Phase phase) const {
    return phase == Phase::kPrefill && prefill_weight_ ? *prefill_weight_ : weight_;
  }
  const LinearExecution& execution(Phase phase) const { return exec_[static_cast<int>(phase)]; }
  // The projection a decode step runs after this one (null: none or unknown). Decoding prefetches the start
  // of its weight when this one is done (see ops::Linear); set once by the model that orders them.
  void set_decode_successor(const Linear* next) { decode_successor_ = next; }
  // Copies the decode weight's values into `destination` (same dtype and shape; a view into a model's
  // weight arena, see CausalLm::PackDecodeWeights) and reads them from there on. A separate prefill copy,
  // when there is one, stays where it is.
  // With `panels` (an f32, bf16 or bfp4 weight of one part, whose prefill runs on the CPU kernels too) the copy
  // is stored in the panels of its dtype for the panel kernels (ops::LinearWeight::panels), same size.
  void MoveDecodeValues(Tensor destination, bool panels = false);
  // Whether MoveDecodeValues may store this weight in panels (f32; bf16 with an even k where the CPU has
  // AVX512-BF16; bfp4 where the CPU's table has a GEMV for its step layout: AVX2 without AVX-512).
  bool CanUsePanels() const;
  const Linear* decode_successor() const { return decode_successor_; }
  const Tensor& bias() const { return bias_; }

 private:
  absl::StatusOr<ops::LinearWeight> Converted(DType dtype, Phase phase, const WeightSource& source) const;

  ops::LinearWeight weight_;                         // decode (and prefill when the formats agree)
  std::optional<ops::LinearWeight> prefill_weight_;  // prefill, only when its format differs
  Tensor bias_;
  LinearExecution exec_[2];
  const Linear* decode_successor_ = nullptr;
};

}  // namespace ttt
