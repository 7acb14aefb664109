// Roofline estimate of the measured ops on a Tenstorrent device from its profile, after tt-metal's op
// performance model (notes /work/shared/notes/tt-numerics.md §5.1): time = max(compute, bandwidth), with
// compute = FLOPs / matmul peak at the math fidelity (matmuls and SDPA only; other ops are bandwidth-only,
// as ops without a model are in tt-metal) and bandwidth = bytes / (DRAM bandwidth x achievable fraction).
// Activations are counted as BF16 on the device (half their f32 bytes on the CPU); weights keep their
// format. One chip: tensor parallelism over a multi-chip mesh is not modelled.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/profiler/profile.h"

namespace ttt::profiler {

struct DeviceModel {
  std::string name;
  double dram_bandwidth = 0;  // bytes/s, achievable
  double peaks[5] = {0, 0, 0, 0, 0};  // matmul FLOP/s by fidelity phases: [1] LoFi, [2] HiFi2, [3], [4] HiFi4
  int fidelity_phases = 2;  // the fidelity the estimate assumes
  double peak(int phases) const { return phases >= 1 && phases <= 4 ? peaks[phases] : 0; }
};

// From the device profile registry (core/hwconfig/device_registry.h); `fidelity` "lofi", "hifi2", "hifi4".
absl::StatusOr<DeviceModel> LoadDeviceModel(const std::string& device, const std::string& fidelity);

struct DeviceEstimate {
  double seconds = 0;
  bool memory_bound = true;
};
// `op` as summed over a phase; matmul-like ops are those with weights, and "sdpa".
DeviceEstimate EstimateOnDevice(const Stats& op, const DeviceModel& device, int fidelity_phases);
DeviceEstimate EstimateOnDevice(const Stats& op, const DeviceModel& device);

}  // namespace ttt::profiler
