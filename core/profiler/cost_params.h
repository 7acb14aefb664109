// The constants of the device cost model (core/profiler/cost_model.h), one set per device family and per
// software stack, never per model. Each constant names its source: tt-metal's tech reports and perf targets
// as summarised in /work/shared/notes/tt-published-perf.md ("perf notes") and tt-numerics.md ("numerics
// notes"), or "FIT" for the few fitted to published rows by `ttt predict --validate` (the fit rows and the
// held-out error are in the README, "Predicting device throughput").
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/hwconfig/proto/device_profile.pb.h"

namespace ttt::profiler {

// What a family's ops cost beyond their bytes and FLOPs.
struct FamilyCosts {
  std::string family;  // "wormhole", "blackhole"
  // Fraction of the DRAM peak a DRAM-sharded decode matmul reaches (weights split over the banks).
  double dram_sharded_fraction = 0;
  // Fraction an interleaved read reaches (prefill matmuls' weights, the KV cache, other ops' tensors).
  double dram_interleaved_fraction = 0;
  // Fraction of the matrix-engine peak a large matmul reaches.
  double matmul_utilisation = 0;
  // Minimum kernel times of a traced decode layer, and the gap between two traced ops.
  double op_gap_s = 0;
  double rope_s = 0;
  double kv_update_s = 0;
  double sdpa_decode_s = 0;
  double min_kernel_s = 0;  // any other op (norms, eltwise, embedding, sampling) in decode
  // DRAM each chip keeps for itself: firmware and dispatch, and the trace region.
  double dram_reserved_bytes = 0;
  double trace_region_bytes = 0;
  // Prompt tokens one prefill chunk runs at most (its activation buffers).
  int64_t prefill_chunk_tokens = 4096;
};

// How a software stack runs the ops: what it adds per op over the kernels' minimum times. tt-transformers
// (models/tt_transformers) dispatches more ops than the minimum layer (typecasts, reshapes, interleaved
// norms) with less tuned configs; the Galaxy Llama-70B demo (models/demos/llama3_70b_galaxy) runs at its
// per-op targets.
struct StackCosts {
  std::string name;                   // "tt-transformers", "galaxy-demo"
  double decode_op_overhead_s = 0;    // per dispatched op of a decode step
  double prefill_op_overhead_s = 0;   // per dispatched op of a prefill
  double prefill_utilisation = 1;     // scales FamilyCosts::matmul_utilisation in prefill
};

// Collective operations over ethernet, from the device profile's link figures.
struct LinkCosts {
  double bytes_per_s = 0;  // payload bandwidth of one link, one direction (after framing)
  double hop_s = 0;        // one hop of the fabric
  int links = 1;           // links a collective drives in parallel between neighbours
};

// The family of a Tenstorrent device profile; an error for the CPU or an unknown arch.
absl::StatusOr<FamilyCosts> CostsForFamily(const hw::DeviceProfile& device);
// "tt-transformers" (default) or "galaxy-demo"; the error names both.
absl::StatusOr<StackCosts> CostsForStack(const std::string& name);
LinkCosts CostsForLinks(const hw::DeviceProfile& device);

}  // namespace ttt::profiler
