// RMSNorm (optionally scaled by 1 + w) and LayerNorm (optionally with bias), per NormSpec.
#pragma once

#include "core/blocks/weights.h"
#include "core/specs/proto/norm.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class Norm {
 public:
  // Loads "<prefix>.weight" and, for a LayerNorm with bias, "<prefix>.bias".
  static absl::StatusOr<Norm> Create(const Validated<spec::NormSpec>& spec, const WeightMap& weights, const std::string& prefix);

  // x [rows, dim] -> out [rows, dim]; the same for prefill and decode (rows = tokens or sequences).
  void Forward(const float* x, int64_t rows, float* out) const;
  const spec::NormSpec& spec() const { return spec_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  spec::NormSpec spec_;
  Tensor weight_;
  Tensor bias_;
};

}  // namespace ttt
