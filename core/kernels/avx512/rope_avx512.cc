// Rotary embedding for AVX512: core/kernels/generic/rope.h over simd::Avx512.
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/generic/rope.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {

using simd::Avx512;

void RopeRotateHalf(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  generic::RopeRotateHalf<Avx512>(x, cos, sin, half_rotary_dim);
}
void RopeInterleaved(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  generic::RopeInterleaved<Avx512>(x, cos, sin, half_rotary_dim);
}

}  // namespace ttt::kernels::avx512
