// ttt probe: the profile of this machine's CPU, or of an embedded device profile, or a table of all devices.
#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/hwconfig/device_registry.h"
#include "core/runtime/cpu_features.h"
#include "core/runtime/openblas_setup.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"
#include "core/specs/text_format.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

// The matmul peak a table shows: LoFi for Tenstorrent (the headline figure), F32 GEMM for a CPU.
double HeadlinePeak(const hw::ChipProfile& chip, hw::MathFidelity* fidelity) {
  double best = 0;
  *fidelity = hw::MATH_FIDELITY_UNSPECIFIED;
  for (const hw::ComputePeak& peak : chip.matmul_peaks()) {
    if (peak.flop_per_s() > best) {
      best = peak.flop_per_s();
      *fidelity = peak.fidelity();
    }
  }
  return best;
}

// One line per device; figures are device totals (per-chip figure x num_chips).
std::string ListLine(const hw::DeviceProfile& p) {
  const hw::ChipProfile& chip = p.chip();
  const uint64_t chips = p.num_chips();
  const uint64_t cores = chips * chip.compute_grid().x() * chip.compute_grid().y();
  std::string bandwidth = chip.dram_bandwidth_bytes_per_s() > 0
                              ? absl::StrFormat("%7.0f GB/s", chips * chip.dram_bandwidth_bytes_per_s() / 1e9)
                              : std::string("  (--measure)");
  hw::MathFidelity fidelity;
  const double peak = HeadlinePeak(chip, &fidelity);
  std::string peak_text = "(--measure)";
  if (peak > 0) {
    peak_text = absl::StrFormat("%.1f TFLOP/s %s", chips * peak / 1e12,
                                fidelity != hw::MATH_FIDELITY_UNSPECIFIED ? hw::MathFidelity_Name(fidelity)
                                                                          : std::string("F32"));
  }
  return absl::StrFormat("%-6s %-22s %3d chip%s (%dx%d) %6d cores %8.1f GiB %s  %s", p.name(),
                         hw::DeviceKind_Name(p.kind()), chips, chips == 1 ? " " : "s", p.mesh().rows(), p.mesh().cols(), cores,
                         chips * chip.dram_bytes() / double(uint64_t{1} << 30), bandwidth, peak_text);
}

absl::StatusOr<hw::DeviceProfile> Profile(const std::string& name, bool measure) {
  if (name == "cpu" && measure) {
    hw::DeviceProfile profile = ProbeCpu(/*measure=*/true);
    TTT_RETURN_IF_ERROR(ValidateDeviceProfile(profile));
    return profile;
  }
  if (measure) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--measure measures this machine, so it applies to --device cpu only, not '", name, "'"));
  }
  return GetDeviceProfile(name);
}

absl::Status RunProbe(const Args& args) {
  const bool measure = args.Has("measure"), list = args.Has("list");
  const std::string device = args.Get("device");
  long long threads = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("threads", &threads));
  SetNumThreads(static_cast<int>(threads));

  if (list) {
    for (const std::string& name : DeviceNames()) {
      TTT_ASSIGN_OR_RETURN(hw::DeviceProfile profile, Profile(name, measure && name == "cpu"));
      std::cout << ListLine(profile) << "\n";
    }
    return absl::OkStatus();
  }
  TTT_ASSIGN_OR_RETURN(hw::DeviceProfile profile, Profile(device, measure));
  std::cout << "# proto-message: ttt.hw.DeviceProfile (core/hwconfig/proto/device_profile.proto)\n"
            << ToTextProto(profile);
  // The kernel set main() selected in-process (core/runtime/openblas_setup.h), as OpenBLAS reports it.
  if (device == "cpu") {
    std::cout << "# openblas kernels: " << OpenBlasCoreName() << " for " << IsaName(BestIsa()) << "\n";
  }
  return absl::OkStatus();
}

TTT_COMMAND({"probe", "show this machine's CPU profile, or a device's profile",
             Flags({{{"--device", "an embedded device profile (cpu: this machine, probed; n150, n300, t3k, tg, p150)",
                      "cpu"},
                     {"--measure", "also measure the CPU's memory bandwidth and f32 GEMM peak (a few seconds)", "",
                      FlagKind::kSwitch},
                     {"--list", "one line per device: chips, cores, DRAM, DRAM bandwidth, matmul peak", "",
                      FlagKind::kSwitch}},
                    ThreadsFlag()}),
             RunProbe});

}  // namespace
}  // namespace ttt::cli
