// Attention sinks (Xiao et al., "Efficient Streaming Language Models with Attention Sinks"): when a
// sequence outgrows its cache, keep the first `sink_tokens` positions and the most recent ones, and evict
// the middle. Experimental: the eviction plan is computed here; the KV cache does not use it yet.
#pragma once

#include <cstdint>
#include <vector>

namespace ttt::experimental {

struct EvictionPlan {
  std::vector<int64_t> keep;  // cache rows to keep, in order; they are compacted to rows 0..keep.size()-1
};

// Which of `length` cached positions to keep so that at most `capacity` remain, sinks first.
EvictionPlan PlanSinkEviction(int64_t length, int64_t capacity, int64_t sink_tokens);

}  // namespace ttt::experimental
