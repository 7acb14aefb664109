// f32 GEMV and dot product for AVX2: core/kernels/generic/gemv_f32.h over simd::Avx2, weight rows in blocks
// of 4 (internal/gemv_rows.h: not measured on an AVX2-only machine, where the AVX-512 kernels take rows one
// at a time).
#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/generic/gemv_f32.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {

using simd::Avx2;

float DotF32(const float* a, const float* b, int64_t n) { return generic::DotF32<Avx2>(a, b, n); }

void GemvF32(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
             int64_t n_end, float* y, int64_t ldy) {
  generic::GemvF32<Avx2, /*kRowsPerBlock=*/4>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx2
