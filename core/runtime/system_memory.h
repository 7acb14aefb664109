// How much memory this process could still take without pushing others out: used to decide whether a
// model's mapped weights may be copied into private memory (CausalLm::PackDecodeWeights).
#pragma once

#include <cstdint>

namespace ttt {

// MemAvailable of /proc/meminfo (free memory plus page cache the kernel can reclaim), or, where that file is
// missing, the free physical pages; 0 when neither is known.
int64_t AvailableMemoryBytes();

}  // namespace ttt
