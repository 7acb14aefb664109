#include "core/hwconfig/device_validation.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt {
namespace {

using hw::DeviceProfile;

// "device profile 'n150': chip.l1_bytes_per_core is 0; set it to ..."
absl::Status Invalid(const DeviceProfile& p, absl::string_view field, absl::string_view problem,
                     absl::string_view fix) {
  return absl::InvalidArgumentError(
      absl::StrCat("device profile '", p.name(), "': ", field, " ", problem, "; ", fix));
}

bool Positive(double x) { return std::isfinite(x) && x > 0; }

absl::Status CheckIdentity(const DeviceProfile& p) {
  if (p.name().empty()) return Invalid(p, "name", "is empty", "set name to a lower-case id such as \"n150\"");
  for (char c : p.name()) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return Invalid(p, "name", "has a character other than a-z, 0-9 or '_'",
                     "use a lower-case id such as \"n150\" (it is typed on command lines and in configs)");
    }
  }
  if (p.kind() == hw::DEVICE_KIND_UNSPECIFIED) {
    return Invalid(p, "kind", "is not set", "set kind to CPU, TENSTORRENT_WORMHOLE or TENSTORRENT_BLACKHOLE");
  }
  return absl::OkStatus();
}

absl::Status CheckMesh(const DeviceProfile& p) {
  if (p.num_chips() == 0) {
    return Invalid(p, "num_chips", "is 0", "set it to the number of chips (1 for a single-chip card)");
  }
  if (p.mesh().rows() == 0 || p.mesh().cols() == 0) {
    return Invalid(p, "mesh", absl::StrCat("is ", p.mesh().rows(), "x", p.mesh().cols()),
                   "set both mesh.rows and mesh.cols (mesh { rows: 1 cols: 1 } for one chip)");
  }
  if (uint64_t{p.mesh().rows()} * p.mesh().cols() != p.num_chips()) {
    return Invalid(p, "mesh",
                   absl::StrCat("is ", p.mesh().rows(), "x", p.mesh().cols(), " = ",
                                uint64_t{p.mesh().rows()} * p.mesh().cols(), " chips but num_chips is ",
                                p.num_chips()),
                   "make mesh.rows x mesh.cols equal num_chips");
  }
  if (p.host_attached_chips() > p.num_chips()) {
    return Invalid(p, "host_attached_chips", absl::StrCat("(", p.host_attached_chips(), ") exceeds num_chips (",
                                                          p.num_chips(), ")"),
                   "count only chips with their own host link, or leave it 0 if not known");
  }
  return absl::OkStatus();
}

absl::Status CheckDTypes(const DeviceProfile& p, absl::string_view field,
                         const google::protobuf::RepeatedField<int>& dtypes) {
  if (dtypes.empty()) {
    return Invalid(p, field, "is empty", "list the formats the device supports, e.g. [BF16, F32]");
  }
  for (int i = 0; i < dtypes.size(); ++i) {
    if (dtypes[i] == hw::DTYPE_UNSPECIFIED) {
      return Invalid(p, absl::StrCat(field, "[", i, "]"), "is DTYPE_UNSPECIFIED",
                     "name a format: F32, BF16, F16, BFP8, BFP4 or INT8");
    }
  }
  return absl::OkStatus();
}

