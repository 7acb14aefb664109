// Vectorised exp and erfc for the AVX-512 kernels. Include only from *_avx512.cc files.
//
// exp: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two for an exact reduction), e^r by its degree-7
// Taylor polynomial (truncation r^8/8! < 6e-9), 2^n applied with vscalefps, which also produces the correct
// 0 / inf / denormal at the ends of the range. Relative error ~2e-7 (a few float roundings).
//
// erfc (t >= 0): erfc(t) = exp(-t^2) * s * h(s) with s = 1/(1 + t/2). h is smooth on s in [1/6, 1]
// (t in [0, 10]; erfc(10) is below the smallest float) and is approximated by a degree-9 polynomial in
// u = 2.4 s - 1.4, fitted by relative least squares with Lawson reweighting in long double (max relative
// error 4e-8; 3e-7 evaluated in float). t^2 is split into hi + lo with an FMA so the exponent stays exact.
#pragma once

// GCC 12 warns about _mm512_undefined_ps() inside its own intrinsics headers (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstdint>

namespace ttt::kernels::avx512 {

inline __m512 Exp(__m512 x) {
  // Clamp so that n * ln2 stays finite; beyond these bounds exp is 0 or inf anyway. max(lo, x) keeps NaN.
  x = _mm512_min_ps(_mm512_set1_ps(89.0f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

// erfc(t) for t >= 0.
inline __m512 ErfcNonNegative(__m512 t) {
  t = _mm512_min_ps(t, _mm512_set1_ps(10.0f));
  const __m512 s = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(t, _mm512_set1_ps(0.5f), _mm512_set1_ps(1.0f)));
  const __m512 u = _mm512_fmsub_ps(s, _mm512_set1_ps(2.4f), _mm512_set1_ps(1.4f));
  __m512 h = _mm512_set1_ps(4.649799955e-06f);
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(-5.338557361e-05f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(9.195166914e-06f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(5.855924632e-04f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(-6.229875944e-04f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(-6.150604868e-03f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(5.963722551e-03f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(1.020293803e-01f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(3.262224353e-01f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(5.720119827e-01f));
  const __m512 t2_hi = _mm512_mul_ps(t, t);
  const __m512 t2_lo = _mm512_fmsub_ps(t, t, t2_hi);
  // exp(-(hi + lo)) = exp(-hi) * (1 - lo) to first order (|lo| <= ulp(hi) / 2).
  const __m512 e = _mm512_mul_ps(Exp(_mm512_sub_ps(_mm512_setzero_ps(), t2_hi)),
                                 _mm512_sub_ps(_mm512_set1_ps(1.0f), t2_lo));
  return _mm512_mul_ps(_mm512_mul_ps(e, s), h);
}

// x * sigmoid(z) = x / (1 + exp(-z)); stable for both signs (exp overflow gives x / inf = 0).
inline __m512 TimesSigmoid(__m512 x, __m512 z) {
  const __m512 e = Exp(_mm512_sub_ps(_mm512_setzero_ps(), z));
  return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

inline __m512 Silu(__m512 x) { return TimesSigmoid(x, x); }

// 0.5 x (1 + tanh(u)) = x * sigmoid(2u): no cancellation in the negative tail.
inline __m512 GeluTanh(__m512 x) {
  const __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
  const __m512 u = _mm512_mul_ps(_mm512_set1_ps(0.7978845608028654f),
                                 _mm512_fmadd_ps(x3, _mm512_set1_ps(0.044715f), x));
  return TimesSigmoid(x, _mm512_add_ps(u, u));
}

// x * Phi(x) with Phi(x) = erfc(-x / sqrt 2) / 2, i.e. erfc(t)/2 for x < 0 and 1 - erfc(t)/2 for x >= 0.
inline __m512 GeluErf(__m512 x) {
  const __m512 t = _mm512_mul_ps(_mm512_abs_ps(x), _mm512_set1_ps(0.70710678118654752f));
  const __m512 half_erfc = _mm512_mul_ps(_mm512_set1_ps(0.5f), ErfcNonNegative(t));
  const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  const __m512 phi = _mm512_mask_blend_ps(negative, _mm512_sub_ps(_mm512_set1_ps(1.0f), half_erfc), half_erfc);
  return _mm512_mul_ps(x, phi);
}

// Lanes [0, n) of a 16-lane vector, for masked loads and stores of tails.
inline __mmask16 TailMask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1u); }

}  // namespace ttt::kernels::avx512
