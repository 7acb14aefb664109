#include "core/blocks/block.h"

#include "absl/strings/str_cat.h"

namespace ttt {

absl::Status Block::SetMatmulNumerics(const std::string& op, Phase, std::optional<ops::TtMatmulNumerics>) {
  return absl::InvalidArgumentError(
      absl::StrCat("module kind '", descriptor().kind, "' has no matrix-engine op '", op, "' without a weight"));
}

}  // namespace ttt
