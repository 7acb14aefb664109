// The profile of the host CPU, read from the OS (and optionally measured) at run time.
#pragma once

#include "core/hwconfig/proto/device_profile.pb.h"

namespace ttt {

// Starts from the embedded hwconfig/devices/cpu.textproto (name, kind) and fills in physical cores and
// logical threads, ISA features and the kernel set in use, cpu0's caches, host memory and the CPU model.
// With `measure`, also the memory read bandwidth and f32 GEMM peak with NumThreads() threads (about
// a second or two of work; see core/ops/machine_limits.h).
hw::DeviceProfile ProbeCpu(bool measure);

// Fills the probed fields of `profile` (any CPU-kind profile) the way ProbeCpu does.
void ProbeCpuInto(bool measure, hw::DeviceProfile* profile);

}  // namespace ttt
