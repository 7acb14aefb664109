// The panel layout of bf16 decode weights (kernel_table.h: GemvBf16PanelsFn): a row's bf16 values taken as
// 32-bit words of two (values 2q, 2q + 1 in word q, the low half first, as in memory), packed as the f32
// panels pack floats: panel p holds rows [16p, min(16p + 16, n)), w = its row count, and row 16p + r's word q
// is word 16p * k/2 + q * w + r. One zmm load gives word q of 16 rows, the operand of one vdpbf16ps. Only an
// even k has whole words; same size as the row-major weight.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/kernels/internal/f32_panels.h"

namespace ttt::kernels::internal {

// Rows [begin, end) of the packed weight [n, k] (k even), row-major into dst[(end - begin) * k] bf16 values;
// begin is a multiple of 16.
inline void UnpackBf16Panels(const uint16_t* panels, int64_t n, int64_t k, int64_t begin, int64_t end, uint16_t* dst) {
  const int64_t words = k / 2;
  for (int64_t p0 = begin; p0 < end; p0 += kF32PanelRows) {
    const int64_t w = F32PanelWidth(n, p0);
    const int64_t rows = end - p0 < w ? end - p0 : w;
    const uint16_t* panel = panels + p0 * k;
    uint16_t* out = dst + (p0 - begin) * k;
    for (int64_t q = 0; q < words; ++q) {
      for (int64_t r = 0; r < rows; ++r) std::memcpy(out + r * k + 2 * q, panel + 2 * (q * w + r), 4);
    }
  }
}

}  // namespace ttt::kernels::internal
