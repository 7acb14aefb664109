#include "core/blocks/linear/linear.h"

#include "absl/strings/str_cat.h"
#include "core/ops/weight_quantization.h"
#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<Linear> Linear::Load(const WeightMap& weights, const std::string& name, int64_t out_features,
                                    int64_t in_features, bool has_bias) {
  TTT_ASSIGN_OR_RETURN(Tensor w, RequireWeight(weights, name, {out_features, in_features}));
  TTT_ASSIGN_OR_RETURN(Tensor b, OptionalWeight(weights, absl::StrCat(name, ".bias"), {out_features}, has_bias));
  return Linear(std::move(w), std::move(b));
}

absl::Status Linear::ConvertWeight(DType dtype) {
  if (dtype == weight_dtype()) return absl::OkStatus();
  const Tensor source = weight_dtype() == DType::kF32 ? weight_.values : ops::DequantizeWeight(weight_);
  TTT_ASSIGN_OR_RETURN(weight_, ops::QuantizeWeight(source, dtype));
  return absl::OkStatus();
}

int64_t Linear::weight_bytes() const {
  return static_cast<int64_t>(weight_.values.nbytes() + (weight_.row_scale.defined() ? weight_.row_scale.nbytes() : 0));
}

void Linear::Forward(const float* x, int64_t m, float* y) const {
  ops::Linear(x, m, weight_, bias_.defined() ? bias_.data<float>() : nullptr, y);
}

}  // namespace ttt
