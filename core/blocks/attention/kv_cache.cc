#include "core/blocks/attention/kv_cache.h"

#include <algorithm>

#include "core/runtime/check.h"

namespace ttt {

KvCache::KvCache(int64_t num_layers, int64_t max_batch, int64_t max_seq_len, int64_t kv_dim, DType dtype)
    : num_layers_(num_layers),
      max_batch_(max_batch),
      max_seq_len_(max_seq_len),
      kv_dim_(kv_dim),
      dtype_(dtype),
      row_bytes_(static_cast<int64_t>(StorageBytes(dtype, kv_dim))) {
  TTT_CHECK(IsSupportedDType(dtype)) << "KV cache dtype must be f32, bf16 or bfp8, not " << DTypeName(dtype);
  keys_ = Tensor::Empty(dtype, {num_layers, max_batch, max_seq_len, kv_dim});
  values_ = Tensor::Empty(dtype, {num_layers, max_batch, max_seq_len, kv_dim});
  TTT_CHECK(keys_.nbytes() == static_cast<size_t>(num_layers * max_batch * max_seq_len * row_bytes_));
}

float* KvCache::keys(int64_t layer, int64_t slot) const {
  TTT_CHECK(dtype_ == DType::kF32) << "KvCache::keys() is for f32 caches; use key_rows()";
  return reinterpret_cast<float*>(Slab(keys_, layer, slot));
}

float* KvCache::values(int64_t layer, int64_t slot) const {
  TTT_CHECK(dtype_ == DType::kF32) << "KvCache::values() is for f32 caches; use value_rows()";
  return reinterpret_cast<float*>(Slab(values_, layer, slot));
}

void KvCache::Prefetch(int64_t layer, int64_t slot, int64_t count) const {
  const int64_t bytes = std::min(count * row_bytes_, kPrefetchBytes);
  const char* k = Slab(keys_, layer, slot);
  const char* v = Slab(values_, layer, slot);
  for (int64_t offset = 0; offset < bytes; offset += 64) {
    __builtin_prefetch(k + offset, 0, 3);
    __builtin_prefetch(v + offset, 0, 3);
  }
}

void KvCache::Write(int64_t layer, int64_t slot, int64_t pos, const float* k, const float* v) {
  ConvertFromF32(k, kv_dim_, dtype_, Slab(keys_, layer, slot) + pos * row_bytes_);
  ConvertFromF32(v, kv_dim_, dtype_, Slab(values_, layer, slot) + pos * row_bytes_);
}

void KvCache::PlanAttentionWork(int64_t floats) {
  if (floats > 0 && (!work_.defined() || work_.numel() < floats)) work_ = Tensor::Empty(DType::kF32, {floats});
}

}  // namespace ttt
