// Debian 12's OpenBLAS 0.3.21 does not recognise recent CPUs: Zen 4/5 (AVX-512) get its AVX2 "Haswell" kernels
// and e.g. Sapphire Rapids its SSE3 "Prescott" ones (sgemm then runs at ~1/5 of the machine's peak). OpenBLAS
// chooses its kernel table when it is loaded, from OPENBLAS_CORETYPE or its CPU detection; a DYNAMIC_ARCH build
// (Debian's) exports the entry points that redo that choice, so the table can be switched in-process.
#pragma once

#include <string>

namespace ttt {

struct OpenBlasKernelChoice {
  std::string before;  // the kernel set OpenBLAS had chosen ("Haswell", "SkylakeX", "Prescott", ...)
  std::string after;   // the kernel set in effect on return (openblas_get_corename())
  std::string wanted;  // what BestIsa() asks for; empty when `before` already suits it or the user chose
};

// Makes OpenBLAS use the kernel set for the instruction set the project's own kernels use (BestIsa(), capped
// by TTT_ISA): SkylakeX for AVX-512, Haswell for AVX2. Does nothing when OPENBLAS_CORETYPE is set (the user
// chose). Never re-executes the process. The switch swaps OpenBLAS's process-wide kernel table, so call it
// once, early, before any thread calls BLAS: the `ttt` tools and the tests call it first in main(); a
// program that links the library decides itself (call this, or set OPENBLAS_CORETYPE before starting).
// With an OpenBLAS built without DYNAMIC_ARCH the table is fixed at build time: logs that and returns it.
OpenBlasKernelChoice SelectOpenBlasKernelsForCpu();

// The kernel set OpenBLAS is using ("SkylakeX", "Haswell", "Prescott", ...).
const char* OpenBlasCoreName();

}  // namespace ttt
