#include "core/hwconfig/device_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/hwconfig/device_registry.h"

namespace ttt {
namespace {

using ::testing::HasSubstr;

hw::DeviceProfile Valid(const std::string& name) {
  absl::StatusOr<hw::DeviceProfile> profile = GetDeviceProfile(name);
  EXPECT_TRUE(profile.ok()) << profile.status();
  return profile.ok() ? *profile : hw::DeviceProfile();
}

struct BadCase {
  const char* what;
  const char* device;
  std::function<void(hw::DeviceProfile*)> breaks;
  std::vector<std::string> message_has;  // the field and the fix
};

TEST(DeviceValidationTest, RejectsBrokenProfilesNamingTheField) {
  const std::vector<BadCase> cases = {
      {"no name", "n150", [](hw::DeviceProfile* p) { p->clear_name(); }, {"name is empty", "lower-case id"}},
      {"bad name", "n150", [](hw::DeviceProfile* p) { p->set_name("N150 card"); }, {"name has a character"}},
      {"no kind", "n150", [](hw::DeviceProfile* p) { p->clear_kind(); }, {"kind is not set", "TENSTORRENT_WORMHOLE"}},
      {"no chips", "n150", [](hw::DeviceProfile* p) { p->set_num_chips(0); }, {"num_chips is 0"}},
      {"empty mesh", "n150", [](hw::DeviceProfile* p) { p->clear_mesh(); }, {"mesh is 0x0", "mesh.rows"}},
      {"mesh != chips", "t3k", [](hw::DeviceProfile* p) { p->set_num_chips(4); },
       {"mesh is 2x4 = 8 chips but num_chips is 4", "make mesh.rows x mesh.cols equal num_chips"}},
      {"host links > chips", "n300", [](hw::DeviceProfile* p) { p->set_host_attached_chips(3); },
       {"host_attached_chips (3) exceeds num_chips (2)"}},
      {"no grid", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->mutable_compute_grid()->set_y(0); },
       {"chip.compute_grid is 8x0"}},
      {"no L1", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->set_l1_bytes_per_core(0); },
       {"chip.l1_bytes_per_core is 0", "1499136"}},
      {"no DRAM", "p150", [](hw::DeviceProfile* p) { p->mutable_chip()->set_dram_bytes(0); },
       {"chip.dram_bytes is 0"}},
      {"banks disagree", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->set_dram_banks(6); },
       {"chip.dram_bytes (12884901888) is not dram_banks x dram_bank_bytes (6 x 1073741824"}},
      {"NaN bandwidth", "n150",
       [](hw::DeviceProfile* p) { p->mutable_chip()->set_dram_bandwidth_bytes_per_s(std::nan("")); },
       {"chip.dram_bandwidth_bytes_per_s is nan", "bytes/s"}},
      {"bad fraction", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->set_dram_achievable_fraction(1.5); },
       {"chip.dram_achievable_fraction is 1.5"}},
      {"no clock", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->set_clock_hz(0); },
       {"chip.clock_hz is 0", "Hz"}},
      {"no flop per cycle", "n150",
       [](hw::DeviceProfile* p) { p->mutable_chip()->set_matmul_flop_per_cycle_per_core(0); },
       {"chip.matmul_flop_per_cycle_per_core is 0", "4096"}},
      {"enabled < grid", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->set_tensix_cores_enabled(60); },
       {"chip.tensix_cores_enabled (60) is smaller than compute_grid 8x8 = 64"}},
      {"missing peak", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->mutable_matmul_peaks()->RemoveLast(); },
       {"chip.matmul_peaks has 0 entries for HIFI4", "fidelity: HIFI4"}},
      {"HiFi4 faster", "n150",
       [](hw::DeviceProfile* p) { p->mutable_chip()->mutable_matmul_peaks(3)->set_flop_per_s(1e15); },
       {"chip.matmul_peaks says HIFI4", "is faster than HIFI3"}},
      {"negative peak", "p150",
       [](hw::DeviceProfile* p) { p->mutable_chip()->mutable_matmul_peaks(0)->set_flop_per_s(-1); },
       {"chip.matmul_peaks[0].flop_per_s is -1"}},
      {"peak without fidelity", "n150",
       [](hw::DeviceProfile* p) { p->mutable_chip()->add_matmul_peaks()->set_flop_per_s(1e12); },
       {"chip.matmul_peaks[4].fidelity is not set"}},
      {"no weight dtypes", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->clear_weight_dtypes(); },
       {"chip.weight_dtypes is empty"}},
      {"unspecified dtype", "n150",
       [](hw::DeviceProfile* p) { p->mutable_chip()->set_activation_dtypes(1, hw::DTYPE_UNSPECIFIED); },
       {"chip.activation_dtypes[1] is DTYPE_UNSPECIFIED"}},
      {"no fidelities", "n150", [](hw::DeviceProfile* p) { p->mutable_chip()->clear_math_fidelities(); },
       {"chip.math_fidelities is empty"}},
      {"multi-chip without links", "t3k", [](hw::DeviceProfile* p) { p->mutable_chip()->clear_ethernet(); },
       {"chip.ethernet.link_bytes_per_s is 0", "multi-chip"}},
      {"cpu section on TT", "n150", [](hw::DeviceProfile* p) { p->mutable_cpu()->set_physical_cores(4); },
       {"cpu is set on a Tenstorrent profile"}},
      {"cpu threads < cores", "cpu",
       [](hw::DeviceProfile* p) {
         p->mutable_cpu()->set_logical_threads(p->cpu().physical_cores());
         p->mutable_cpu()->set_physical_cores(p->cpu().physical_cores() + 1);
       },
       {"cpu.logical_threads", "is less than cpu.physical_cores"}},
      {"cpu grid", "cpu", [](hw::DeviceProfile* p) { p->mutable_chip()->mutable_compute_grid()->set_y(2); },
       {"chip.compute_grid", "compute_grid { x: PHYSICAL_CORES y: 1 }"}},
      {"cpu peak without dtype", "cpu",
       [](hw::DeviceProfile* p) { p->mutable_chip()->add_matmul_peaks()->set_flop_per_s(1e11); },
       {"chip.matmul_peaks[0].dtype is not set"}},
      {"cpu says measured", "cpu", [](hw::DeviceProfile* p) { p->mutable_cpu()->set_measured_with_threads(2); },
       {"chip.dram_bandwidth_bytes_per_s is not set although cpu.measured_with_threads is", "--measure"}},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    hw::DeviceProfile profile = Valid(c.device);
    ASSERT_TRUE(ValidateDeviceProfile(profile).ok());
    c.breaks(&profile);
    absl::Status status = ValidateDeviceProfile(profile);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    const std::string message(status.message());
    EXPECT_THAT(message, HasSubstr("device profile '"));
    for (const std::string& part : c.message_has) EXPECT_THAT(message, HasSubstr(part));
  }
}

// The bare cpu.textproto is valid data but not a usable profile until the machine is probed.
TEST(DeviceValidationTest, UnprobedCpuProfileAsksForProbing) {
  absl::StatusOr<hw::DeviceProfile> bare = ParseEmbeddedDeviceProfile("cpu");
  ASSERT_TRUE(bare.ok()) << bare.status();
  absl::Status status = ValidateDeviceProfile(*bare);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("cpu.physical_cores is 0"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("ProbeCpu"));
}

TEST(DeviceValidationTest, AcceptsAHandWrittenSingleChipProfile) {
  hw::DeviceProfile p = Valid("n150");
  p.set_name("n150_8x7");  // an n150 with dispatch on Tensix: a smaller grid, peaks scaled to match
  p.mutable_chip()->mutable_compute_grid()->set_y(7);
  for (hw::ComputePeak& peak : *p.mutable_chip()->mutable_matmul_peaks()) peak.set_flop_per_s(peak.flop_per_s() * 7 / 8);
  EXPECT_TRUE(ValidateDeviceProfile(p).ok()) << ValidateDeviceProfile(p);
}

}  // namespace
}  // namespace ttt
