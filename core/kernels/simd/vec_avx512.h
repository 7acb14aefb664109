// The vector-width abstraction for AVX-512 (F, DQ): 16 float lanes, the twin of simd/vec_avx2.h (which
// describes the members). Include only from *_avx512.cc files: the members are compiled with that file's
// flags.
#pragma once

// GCC 12 warns about _mm512_undefined_ps() inside its own intrinsics headers (GCC bug 105593). Clang (the
// fuzzing build) has no -Wmaybe-uninitialized and would warn about the pragma itself.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

namespace ttt::kernels::simd {

struct Avx512 {
  using F = __m512;
  using Mask = __mmask16;
  using Cmp = __mmask16;
  static constexpr int kLanes = 16;

  static F Zero() { return _mm512_setzero_ps(); }
  static F Set1(float v) { return _mm512_set1_ps(v); }
  static F Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, F v) { _mm512_storeu_ps(p, v); }

  // Lanes [0, n) for 0 <= n <= 16.
  static Mask TailMask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static Mask FirstLanes(int64_t n) { return TailMask(n < kLanes ? n : kLanes); }
  static F LoadMasked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void StoreMasked(float* p, Mask m, F v) { _mm512_mask_storeu_ps(p, m, v); }
  static F ZeroOutside(Mask m, F v) { return _mm512_maskz_mov_ps(m, v); }
  static F MaxMasked(F acc, Mask m, F v) { return _mm512_mask_max_ps(acc, m, acc, v); }

  static F Add(F a, F b) { return _mm512_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F Mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F Div(F a, F b) { return _mm512_div_ps(a, b); }
  static F Max(F a, F b) { return _mm512_max_ps(a, b); }
  static F Min(F a, F b) { return _mm512_min_ps(a, b); }
  static F Abs(F a) { return _mm512_abs_ps(a); }
  static F Fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F Fms(F a, F b, F c) { return _mm512_fmsub_ps(a, b, c); }
  static F Fnma(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static Cmp Less(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static F Select(Cmp c, F if_true, F if_false) { return _mm512_mask_blend_ps(c, if_false, if_true); }

  static float ReduceAdd(F v) { return _mm512_reduce_add_ps(v); }
  static float ReduceMax(F v) { return _mm512_reduce_max_ps(v); }
  // Sums of four vectors as lanes 0..3: two rounds of 256/128-bit block shuffles, then in-lane permutes, so
  // the four reductions share their shuffles (the order differs from ReduceAdd's).
  static __m128 ReduceAdd4(F a0, F a1, F a2, F a3) {
    const F s01 = _mm512_add_ps(_mm512_shuffle_f32x4(a0, a1, 0x44), _mm512_shuffle_f32x4(a0, a1, 0xEE));
    const F s23 = _mm512_add_ps(_mm512_shuffle_f32x4(a2, a3, 0x44), _mm512_shuffle_f32x4(a2, a3, 0xEE));
    // 128-bit block b now holds four partial sums of vector b.
    const F u = _mm512_add_ps(_mm512_shuffle_f32x4(s01, s23, 0x88), _mm512_shuffle_f32x4(s01, s23, 0xDD));
    const F v = _mm512_add_ps(u, _mm512_permute_ps(u, 0x4E));
    const F w = _mm512_add_ps(v, _mm512_permute_ps(v, 0xB1));
    return _mm512_castps512_ps128(_mm512_maskz_compress_ps(0x1111, w));
  }

  static F LaneIndices() { return _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }
  static F SpreadToPairs(F v) {
    return _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7), v);
  }
  static F SwapPairs(F v) { return _mm512_permute_ps(v, 0xB1); }
  static F PairSigns() { return _mm512_setr_ps(-1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1); }

  // The ISA-specific steps of e^x (generic/vec_math.h ExpOf): vscalefps applies 2^n and also produces the
  // correct 0 / inf / denormal at the ends of the range, so the argument is only clamped so that n ln2
  // stays finite (beyond these bounds e^x is 0 or inf anyway). max(lo, x) keeps NaN.
  static F ClampExpArgument(F x) { return _mm512_min_ps(Set1(89.0f), _mm512_max_ps(Set1(-104.0f), x)); }
  static F RoundToNearest(F x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F ScaleExp(F p, F n, F /*x*/) { return _mm512_scalef_ps(p, n); }
};

}  // namespace ttt::kernels::simd
