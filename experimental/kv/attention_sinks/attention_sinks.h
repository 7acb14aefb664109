// Attention sinks (Xiao et al., "Efficient Streaming Language Models with Attention Sinks", StreamingLLM) as a
// KV-cache policy: when a sequence fills its cache, keep the first `sink_tokens` positions (the "sinks" that
// soak up attention a model puts on the start of its input) and the most recent ones, evict the middle, and
// go on decoding in the same memory, past the context. The generation loop applies the policy
// (GenerationOptions::kv_policy); the core compacts the cache and re-rotates the kept RoPE keys to their new
// positions (CausalLm::CompactKvCache), as StreamingLLM's cache positions and llama.cpp's context shift do.
//
// Eviction is by chunks, not per token: each compaction moves every kept row of every layer, so freeing one
// row per token would cost a cache copy per token. By default half of the non-sink rows go at once (as
// llama.cpp's --keep/context shift): the cache then holds between half and all of its rows. A `window`
// keeps that many recent rows instead (window = capacity - sinks - 1 is StreamingLLM's exact rolling window,
// at a compaction per token).
//
// Experimental: models with learned absolute positions (GPT-2) are refused (their cache cannot shift); a
// prompt must still fit the context.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/generation/kv_policy.h"

namespace ttt::experimental {

struct EvictionPlan {
  std::vector<int64_t> keep;  // cache rows to keep, in order; they are compacted to rows 0..keep.size()-1
};

// Which of `length` cached positions to keep so that at most `capacity` remain, sinks first.
EvictionPlan PlanSinkEviction(int64_t length, int64_t capacity, int64_t sink_tokens);

class AttentionSinksPolicy final : public KvPolicy {
 public:
  // `window` 0: keep the recent half of the non-sink rows at each eviction.
  explicit AttentionSinksPolicy(int64_t sink_tokens, int64_t window = 0)
      : sink_tokens_(sink_tokens), window_(window) {}

  // "sinks:N" or "sinks:N,window:W" (the command line's --kv-policy).
  static absl::StatusOr<std::shared_ptr<const AttentionSinksPolicy>> Parse(absl::string_view text);

  std::string Describe() const override;
  // The cache must leave room to evict: sinks + window (or sinks + 1) < capacity.
  absl::Status Check(int64_t capacity) const override;
  std::vector<int64_t> RowsToKeep(int64_t length, int64_t capacity) const override;

  int64_t sink_tokens() const { return sink_tokens_; }
  int64_t window() const { return window_; }
  // Recent rows kept besides the sinks when a cache of `capacity` rows is full.
  int64_t RecentRowsKept(int64_t capacity) const;

 private:
  int64_t sink_tokens_;
  int64_t window_;
};

}  // namespace ttt::experimental
