// The merge loop shared by every BPE flavour here: repeatedly merge the adjacent pair with the highest
// priority, the leftmost pair first among equals, until no pair may merge. What "may merge" and its
// priority mean is the caller's: the merged piece's score (SentencePiece) or minus the merge rank (HF, GPT-2).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace ttt::tokenizers {

// A run of bytes of the text being tokenized and the token it currently is (kNoToken: not in the vocabulary).
struct BpeSymbol {
  uint32_t start = 0;
  uint32_t length = 0;
  int32_t id = -1;
};

class BpePairRanker {
 public:
  virtual ~BpePairRanker() = default;
  // Whether `left` followed by `right` (adjacent in `text`) merge; if so sets the merged token and its
  // priority (higher merges first).
  virtual bool Rank(std::string_view text, const BpeSymbol& left, const BpeSymbol& right, double* priority,
                    int32_t* merged_id) const = 0;
};

// Merges `symbols` (adjacent, in text order) in place.
void BpeMerge(std::string_view text, const BpePairRanker& ranker, std::vector<BpeSymbol>* symbols);

// An explicit, ordered merge list (HF tokenizer.json, merges.txt, GGUF tokenizer.ggml.merges): the pair of
// tokens (left, right) merges into `merged`, earlier merges first.
class MergeRankTable : public BpePairRanker {
 public:
  // Keeps the first rank when a pair is listed twice, as the reference implementations do.
  void Add(int32_t left, int32_t right, int32_t merged, int32_t rank);
  size_t size() const { return merges_.size(); }
  bool Rank(std::string_view text, const BpeSymbol& left, const BpeSymbol& right, double* priority,
            int32_t* merged_id) const override;

 private:
  absl::flat_hash_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  // (left, right) -> (rank, merged)
};

}  // namespace ttt::tokenizers
