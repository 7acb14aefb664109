// The vector-width abstraction for AVX2 + FMA: 8 float lanes. The kernels of core/kernels/generic/ are
// written once over a type like this one (members below) and instantiated per instruction set;
// simd/vec_avx512.h is the 16-lane twin with the same members. Include only from *_avx2.cc files: the
// members are compiled with that file's flags.
//
// Tails: Mask selects lanes [0, n) and is an all-ones int32 per lane here (vmaskmovps), a __mmask16 on
// AVX-512; masked loads read zeros outside the mask. Comparisons give a Cmp (here a float-typed lane mask).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace ttt::kernels::simd {

struct Avx2 {
  using F = __m256;
  using Mask = __m256i;
  using Cmp = __m256;
  static constexpr int kLanes = 8;

  static F Zero() { return _mm256_setzero_ps(); }
  static F Set1(float v) { return _mm256_set1_ps(v); }
  static F Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, F v) { _mm256_storeu_ps(p, v); }

  // Lanes [0, n) for 0 <= n <= 8.
  static Mask TailMask(int64_t n) {
    alignas(32) static const int32_t kOnes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kOnes + 8 - n));
  }
  // Lanes [0, min(n, 8)): the mask of a loop step with n values left.
  static Mask FirstLanes(int64_t n) { return TailMask(n < kLanes ? n : kLanes); }
  static F LoadMasked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void StoreMasked(float* p, Mask m, F v) { _mm256_maskstore_ps(p, m, v); }
  static F ZeroOutside(Mask m, F v) { return _mm256_and_ps(_mm256_castsi256_ps(m), v); }
  // max(acc, v) in the lanes of m, acc elsewhere.
  static F MaxMasked(F acc, Mask m, F v) {
    return _mm256_blendv_ps(acc, _mm256_max_ps(acc, v), _mm256_castsi256_ps(m));
  }

  static F Add(F a, F b) { return _mm256_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F Mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F Div(F a, F b) { return _mm256_div_ps(a, b); }
  // vmaxps/vminps: the second operand when either is NaN.
  static F Max(F a, F b) { return _mm256_max_ps(a, b); }
  static F Min(F a, F b) { return _mm256_min_ps(a, b); }
  static F Abs(F a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static F Fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }   // a b + c
  static F Fms(F a, F b, F c) { return _mm256_fmsub_ps(a, b, c); }   // a b - c
  static F Fnma(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }  // c - a b
  static Cmp Less(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static F Select(Cmp c, F if_true, F if_false) { return _mm256_blendv_ps(if_false, if_true, c); }

  // ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7)).
  static float ReduceAdd(F v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 s2 = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
  }
  static float ReduceMax(F v) {
    const __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 s2 = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s2, _mm_movehdup_ps(s2)));
  }
  // The four sums as lanes 0..3, each in ReduceAdd's order.
  static __m128 ReduceAdd4(F a0, F a1, F a2, F a3) {
    return _mm_setr_ps(ReduceAdd(a0), ReduceAdd(a1), ReduceAdd(a2), ReduceAdd(a3));
  }

  // 0, 1, ..., 7.
  static F LaneIndices() { return _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7); }
  // (v0, v0, v1, v1, v2, v2, v3, v3): one value per pair of lanes.
  static F SpreadToPairs(F v) { return _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3)); }
  // (v1, v0, v3, v2, ...).
  static F SwapPairs(F v) { return _mm256_permute_ps(v, 0xB1); }
  // (-1, 1, -1, 1, ...).
  static F PairSigns() { return _mm256_setr_ps(-1, 1, -1, 1, -1, 1, -1, 1); }

  // The ISA-specific steps of e^x (generic/vec_math.h ExpOf). Without vscalefps, 2^n is built in the exponent
  // field, so n is kept in [-126, 127] and the ends of the range are patched by ScaleExp: below -87.3 the
  // result is 0, above 88.7 it is inf.
  static F ClampExpArgument(F x) {
    // max(lo, x) keeps NaN (the second operand is returned when either is NaN).
    return _mm256_min_ps(Set1(88.0f), _mm256_max_ps(Set1(-87.33654f), x));
  }
  static F RoundToNearest(F x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // p * 2^n for p = e^r, r = x - n ln2, n an integer in [-127, 127]. n = -126 with r < 0 would need a
  // denormal; -126..127 is enough since |x| <= 88 keeps p * 2^n normal except right at the underflow
  // threshold, handled by the blend below.
  static F ScaleExp(F p, F n, F x) {
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    const F underflow = _mm256_cmp_ps(x, Set1(-87.33654f), _CMP_LT_OQ);
    const F overflow = _mm256_cmp_ps(x, Set1(88.72283f), _CMP_GT_OQ);
    const F result = _mm256_andnot_ps(underflow, _mm256_mul_ps(p, _mm256_castsi256_ps(e)));
    return _mm256_blendv_ps(result, Set1(__builtin_inff()), overflow);
  }
};

}  // namespace ttt::kernels::simd
