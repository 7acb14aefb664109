#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/vec_math_avx512.h"

namespace ttt::kernels::avx512 {

void RopeRotateHalf(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  float* y = x + half_rotary_dim;
  for (int64_t i = 0; i < half_rotary_dim; i += 16) {
    const __mmask16 mask = TailMask(half_rotary_dim - i < 16 ? half_rotary_dim - i : 16);
    const __m512 a = _mm512_maskz_loadu_ps(mask, x + i), b = _mm512_maskz_loadu_ps(mask, y + i);
    const __m512 c = _mm512_maskz_loadu_ps(mask, cos + i), s = _mm512_maskz_loadu_ps(mask, sin + i);
    _mm512_mask_storeu_ps(x + i, mask, _mm512_fmsub_ps(a, c, _mm512_mul_ps(b, s)));
    _mm512_mask_storeu_ps(y + i, mask, _mm512_fmadd_ps(a, s, _mm512_mul_ps(b, c)));
  }
}

// 16 values hold 8 pairs (a, b); cos/sin of pair p are broadcast to lanes 2p and 2p+1, and the swapped
// vector (b, a) times (-sin, sin) completes the rotation.
void RopeInterleaved(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  const __m512i dup = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
  const __m512 sign = _mm512_set_ps(1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1);
  for (int64_t p = 0; p < half_rotary_dim; p += 8) {
    const int64_t pairs = half_rotary_dim - p < 8 ? half_rotary_dim - p : 8;
    const __mmask16 mask = TailMask(2 * pairs);
    const __mmask16 half_mask = TailMask(pairs);
    const __m512 v = _mm512_maskz_loadu_ps(mask, x + 2 * p);
    const __m512 c = _mm512_permutexvar_ps(dup, _mm512_maskz_loadu_ps(half_mask, cos + p));
    const __m512 s = _mm512_mul_ps(_mm512_permutexvar_ps(dup, _mm512_maskz_loadu_ps(half_mask, sin + p)), sign);
    const __m512 swapped = _mm512_permute_ps(v, 0xB1);
    _mm512_mask_storeu_ps(x + 2 * p, mask, _mm512_fmadd_ps(v, c, _mm512_mul_ps(swapped, s)));
  }
}

}  // namespace ttt::kernels::avx512
