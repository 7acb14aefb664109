// The panel GEMV (kernel_table.h: GemvF32PanelsFn) written once over the vector-width abstraction
// (core/kernels/simd/), instantiated by avx2/gemv_panels_avx2.cc and avx512/gemv_panels_avx512.cc with their
// register blocking. Include only from *_avx2.cc / *_avx512.cc files.
//
// A tile is MB activation rows times PB panels: per column c, PB * 16 / kLanes weight vectors loaded once
// and MB broadcast activations, feeding PB * 16 / kLanes * MB FMAs into as many accumulators. Every
// accumulator lane is one output's FMA chain over c in order, whatever MB and PB: the blocking changes the
// speed, never the bits (the scalar reference, reference/gemv_panels_ref.cc, is the same chain).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/kernels/internal/f32_panels.h"

namespace ttt::kernels::generic {

// y[r * ldy + j] for r < MB, j < PB * 16: x's rows are k apart, w is the first of PB whole panels.
template <class V, int MB, int PB>
inline void PanelTile(const float* x, int64_t k, const float* w, float* y, int64_t ldy) {
  using F = typename V::F;
  constexpr int L = V::kLanes;
  constexpr int NV = kF32PanelRows / L;
  const int64_t panel_floats = kF32PanelRows * k;
  F acc[PB][NV][MB];
  #pragma GCC unroll 64
  for (int p = 0; p < PB; ++p)
    #pragma GCC unroll 64
    for (int v = 0; v < NV; ++v)
      #pragma GCC unroll 64
      for (int r = 0; r < MB; ++r) acc[p][v][r] = V::Zero();
  #pragma GCC unroll 2
  for (int64_t c = 0; c < k; ++c) {
    F wv[PB][NV];
    #pragma GCC unroll 64
    for (int p = 0; p < PB; ++p)
      #pragma GCC unroll 64
      for (int v = 0; v < NV; ++v) wv[p][v] = V::Load(w + p * panel_floats + c * kF32PanelRows + v * L);
    #pragma GCC unroll 64
    for (int r = 0; r < MB; ++r) {
      const F xv = V::Set1(x[r * k + c]);
      #pragma GCC unroll 64
      for (int p = 0; p < PB; ++p)
        #pragma GCC unroll 64
        for (int v = 0; v < NV; ++v) acc[p][v][r] = V::Fma(wv[p][v], xv, acc[p][v][r]);
    }
  }
  #pragma GCC unroll 64
  for (int p = 0; p < PB; ++p)
    #pragma GCC unroll 64
    for (int v = 0; v < NV; ++v)
      #pragma GCC unroll 64
      for (int r = 0; r < MB; ++r) V::Store(y + r * ldy + p * kF32PanelRows + v * L, acc[p][v][r]);
}

// Runs the tile of `rows` activation rows (1..Blocking::kMaxRows) over `panels` panels (1 or
// Blocking::Panels(rows)).
template <class V, class Blocking, int MB = 1>
inline void DispatchTile(int rows, int panels, const float* x, int64_t k, const float* w, float* y, int64_t ldy) {
  if constexpr (MB <= Blocking::kMaxRows) {
    if (rows == MB) {
      constexpr int PB = Blocking::Panels(MB);
      if (panels == PB) {
        PanelTile<V, MB, PB>(x, k, w, y, ldy);
      } else {
        PanelTile<V, MB, 1>(x, k, w, y, ldy);
      }
      return;
    }
    DispatchTile<V, Blocking, MB + 1>(rows, panels, x, k, w, y, ldy);
  }
}

// Blocking: kMaxRows activation rows per tile at most, and constexpr int Panels(int rows).
template <class V, class Blocking>
void GemvF32Panels(const float* x, int64_t m, int64_t k, const float* panels, int64_t n, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy) {
  if (m <= 0) return;
  // Rows in equal chunks of at most kMaxRows (m = 8 on AVX2: 4 + 4, not 6 + 2).
  const int64_t chunks = (m + Blocking::kMaxRows - 1) / Blocking::kMaxRows;
  const int mb = static_cast<int>((m + chunks - 1) / chunks);
  const int pb = Blocking::Panels(mb);
  const int64_t full_end = std::min(n_end, n - n % kF32PanelRows);
  // Panel groups outermost: the chunks after the first read the group's panels from L1/L2.
  int64_t j = n_begin;
  for (; j < full_end; j += kF32PanelRows) {
    const int group = j + pb * kF32PanelRows <= full_end ? pb : 1;
    for (int64_t r0 = 0; r0 < m; r0 += mb) {
      DispatchTile<V, Blocking>(static_cast<int>(std::min<int64_t>(mb, m - r0)), group, x + r0 * k, k,
                                panels + j * k, y + r0 * ldy + j, ldy);
    }
    j += (group - 1) * kF32PanelRows;
  }
  // The last, partial panel (n not a multiple of 16): the scalar chain, a handful of outputs.
  for (; j < n_end; ++j) {
    const int64_t p0 = j - j % kF32PanelRows;
    const int64_t w = internal::F32PanelWidth(n, p0);
    const float* col = panels + p0 * k + (j - p0);
    for (int64_t r = 0; r < m; ++r) {
      float acc = 0.0f;
      for (int64_t c = 0; c < k; ++c) acc = std::fma(col[c * w], x[r * k + c], acc);
      y[r * ldy + j] = acc;
    }
  }
}

}  // namespace ttt::kernels::generic
