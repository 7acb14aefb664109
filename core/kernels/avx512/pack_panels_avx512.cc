// Packing weights into panels (kernel_table.h: PackPanelsFn; f32 values or bf16 pairs, 32-bit words) by
// 16 x 16 transposes in registers: a compressed weight's prompt decodes each tile to f32 and packs it for the
// panel GEMV on every call, where the scalar packing (one strided store per value) took a fifth of a bfp4
// prompt's time.
#include <cstring>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/transpose_avx512.h"
#include "core/kernels/internal/f32_panels.h"

namespace ttt::kernels::avx512 {

void PackPanels(const void* src, int64_t n, int64_t words, void* dst) {
  const uint32_t* in = static_cast<const uint32_t*>(src);
  uint32_t* out = static_cast<uint32_t*>(dst);
  const int64_t full = n - n % kF32PanelRows;
  for (int64_t p0 = 0; p0 < full; p0 += kF32PanelRows) {
    const uint32_t* rows = in + p0 * words;
    uint32_t* panel = out + p0 * words;
    int64_t c = 0;
    for (; c + 16 <= words; c += 16) Transpose16x16(rows + c, words, panel + c * kF32PanelRows);
    for (; c < words; ++c) {
      for (int64_t r = 0; r < kF32PanelRows; ++r) std::memcpy(panel + c * kF32PanelRows + r, rows + r * words + c, 4);
    }
  }
  if (full < n) internal::PackPanelWords(in + full * words, n - full, words, out + full * words);  // partial panel
}

}  // namespace ttt::kernels::avx512
