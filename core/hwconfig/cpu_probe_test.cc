#include "core/hwconfig/cpu_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/hwconfig/device_validation.h"
#include "core/runtime/cpu_features.h"
#include "core/runtime/threading.h"

namespace ttt {
namespace {

using ::testing::Contains;
using ::testing::Not;

TEST(CpuProbeTest, FindsCoresThreadsMemoryAndValidates) {
  hw::DeviceProfile p = ProbeCpu(/*measure=*/false);
  EXPECT_EQ(p.name(), "cpu");
  EXPECT_EQ(p.kind(), hw::CPU);
  EXPECT_GE(p.cpu().physical_cores(), 1u);
  EXPECT_GE(p.cpu().logical_threads(), p.cpu().physical_cores());
  EXPECT_LE(p.cpu().logical_threads(), static_cast<uint32_t>(sysconf(_SC_NPROCESSORS_CONF)));
  EXPECT_EQ(p.chip().compute_grid().x(), p.cpu().physical_cores());
  EXPECT_EQ(p.chip().dram_bytes(), static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE));
  EXPECT_FALSE(p.chip().arch().empty());
  EXPECT_EQ(p.cpu().measured_with_threads(), 0u);
  EXPECT_TRUE(p.chip().matmul_peaks().empty());
  EXPECT_THAT(p.chip().weight_dtypes(), Contains(hw::BFP8));
  EXPECT_TRUE(ValidateDeviceProfile(p).ok()) << ValidateDeviceProfile(p);
}

TEST(CpuProbeTest, ReportsThisMachinesIsa) {
  hw::DeviceProfile p = ProbeCpu(/*measure=*/false);
  EXPECT_EQ(p.cpu().best_isa(), IsaName(BestIsa()));
  const CpuFeatures& f = GetCpuFeatures();
  const std::pair<bool, std::string> expected[] = {{f.avx2, "avx2"}, {f.fma, "fma"}, {f.f16c, "f16c"},
                                                   {f.avx512f, "avx512f"}, {f.avx512bf16, "avx512bf16"}};
  for (const auto& [present, name] : expected) {
    if (present) {
      EXPECT_THAT(p.cpu().isa_features(), Contains(name));
    } else {
      EXPECT_THAT(p.cpu().isa_features(), Not(Contains(name)));
    }
  }
}

TEST(CpuProbeTest, ReadsCachesFromSysfs) {
  if (!std::filesystem::exists("/sys/devices/system/cpu/cpu0/cache/index0/size")) {
    GTEST_SKIP() << "no sysfs cache information on this machine";
  }
  hw::DeviceProfile p = ProbeCpu(/*measure=*/false);
  ASSERT_FALSE(p.cpu().caches().empty());
  bool has_l1 = false;
  for (const hw::CacheProfile& cache : p.cpu().caches()) {
    EXPECT_GE(cache.level(), 1u);
    EXPECT_GE(cache.size_bytes(), 1024u);  // sysfs sizes are in K or M
    EXPECT_GE(cache.shared_by_threads(), 1u);
    EXPECT_FALSE(cache.type().empty());
    has_l1 |= cache.level() == 1;
  }
  EXPECT_TRUE(has_l1);
}

// Measurement wiring only (which fields get filled), not a speed claim.
TEST(CpuProbeTest, MeasureFillsBandwidthAndGemmPeak) {
  SetNumThreads(1);
  hw::DeviceProfile p = ProbeCpu(/*measure=*/true);
  SetNumThreads(0);
  EXPECT_EQ(p.cpu().measured_with_threads(), 1u);
  EXPECT_GT(p.chip().dram_bandwidth_bytes_per_s(), 0);
  ASSERT_EQ(p.chip().matmul_peaks_size(), 1);
  EXPECT_EQ(p.chip().matmul_peaks(0).dtype(), hw::F32);
  EXPECT_GT(p.chip().matmul_peaks(0).flop_per_s(), 0);
  EXPECT_TRUE(ValidateDeviceProfile(p).ok()) << ValidateDeviceProfile(p);
}

}  // namespace
}  // namespace ttt
