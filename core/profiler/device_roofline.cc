#include "core/profiler/device_roofline.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/hwconfig/device_registry.h"
#include "core/runtime/status.h"

namespace ttt::profiler {

absl::StatusOr<DeviceModel> LoadDeviceModel(const std::string& device, const std::string& fidelity) {
  TTT_ASSIGN_OR_RETURN(hw::DeviceProfile profile, GetDeviceProfile(device));
  if (profile.kind() == hw::CPU) {
    return absl::InvalidArgumentError(absl::StrCat("--device ", device, " is the CPU, which the profile measures; "
                                                   "name a Tenstorrent device (ttt probe --list)"));
  }
  const std::string f = absl::AsciiStrToLower(fidelity);
  int phases = f == "lofi" ? 1 : f == "hifi2" ? 2 : f == "hifi3" ? 3 : f == "hifi4" ? 4 : 0;
  if (phases == 0) {
    return absl::InvalidArgumentError(absl::StrCat("--fidelity ", fidelity, ": use lofi, hifi2, hifi3 or hifi4"));
  }
  DeviceModel m;
  m.name = profile.name();
  m.fidelity_phases = phases;
  const hw::ChipProfile& chip = profile.chip();
  const double achievable = chip.dram_achievable_fraction() > 0 ? chip.dram_achievable_fraction() : 1.0;
  m.dram_bandwidth = chip.dram_bandwidth_bytes_per_s() * achievable;
  for (const hw::ComputePeak& p : chip.matmul_peaks()) {
    const int n = static_cast<int>(p.fidelity());  // LOFI = 1 ... HIFI4 = 4
    if (n >= 1 && n <= 4) m.peaks[n] = p.flop_per_s();
  }
  if (m.dram_bandwidth <= 0 || m.peak(phases) <= 0) {
    return absl::FailedPreconditionError(absl::StrCat("device profile ", device, " has no DRAM bandwidth or no matmul "
                                                      "peak at ", fidelity, ": see hwconfig/devices/", device,
                                                      ".textproto"));
  }
  return m;
}

DeviceEstimate EstimateOnDevice(const Stats& op, const DeviceModel& device, int fidelity_phases) {
  const double activation_bytes = std::max(0.0, op.bytes - op.weight_bytes) / 2;  // f32 on the CPU, bf16 here
  const double bandwidth_s = (op.weight_bytes + activation_bytes) / device.dram_bandwidth;
  const bool matmul = op.weight_bytes > 0 || op.name == "sdpa";
  const double peak = device.peak(fidelity_phases);
  const double compute_s = matmul && peak > 0 ? op.flops / peak : 0;
  return {std::max(bandwidth_s, compute_s), bandwidth_s >= compute_s};
}

DeviceEstimate EstimateOnDevice(const Stats& op, const DeviceModel& device) {
  return EstimateOnDevice(op, device, device.fidelity_phases);
}

}  // namespace ttt::profiler
