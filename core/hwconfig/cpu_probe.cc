#include "core/hwconfig/cpu_probe.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/hwconfig/device_registry.h"
#include "core/ops/machine_limits.h"
#include "core/runtime/check.h"
#include "core/runtime/cpu_features.h"
#include "core/runtime/threading.h"

namespace ttt {
namespace {

// First line of a small sysfs/procfs file, trimmed; empty when it cannot be read.
std::string ReadLine(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  return std::string(absl::StripAsciiWhitespace(line));
}

// The CPUs this process may run on (what OpenMP sizes its team from); falls back to the online count.
std::vector<int> UsableCpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
  }
  if (cpus.empty()) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online <= 0) online = static_cast<long>(std::thread::hardware_concurrency());
    for (long cpu = 0; cpu < std::max(online, 1L); ++cpu) cpus.push_back(static_cast<int>(cpu));
  }
  return cpus;
}

// Physical cores among `cpus`: distinct (package, core) pairs from sysfs topology. Without topology
// every logical CPU counts as a core.
uint32_t PhysicalCores(const std::vector<int>& cpus) {
  std::set<std::pair<std::string, std::string>> cores;
  for (int cpu : cpus) {
    const std::filesystem::path topo =
        std::filesystem::path("/sys/devices/system/cpu") / ("cpu" + std::to_string(cpu)) / "topology";
    std::string core = ReadLine(topo / "core_id");
    if (core.empty()) return static_cast<uint32_t>(cpus.size());
    cores.emplace(ReadLine(topo / "physical_package_id"), core);
  }
  return static_cast<uint32_t>(std::max<size_t>(cores.size(), 1));
}

std::string CpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "model name")) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    }
  }
  return "unknown CPU";
}

// sysfs cache sizes look like "32K", "1024K", "16M".
uint64_t ParseCacheSize(absl::string_view text) {
  uint64_t scale = 1;
  if (absl::ConsumeSuffix(&text, "K")) scale = uint64_t{1} << 10;
  else if (absl::ConsumeSuffix(&text, "M")) scale = uint64_t{1} << 20;
  else if (absl::ConsumeSuffix(&text, "G")) scale = uint64_t{1} << 30;
  uint64_t value = 0;
  return absl::SimpleAtoi(text, &value) ? value * scale : 0;
}

// sysfs CPU lists look like "0-3,8-11" or "5".
uint32_t CountCpuList(absl::string_view list) {
  uint32_t count = 0;
  for (absl::string_view range : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> ends = absl::StrSplit(range, absl::MaxSplits('-', 1));
    int first = 0, last = 0;
    if (!absl::SimpleAtoi(ends.first, &first)) continue;
    if (ends.second.empty()) last = first;
    else if (!absl::SimpleAtoi(ends.second, &last)) continue;
    if (last >= first) count += static_cast<uint32_t>(last - first + 1);
  }
  return count;
}

void AddCaches(hw::CpuProfile* cpu) {
  const std::filesystem::path dir = "/sys/devices/system/cpu/cpu0/cache";
  std::error_code error;
  std::vector<std::filesystem::path> indexes;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (absl::StartsWith(entry.path().filename().string(), "index")) indexes.push_back(entry.path());
  }
  std::sort(indexes.begin(), indexes.end());
  for (const auto& index : indexes) {
    uint32_t level = 0;
    const uint64_t size = ParseCacheSize(ReadLine(index / "size"));
    if (!absl::SimpleAtoi(ReadLine(index / "level"), &level) || size == 0) continue;
    hw::CacheProfile* cache = cpu->add_caches();
    cache->set_level(level);
    cache->set_type(ReadLine(index / "type"));
    cache->set_size_bytes(size);
    cache->set_shared_by_threads(CountCpuList(ReadLine(index / "shared_cpu_list")));
  }
}

void AddIsa(hw::CpuProfile* cpu) {
  const CpuFeatures& f = GetCpuFeatures();
  const std::pair<bool, const char*> features[] = {
      {f.avx2, "avx2"},         {f.fma, "fma"},           {f.f16c, "f16c"},
      {f.avx512f, "avx512f"},   {f.avx512bw, "avx512bw"}, {f.avx512vl, "avx512vl"},
      {f.avx512dq, "avx512dq"}, {f.avx512bf16, "avx512bf16"}, {f.avx512vnni, "avx512vnni"}};
  for (const auto& [present, name] : features) {
    if (present) cpu->add_isa_features(name);
  }
  cpu->set_best_isa(IsaName(BestIsa()));
}

}  // namespace

void ProbeCpuInto(bool measure, hw::DeviceProfile* profile) {
  const std::vector<int> usable = UsableCpus();
  hw::CpuProfile* cpu = profile->mutable_cpu();
  cpu->set_logical_threads(static_cast<uint32_t>(usable.size()));
  cpu->set_physical_cores(std::min(PhysicalCores(usable), cpu->logical_threads()));
  AddIsa(cpu);
  cpu->clear_caches();
  AddCaches(cpu);

  hw::ChipProfile* chip = profile->mutable_chip();
  chip->set_arch(CpuModelName());
  chip->mutable_compute_grid()->set_x(cpu->physical_cores());
  chip->mutable_compute_grid()->set_y(1);
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) chip->set_dram_bytes(static_cast<uint64_t>(pages) * page_size);
  // The weight formats core/kernels/kernel_table.h has GEMV kernels for; activations flow in f32.
  chip->clear_weight_dtypes();
  for (hw::DType dtype : {hw::F32, hw::BF16, hw::INT8, hw::BFP8, hw::BFP4}) chip->add_weight_dtypes(dtype);
  chip->clear_activation_dtypes();
  chip->add_activation_dtypes(hw::F32);

  if (measure) {
    const int threads = NumThreads();
    chip->set_dram_bandwidth_bytes_per_s(MeasureMemoryReadBandwidth(threads));
    chip->clear_matmul_peaks();
    hw::ComputePeak* peak = chip->add_matmul_peaks();
    peak->set_dtype(hw::F32);
    peak->set_flop_per_s(MeasureGemmPeak(threads));
    cpu->set_measured_with_threads(static_cast<uint32_t>(threads));
  }
}

hw::DeviceProfile ProbeCpu(bool measure) {
  absl::StatusOr<hw::DeviceProfile> profile = ParseEmbeddedDeviceProfile("cpu");
  // The file is compiled into the library, so failing here is a broken build, not bad input.
  TTT_CHECK(profile.ok()) << "embedded hwconfig/devices/cpu.textproto: " << profile.status().ToString();
  ProbeCpuInto(measure, &*profile);
  return *std::move(profile);
}

}  // namespace ttt
