#include "core/runtime/system_memory.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

namespace ttt {

int64_t AvailableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  constexpr std::string_view kKey = "MemAvailable:";
  for (std::string line; std::getline(meminfo, line);) {
    if (line.compare(0, kKey.size(), kKey) == 0) return std::strtoll(line.c_str() + kKey.size(), nullptr, 10) * 1024;  // in kB
  }
  const long pages = sysconf(_SC_AVPHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? int64_t{pages} * page_size : 0;
}

}  // namespace ttt
