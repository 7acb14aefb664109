// A linear projection y = x W^T + b with W [out_features, in_features], as torch's nn.Linear.
#pragma once

#include "core/blocks/weights.h"

namespace ttt {

class Linear {
 public:
  Linear() = default;
  Linear(Tensor weight, Tensor bias) : weight_(std::move(weight)), bias_(std::move(bias)) {}
  // Loads "<name>" [out, in] and, when `has_bias`, "<name>.bias" [out].
  static absl::StatusOr<Linear> Load(const WeightMap& weights, const std::string& name, int64_t out_features,
                                     int64_t in_features, bool has_bias);

  // x [m, in] -> y [m, out].
  void Forward(const float* x, int64_t m, float* y) const;

  int64_t in_features() const { return weight_.dim(1); }
  int64_t out_features() const { return weight_.dim(0); }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  Tensor weight_;
  Tensor bias_;
};

}  // namespace ttt