// Chip facts every kind shares.
absl::Status CheckChipCommon(const DeviceProfile& p) {
  const hw::ChipProfile& c = p.chip();
  if (c.compute_grid().x() == 0 || c.compute_grid().y() == 0) {
    return Invalid(p, "chip.compute_grid", absl::StrCat("is ", c.compute_grid().x(), "x", c.compute_grid().y()),
                   "give the cores ops may use as compute_grid { x: COLUMNS y: ROWS }");
  }
  if (c.dram_bytes() == 0) {
    return Invalid(p, "chip.dram_bytes", "is 0", "set the memory of one chip in bytes");
  }
  if (c.dram_banks() != 0 && c.dram_bank_bytes() != 0 &&
      uint64_t{c.dram_banks()} * c.dram_bank_bytes() != c.dram_bytes()) {
    return Invalid(p, "chip.dram_bytes",
                   absl::StrCat("(", c.dram_bytes(), ") is not dram_banks x dram_bank_bytes (", c.dram_banks(),
                                " x ", c.dram_bank_bytes(), " = ", uint64_t{c.dram_banks()} * c.dram_bank_bytes(),
                                ")"),
                   "correct one of the three, or leave the bank fields 0");
  }
  if (c.dram_achievable_fraction() < 0 || c.dram_achievable_fraction() > 1 ||
      std::isnan(c.dram_achievable_fraction())) {
    return Invalid(p, "chip.dram_achievable_fraction", absl::StrCat("is ", c.dram_achievable_fraction()),
                   "give a fraction in (0, 1], or 0 if not known");
  }
  for (int i = 0; i < c.matmul_peaks_size(); ++i) {
    if (!Positive(c.matmul_peaks(i).flop_per_s())) {
      return Invalid(p, absl::StrCat("chip.matmul_peaks[", i, "].flop_per_s"),
                     absl::StrCat("is ", c.matmul_peaks(i).flop_per_s()), "give a positive FLOP/s per chip");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTenstorrentChip(const DeviceProfile& p) {
  const hw::ChipProfile& c = p.chip();
  if (p.has_cpu()) return Invalid(p, "cpu", "is set on a Tenstorrent profile", "remove the cpu section");
  const uint64_t grid = uint64_t{c.compute_grid().x()} * c.compute_grid().y();
  if (c.tensix_cores_enabled() != 0 && c.tensix_cores_enabled() < grid) {
    return Invalid(p, "chip.tensix_cores_enabled",
                   absl::StrCat("(", c.tensix_cores_enabled(), ") is smaller than compute_grid ", c.compute_grid().x(),
                                "x", c.compute_grid().y(), " = ", grid),
                   "the compute grid is a subset of the enabled cores: shrink the grid or fix the count");
  }
  if (c.matmul_flop_per_cycle_per_core() == 0) {
    return Invalid(p, "chip.matmul_flop_per_cycle_per_core", "is 0",
                   "set the matrix engine's FLOP per cycle per core at LoFi (Wormhole/Blackhole: 4096)");
  }
  if (c.l1_bytes_per_core() == 0) {
    return Invalid(p, "chip.l1_bytes_per_core", "is 0",
                   "set the SRAM per core in bytes (Wormhole/Blackhole: 1499136)");
  }
  if (!Positive(c.dram_bandwidth_bytes_per_s())) {
    return Invalid(p, "chip.dram_bandwidth_bytes_per_s", absl::StrCat("is ", c.dram_bandwidth_bytes_per_s()),
                   "set the chip's theoretical DRAM bandwidth in bytes/s (e.g. 288e9)");
  }
  if (!Positive(c.clock_hz())) {
    return Invalid(p, "chip.clock_hz", absl::StrCat("is ", c.clock_hz()), "set the AI clock in Hz (e.g. 1e9)");
  }
  TTT_RETURN_IF_ERROR(CheckDTypes(p, "chip.weight_dtypes", c.weight_dtypes()));
  TTT_RETURN_IF_ERROR(CheckDTypes(p, "chip.activation_dtypes", c.activation_dtypes()));
  if (c.math_fidelities().empty()) {
    return Invalid(p, "chip.math_fidelities", "is empty", "list them, e.g. [LOFI, HIFI2, HIFI3, HIFI4]");
  }
  // One peak per fidelity; more phases never make a matmul faster.
  double previous_peak = 0;
  int previous_fidelity = hw::MATH_FIDELITY_UNSPECIFIED;
  for (int f = hw::LOFI; f <= hw::HIFI4; ++f) {
    const bool listed = std::find(c.math_fidelities().begin(), c.math_fidelities().end(), f) !=
                        c.math_fidelities().end();
    int found = 0;
    double peak = 0;
    for (const hw::ComputePeak& m : c.matmul_peaks()) {
      if (m.fidelity() == f) {
        ++found;
        peak = m.flop_per_s();
      }
    }
    const std::string name = hw::MathFidelity_Name(f);
    if (listed && found != 1) {
      return Invalid(p, "chip.matmul_peaks", absl::StrCat("has ", found, " entries for ", name),
                     absl::StrCat("give exactly one matmul_peaks { fidelity: ", name, " flop_per_s: ... }"));
    }
    if (found > 0 && previous_fidelity != hw::MATH_FIDELITY_UNSPECIFIED && peak > previous_peak) {
      return Invalid(p, "chip.matmul_peaks",
                     absl::StrCat("says ", name, " (", peak, " FLOP/s) is faster than ",
                                  hw::MathFidelity_Name(previous_fidelity), " (", previous_peak, ")"),
                     "a fidelity with more phases is slower: peak = cores x FLOP/cycle x clock / phases");
    }
    if (found > 0) {
      previous_peak = peak;
      previous_fidelity = f;
    }
  }
  for (int i = 0; i < c.matmul_peaks_size(); ++i) {
    if (c.matmul_peaks(i).fidelity() == hw::MATH_FIDELITY_UNSPECIFIED) {
      return Invalid(p, absl::StrCat("chip.matmul_peaks[", i, "].fidelity"), "is not set",
                     "a Tenstorrent peak depends on the fidelity: set fidelity (LOFI ... HIFI4)");
    }
  }
  if (p.num_chips() > 1 && !Positive(c.ethernet().link_bytes_per_s())) {
    return Invalid(p, "chip.ethernet.link_bytes_per_s", absl::StrCat("is ", c.ethernet().link_bytes_per_s()),
                   "a multi-chip device needs its ethernet link bandwidth per direction in bytes/s (e.g. 12.5e9)");
  }
  return absl::OkStatus();
}

absl::Status CheckCpu(const DeviceProfile& p) {
  const hw::CpuProfile& cpu = p.cpu();
  const hw::ChipProfile& c = p.chip();
  if (cpu.physical_cores() == 0) {
    return Invalid(p, "cpu.physical_cores", "is 0",
                   "a CPU profile is completed by probing: use GetDeviceProfile(\"cpu\") or ProbeCpu()");
  }
  if (cpu.logical_threads() < cpu.physical_cores()) {
    return Invalid(p, "cpu.logical_threads",
                   absl::StrCat("(", cpu.logical_threads(), ") is less than cpu.physical_cores (",
                                cpu.physical_cores(), ")"),
                   "each core runs at least one thread: fix one of the two");
  }
  if (c.compute_grid().x() != cpu.physical_cores() || c.compute_grid().y() != 1) {
    return Invalid(p, "chip.compute_grid",
                   absl::StrCat("is ", c.compute_grid().x(), "x", c.compute_grid().y(), " but the CPU has ",
                                cpu.physical_cores(), " cores"),
                   "for a CPU set compute_grid { x: PHYSICAL_CORES y: 1 }");
  }
  TTT_RETURN_IF_ERROR(CheckDTypes(p, "chip.weight_dtypes", c.weight_dtypes()));
  TTT_RETURN_IF_ERROR(CheckDTypes(p, "chip.activation_dtypes", c.activation_dtypes()));
  for (int i = 0; i < c.matmul_peaks_size(); ++i) {
    if (c.matmul_peaks(i).dtype() == hw::DTYPE_UNSPECIFIED) {
      return Invalid(p, absl::StrCat("chip.matmul_peaks[", i, "].dtype"), "is not set",
                     "a CPU peak depends on the GEMM's dtype: set dtype (e.g. F32)");
    }
  }
  if (cpu.measured_with_threads() > 0) {
    if (!Positive(c.dram_bandwidth_bytes_per_s())) {
      return Invalid(p, "chip.dram_bandwidth_bytes_per_s", "is not set although cpu.measured_with_threads is",
                     "re-run the probe with measurement (ttt probe --measure) or clear measured_with_threads");
    }
    if (c.matmul_peaks().empty()) {
      return Invalid(p, "chip.matmul_peaks", "is empty although cpu.measured_with_threads is set",
                     "re-run the probe with measurement (ttt probe --measure) or clear measured_with_threads");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateDeviceProfile(const hw::DeviceProfile& profile) {
  TTT_RETURN_IF_ERROR(CheckIdentity(profile));
  TTT_RETURN_IF_ERROR(CheckMesh(profile));
  if (profile.kind() == hw::CPU) {
    // Check the probed facts first: an unprobed CPU profile fails with advice to probe, not on a side effect.
    TTT_RETURN_IF_ERROR(CheckCpu(profile));
    return CheckChipCommon(profile);
  }
  TTT_RETURN_IF_ERROR(CheckChipCommon(profile));
  return CheckTenstorrentChip(profile);
}

}  // namespace ttt
