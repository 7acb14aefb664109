// Which keys a query may attend to (causal mask, sliding window): shared by the CPU attention and the
// emulated Tenstorrent attention so both mask identically.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/ops/ops.h"

namespace ttt::ops::internal {

// Keys visible to the query at position `pos`: [begin, end).
struct KeyRange {
  int64_t begin;
  int64_t end;
};

inline KeyRange VisibleKeys(int64_t pos, int64_t kv_len, const AttentionParams& p) {
  int64_t begin = 0;
  int64_t end = p.causal ? std::min(pos + 1, kv_len) : kv_len;
  if (p.sliding_window > 0) {
    begin = std::max<int64_t>(0, pos - p.sliding_window + 1);
    if (!p.causal) end = std::min(kv_len, pos + p.sliding_window);
  }
  return {begin, std::max(begin, end)};
}

}  // namespace ttt::ops::internal
