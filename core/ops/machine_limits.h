// The machine's limits, measured on the spot, that benchmarks report their figures against.
#pragma once

namespace ttt {

// Memory read bandwidth in bytes/s: a buffer much larger than the caches, read by `threads` threads.
double MeasureMemoryReadBandwidth(int threads);
// f32 GEMM peak in FLOP/s: the best of OpenBLAS sgemm on square matrices and ttt's own f32 panel kernel on
// weights in cache, best of a few runs, `threads` threads.
double MeasureGemmPeak(int threads);

}  // namespace ttt
