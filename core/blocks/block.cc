#include "core/blocks/block.h"

#include "absl/strings/str_cat.h"

namespace ttt {

absl::Status Block::SetMatmulNumerics(const std::string& op, Phase, std::optional<ops::TtMatmulNumerics>) {
  return absl::InvalidArgumentError(
      absl::StrCat("module kind '", descriptor().kind, "' has no matrix-engine op '", op, "' without a weight"));
}

int64_t LayerBlock::DecodeReadBytes() const {
  int64_t bytes = 0;
  // linear_ops() hands out mutable projections for specialisation; only their sizes are read here.
  for (const LinearOp& op : const_cast<LayerBlock*>(this)->linear_ops()) bytes += op.linear->weight_bytes();
  return bytes;
}

}  // namespace ttt
