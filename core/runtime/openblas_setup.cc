#include "core/runtime/openblas_setup.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "core/runtime/cpu_features.h"
#include "spdlog/spdlog.h"

extern "C" char* openblas_get_corename(void);

namespace ttt {

const char* OpenBlasCoreName() { return openblas_get_corename(); }

namespace {
bool OneOf(const char* name, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (std::strcmp(name, n) == 0) return true;
  }
  return false;
}
}  // namespace

void EnsureOpenBlasKernelsMatchCpu(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const char* current = OpenBlasCoreName();
  if (current == nullptr) return;
  // BestIsa() follows TTT_ISA, so TTT_ISA=avx2 on an AVX-512 machine times sgemm as an AVX2 CPU runs it too.
  const char* wanted = nullptr;
  switch (BestIsa()) {
    case Isa::kAvx512:
      // 0.3.21 maps CPUs it does not know to older sets: Zen 4/5 (AVX-512) get the AVX2 "Haswell" kernels.
      // On this project's Zen 5 machine SkylakeX's sgemm made SmolLM-135M prefill 1.6x faster (pp128, 1 thread:
      // 190 -> 304 tokens/s, f32).
      if (!OneOf(current, {"SkylakeX", "Cooperlake", "SapphireRapids"})) wanted = "SkylakeX";
      break;
    case Isa::kAvx2:
      // The SSE-era fallbacks, or (under TTT_ISA=avx2) an AVX-512 set the capped run must not use.
      if (!OneOf(current, {"Haswell", "Zen"})) wanted = "Haswell";
      break;
    case Isa::kScalar:
      break;
  }
  if (wanted == nullptr) return;
  setenv("OPENBLAS_CORETYPE", wanted, 1);
  execv("/proc/self/exe", argv);
  spdlog::warn("OpenBLAS uses its {} kernels where {} suit the CPU; set OPENBLAS_CORETYPE={} for its full "
               "GEMM speed (re-exec failed: {})", current, wanted, wanted, std::strerror(errno));
}

}  // namespace ttt
