// AVX-512 version of the emulated Tenstorrent matmul kernels (kernel_table.h TtPanelFn, TtRowFn; the scalar
// reference is reference/tt_matmul_ref.cc): the panel's 16 weight rows in the 16 lanes, so the per-MVMUL
// 16-product sums and the Dst roundings are plain vertical operations. The products are exact in FP32 (phase
// parts have at most 10 x 7 significant bits, ../shared/notes/tt-numerics.md §2.3), so whether the compiler
// fuses a multiply into the first add of the tree does not change any bit; the tree is the reference's, hence
// results equal the reference kernel's exactly. AVX-512 only: a panel (the device's 16 rows) is one zmm;
// the AVX2 table keeps the reference.
#include <immintrin.h>

#include "core/kernels/avx512/kernels_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

// Round-to-nearest-even to BF16, NaN quietened, on 16 lanes (§2.5).
inline __m512 RoundBf16(__m512 x) {
  const __m512i u = _mm512_castps_si512(x);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  __m512i r = _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7FFF)), lsb);
  r = _mm512_and_si512(r, _mm512_set1_epi32(static_cast<int>(0xFFFF0000u)));
  const __m512i abs = _mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF));
  const __mmask16 nan = _mm512_cmpgt_epi32_mask(abs, _mm512_set1_epi32(0x7F800000));
  r = _mm512_mask_or_epi32(r, nan, u, _mm512_set1_epi32(0x00400000));
  return _mm512_castsi512_ps(r);
}

// Sum of 16 products per lane, in the reference's order: (l, l+8), then (l, l+4), (l, l+2), (l, l+1).
inline __m512 Mvmul16(const float* b, const float* a) {
  __m512 t[8];
  for (int l = 0; l < 8; ++l) {
    const __m512 p0 = _mm512_mul_ps(_mm512_set1_ps(b[l]), _mm512_loadu_ps(a + l * 16));
    const __m512 p1 = _mm512_mul_ps(_mm512_set1_ps(b[l + 8]), _mm512_loadu_ps(a + (l + 8) * 16));
    t[l] = _mm512_add_ps(p0, p1);
  }
  for (int l = 0; l < 4; ++l) t[l] = _mm512_add_ps(t[l], t[l + 4]);
  for (int l = 0; l < 2; ++l) t[l] = _mm512_add_ps(t[l], t[l + 2]);
  return _mm512_add_ps(t[0], t[1]);
}

}  // namespace

void TtPanel(const float* const b_part[2], const float* const a_panel[2], int64_t kp, int phases, bool fp32_acc,
             float* out) {
  __m512 dst = _mm512_setzero_ps();
  for (int64_t kt = 0; kt < kp; kt += 32) {
    for (int p = 0; p < phases; ++p) {
      const float* b = b_part[p >> 1];
      const float* a = a_panel[p & 1];
      for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
        dst = _mm512_add_ps(dst, Mvmul16(b + k0, a + k0 * 16));
        if (!fp32_acc) dst = RoundBf16(dst);
      }
    }
  }
  _mm512_storeu_ps(out, dst);
}

float TtRow(const float* const b_part[2], const float* const a_row[2], int64_t kp, int phases, bool fp32_acc) {
  __m128 dst = _mm_setzero_ps();
  for (int64_t kt = 0; kt < kp; kt += 32) {
    for (int p = 0; p < phases; ++p) {
      const float* b = b_part[p >> 1];
      const float* a = a_row[p & 1];
      for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
        const __m512 prod = _mm512_mul_ps(_mm512_loadu_ps(b + k0), _mm512_loadu_ps(a + k0));
        // Horizontal sum in the reference's order: (l, l+8), (l, l+4), (l, l+2), (l, l+1).
        const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(prod),
                                        _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(prod), 1)));
        const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
        const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
        const __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
        dst = _mm_add_ss(dst, s1);
        if (!fp32_acc) dst = _mm512_castps512_ps128(RoundBf16(_mm512_castps128_ps512(dst)));
      }
    }
  }
  return _mm_cvtss_f32(dst);
}

}  // namespace ttt::kernels::avx512
