// The loop every GEMV kernel shares, whatever its ISA and weight dtype: weight rows in blocks of
// Kernel::kRows (1 or 4), activation rows in pairs. Only the block dot product is ISA- and dtype-specific:
//
//   struct Kernel {
//     static constexpr int kRows = 1;  // or 4
//     template <int R, int M>
//     void Dot(const char* const* w_rows, const X* const* x_rows, int64_t k, float (&out)[M][R]) const;
//   };
//
// X is float, or the type a kernel converts the activations to once per call (bf16 for vdpbf16ps).
//
// Blocks of 4 rows let each activation vector loaded feed 4x more FMAs, and give 4 independent chains. A
// block takes one row from each quarter of the range (rows j, j + q, j + 2q, j + 3q), so a thread reads 4
// long sequential streams. Blocks of 4 adjacent rows read 4 interleaved streams that restart every 4 rows
// (a few hundred bytes each), which the hardware prefetchers do not follow: on an AVX2-only AMD EPYC (Zen 3
// class), 1 thread, 1536 x 576 and 49152 x 576 from DRAM, the AVX2 i8 GEMV read 7-8 GB/s that way and
// 15-19 GB/s by quarters (bench/ops_bench.cc BM_LinearDecode cold). Rows one at a time are one sequential
// stream, but one stream is slower still there (dot(a, a) 14.9 GB/s, 4 panel streams 17.8). On an AMD EPYC
// (Zen 5), SmolLM-135M decode, 2 threads, rows one at a time read f32 weights at 58-64 GB/s where blocks of 4
// adjacent rows read 52-54, so the AVX-512 kernels take rows one at a time for fewer than 8 activation rows
// (avx512/gemv_avx512.cc; quarters against rows one at a time there is not measured yet); AVX2's f32 and bf16
// take quarters.
//
// Every Kernel type belongs to one ISA: defined in an anonymous namespace of a file compiled with that ISA's
// flags, or a template over that ISA's vector type (generic/gemv_f32.h over simd::Avx2, simd::Avx512). So
// every instantiation of these templates is compiled with one ISA's flags (no cross-ISA ODR merging).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ttt::kernels::internal {

// Weight rows j0, j0 + stride, .. (R of them).
template <class Kernel, int R, class X>
inline void GemvRowBlock(const Kernel& kernel, const X* x, int64_t x_stride, int64_t m, int64_t k, const char* w,
                         size_t row_bytes, int64_t j0, int64_t stride, float* y, int64_t ldy) {
  const char* wr[R];
  #pragma GCC unroll 16
  for (int j = 0; j < R; ++j) wr[j] = w + (j0 + j * stride) * row_bytes;
  int64_t r = 0;
  for (; r + 2 <= m; r += 2) {
    const X* xr[2] = {x + r * x_stride, x + (r + 1) * x_stride};
    float out[2][R];
    kernel.template Dot<R, 2>(wr, xr, k, out);
    for (int i = 0; i < 2; ++i)
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) y[(r + i) * ldy + j0 + j * stride] = out[i][j];
  }
  if (r < m) {
    const X* xr[1] = {x + r * x_stride};
    float out[1][R];
    kernel.template Dot<R, 1>(wr, xr, k, out);
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) y[r * ldy + j0 + j * stride] = out[0][j];
  }
}

// Rows [n_begin, n_end) of y[m, ldy] = x[m, k] . w^T, weight row j at (const char*)w + j * row_bytes,
// activation row r at x + r * x_stride.
template <class Kernel, class X>
inline void GemvRows(const Kernel& kernel, const X* x, int64_t x_stride, int64_t m, int64_t k, const void* w,
                     size_t row_bytes, int64_t n_begin, int64_t n_end, float* y, int64_t ldy) {
  const char* wb = static_cast<const char*>(w);
  int64_t j = n_begin;
  static_assert(Kernel::kRows == 1 || Kernel::kRows == 4);
  if constexpr (Kernel::kRows == 4) {
    const int64_t quarter = (n_end - n_begin) / 4;
    for (int64_t t = 0; t < quarter; ++t) {
      GemvRowBlock<Kernel, 4>(kernel, x, x_stride, m, k, wb, row_bytes, n_begin + t, quarter, y, ldy);
    }
    j += 4 * quarter;
  }
  for (; j < n_end; ++j) GemvRowBlock<Kernel, 1>(kernel, x, x_stride, m, k, wb, row_bytes, j, 0, y, ldy);
}

}  // namespace ttt::kernels::internal
