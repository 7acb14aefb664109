// Vectorised exp, erfc and the activations built on them, written once over the vector-width abstraction
// (core/kernels/simd/vec_avx2.h, vec_avx512.h) and instantiated by the AVX2 and AVX-512 kernels. Include
// only from *_avx2.cc / *_avx512.cc files (through the other generic headers).
//
// exp: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two for an exact reduction), e^r by its degree-7
// Taylor polynomial (truncation r^8/8! < 6e-9), then 2^n applied by the ISA (V::ScaleExp: vscalefps on
// AVX-512, the exponent field and patched range ends on AVX2). Relative error ~2e-7 (a few float roundings).
//
// erfc (t >= 0): erfc(t) = exp(-t^2) * s * h(s) with s = 1/(1 + t/2). h is smooth on s in [1/6, 1]
// (t in [0, 10]; erfc(10) is below the smallest float) and is approximated by a degree-9 polynomial in
// u = 2.4 s - 1.4, fitted by relative least squares with Lawson reweighting in long double (max relative
// error 4e-8; 3e-7 evaluated in float). t^2 is split into hi + lo with an FMA so the exponent stays exact.
#pragma once

namespace ttt::kernels::generic {

template <class V>
inline typename V::F ExpOf(typename V::F x) {
  using F = typename V::F;
  const F xc = V::ClampExpArgument(x);
  const F n = V::RoundToNearest(V::Mul(xc, V::Set1(1.44269504088896341f)));
  F r = V::Fnma(n, V::Set1(0.693359375f), xc);
  r = V::Fnma(n, V::Set1(-2.12194440e-4f), r);
  F p = V::Set1(1.0f / 5040);
  p = V::Fma(p, r, V::Set1(1.0f / 720));
  p = V::Fma(p, r, V::Set1(1.0f / 120));
  p = V::Fma(p, r, V::Set1(1.0f / 24));
  p = V::Fma(p, r, V::Set1(1.0f / 6));
  p = V::Fma(p, r, V::Set1(0.5f));
  p = V::Fma(p, r, V::Set1(1.0f));
  p = V::Fma(p, r, V::Set1(1.0f));
  return V::ScaleExp(p, n, x);
}

// erfc(t) for t >= 0.
template <class V>
inline typename V::F ErfcNonNegativeOf(typename V::F t) {
  using F = typename V::F;
  t = V::Min(t, V::Set1(10.0f));
  const F s = V::Div(V::Set1(1.0f), V::Fma(t, V::Set1(0.5f), V::Set1(1.0f)));
  const F u = V::Fms(s, V::Set1(2.4f), V::Set1(1.4f));
  F h = V::Set1(4.649799955e-06f);
  h = V::Fma(h, u, V::Set1(-5.338557361e-05f));
  h = V::Fma(h, u, V::Set1(9.195166914e-06f));
  h = V::Fma(h, u, V::Set1(5.855924632e-04f));
  h = V::Fma(h, u, V::Set1(-6.229875944e-04f));
  h = V::Fma(h, u, V::Set1(-6.150604868e-03f));
  h = V::Fma(h, u, V::Set1(5.963722551e-03f));
  h = V::Fma(h, u, V::Set1(1.020293803e-01f));
  h = V::Fma(h, u, V::Set1(3.262224353e-01f));
  h = V::Fma(h, u, V::Set1(5.720119827e-01f));
  const F t2_hi = V::Mul(t, t);
  const F t2_lo = V::Fms(t, t, t2_hi);
  // exp(-(hi + lo)) = exp(-hi) * (1 - lo) to first order (|lo| <= ulp(hi) / 2).
  const F e = V::Mul(ExpOf<V>(V::Sub(V::Zero(), t2_hi)), V::Sub(V::Set1(1.0f), t2_lo));
  return V::Mul(V::Mul(e, s), h);
}

// x * sigmoid(z) = x / (1 + exp(-z)); stable for both signs (exp overflow gives x / inf = 0).
template <class V>
inline typename V::F TimesSigmoidOf(typename V::F x, typename V::F z) {
  return V::Div(x, V::Add(V::Set1(1.0f), ExpOf<V>(V::Sub(V::Zero(), z))));
}

template <class V>
inline typename V::F SiluOf(typename V::F x) {
  return TimesSigmoidOf<V>(x, x);
}

// 0.5 x (1 + tanh(u)) = x * sigmoid(2u): no cancellation in the negative tail.
template <class V>
inline typename V::F GeluTanhOf(typename V::F x) {
  using F = typename V::F;
  const F x3 = V::Mul(V::Mul(x, x), x);
  const F u = V::Mul(V::Set1(0.7978845608028654f), V::Fma(x3, V::Set1(0.044715f), x));
  return TimesSigmoidOf<V>(x, V::Add(u, u));
}

// cap * tanh(x / cap) with tanh(y) = 1 - 2 / (1 + e^(2y)): e^(2y) overflowing to infinity gives 1, underflowing
// to 0 gives -1. Near 0 the absolute error is a few float ulps of 1 (times cap), far below what capping at
// 30-50 is for. `two_over_cap` is 2 / cap.
template <class V>
inline typename V::F SoftCapOf(typename V::F x, typename V::F cap, typename V::F two_over_cap) {
  using F = typename V::F;
  const F e = ExpOf<V>(V::Mul(x, two_over_cap));
  return V::Mul(cap, V::Sub(V::Set1(1.0f), V::Div(V::Set1(2.0f), V::Add(V::Set1(1.0f), e))));
}

// x * Phi(x) with Phi(x) = erfc(-x / sqrt 2) / 2, i.e. erfc(t)/2 for x < 0 and 1 - erfc(t)/2 for x >= 0.
template <class V>
inline typename V::F GeluErfOf(typename V::F x) {
  using F = typename V::F;
  const F t = V::Mul(V::Abs(x), V::Set1(0.70710678118654752f));
  const F half_erfc = V::Mul(V::Set1(0.5f), ErfcNonNegativeOf<V>(t));
  const F phi = V::Select(V::Less(x, V::Zero()), half_erfc, V::Sub(V::Set1(1.0f), half_erfc));
  return V::Mul(x, phi);
}

}  // namespace ttt::kernels::generic
