// The instruction sets of the machine we run on, for choosing kernels at run time.
#pragma once

#include <string>

namespace ttt {

enum class Isa { kScalar, kAvx2, kAvx512 };

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512dq = false;
  bool avx512bf16 = false;
  bool avx512vnni = false;
};

const CpuFeatures& GetCpuFeatures();
// Best instruction set both this machine and this build support; TTT_ISA=scalar|avx2|avx512 caps it.
Isa BestIsa();
const char* IsaName(Isa isa);

}  // namespace ttt
