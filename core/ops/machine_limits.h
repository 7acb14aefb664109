// The machine's limits, measured on the spot, that benchmarks report their figures against.
#pragma once

#include "core/runtime/dtype.h"

namespace ttt {

// Memory read bandwidth in bytes/s: a buffer much larger than the caches, read by `threads` threads.
double MeasureMemoryReadBandwidth(int threads);
// f32 GEMM peak in FLOP/s: the best of OpenBLAS sgemm on square matrices and ttt's own f32 panel kernel on
// weights in cache, best of a few runs, `threads` threads.
double MeasureGemmPeak(int threads);
// The peak of the GEMM a prompt runs with `weights` projections: the dtype's own (KernelTable::gemm, e.g.
// bf16 on vdpbf16ps, up to twice f32's) where the kernel table has one, else MeasureGemmPeak(threads).
double MeasureGemmPeak(int threads, DType weights);

}  // namespace ttt
