// Preallocated key/value cache: for every layer and every sequence slot, room for max_seq_len positions.
// It is never grown by concatenation; a sequence writes its position p into row p of its slot.
#pragma once

#include <cstdint>

#include "core/runtime/tensor.h"

namespace ttt {

class KvCache {
 public:
  KvCache(int64_t num_layers, int64_t max_batch, int64_t max_seq_len, int64_t kv_dim);

  // [max_seq_len, kv_dim] rows of one layer and slot.
  float* keys(int64_t layer, int64_t slot) const { return Slab(keys_, layer, slot); }
  float* values(int64_t layer, int64_t slot) const { return Slab(values_, layer, slot); }

  int64_t num_layers() const { return num_layers_; }
  int64_t max_batch() const { return max_batch_; }
  int64_t max_seq_len() const { return max_seq_len_; }
  int64_t kv_dim() const { return kv_dim_; }
  size_t bytes() const { return keys_.nbytes() + values_.nbytes(); }

 private:
  float* Slab(const Tensor& t, int64_t layer, int64_t slot) const {
    return t.data<float>() + ((layer * max_batch_ + slot) * max_seq_len_) * kv_dim_;
  }
  int64_t num_layers_, max_batch_, max_seq_len_, kv_dim_;
  Tensor keys_;    // [layers, batch, seq, kv_dim]
  Tensor values_;
};

}  // namespace ttt
