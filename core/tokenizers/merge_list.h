// Turning merge lists spelled as pieces ("Ġ t", ["▁", "t"]) into a MergeRankTable over token ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/tokenizers/bpe_merge.h"

namespace ttt::tokenizers {

using PieceMerge = std::pair<std::string, std::string>;

// "left right" split at the first space (pieces of merge lists never hold a plain space); nullopt without one.
std::optional<PieceMerge> SplitMergeLine(std::string_view line);

// Ranks merges in list order. A merge naming a piece, or producing one, that is not in `pieces` is an error
// naming `source` and the merge's index, as in HF tokenizers, which refuses such files too.
absl::StatusOr<MergeRankTable> BuildMergeTable(const std::vector<std::string>& pieces,
                                               const std::vector<PieceMerge>& merges, std::string_view source);

}  // namespace ttt::tokenizers
