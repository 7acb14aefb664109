// The memory an inference session needs, computed from the shapes known when the session is made (batch,
// context, prefill chunk, KV-cache dtype) and the model spec, before anything is allocated. CausalLm::NewState
// allocates exactly these buffers once; decoding then allocates nothing.
#pragma once

#include <cstdint>
#include <string>

#include "core/runtime/dtype.h"

namespace ttt {

struct MemoryPlan {
  int64_t max_batch = 0;
  int64_t max_seq_len = 0;
  int64_t chunk = 0;  // rows of the activation buffers: max(prefill chunk, batch)
  DType kv_cache_dtype = DType::kF32;

  int64_t kv_cache_bytes = 0;        // keys + values, all layers and slots, in kv_cache_dtype
  int64_t activation_bytes = 0;      // residual + normed, [chunk, hidden] f32 each
  int64_t layer_scratch_bytes = 0;   // the largest layer's scratch for `chunk` rows
  int64_t attention_work_bytes = 0;  // per-thread attention scores (and decoded K/V for bf16/bfp8 caches)
  int64_t position_bytes = 0;        // int32 positions of a chunk
  int64_t tensor_parallel_bytes = 0;  // a tensor-parallel rank's head slice, gathered slices and logits sink

  int64_t total_bytes() const {
    return kv_cache_bytes + activation_bytes + layer_scratch_bytes + attention_work_bytes + position_bytes +
           tensor_parallel_bytes;
  }
  // One line per buffer, for `ttt` output and logs.
  std::string DebugString() const;
};

}  // namespace ttt
