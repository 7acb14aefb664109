// What generation does when a sequence's KV cache is full. Without a policy (GenerationOptions::kv_policy
// null) the sequence stops there (StopReason::kContextFull). A policy instead names the cache rows to keep;
// the model compacts the sequence onto them (CausalLm::CompactKvCache: kept rows move to the front, RoPE
// keys are re-rotated to their new positions) and decoding goes on in the same memory, past the context.
//
// The interface is generic so that the core generation loop knows no particular policy; policies live in
// any tier (attention sinks: experimental/kv/attention_sinks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace ttt {

class KvPolicy {
 public:
  virtual ~KvPolicy() = default;

  // How the policy is named in messages and by the command line ("sinks:4").
  virtual std::string Describe() const = 0;
  // Called once before generating into caches of `capacity` rows per sequence: an error (saying what
  // capacity or setting would work) stops generation before any token.
  virtual absl::Status Check(int64_t capacity) const = 0;
  // Called when a sequence fills its cache (`length` == `capacity` rows): the rows to keep, strictly
  // increasing, below `length`. Keeping every row ends the sequence as without a policy. A policy should
  // free many rows at once: each compaction moves every kept row of every layer.
  virtual std::vector<int64_t> RowsToKeep(int64_t length, int64_t capacity) const = 0;
};

}  // namespace ttt
