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
// Blocks of 4 rows let each weight vector loaded feed 4x more FMAs per activation load, but make a thread
// read 4 interleaved streams that restart every 4 rows. Decoding is bound by memory, and one sequential
// stream per thread serves the hardware prefetchers better: on an AMD EPYC (Zen 5), SmolLM-135M decode,
// 2 threads, alternating runs, rows one at a time read f32 weights at 58-64 GB/s where blocks of 4 read
// 52-54 (the machine at ~77 GB/s), i8 47-51 where 41-45, and bf16 1.84x -> 2.0-2.08x of f32 at ~44 GB/s. The AVX-512
// kernels and AVX2's bf16 take rows one at a time (avx2/gemv_bf16_avx2.cc: from DRAM 15 -> 21-24 GB/s on one
// core); AVX2's f32 keeps blocks of 4 (not measured on an AVX2-only machine).
//
// Every Kernel type belongs to one ISA: defined in an anonymous namespace of a file compiled with that ISA's
// flags, or a template over that ISA's vector type (generic/gemv_f32.h over simd::Avx2, simd::Avx512). So
// every instantiation of these templates is compiled with one ISA's flags (no cross-ISA ODR merging).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ttt::kernels::internal {

template <class Kernel, int R, class X>
inline void GemvRowBlock(const Kernel& kernel, const X* x, int64_t x_stride, int64_t m, int64_t k, const char* w,
                         size_t row_bytes, int64_t j0, float* y, int64_t ldy) {
  const char* wr[R];
  #pragma GCC unroll 16
  for (int j = 0; j < R; ++j) wr[j] = w + (j0 + j) * row_bytes;
  int64_t r = 0;
  for (; r + 2 <= m; r += 2) {
    const X* xr[2] = {x + r * x_stride, x + (r + 1) * x_stride};
    float out[2][R];
    kernel.template Dot<R, 2>(wr, xr, k, out);
    for (int i = 0; i < 2; ++i)
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) y[(r + i) * ldy + j0 + j] = out[i][j];
  }
  if (r < m) {
    const X* xr[1] = {x + r * x_stride};
    float out[1][R];
    kernel.template Dot<R, 1>(wr, xr, k, out);
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) y[r * ldy + j0 + j] = out[0][j];
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
    for (; j + 4 <= n_end; j += 4) GemvRowBlock<Kernel, 4>(kernel, x, x_stride, m, k, wb, row_bytes, j, y, ldy);
  }
  for (; j < n_end; ++j) GemvRowBlock<Kernel, 1>(kernel, x, x_stride, m, k, wb, row_bytes, j, y, ldy);
}

}  // namespace ttt::kernels::internal
