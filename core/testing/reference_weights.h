// Float64 reference blocks (reference_model.h) filled with weights: either a built module's own weights
// (dequantised, so a bf16/bfp8/bfp4 module is judged against the float64 math of what it stores) or the
// source checkpoint's tensors as loaded (canonical names, any float dtype), for reference tracking.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/blocks/weights.h"
#include "core/patterns/causal_lm.h"
#include "core/testing/reference_model.h"

namespace ttt::testing {

DMatrix ToDouble(const Tensor& t);  // any float dtype, 1-D or 2-D
DVector ToDoubleVector(const Tensor& t);
RefLinear RefFromModule(const Linear& linear);  // dequantised weight + bias

RefNorm RefFromModule(const Norm& norm);
RefMlp RefFromModule(const Mlp& mlp);              // splits the fused [gate; up] projection
RefAttention RefFromModule(const Attention& attn);  // splits the fused [q; k; v] projection
RefDecoderLayer RefFromModule(const DecoderLayer& layer);
RefModel RefFromModule(const CausalLm& model);

// From canonical weights (core/formats/canonical_weights.h) of a validated spec; errors name the weight.
absl::StatusOr<RefModel> RefFromWeights(const Validated<spec::ModelSpec>& spec, const WeightMap& weights,
                                        const ModuleRegistry& kinds = ModuleRegistry::Global());

}  // namespace ttt::testing
