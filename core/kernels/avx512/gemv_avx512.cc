// f32 GEMV and dot product for AVX-512: core/kernels/generic/gemv_f32.h over simd::Avx512, weight rows one at
// a time (one sequential weight stream per thread for the hardware prefetchers, internal/gemv_rows.h).
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/generic/gemv_f32.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {

using simd::Avx512;

float DotF32(const float* a, const float* b, int64_t n) { return generic::DotF32<Avx512>(a, b, n); }

void GemvF32(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
             int64_t n_end, float* y, int64_t ldy) {
  generic::GemvF32<Avx512, /*kRowsPerBlock=*/1>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx512
