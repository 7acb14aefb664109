// The panel layout of f32 decode weights (kernel_table.h: GemvF32PanelsFn): packing a row-major [n, k] weight
// into panels, and unpacking rows back (what reads a weight as rows: the float64 references, format changes).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/kernels/kernel_table.h"

namespace ttt::kernels::internal {

// Rows in the panel that starts at row p0 (a multiple of kF32PanelRows).
inline int64_t F32PanelWidth(int64_t n, int64_t p0) { return std::min<int64_t>(kF32PanelRows, n - p0); }

// The panels of n rows of `words` 32-bit words each (row-major at src) into dst: the f32 panel layout, and the
// bf16 pair panels (internal/bf16_panels.h), whose words are pairs of bf16 values. The words are moved as
// bytes, never as floats. dst and src do not overlap.
inline void PackPanelWords(const void* src, int64_t n, int64_t words, void* dst) {
  const char* in = static_cast<const char*>(src);
  char* out = static_cast<char*>(dst);
  for (int64_t p0 = 0; p0 < n; p0 += kF32PanelRows) {
    const int64_t w = F32PanelWidth(n, p0);
    char* panel = out + p0 * words * 4;
    for (int64_t r = 0; r < w; ++r) {
      const char* row = in + (p0 + r) * words * 4;
      for (int64_t c = 0; c < words; ++c) std::memcpy(panel + (c * w + r) * 4, row + c * 4, 4);
    }
  }
}

// PackPanelWords for the ISAs' packing kernels: `transpose(rows, stride, out)` turns a block of 16 rows (`stride`
// words apart) by kBlockWords words into out[c * kF32PanelRows + r], in registers; the words of a full panel
// past the last whole block, and the last partial panel, are moved one at a time.
template <int kBlockWords, class Transpose>
inline void PackPanelWordsBy(const void* src, int64_t n, int64_t words, void* dst, Transpose transpose) {
  const uint32_t* in = static_cast<const uint32_t*>(src);
  uint32_t* out = static_cast<uint32_t*>(dst);
  const int64_t full = n - n % kF32PanelRows;
  for (int64_t p0 = 0; p0 < full; p0 += kF32PanelRows) {
    const uint32_t* rows = in + p0 * words;
    uint32_t* panel = out + p0 * words;
    int64_t c = 0;
    for (; c + kBlockWords <= words; c += kBlockWords) transpose(rows + c, words, panel + c * kF32PanelRows);
    for (; c < words; ++c) {
      for (int64_t r = 0; r < kF32PanelRows; ++r) std::memcpy(panel + c * kF32PanelRows + r, rows + r * words + c, 4);
    }
  }
  if (full < n) PackPanelWords(in + full * words, n - full, words, out + full * words);
}

// dst[n * k] = the panels of src[n, k] (row-major); dst and src do not overlap.
inline void PackF32Panels(const float* src, int64_t n, int64_t k, float* dst) { PackPanelWords(src, n, k, dst); }

// Rows [begin, end) of the packed weight, row-major into dst[(end - begin) * k]; begin is a multiple of
// kF32PanelRows. Reads each panel in order, writes w rows at a time (they stay in L1 for a tile).
inline void UnpackF32Panels(const float* panels, int64_t n, int64_t k, int64_t begin, int64_t end, float* dst) {
  for (int64_t p0 = begin; p0 < end; p0 += kF32PanelRows) {
    const int64_t w = F32PanelWidth(n, p0);
    const int64_t rows = std::min(w, end - p0);
    const float* panel = panels + p0 * k;
    float* out = dst + (p0 - begin) * k;
    for (int64_t c = 0; c < k; ++c) {
      for (int64_t r = 0; r < rows; ++r) out[r * k + c] = panel[c * w + r];
    }
  }
}

// Row `row` of the packed weight into dst[k]: one value from each of the row's panel columns (an embedding
// lookup in a table that a tied LM head keeps in panels).
inline void GatherF32PanelRow(const float* panels, int64_t n, int64_t k, int64_t row, float* dst) {
  const int64_t p0 = row / kF32PanelRows * kF32PanelRows, w = F32PanelWidth(n, p0);
  const float* column = panels + p0 * k + (row - p0);
  for (int64_t c = 0; c < k; ++c) dst[c] = column[c * w];
}

}  // namespace ttt::kernels::internal
