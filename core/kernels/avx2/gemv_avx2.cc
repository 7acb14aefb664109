// f32 GEMV, AVX2 version of core/kernels/avx512/gemv_avx512.cc (same blocking and the same fixed summation
// order per dot product: 8-lane chunk c to accumulator c % 2, masked tail next, one reduction).
#include <immintrin.h>

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/avx2/vec_math_avx2.h"

namespace ttt::kernels::avx2 {
namespace {

template <int R, int M>
inline void DotBlock(const float* const* w, const float* const* x, int64_t k, float (&result)[M][R]) {
  __m256 acc[M][R][2];
  #pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) acc[i][j][0] = acc[i][j][1] = _mm256_setzero_ps();
  int64_t c = 0;
  for (; c + 16 <= k; c += 16) {
    __m256 wv0[R], wv1[R];
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) {
      wv0[j] = _mm256_loadu_ps(w[j] + c);
      wv1[j] = _mm256_loadu_ps(w[j] + c + 8);
    }
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m256 x0 = _mm256_loadu_ps(x[i] + c);
      const __m256 x1 = _mm256_loadu_ps(x[i] + c + 8);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) {
        acc[i][j][0] = _mm256_fmadd_ps(wv0[j], x0, acc[i][j][0]);
        acc[i][j][1] = _mm256_fmadd_ps(wv1[j], x1, acc[i][j][1]);
      }
    }
  }
  int slot = 0;
  if (c + 8 <= k) {
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m256 xv = _mm256_loadu_ps(x[i] + c);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) acc[i][j][0] = _mm256_fmadd_ps(_mm256_loadu_ps(w[j] + c), xv, acc[i][j][0]);
    }
    c += 8;
    slot = 1;
  }
  if (c < k) {
    const __m256i mask = TailMask(k - c);
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m256 xv = _mm256_maskload_ps(x[i] + c, mask);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) {
        acc[i][j][slot] = _mm256_fmadd_ps(_mm256_maskload_ps(w[j] + c, mask), xv, acc[i][j][slot]);
      }
    }
  }
  #pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) result[i][j] = ReduceAdd(_mm256_add_ps(acc[i][j][0], acc[i][j][1]));
}

template <int R>
inline void RowBlock(const float* x, int64_t m, int64_t k, const char* w, size_t row_bytes, int64_t j0,
                     float* y, int64_t ldy) {
  const float* wr[R];
  #pragma GCC unroll 16
  for (int j = 0; j < R; ++j) wr[j] = reinterpret_cast<const float*>(w + (j0 + j) * row_bytes);
  int64_t r = 0;
  for (; r + 2 <= m; r += 2) {
    const float* xr[2] = {x + r * k, x + (r + 1) * k};
    float out[2][R];
    DotBlock<R, 2>(wr, xr, k, out);
    for (int i = 0; i < 2; ++i)
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) y[(r + i) * ldy + j0 + j] = out[i][j];
  }
  if (r < m) {
    const float* xr[1] = {x + r * k};
    float out[1][R];
    DotBlock<R, 1>(wr, xr, k, out);
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) y[r * ldy + j0 + j] = out[0][j];
  }
}

}  // namespace

float DotF32(const float* a, const float* b, int64_t n) {
  const float* wr[1] = {a};
  const float* xr[1] = {b};
  float out[1][1];
  DotBlock<1, 1>(wr, xr, n, out);
  return out[0][0];
}

void GemvF32(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
             int64_t n_end, float* y, int64_t ldy) {
  const char* wb = static_cast<const char*>(w);
  int64_t j = n_begin;
  for (; j + 4 <= n_end; j += 4) RowBlock<4>(x, m, k, wb, w_row_bytes, j, y, ldy);
  for (; j < n_end; ++j) RowBlock<1>(x, m, k, wb, w_row_bytes, j, y, ldy);
}

}  // namespace ttt::kernels::avx2
