// What one chip of a device holds for a model under its tensor-parallel plan: DRAM after what firmware,
// dispatch and the trace region reserve; the chip's share of the weights (split ops 1/chips, the rest
// replicated); its KV heads' cache for every user and position, in the cache's format; the working
// buffers of one prefill chunk. Checked per chip, never pooled across chips.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/hwconfig/resolve.h"
#include "core/profiler/cost_params.h"
#include "core/hwconfig/tensor_parallel.h"

namespace ttt::profiler {

struct ChipCapacity {
  double dram = 0, reserved = 0;          // reserved: firmware, dispatch and the trace region
  double weights = 0, kv_cache = 0, prefill_buffers = 0;
  double kv_per_position = 0;             // every user's K and V of one position, all layers
  int64_t largest_context = 0;            // the longest context that fits, a multiple of 32 (0: none)
  double used() const { return reserved + weights + kv_cache + prefill_buffers; }
  bool fits() const { return used() <= dram; }
};

ChipCapacity CapacityPerChip(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config,
                             const TensorParallelPlan& plan, const FamilyCosts& family, int64_t batch,
                             int64_t context);

// OK, or FailedPrecondition naming the chip's bytes and the largest context that fits.
absl::Status CheckCapacity(const ChipCapacity& capacity, const std::string& device, int64_t batch, int64_t context);

}  // namespace ttt::profiler
