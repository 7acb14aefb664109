#include "core/runtime/openblas_setup.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "core/runtime/cpu_features.h"
#include "spdlog/spdlog.h"

extern "C" char* openblas_get_corename(void);

namespace ttt {

const char* OpenBlasCoreName() { return openblas_get_corename(); }

void EnsureOpenBlasKernelsMatchCpu(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const char* wanted = nullptr;
  const CpuFeatures& f = GetCpuFeatures();
  if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq) {
    wanted = "SkylakeX";
  } else if (f.avx2 && f.fma) {
    wanted = "Haswell";
  }
  const char* current = OpenBlasCoreName();
  if (wanted == nullptr || current == nullptr) return;
  // Only the SSE-era fallbacks are replaced; a kernel set OpenBLAS chose on purpose is kept.
  const bool fallback = std::strcmp(current, "Prescott") == 0 || std::strcmp(current, "Core2") == 0 ||
                        std::strcmp(current, "Nehalem") == 0 || std::strcmp(current, "Sandybridge") == 0;
  if (!fallback) return;
  setenv("OPENBLAS_CORETYPE", wanted, 1);
  execv("/proc/self/exe", argv);
  spdlog::warn("OpenBLAS uses its {} kernels on a CPU that supports {}; set OPENBLAS_CORETYPE={} for ~5x "
               "faster GEMM (re-exec failed: {})", current, wanted, wanted, std::strerror(errno));
}

}  // namespace ttt
