// f32 GEMV and dot product written once over the vector-width abstraction (core/kernels/simd/), instantiated
// by avx2/gemv_avx2.cc and avx512/gemv_avx512.cc, each with its own weight-row blocking (internal/gemv_rows.h).
// Include only from *_avx2.cc / *_avx512.cc files.
//
// Every dot product uses the same summation order whatever block it is computed in (chunk c of kLanes values
// goes to accumulator c % 2, the masked tail to the next accumulator in turn, then one fixed reduction), so
// results do not depend on how rows are split over threads.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/kernels/internal/gemv_rows.h"

namespace ttt::kernels::generic {

template <class V, int R, int M>
inline void DotBlockF32(const float* const* w, const float* const* x, int64_t k, float (&result)[M][R]) {
  using F = typename V::F;
  constexpr int L = V::kLanes;
  F acc[M][R][2];
  #pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) acc[i][j][0] = acc[i][j][1] = V::Zero();
  int64_t c = 0;
  for (; c + 2 * L <= k; c += 2 * L) {
    F wv0[R], wv1[R];
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) {
      wv0[j] = V::Load(w[j] + c);
      wv1[j] = V::Load(w[j] + c + L);
    }
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const F x0 = V::Load(x[i] + c);
      const F x1 = V::Load(x[i] + c + L);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) {
        acc[i][j][0] = V::Fma(wv0[j], x0, acc[i][j][0]);
        acc[i][j][1] = V::Fma(wv1[j], x1, acc[i][j][1]);
      }
    }
  }
  int slot = 0;
  if (c + L <= k) {
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const F xv = V::Load(x[i] + c);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) acc[i][j][0] = V::Fma(V::Load(w[j] + c), xv, acc[i][j][0]);
    }
    c += L;
    slot = 1;
  }
  if (c < k) {
    const typename V::Mask mask = V::TailMask(k - c);
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const F xv = V::LoadMasked(x[i] + c, mask);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) acc[i][j][slot] = V::Fma(V::LoadMasked(w[j] + c, mask), xv, acc[i][j][slot]);
    }
  }
  #pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) result[i][j] = V::ReduceAdd(V::Add(acc[i][j][0], acc[i][j][1]));
}

// Adapts DotBlockF32 to the shared row loop, weight rows in blocks of kRowsPerBlock (1 or 4).
template <class V, int kRowsPerBlock>
struct F32GemvKernel {
  static constexpr int kRows = kRowsPerBlock;
  template <int R, int M>
  void Dot(const char* const* w, const float* const* x, int64_t k, float (&out)[M][R]) const {
    const float* rows[R];
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) rows[j] = reinterpret_cast<const float*>(w[j]);
    DotBlockF32<V, R, M>(rows, x, k, out);
  }
};

template <class V>
float DotF32(const float* a, const float* b, int64_t n) {
  const float* wr[1] = {a};
  const float* xr[1] = {b};
  float out[1][1];
  DotBlockF32<V, 1, 1>(wr, xr, n, out);
  return out[0][0];
}

template <class V, int kRowsPerBlock>
void GemvF32(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
             int64_t n_end, float* y, int64_t ldy) {
  internal::GemvRows(F32GemvKernel<V, kRowsPerBlock>{}, x, k, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::generic
