// Checks that a device profile is complete and self-consistent before anything sizes or costs against it.
#pragma once

#include "absl/status/status.h"
#include "core/hwconfig/proto/device_profile.pb.h"

namespace ttt {

// OK, or InvalidArgument naming the profile, the field (e.g. "chip.l1_bytes_per_core") and the fix.
// Rules: a name and a kind; num_chips >= 1 and mesh.rows * mesh.cols == num_chips; Tenstorrent chips
// need a compute grid, L1, DRAM (banks * bank size == size when both are given), DRAM bandwidth, clock,
// one positive matmul peak per fidelity (each no faster than the one with fewer phases), dtypes and
// fidelities, and multi-chip devices an ethernet link bandwidth; a CPU needs its probed cores, threads
// and memory, and its measured figures only when it says it was measured.
absl::Status ValidateDeviceProfile(const hw::DeviceProfile& profile);

}  // namespace ttt
