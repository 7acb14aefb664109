// f32 GEMV for decode: one weight row (F32Kernel::kRows, see gemv_rows.h) times 1 or 2 activation rows, the
// weights read as one sequential stream per thread that the hardware prefetchers follow. Every dot product uses
// the same summation order whatever block it is computed in (16-lane chunk c goes to accumulator c % 2,
// the masked tail to the next accumulator in turn, then one fixed reduction), so results do not depend on
// how rows are split over threads.
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/vec_math_avx512.h"
#include "core/kernels/internal/gemv_rows.h"

namespace ttt::kernels::avx512 {
namespace {

template <int R, int M>
inline void DotBlock(const float* const* w, const float* const* x, int64_t k, float (&result)[M][R]) {
  __m512 acc[M][R][2];
  #pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) acc[i][j][0] = acc[i][j][1] = _mm512_setzero_ps();
  int64_t c = 0;
  for (; c + 32 <= k; c += 32) {
    __m512 wv0[R], wv1[R];
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) {
      wv0[j] = _mm512_loadu_ps(w[j] + c);
      wv1[j] = _mm512_loadu_ps(w[j] + c + 16);
    }
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m512 x0 = _mm512_loadu_ps(x[i] + c);
      const __m512 x1 = _mm512_loadu_ps(x[i] + c + 16);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) {
        acc[i][j][0] = _mm512_fmadd_ps(wv0[j], x0, acc[i][j][0]);
        acc[i][j][1] = _mm512_fmadd_ps(wv1[j], x1, acc[i][j][1]);
      }
    }
  }
  int slot = 0;
  if (c + 16 <= k) {
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m512 xv = _mm512_loadu_ps(x[i] + c);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) acc[i][j][0] = _mm512_fmadd_ps(_mm512_loadu_ps(w[j] + c), xv, acc[i][j][0]);
    }
    c += 16;
    slot = 1;
  }
  if (c < k) {
    const __mmask16 mask = TailMask(k - c);
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m512 xv = _mm512_maskz_loadu_ps(mask, x[i] + c);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) {
        acc[i][j][slot] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, w[j] + c), xv, acc[i][j][slot]);
      }
    }
  }
  #pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) result[i][j] = _mm512_reduce_add_ps(_mm512_add_ps(acc[i][j][0], acc[i][j][1]));
}

// Adapts DotBlock to the shared row loop (core/kernels/internal/gemv_rows.h).
struct F32Kernel {
  static constexpr int kRows = 1;
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

}  // namespace ttt::kernels::avx512
