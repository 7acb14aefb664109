#include "core/blocks/weights.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace ttt {

absl::StatusOr<Tensor> RequireWeight(const WeightMap& weights, const std::string& name, const Shape& shape,
                                     bool keep_ggml_blocks) {
  auto it = weights.find(name);
  if (it == weights.end()) {
    return absl::NotFoundError(absl::StrCat("weight '", name, "' ", ShapeString(shape),
                                            " is missing from the checkpoint: check that the model spec matches "
                                            "the checkpoint (layer count, bias flags, tied head)"));
  }
  const Tensor& t = it->second;
  if (t.shape() != shape) {
    return absl::InvalidArgumentError(absl::StrCat("weight '", name, "' has shape ", ShapeString(t.shape()),
                                                   " but the spec needs ", ShapeString(shape),
                                                   ": the config and the weights disagree"));
  }
  if (keep_ggml_blocks && IsGgmlFormat(t.dtype())) return t;
  bool aligned = reinterpret_cast<uintptr_t>(t.raw_data()) % kTensorAlignment == 0;
  if (t.dtype() == DType::kF32 && t.is_contiguous() && aligned) return t;
  if (t.dtype() == DType::kF32) return t.Contiguous();
  return t.To(DType::kF32);
}

absl::StatusOr<Tensor> OptionalWeight(const WeightMap& weights, const std::string& name, const Shape& shape,
                                      bool present) {
  if (present) return RequireWeight(weights, name, shape);
  if (weights.contains(name)) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint has weight '", name,
                                                   "' that the spec does not use: enable the matching flag "
                                                   "(bias, untied head) in the spec"));
  }
  return Tensor();
}

Tensor ConcatRows(const std::vector<Tensor>& parts) {
  int64_t rows = 0, cols = parts.front().dim(1);
  for (const Tensor& p : parts) rows += p.dim(0);
  Tensor out = Tensor::Empty(DType::kF32, {rows, cols});
  char* dst = static_cast<char*>(out.raw_data());
  for (const Tensor& p : parts) {
    std::memcpy(dst, p.raw_data(), p.nbytes());
    dst += p.nbytes();
  }
  return out;
}

}  // namespace ttt
