#include "core/patterns/memory_plan.h"

#include "absl/strings/str_cat.h"

namespace ttt {

std::string MemoryPlan::DebugString() const {
  auto mib = [](int64_t bytes) { return absl::StrCat(bytes, " bytes (", bytes / (1024.0 * 1024.0), " MiB)"); };
  return absl::StrCat("memory plan: batch ", max_batch, ", context ", max_seq_len, ", chunk ", chunk,
                      ", KV cache ", DTypeName(kv_cache_dtype), "\n  kv cache:        ", mib(kv_cache_bytes),
                      "\n  activations:     ", mib(activation_bytes), "\n  layer scratch:   ",
                      mib(layer_scratch_bytes), "\n  attention work:  ", mib(attention_work_bytes),
                      "\n  positions:       ", mib(position_bytes),
                      tensor_parallel_bytes > 0 ? absl::StrCat("\n  tensor parallel: ", mib(tensor_parallel_bytes)) : "",
                      "\n  total:           ", mib(total_bytes()),
                      "\n");
}

}  // namespace ttt
