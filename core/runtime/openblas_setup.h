// Debian 12's OpenBLAS 0.3.21 does not recognise recent CPUs (e.g. Sapphire Rapids) and falls back to
// its SSE3 "Prescott" kernels: sgemm then runs at ~1/5 of the machine's peak. OpenBLAS picks its kernels
// when it is loaded, from OPENBLAS_CORETYPE, so the fix must happen before the process starts.
#pragma once

namespace ttt {

// Call first thing in main(). When OpenBLAS chose a kernel set other than the one for the instruction set the
// kernels use (BestIsa(), capped by TTT_ISA) and OPENBLAS_CORETYPE is unset, sets it (SkylakeX for AVX-512,
// Haswell for AVX2) and re-executes the program with the same arguments; otherwise returns. If the re-exec
// fails, logs a warning and returns.
void EnsureOpenBlasKernelsMatchCpu(char** argv);

// The kernel set OpenBLAS is using ("SkylakeX", "Haswell", "Prescott", ...).
const char* OpenBlasCoreName();

}  // namespace ttt
