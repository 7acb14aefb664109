// Row norms (RMS, layer) and softmax written once over the vector-width abstraction (core/kernels/simd/).
// Sums use two accumulators (chunk c of 2 * kLanes values: first half to the first, second half to the
// second; a masked tail to the first) and one fixed reduction. Instantiated by avx2/norm_avx2.cc and
// avx512/norm_avx512.cc (softmax also by the attention kernels); include only from *_avx2.cc / *_avx512.cc
// files.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/kernels/generic/vec_math.h"

namespace ttt::kernels::generic {

template <class V>
inline float SumOfSquares(const float* x, int64_t n) {
  using F = typename V::F;
  constexpr int L = V::kLanes;
  F acc0 = V::Zero(), acc1 = V::Zero();
  int64_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const F a = V::Load(x + i), b = V::Load(x + i + L);
    acc0 = V::Fma(a, a, acc0);
    acc1 = V::Fma(b, b, acc1);
  }
  for (; i < n; i += L) {
    const F a = V::LoadMasked(x + i, V::FirstLanes(n - i));
    acc0 = V::Fma(a, a, acc0);
  }
  return V::ReduceAdd(V::Add(acc0, acc1));
}

// sum of (x - center)^(power) for power 1 or 2.
template <class V, int kPower>
inline float CenteredSum(const float* x, int64_t n, float center) {
  using F = typename V::F;
  constexpr int L = V::kLanes;
  const F c = V::Set1(center);
  F acc0 = V::Zero(), acc1 = V::Zero();
  int64_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const F a = V::Sub(V::Load(x + i), c), b = V::Sub(V::Load(x + i + L), c);
    acc0 = kPower == 2 ? V::Fma(a, a, acc0) : V::Add(a, acc0);
    acc1 = kPower == 2 ? V::Fma(b, b, acc1) : V::Add(b, acc1);
  }
  for (; i < n; i += L) {
    const typename V::Mask mask = V::FirstLanes(n - i);
    const F a = V::ZeroOutside(mask, V::Sub(V::LoadMasked(x + i, mask), c));
    acc0 = kPower == 2 ? V::Fma(a, a, acc0) : V::Add(a, acc0);
  }
  return V::ReduceAdd(V::Add(acc0, acc1));
}

template <class V>
void RmsNormRow(const float* x, const float* w, float* out, int64_t dim, float eps, bool unit_offset) {
  using F = typename V::F;
  const F inv = V::Set1(1.0f / std::sqrt(SumOfSquares<V>(x, dim) / static_cast<float>(dim) + eps));
  const F offset = V::Set1(unit_offset ? 1.0f : 0.0f);
  for (int64_t i = 0; i < dim; i += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(dim - i);
    const F gain = V::Add(V::LoadMasked(w + i, mask), offset);
    V::StoreMasked(out + i, mask, V::Mul(V::Mul(V::LoadMasked(x + i, mask), inv), gain));
  }
}

template <class V>
void LayerNormRow(const float* x, const float* w, const float* b, float* out, int64_t dim, float eps) {
  using F = typename V::F;
  // Two passes (mean, then centred variance) avoid the cancellation of E[x^2] - E[x]^2; the mean itself is
  // refined by the mean of the residuals.
  float mean = CenteredSum<V, 1>(x, dim, 0.0f) / static_cast<float>(dim);
  mean += CenteredSum<V, 1>(x, dim, mean) / static_cast<float>(dim);
  const float var = CenteredSum<V, 2>(x, dim, mean) / static_cast<float>(dim);
  const F inv = V::Set1(1.0f / std::sqrt(var + eps));
  const F mv = V::Set1(mean);
  for (int64_t i = 0; i < dim; i += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(dim - i);
    const F centred = V::Sub(V::LoadMasked(x + i, mask), mv);
    const F bias = b != nullptr ? V::LoadMasked(b + i, mask) : V::Zero();
    V::StoreMasked(out + i, mask, V::Fma(V::Mul(centred, inv), V::LoadMasked(w + i, mask), bias));
  }
}

// Softmax in place, normalised.
template <class V>
void SoftmaxRow(float* x, int64_t n) {
  using F = typename V::F;
  if (n <= 0) return;
  F maxv = V::Set1(-INFINITY);
  for (int64_t i = 0; i < n; i += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(n - i);
    maxv = V::MaxMasked(maxv, mask, V::LoadMasked(x + i, mask));
  }
  const F max = V::Set1(V::ReduceMax(maxv));
  F sum = V::Zero();
  for (int64_t i = 0; i < n; i += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(n - i);
    const F e = V::ZeroOutside(mask, ExpOf<V>(V::Sub(V::LoadMasked(x + i, mask), max)));
    sum = V::Add(sum, e);
    V::StoreMasked(x + i, mask, e);
  }
  const F inv = V::Set1(1.0f / V::ReduceAdd(sum));
  for (int64_t i = 0; i < n; i += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(n - i);
    V::StoreMasked(x + i, mask, V::Mul(V::LoadMasked(x + i, mask), inv));
  }
}

}  // namespace ttt::kernels::generic
