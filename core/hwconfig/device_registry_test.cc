#include "core/hwconfig/device_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/hwconfig/embedded_files.h"
#include "core/runtime/mapped_file.h"

namespace ttt {
namespace {

using ::testing::HasSubstr;

constexpr double kGiB = double(uint64_t{1} << 30);

hw::DeviceProfile MustGet(const std::string& name) {
  absl::StatusOr<hw::DeviceProfile> profile = GetDeviceProfile(name);
  EXPECT_TRUE(profile.ok()) << profile.status();
  return profile.ok() ? *profile : hw::DeviceProfile();
}

double Peak(const hw::DeviceProfile& p, hw::MathFidelity fidelity) {
  for (const hw::ComputePeak& peak : p.chip().matmul_peaks()) {
    if (peak.fidelity() == fidelity) return peak.flop_per_s();
  }
  return 0;
}

TEST(DeviceRegistryTest, ListsEveryDeviceFile) {
  EXPECT_THAT(DeviceNames(), ::testing::IsSupersetOf({"cpu", "n150", "n300", "p150", "t3k", "tg"}));
}

TEST(DeviceRegistryTest, EveryEmbeddedProfileParsesAndValidates) {
  for (const std::string& name : DeviceNames()) {
    SCOPED_TRACE(name);
    absl::StatusOr<hw::DeviceProfile> profile = GetDeviceProfile(name);
    ASSERT_TRUE(profile.ok()) << profile.status();
    EXPECT_EQ(profile->name(), name);
    EXPECT_TRUE(ValidateDeviceProfile(*profile).ok());
  }
}

// The embedded copy is the file in the source tree, so an edited profile reaches the library.
TEST(DeviceRegistryTest, EmbeddedTextMatchesSourceTree) {
  const std::string root = std::string(TTT_FIXTURES_DIR) + "/../../";
  ASSERT_FALSE(EmbeddedHwconfigFiles().empty());
  for (const EmbeddedFile& file : EmbeddedHwconfigFiles()) {
    SCOPED_TRACE(std::string(file.path));
    absl::StatusOr<std::string> on_disk = ReadFileToString(root + std::string(file.path));
    ASSERT_TRUE(on_disk.ok()) << on_disk.status();
    EXPECT_EQ(*on_disk, file.text);
  }
  ASSERT_NE(FindEmbeddedHwconfigFile("hwconfig/devices/n150.textproto"), nullptr);
  EXPECT_EQ(FindEmbeddedHwconfigFile("hwconfig/devices/nope.textproto"), nullptr);
}

// A submesh keeps the device's chips and name (its module defaults) and uses R x C of them.
TEST(DeviceRegistryTest, ASubmeshUsesPartOfTheMesh) {
  const hw::DeviceProfile half = MustGet("t3k:1x4");
  EXPECT_EQ(half.name(), "t3k");
  EXPECT_EQ(half.num_chips(), 4u);
  EXPECT_EQ(half.mesh().rows(), 1u);
  EXPECT_EQ(half.mesh().cols(), 4u);
  EXPECT_EQ(half.chip().dram_bytes(), MustGet("t3k").chip().dram_bytes());
  EXPECT_TRUE(ValidateDeviceProfile(half).ok());
  EXPECT_EQ(MustGet("tg:4x4").num_chips(), 16u);
  EXPECT_EQ(MustGet("n300:1x1").num_chips(), 1u);
  for (const char* bad : {"t3k:3x4", "t3k:1x5", "t3k:0x4", "t3k:4", "t3k:axb", "n150:1x2"}) {
    absl::StatusOr<hw::DeviceProfile> profile = GetDeviceProfile(bad);
    ASSERT_FALSE(profile.ok()) << bad;
    EXPECT_THAT(profile.status().message(), ::testing::AnyOf(HasSubstr("does not fit"), HasSubstr("NAME:ROWSxCOLS")))
        << bad;
  }
  EXPECT_THAT(GetDeviceProfile("t3k:3x4").status().message(), HasSubstr("use at most 2x4"));
}

TEST(DeviceRegistryTest, UnknownDeviceListsKnownOnes) {
  absl::StatusOr<hw::DeviceProfile> profile = GetDeviceProfile("n151");
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(profile.status().message()), HasSubstr("unknown device 'n151'"));
  EXPECT_THAT(std::string(profile.status().message()), HasSubstr("cpu, n150, n300, p150, t3k, tg"));
  EXPECT_FALSE(GetDeviceProfile("../devices/n150").ok());
  EXPECT_FALSE(GetDeviceProfile("").ok());
}

// Facts from /work/shared/notes/tt-numerics.md §3 and §4.
TEST(DeviceRegistryTest, N150MatchesNotes) {
  hw::DeviceProfile p = MustGet("n150");
  EXPECT_EQ(p.kind(), hw::TENSTORRENT_WORMHOLE);
  EXPECT_EQ(p.num_chips(), 1u);
  EXPECT_EQ(p.chip().compute_grid().x(), 8u);
  EXPECT_EQ(p.chip().compute_grid().y(), 8u);
  EXPECT_EQ(p.chip().l1_bytes_per_core(), 1464u * 1024u);
  EXPECT_EQ(p.chip().dram_bytes(), uint64_t{12} << 30);
  EXPECT_DOUBLE_EQ(p.chip().dram_bandwidth_bytes_per_s(), 288e9);
  EXPECT_DOUBLE_EQ(p.chip().clock_hz(), 1e9);
  EXPECT_EQ(p.chip().matmul_flop_per_cycle_per_core(), 4096u);
}

TEST(DeviceRegistryTest, MultiChipWormholeSystemsMatchNotes) {
  hw::DeviceProfile n300 = MustGet("n300");
  EXPECT_EQ(n300.num_chips(), 2u);
  EXPECT_EQ(n300.host_attached_chips(), 1u);
  EXPECT_EQ(n300.mesh().rows() * n300.mesh().cols(), 2u);

  hw::DeviceProfile t3k = MustGet("t3k");
  EXPECT_EQ(t3k.num_chips(), 8u);
  EXPECT_EQ(t3k.mesh().rows(), 2u);
  EXPECT_EQ(t3k.mesh().cols(), 4u);
  EXPECT_DOUBLE_EQ(t3k.num_chips() * t3k.chip().dram_bytes() / kGiB, 96.0);

  hw::DeviceProfile tg = MustGet("tg");
  EXPECT_EQ(tg.num_chips(), 32u);
  EXPECT_EQ(tg.mesh().rows(), 4u);
  EXPECT_EQ(tg.mesh().cols(), 8u);
  EXPECT_DOUBLE_EQ(tg.num_chips() * tg.chip().dram_bytes() / kGiB, 384.0);

  for (const hw::DeviceProfile* p : {&n300, &t3k, &tg}) {
    SCOPED_TRACE(p->name());
    EXPECT_EQ(p->kind(), hw::TENSTORRENT_WORMHOLE);
    EXPECT_EQ(p->chip().compute_grid().x() * p->chip().compute_grid().y(), 64u);
    EXPECT_DOUBLE_EQ(p->chip().ethernet().link_bytes_per_s(), 12.5e9);
  }
}

TEST(DeviceRegistryTest, P150MatchesNotes) {
  hw::DeviceProfile p = MustGet("p150");
  EXPECT_EQ(p.kind(), hw::TENSTORRENT_BLACKHOLE);
  EXPECT_EQ(p.num_chips(), 1u);
  EXPECT_EQ(p.chip().compute_grid().x() * p.chip().compute_grid().y(), 110u);
  EXPECT_DOUBLE_EQ(p.chip().dram_bandwidth_bytes_per_s(), 512e9);
  EXPECT_EQ(p.chip().dram_bytes(), 8 * uint64_t{4278190080});
  EXPECT_NEAR(p.chip().dram_bytes() / kGiB, 32.0, 0.2);  // "32 GB"
  EXPECT_DOUBLE_EQ(p.chip().clock_hz(), 1.35e9);
  EXPECT_EQ(p.chip().l1_bytes_per_core(), 1464u * 1024u);
}

// Notes §4.3: peak = cores x 4096 FLOP/cycle x clock / phases, and the rounded table of device totals.
TEST(DeviceRegistryTest, PeaksFollowFromCoresClockAndFidelityPhases) {
  const hw::MathFidelity fidelities[] = {hw::LOFI, hw::HIFI2, hw::HIFI3, hw::HIFI4};
  for (const std::string& name : {"n150", "n300", "t3k", "tg", "p150"}) {
    SCOPED_TRACE(name);
    hw::DeviceProfile p = MustGet(name);
    const hw::ChipProfile& c = p.chip();
    const double per_cycle = double(c.compute_grid().x()) * c.compute_grid().y() * c.matmul_flop_per_cycle_per_core();
    for (int phases = 1; phases <= 4; ++phases) {
      const double derived = per_cycle * c.clock_hz() / phases;
      EXPECT_NEAR(Peak(p, fidelities[phases - 1]), derived, derived * 1e-12) << "phases " << phases;
    }
  }
  struct Row {
    const char* name;
    double tflops[4];  // LoFi, HiFi2, HiFi3, HiFi4 for the whole device; 0 = not in the table
  };
  const Row table[] = {{"n150", {262, 131, 87, 66}},   {"n300", {524, 262, 175, 131}},
                       {"t3k", {2097, 1049, 699, 524}}, {"tg", {8389, 4194, 0, 2097}},
                       {"p150", {608, 304, 203, 152}}};
  for (const Row& row : table) {
    SCOPED_TRACE(row.name);
    hw::DeviceProfile p = MustGet(row.name);
    for (int i = 0; i < 4; ++i) {
      if (row.tflops[i] == 0) continue;
      EXPECT_NEAR(p.num_chips() * Peak(p, fidelities[i]) / 1e12, row.tflops[i], 0.5) << "fidelity " << i;
    }
  }
}

TEST(DeviceRegistryTest, CpuProfileIsProbed) {
  absl::StatusOr<hw::DeviceProfile> bare = ParseEmbeddedDeviceProfile("cpu");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->kind(), hw::CPU);
  EXPECT_EQ(bare->cpu().physical_cores(), 0u);  // the file holds only what every host shares

  hw::DeviceProfile probed = MustGet("cpu");
  EXPECT_GE(probed.cpu().physical_cores(), 1u);
  EXPECT_GT(probed.chip().dram_bytes(), 0u);
}

}  // namespace
}  // namespace ttt
