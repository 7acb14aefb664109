#include "core/blocks/norm/norm.h"

#include "absl/strings/str_cat.h"
#include "core/ops/ops.h"
#include "core/runtime/status.h"
#include "core/runtime/trace.h"

namespace ttt {

absl::StatusOr<Norm> Norm::Create(const Validated<spec::NormSpec>& spec, const WeightMap& weights, const std::string& prefix) {
  Norm norm;
  norm.spec_ = *spec;
  int64_t dim = norm.spec_.dim();
  TTT_ASSIGN_OR_RETURN(norm.weight_, RequireWeight(weights, absl::StrCat(prefix, ".weight"), {dim}));
  TTT_ASSIGN_OR_RETURN(norm.bias_, OptionalWeight(weights, absl::StrCat(prefix, ".bias"), {dim}, norm.spec_.bias()));
  return norm;
}

void Norm::Forward(const float* x, int64_t rows, float* out) const {
  TTT_TRACE_MODULE("norm");
  TTT_TRACE_OP("norm", rows, 8.0 * rows * spec_.dim() + 8.0 * spec_.dim(), 4.0 * rows * spec_.dim())
  if (spec_.kind() == spec::NormSpec::RMS_NORM) {
    ops::RmsNorm(x, weight_.data<float>(), out, rows, spec_.dim(), spec_.eps(), spec_.unit_offset());
  } else {
    ops::LayerNorm(x, weight_.data<float>(), bias_.defined() ? bias_.data<float>() : nullptr, out, rows,
                   spec_.dim(), spec_.eps());
  }
}

}  // namespace ttt
