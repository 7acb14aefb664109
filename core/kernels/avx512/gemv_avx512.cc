// f32 GEMV and dot product for AVX-512: core/kernels/generic/gemv_f32.h over simd::Avx512, weight rows one at
// a time (one sequential weight stream per thread for the hardware prefetchers, internal/gemv_rows.h).
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/generic/gemv_f32.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {

using simd::Avx512;

float DotF32(const float* a, const float* b, int64_t n) { return generic::DotF32<Avx512>(a, b, n); }

// One activation row (decoding one sequence) is bound by memory: weight rows one at a time, one sequential
// stream per thread. Several rows (a batch of sequences decoded together) are bound by the FMAs' operand loads:
// rows one at a time load 2 weight and 4 activation vectors for 4 FMAs per pair of activation rows; blocks of
// 4 weight rows load 8 + 4 for 16. On the AMD EPYC here (ttt serve-bench --profile, SmolLM-135M, 1 thread)
// a batch-8 step went from 58-59 ms to 51-53 ms; at batches 2 and 4 the four streams were slower (still
// partly bound by memory), so they keep one row at a time. The dot products sum in the same order either
// way (gemv_f32.h), so a sequence's logits do not depend on the batch it is decoded in.
void GemvF32(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
             int64_t n_end, float* y, int64_t ldy) {
  if (m >= 8) {
    generic::GemvF32<Avx512, /*kRowsPerBlock=*/4>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
  } else {
    generic::GemvF32<Avx512, /*kRowsPerBlock=*/1>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
  }
}

}  // namespace ttt::kernels::avx512
