// Rotary embedding for AVX2: core/kernels/generic/rope.h over simd::Avx2.
#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/generic/rope.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {

using simd::Avx2;

void RopeRotateHalf(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  generic::RopeRotateHalf<Avx2>(x, cos, sin, half_rotary_dim);
}
void RopeInterleaved(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  generic::RopeInterleaved<Avx2>(x, cos, sin, half_rotary_dim);
}

}  // namespace ttt::kernels::avx2
