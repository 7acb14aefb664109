// Preallocated key/value cache: for every layer and every sequence slot, room for max_seq_len positions.
// It is never grown by concatenation; a sequence writes its position p into row p of its slot.
//
// Rows are stored in the cache's dtype: f32, bf16 (half the bytes) or bfp8 (16-value blocks along kv_dim
// sharing one exponent, 17 bytes per 16 values; a row is padded to whole blocks, so blocks never span
// positions, though they may span heads when head_dim is not a multiple of 16). Attention reads the rows in
// that dtype (ops::KvRows).
#pragma once

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "core/ops/ops.h"
#include "core/runtime/tensor.h"

namespace ttt {

class KvCache {
 public:
  // `dtype` is f32, bf16 or bfp8 (anything else is a programming error: check with IsSupportedDType first).
  KvCache(int64_t num_layers, int64_t max_batch, int64_t max_seq_len, int64_t kv_dim, DType dtype = DType::kF32);

  static bool IsSupportedDType(DType dtype) {
    return dtype == DType::kF32 || dtype == DType::kBF16 || dtype == DType::kBFP8;
  }

  // f32 caches only: [max_seq_len, kv_dim] rows of one layer and slot.
  float* keys(int64_t layer, int64_t slot) const;
  float* values(int64_t layer, int64_t slot) const;

  // The rows of one layer and slot, in the cache's dtype.
  ops::KvRows key_rows(int64_t layer, int64_t slot) const { return {Slab(keys_, layer, slot), dtype_, row_bytes_}; }
  ops::KvRows value_rows(int64_t layer, int64_t slot) const {
    return {Slab(values_, layer, slot), dtype_, row_bytes_};
  }
  // Starts loading the keys and values of positions [0, count) of one layer and slot (up to
  // kPrefetchBytes of each) into the cache. A decode step calls it before the layer's QKV projection: by
  // then the rows have been evicted by the weights streamed since the previous token, and attention over a
  // short context waits on them one miss at a time (SmolLM-135M, 1-49 positions: sdpa 120 -> 85-100 us per
  // token of ~2 ms). Longer contexts stream their rows at full bandwidth anyway; only their start is fetched.
  void Prefetch(int64_t layer, int64_t slot, int64_t count) const;
  static constexpr int64_t kPrefetchBytes = 32 * 1024;
  // Stores position `pos` (kv_dim f32 values each of k and v), converted to the cache's dtype.
  void Write(int64_t layer, int64_t slot, int64_t pos, const float* k, const float* v);

  // Compaction, for KV-cache policies that evict positions so a sequence can outgrow its context
  // (core/generation/kv_policy.h, CausalLm::CompactKvCache).
  //
  // Moves rows keep[0..n) of `slot` down to rows 0..n-1, keys and values of every layer. Rows are whole
  // `row_bytes()` in any dtype (bfp8 blocks never span rows), so they move byte for byte, unchanged.
  // `keep` must be strictly increasing and below max_seq_len (InvalidArgument otherwise, nothing moved):
  // then keep[i] >= i, and moving in order never overwrites a row still to be moved.
  absl::Status CompactSlot(int64_t slot, absl::Span<const int64_t> keep);
  // Rewrites key rows [first, first + count) of one layer and slot in f32: `edit(rows, n)` gets n rows of
  // kv_dim floats to change in place. An f32 cache passes its own rows (all at once); bf16 and bfp8 caches
  // pass one decoded row at a time and store it back rounded to the cache's dtype, as a fresh Write would.
  void EditKeyRows(int64_t layer, int64_t slot, int64_t first, int64_t count,
                   absl::FunctionRef<void(float* rows, int64_t n)> edit);

  // Work memory of attention over this cache (see ops::AttentionWorkFloats), planned once with the cache
  // so that attention allocates nothing. Empty until PlanAttentionWork.
  void PlanAttentionWork(int64_t floats);
  absl::Span<float> attention_work() const {
    return work_.defined() ? absl::Span<float>(work_.data<float>(), work_.numel()) : absl::Span<float>();
  }

  int64_t num_layers() const { return num_layers_; }
  int64_t max_batch() const { return max_batch_; }
  int64_t max_seq_len() const { return max_seq_len_; }
  int64_t kv_dim() const { return kv_dim_; }
  DType dtype() const { return dtype_; }
  int64_t row_bytes() const { return row_bytes_; }
  // Bytes of keys and values (not the attention work).
  size_t bytes() const { return keys_.nbytes() + values_.nbytes(); }

 private:
  char* Slab(const Tensor& t, int64_t layer, int64_t slot) const {
    return t.data<char>() + ((layer * max_batch_ + slot) * max_seq_len_) * row_bytes_;
  }
  int64_t num_layers_, max_batch_, max_seq_len_, kv_dim_;
  DType dtype_;
  int64_t row_bytes_;
  Tensor keys_;    // [layers, batch, seq, kv_dim] of dtype_
  Tensor values_;
  Tensor work_;    // f32 attention work
};

}  // namespace ttt
