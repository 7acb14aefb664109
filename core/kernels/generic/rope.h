// Rotary position embedding of one head, written once over the vector-width abstraction (core/kernels/simd/).
// Instantiated by avx2/rope_avx2.cc and avx512/rope_avx512.cc; include only from *_avx2.cc / *_avx512.cc files.
#pragma once

#include <cstdint>

namespace ttt::kernels::generic {

template <class V>
void RopeRotateHalf(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  using F = typename V::F;
  float* y = x + half_rotary_dim;
  for (int64_t i = 0; i < half_rotary_dim; i += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(half_rotary_dim - i);
    const F a = V::LoadMasked(x + i, mask), b = V::LoadMasked(y + i, mask);
    const F c = V::LoadMasked(cos + i, mask), s = V::LoadMasked(sin + i, mask);
    V::StoreMasked(x + i, mask, V::Fms(a, c, V::Mul(b, s)));
    V::StoreMasked(y + i, mask, V::Fma(a, s, V::Mul(b, c)));
  }
}

// A vector holds kLanes / 2 pairs (a, b); cos/sin of pair p are spread to lanes 2p and 2p+1, and the swapped
// vector (b, a) times (-sin, sin) completes the rotation.
template <class V>
void RopeInterleaved(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  using F = typename V::F;
  constexpr int kPairs = V::kLanes / 2;
  const F sign = V::PairSigns();
  for (int64_t p = 0; p < half_rotary_dim; p += kPairs) {
    const int64_t pairs = half_rotary_dim - p < kPairs ? half_rotary_dim - p : kPairs;
    const typename V::Mask mask = V::TailMask(2 * pairs);
    const typename V::Mask half_mask = V::TailMask(pairs);
    const F v = V::LoadMasked(x + 2 * p, mask);
    const F c = V::SpreadToPairs(V::LoadMasked(cos + p, half_mask));
    const F s = V::Mul(V::SpreadToPairs(V::LoadMasked(sin + p, half_mask)), sign);
    V::StoreMasked(x + 2 * p, mask, V::Fma(v, c, V::Mul(V::SwapPairs(v), s)));
  }
}

}  // namespace ttt::kernels::generic
