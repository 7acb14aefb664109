// Vectorised exp and erfc for the AVX2 kernels (same algorithms and coefficients as
// core/kernels/avx512/vec_math_avx512.h, which documents them). Include only from *_avx2.cc files.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace ttt::kernels::avx2 {

// Without vscalefps, 2^n is built in the exponent field, so n is kept in [-126, 127] and the ends of the
// range are patched: below -87.3 the result is 0, above 88.7 it is inf.
inline __m256 Exp(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-87.33654f), hi = _mm256_set1_ps(88.72283f);
  const __m256 underflow = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
  const __m256 overflow = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
  // max(lo, x) keeps NaN (the second operand is returned when either is NaN).
  __m256 xc = _mm256_min_ps(_mm256_set1_ps(88.0f), _mm256_max_ps(lo, x));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  // n = -126 with r < 0 would need a denormal; -126..127 is enough since |x| <= 88 keeps p * 2^n normal
  // except right at the underflow threshold, handled by the blend below.
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  __m256 result = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
  result = _mm256_andnot_ps(underflow, result);
  return _mm256_blendv_ps(result, _mm256_set1_ps(__builtin_inff()), overflow);
}

inline __m256 ErfcNonNegative(__m256 t) {
  t = _mm256_min_ps(t, _mm256_set1_ps(10.0f));
  const __m256 s = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(t, _mm256_set1_ps(0.5f), _mm256_set1_ps(1.0f)));
  const __m256 u = _mm256_fmsub_ps(s, _mm256_set1_ps(2.4f), _mm256_set1_ps(1.4f));
  __m256 h = _mm256_set1_ps(4.649799955e-06f);
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(-5.338557361e-05f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(9.195166914e-06f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(5.855924632e-04f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(-6.229875944e-04f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(-6.150604868e-03f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(5.963722551e-03f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(1.020293803e-01f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(3.262224353e-01f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(5.720119827e-01f));
  const __m256 t2_hi = _mm256_mul_ps(t, t);
  const __m256 t2_lo = _mm256_fmsub_ps(t, t, t2_hi);
  const __m256 e = _mm256_mul_ps(Exp(_mm256_sub_ps(_mm256_setzero_ps(), t2_hi)),
                                 _mm256_sub_ps(_mm256_set1_ps(1.0f), t2_lo));
  return _mm256_mul_ps(_mm256_mul_ps(e, s), h);
}

inline __m256 TimesSigmoid(__m256 x, __m256 z) {
  const __m256 e = Exp(_mm256_sub_ps(_mm256_setzero_ps(), z));
  return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

inline __m256 Silu(__m256 x) { return TimesSigmoid(x, x); }

inline __m256 GeluTanh(__m256 x) {
  const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 u = _mm256_mul_ps(_mm256_set1_ps(0.7978845608028654f),
                                 _mm256_fmadd_ps(x3, _mm256_set1_ps(0.044715f), x));
  return TimesSigmoid(x, _mm256_add_ps(u, u));
}

inline __m256 GeluErf(__m256 x) {
  const __m256 abs = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  const __m256 t = _mm256_mul_ps(abs, _mm256_set1_ps(0.70710678118654752f));
  const __m256 half_erfc = _mm256_mul_ps(_mm256_set1_ps(0.5f), ErfcNonNegative(t));
  const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 phi = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), half_erfc), half_erfc, negative);
  return _mm256_mul_ps(x, phi);
}

// Lanes [0, n) set, for _mm256_maskload_ps / _mm256_maskstore_ps on tails (0 <= n <= 8).
inline __m256i TailMask(int64_t n) {
  alignas(32) static const int32_t kLanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes + 8 - n));
}

inline float ReduceAdd(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

inline float ReduceMax(__m256 v) {
  const __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_max_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_max_ss(s2, _mm_movehdup_ps(s2)));
}

}  // namespace ttt::kernels::avx2
