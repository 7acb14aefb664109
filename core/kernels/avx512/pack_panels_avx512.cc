// Packing weights into panels (kernel_table.h: PackPanelsFn; f32 values or bf16 pairs, 32-bit words) by
// 16 x 16 transposes in registers: a compressed weight's prompt decodes each tile to f32 and packs it for the
// panel GEMV on every call, where the scalar packing (one strided store per value) took a fifth of a bfp4
// prompt's time.
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/transpose_avx512.h"
#include "core/kernels/internal/f32_panels.h"

namespace ttt::kernels::avx512 {

void PackPanels(const void* src, int64_t n, int64_t words, void* dst) {
  internal::PackPanelWordsBy<16>(src, n, words, dst, Transpose16x16);
}

}  // namespace ttt::kernels::avx512
