// Packing f32 weights into panels (kernel_table.h: PackF32PanelsFn) by 16 x 16 transposes in registers: a
// compressed weight's prompt decodes each tile to f32 and packs it for the panel GEMV on every call, where
// the scalar packing (one strided store per value) took a fifth of a bfp4 prompt's time.
#include <cstring>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/transpose_avx512.h"
#include "core/kernels/internal/f32_panels.h"

namespace ttt::kernels::avx512 {

void PackF32Panels(const float* src, int64_t n, int64_t k, float* dst) {
  const int64_t full = n - n % kF32PanelRows;
  for (int64_t p0 = 0; p0 < full; p0 += kF32PanelRows) {
    const float* rows = src + p0 * k;
    float* panel = dst + p0 * k;
    int64_t c = 0;
    for (; c + 16 <= k; c += 16) {
      Transpose16x16(reinterpret_cast<const uint32_t*>(rows + c), k, reinterpret_cast<uint32_t*>(panel + c * kF32PanelRows));
    }
    for (; c < k; ++c) {
      for (int64_t r = 0; r < kF32PanelRows; ++r) panel[c * kF32PanelRows + r] = rows[r * k + c];
    }
  }
  if (full < n) internal::PackF32Panels(src + full * k, n - full, k, dst + full * k);  // the last, partial panel
}

}  // namespace ttt::kernels::avx512
