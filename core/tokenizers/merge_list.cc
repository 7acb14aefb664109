#include "core/tokenizers/merge_list.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace ttt::tokenizers {

std::optional<PieceMerge> SplitMergeLine(std::string_view line) {
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  return PieceMerge{std::string(line.substr(0, space)), std::string(line.substr(space + 1))};
}

absl::StatusOr<MergeRankTable> BuildMergeTable(const std::vector<std::string>& pieces,
                                               const std::vector<PieceMerge>& merges, std::string_view source) {
  absl::flat_hash_map<std::string_view, int32_t> ids;
  ids.reserve(pieces.size());
  for (size_t id = 0; id < pieces.size(); ++id) ids.try_emplace(pieces[id], static_cast<int32_t>(id));
  MergeRankTable table;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    const std::string merged = left + right;
    for (const std::string* piece : {&left, &right, &merged}) {
      if (!ids.contains(*piece)) {
        return absl::InvalidArgumentError(absl::StrCat(std::string(source), ": merge #", rank, " (\"", left, "\" + \"", right,
                                                       "\") uses the piece \"", *piece,
                                                       "\" which is not in the vocabulary; the merge list and "
                                                       "the vocabulary do not belong together"));
      }
    }
    table.Add(ids[left], ids[right], ids[merged], static_cast<int32_t>(rank));
  }
  return table;
}

}  // namespace ttt::tokenizers
