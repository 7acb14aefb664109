// f32 GEMV, AVX2 version of core/kernels/avx512/gemv_avx512.cc (blocks of 4 weight rows, see gemv_rows.h;
// the same fixed summation order per dot product: 8-lane chunk c to accumulator c % 2, masked tail next,
// one reduction).
#include <immintrin.h>

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/avx2/vec_math_avx2.h"
#include "core/kernels/internal/gemv_rows.h"

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

// Adapts DotBlock to the shared row loop (core/kernels/internal/gemv_rows.h).
struct F32Kernel {
  static constexpr int kRows = 4;
  template <int R, int M>
  void Dot(const char* const* w, const float* const* x, int64_t k, float (&out)[M][R]) const {
    const float* rows[R];
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) rows[j] = reinterpret_cast<const float*>(w[j]);
    DotBlock<R, M>(rows, x, k, out);
  }
};

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
  internal::GemvRows(F32Kernel{}, x, k, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx2
