#include "core/runtime/openblas_setup.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <optional>

#include "core/runtime/cpu_features.h"
#include "spdlog/spdlog.h"

extern "C" {
char* openblas_get_corename(void);
// Exported by DYNAMIC_ARCH builds only, hence weak: null with an OpenBLAS built for one CPU. quit() forgets
// the table, init() chooses again, reading OPENBLAS_CORETYPE as at load time (OpenBLAS's driver/others/dynamic.c).
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
}

namespace ttt {

const char* OpenBlasCoreName() { return openblas_get_corename(); }

namespace {
bool OneOf(const char* name, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (std::strcmp(name, n) == 0) return true;
  }
  return false;
}

// The kernel set to switch to, or nullptr when `current` suits BestIsa().
const char* WantedCoreType(const char* current) {
  // BestIsa() follows TTT_ISA, so TTT_ISA=avx2 on an AVX-512 machine times sgemm as an AVX2 CPU runs it too.
  switch (BestIsa()) {
    case Isa::kAvx512:
      // On this project's Zen 5 machine SkylakeX's sgemm made SmolLM-135M prefill 1.6x faster than the Haswell
      // kernels 0.3.21 gives it (pp128, 1 thread: 190 -> 304 tokens/s, f32).
      return OneOf(current, {"SkylakeX", "Cooperlake", "SapphireRapids"}) ? nullptr : "SkylakeX";
    case Isa::kAvx2:
      // The SSE-era fallbacks, or (under TTT_ISA=avx2) an AVX-512 set the capped run must not use.
      return OneOf(current, {"Haswell", "Zen"}) ? nullptr : "Haswell";
    case Isa::kScalar:
      return nullptr;
  }
  return nullptr;
}

// OPENBLAS_CORETYPE set to `value` while OpenBLAS re-reads it, then restored: the environment stays as it was.
void ReinitOpenBlasWithCoreType(const char* value) {
  std::optional<std::string> previous;
  if (const char* p = std::getenv("OPENBLAS_CORETYPE")) previous = p;
  setenv("OPENBLAS_CORETYPE", value, 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  if (previous) {
    setenv("OPENBLAS_CORETYPE", previous->c_str(), 1);
  } else {
    unsetenv("OPENBLAS_CORETYPE");
  }
}
}  // namespace

OpenBlasKernelChoice SelectOpenBlasKernelsForCpu() {
  OpenBlasKernelChoice choice;
  const char* current = OpenBlasCoreName();
  choice.before = choice.after = current ? current : "";
  if (current == nullptr || std::getenv("OPENBLAS_CORETYPE") != nullptr) return choice;
  const char* wanted = WantedCoreType(current);
  if (wanted == nullptr) return choice;
  choice.wanted = wanted;
  if (gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr) {
    spdlog::warn("OpenBLAS uses its {} kernels where {} suit the CPU, and this OpenBLAS (not built with "
                 "DYNAMIC_ARCH) cannot switch: GEMM runs below the CPU's speed", current, wanted);
    return choice;
  }
  ReinitOpenBlasWithCoreType(wanted);
  choice.after = OpenBlasCoreName();
  if (choice.after != choice.wanted) {
    spdlog::warn("asked OpenBLAS for its {} kernels, it chose {} (was {})", wanted, choice.after, choice.before);
  }
  return choice;
}

}  // namespace ttt
