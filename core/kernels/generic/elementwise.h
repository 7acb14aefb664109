// Element-wise kernels (activations, gated activations, add, mul) written once over the vector-width
// abstraction (core/kernels/simd/): full vectors, then one masked vector for the tail. Instantiated by
// avx2/activation_avx2.cc and avx512/activation_avx512.cc; include only from *_avx2.cc / *_avx512.cc files.
#pragma once

#include <cstdint>

#include "core/kernels/generic/vec_math.h"

namespace ttt::kernels::generic {

template <class V, class Op>
inline void Unary(const float* x, float* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) V::Store(out + i, op(V::Load(x + i)));
  if (i < n) {
    const typename V::Mask mask = V::TailMask(n - i);
    V::StoreMasked(out + i, mask, op(V::LoadMasked(x + i, mask)));
  }
}

template <class V, class Op>
inline void Binary(const float* a, const float* b, float* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) V::Store(out + i, op(V::Load(a + i), V::Load(b + i)));
  if (i < n) {
    const typename V::Mask mask = V::TailMask(n - i);
    V::StoreMasked(out + i, mask, op(V::LoadMasked(a + i, mask), V::LoadMasked(b + i, mask)));
  }
}

template <class V>
void Silu(const float* x, float* out, int64_t n) {
  Unary<V>(x, out, n, [](typename V::F v) { return SiluOf<V>(v); });
}
// max(v, 0) gives 0 for NaN and -0, as the reference's x > 0 ? x : 0.
template <class V>
void Relu(const float* x, float* out, int64_t n) {
  Unary<V>(x, out, n, [](typename V::F v) { return V::Max(v, V::Zero()); });
}
template <class V>
void GeluErf(const float* x, float* out, int64_t n) {
  Unary<V>(x, out, n, [](typename V::F v) { return GeluErfOf<V>(v); });
}
template <class V>
void GeluTanh(const float* x, float* out, int64_t n) {
  Unary<V>(x, out, n, [](typename V::F v) { return GeluTanhOf<V>(v); });
}

template <class V>
void SoftCap(const float* x, float* out, int64_t n, float cap) {
  const typename V::F c = V::Set1(cap), k = V::Set1(2.0f / cap);
  Unary<V>(x, out, n, [&](typename V::F v) { return SoftCapOf<V>(v, c, k); });
}

template <class V>
void Add(const float* a, const float* b, float* out, int64_t n) {
  Binary<V>(a, b, out, n, [](typename V::F u, typename V::F v) { return V::Add(u, v); });
}
template <class V>
void Mul(const float* a, const float* b, float* out, int64_t n) {
  Binary<V>(a, b, out, n, [](typename V::F u, typename V::F v) { return V::Mul(u, v); });
}
template <class V>
void SiluMul(const float* a, const float* b, float* out, int64_t n) {
  Binary<V>(a, b, out, n, [](typename V::F u, typename V::F v) { return V::Mul(SiluOf<V>(u), v); });
}
template <class V>
void GeluErfMul(const float* a, const float* b, float* out, int64_t n) {
  Binary<V>(a, b, out, n, [](typename V::F u, typename V::F v) { return V::Mul(GeluErfOf<V>(u), v); });
}
template <class V>
void GeluTanhMul(const float* a, const float* b, float* out, int64_t n) {
  Binary<V>(a, b, out, n, [](typename V::F u, typename V::F v) { return V::Mul(GeluTanhOf<V>(u), v); });
}

}  // namespace ttt::kernels::generic
