// CausalLm's KV-cache compaction: the core half of KV-cache policies (core/generation/kv_policy.h). The
// policy chooses which rows to keep; this moves them and fixes what their move changes, which is only the
// RoPE rotation of the keys: values, and keys without RoPE, do not depend on their position once computed.
#include "absl/strings/str_cat.h"
#include "core/blocks/rope/rope.h"
#include "core/patterns/causal_lm.h"
#include "core/patterns/tensor_parallel_lm.h"
#include "core/runtime/status.h"

namespace ttt {

absl::Status CausalLm::CheckKvCompaction() const {
  if (positions_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "model '", spec_->name(), "' adds learned absolute positions to its token embeddings (as GPT-2 does), so "
        "every cached key and value depends on the position it was computed at and none can move to another: its "
        "KV cache cannot be compacted. Generate within its context of ", spec_->max_seq_len(),
        " tokens, or use a model with RoPE or ALiBi"));
  }
  return absl::OkStatus();
}

absl::Status CausalLm::CompactKvCache(InferenceState& state, int64_t slot, absl::Span<const int64_t> keep) const {
  TTT_RETURN_IF_ERROR(CheckKvCompaction());
  if (slot < 0 || slot >= state.max_batch()) {
    return absl::OutOfRangeError(absl::StrCat("KV-cache compaction: sequence slot ", slot,
                                              " is outside the state's batch of ", state.max_batch()));
  }
  const int64_t length = state.lengths_[slot];
  if (!keep.empty() && keep.back() >= length) {
    return absl::InvalidArgumentError(absl::StrCat("KV-cache compaction: kept row ", keep.back(),
                                                   " is past the ", length, " tokens of sequence ", slot,
                                                   ": keep only rows below the sequence's length"));
  }
  TTT_RETURN_IF_ERROR(state.cache_.CompactSlot(slot, keep));
  // A key rotated at its old position keep[i] moves to position i: rotating it by i - keep[i] more gives the
  // key rotated at i (angles add), as llama.cpp's K-shift does. Runs of equal shift share one angle table.
  for (int64_t l = 0; l < num_layers(); ++l) {
    const spec::AttentionSpec& attention = layers_[l]->attention().spec();
    if (!attention.use_rope()) continue;
    const Rope rope(attention.rope(), attention.max_seq_len(), /*table_rows=*/0);  // only its frequencies are used
    for (size_t i = 0; i < keep.size();) {
      const int64_t delta = static_cast<int64_t>(i) - keep[i];
      size_t end = i + 1;
      while (end < keep.size() && static_cast<int64_t>(end) - keep[end] == delta) ++end;
      if (delta != 0) {
        auto rotate = [&](float* rows, int64_t n) { rope.RotateBy(rows, n, attention.num_kv_heads(), delta); };
        state.cache_.EditKeyRows(l, slot, static_cast<int64_t>(i), static_cast<int64_t>(end - i), rotate);
      }
      i = end;
    }
  }
  state.lengths_[slot] = static_cast<int64_t>(keep.size());
  if (tp_ != nullptr) {  // every in-process rank caches its own KV heads
    for (size_t r = 0; r < tp_->peers.size(); ++r) {
      TTT_RETURN_IF_ERROR(tp_->peers[r]->CompactKvCache(*state.peers_[r], slot, keep));
    }
  }
  return absl::OkStatus();
}

}  // namespace ttt
