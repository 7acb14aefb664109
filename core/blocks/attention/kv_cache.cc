#include "core/blocks/attention/kv_cache.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
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

absl::Status KvCache::CompactSlot(int64_t slot, absl::Span<const int64_t> keep) {
  if (slot < 0 || slot >= max_batch_) {
    return absl::OutOfRangeError(absl::StrCat("KV-cache compaction: slot ", slot, " is outside the cache's batch of ",
                                              max_batch_));
  }
  for (size_t i = 0; i < keep.size(); ++i) {
    const int64_t previous = i == 0 ? -1 : keep[i - 1];
    if (keep[i] <= previous || keep[i] >= max_seq_len_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "KV-cache compaction: kept row ", keep[i], " at index ", i, " is ",
          keep[i] >= max_seq_len_ ? absl::StrCat("past the cache's ", max_seq_len_, " rows")
                                  : absl::StrCat("not after the previous kept row ", previous),
          ": list the rows to keep in increasing order, each once"));
    }
  }
  // Runs of consecutive kept rows move with one memmove (a sinks policy keeps two runs).
  for (const Tensor* t : {&keys_, &values_}) {
    for (int64_t layer = 0; layer < num_layers_; ++layer) {
      char* base = Slab(*t, layer, slot);
      for (size_t i = 0; i < keep.size();) {
        size_t end = i + 1;
        while (end < keep.size() && keep[end] == keep[end - 1] + 1) ++end;
        if (keep[i] != static_cast<int64_t>(i)) {
          std::memmove(base + i * row_bytes_, base + keep[i] * row_bytes_, (end - i) * row_bytes_);
        }
        i = end;
      }
    }
  }
  return absl::OkStatus();
}

void KvCache::EditKeyRows(int64_t layer, int64_t slot, int64_t first, int64_t count,
                          absl::FunctionRef<void(float* rows, int64_t n)> edit) {
  TTT_CHECK(first >= 0 && count >= 0 && first + count <= max_seq_len_)
      << "key rows [" << first << ", " << first + count << ") outside the cache's " << max_seq_len_;
  char* rows = Slab(keys_, layer, slot) + first * row_bytes_;
  if (dtype_ == DType::kF32) {
    if (count > 0) edit(reinterpret_cast<float*>(rows), count);
    return;
  }
  std::vector<float> row(static_cast<size_t>(kv_dim_));  // compaction is rare: not on the allocation-free path
  for (int64_t r = 0; r < count; ++r, rows += row_bytes_) {
    ConvertToF32(rows, kv_dim_, dtype_, row.data());
    edit(row.data(), 1);
    ConvertFromF32(row.data(), kv_dim_, dtype_, rows);
  }
}

void KvCache::PlanAttentionWork(int64_t floats) {
  if (floats > 0 && (!work_.defined() || work_.numel() < floats)) work_ = Tensor::Empty(DType::kF32, {floats});
}

}  // namespace ttt
