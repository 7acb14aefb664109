// A linear projection y = x W^T + b with W [out_features, in_features], as torch's nn.Linear. W may be
// stored in f32, bf16, int8 (per-row scale), bfp8 or bfp4; each has a GEMV kernel of its own.
#pragma once

#include "core/blocks/weights.h"
#include "core/ops/ops.h"

namespace ttt {

class Linear {
 public:
  Linear() = default;
  Linear(Tensor weight, Tensor bias) : weight_{std::move(weight), Tensor()}, bias_(std::move(bias)) {}
  // Loads "<name>" [out, in] and, when `has_bias`, "<name>.bias" [out].
  static absl::StatusOr<Linear> Load(const WeightMap& weights, const std::string& name, int64_t out_features,
                                     int64_t in_features, bool has_bias);

  // Re-stores the weight in `dtype` (quantised from the f32 values it stands for). Done once, when a model
  // is built; f32 -> f32 is free.
  absl::Status ConvertWeight(DType dtype);

  // x [m, in] -> y [m, out].
  void Forward(const float* x, int64_t m, float* y) const;

  int64_t in_features() const { return weight_.values.dim(1); }
  int64_t out_features() const { return weight_.values.dim(0); }
  DType weight_dtype() const { return weight_.values.dtype(); }
  // Bytes read from memory per forward pass (values and scales).
  int64_t weight_bytes() const;
  const ops::LinearWeight& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  ops::LinearWeight weight_;
  Tensor bias_;
};

}  // namespace ttt
