// The weights a block is built from, by canonical name ("layers.3.attn.wq"). Each checkpoint format maps
// its own names onto these (core/formats), so blocks never see a format's naming.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/runtime/tensor.h"

namespace ttt {

using WeightMap = absl::flat_hash_map<std::string, Tensor>;

// The weight `name` with shape `shape`, converted to a contiguous, aligned f32 tensor (a mapped f32
// weight that is already aligned is used in place). Errors name the weight and both shapes.
// With `keep_ggml_blocks`, a weight in a ggml block format (a quantised GGUF tensor: IsGgmlFormat) is
// returned as it is, for the blocks that run those formats' own kernels (Linear, token embedding).
absl::StatusOr<Tensor> RequireWeight(const WeightMap& weights, const std::string& name, const Shape& shape,
                                     bool keep_ggml_blocks = false);
// Like RequireWeight when `present`; otherwise checks the weight is absent and returns an empty tensor.
absl::StatusOr<Tensor> OptionalWeight(const WeightMap& weights, const std::string& name, const Shape& shape,
                                      bool present);
// Concatenates 2-D f32 tensors along rows (for fused projections).
Tensor ConcatRows(const std::vector<Tensor>& parts);

}  // namespace ttt
