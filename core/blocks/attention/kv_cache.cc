#include "core/blocks/attention/kv_cache.h"

namespace ttt {

KvCache::KvCache(int64_t num_layers, int64_t max_batch, int64_t max_seq_len, int64_t kv_dim)
    : num_layers_(num_layers),
      max_batch_(max_batch),
      max_seq_len_(max_seq_len),
      kv_dim_(kv_dim),
      keys_(Tensor::Empty(DType::kF32, {num_layers, max_batch, max_seq_len, kv_dim})),
      values_(Tensor::Empty(DType::kF32, {num_layers, max_batch, max_seq_len, kv_dim})) {}

}  // namespace ttt
