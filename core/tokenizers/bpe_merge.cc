#include "core/tokenizers/bpe_merge.h"

#include <queue>

namespace ttt::tokenizers {
namespace {

struct Candidate {
  double priority;
  int32_t left;   // index of the left symbol; text order, so the smaller is the leftmost
  int32_t right;
  uint32_t right_length;  // to notice that the right symbol grew since this candidate was ranked
  int32_t merged_id;
};

struct LowerPriority {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.left > b.left;
  }
};

}  // namespace

void BpeMerge(std::string_view text, const BpePairRanker& ranker, std::vector<BpeSymbol>* symbols) {
  const int32_t n = static_cast<int32_t>(symbols->size());
  if (n < 2) return;
  std::vector<BpeSymbol>& sym = *symbols;
  std::vector<int32_t> prev(n), next(n);
  for (int32_t i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue;
  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    double priority;
    int32_t merged_id;
    if (ranker.Rank(text, sym[left], sym[right], &priority, &merged_id)) {
      queue.push({priority, left, right, sym[right].length, merged_id});
    }
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i, i + 1);

  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    // A merged-away symbol has length 0; a candidate is stale when either side changed since it was ranked.
    if (sym[c.left].length == 0 || sym[c.right].length == 0 || next[c.left] != c.right ||
        sym[c.right].length != c.right_length) {
      continue;
    }
    sym[c.left].length += sym[c.right].length;
    sym[c.left].id = c.merged_id;
    sym[c.right].length = 0;
    next[c.left] = next[c.right];
    if (next[c.right] >= 0) prev[next[c.right]] = c.left;
    consider(prev[c.left], c.left);
    consider(c.left, next[c.left]);
  }

  size_t kept = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (sym[i].length > 0) sym[kept++] = sym[i];
  }
  sym.resize(kept);
}

namespace {
uint64_t PairKey(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}
}  // namespace

void MergeRankTable::Add(int32_t left, int32_t right, int32_t merged, int32_t rank) {
  merges_.try_emplace(PairKey(left, right), rank, merged);
}

bool MergeRankTable::Rank(std::string_view, const BpeSymbol& left, const BpeSymbol& right, double* priority,
                          int32_t* merged_id) const {
  if (left.id < 0 || right.id < 0) return false;
  auto it = merges_.find(PairKey(left.id, right.id));
  if (it == merges_.end()) return false;
  *priority = -static_cast<double>(it->second.first);
  *merged_id = it->second.second;
  return true;
}

}  // namespace ttt::tokenizers
