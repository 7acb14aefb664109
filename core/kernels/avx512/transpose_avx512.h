// A 16 x 16 transpose of 32-bit words in zmm registers, for the kernels that pack weights into panels
// (f32 panels, bf16 pair panels). Include only from *_avx512.cc files.
#pragma once

#include <cstdint>

#include "core/kernels/simd/vec_avx512.h"  // immintrin.h, with GCC 12's false warnings off

namespace ttt::kernels::avx512 {

// 16 rows of 16 32-bit words (rows `stride` words apart) into out[16 * 16] transposed: out[p * 16 + r] = rows[r][p].
inline void Transpose16x16(const uint32_t* rows, int64_t stride, uint32_t* out) {
  __m512i v[16], t[16];
  for (int r = 0; r < 16; ++r) v[r] = _mm512_loadu_si512(rows + r * stride);
  // 32-bit then 64-bit interleaves within 128-bit lanes, then two rounds of 128-bit lane shuffles.
  for (int r = 0; r < 16; r += 2) {
    t[r] = _mm512_unpacklo_epi32(v[r], v[r + 1]);
    t[r + 1] = _mm512_unpackhi_epi32(v[r], v[r + 1]);
  }
  for (int r = 0; r < 16; r += 4) {
    v[r] = _mm512_unpacklo_epi64(t[r], t[r + 2]);
    v[r + 1] = _mm512_unpackhi_epi64(t[r], t[r + 2]);
    v[r + 2] = _mm512_unpacklo_epi64(t[r + 1], t[r + 3]);
    v[r + 3] = _mm512_unpackhi_epi64(t[r + 1], t[r + 3]);
  }
  // v[4q + j] now holds, in 128-bit lane l, word 4l + j of rows 4q..4q+3; gather lane l of the four groups.
  for (int j = 0; j < 4; ++j) {
    t[j] = _mm512_shuffle_i32x4(v[j], v[4 + j], 0x44);           // group0 lanes 0,1 | group1 lanes 0,1
    t[4 + j] = _mm512_shuffle_i32x4(v[j], v[4 + j], 0xee);       // group0 lanes 2,3 | group1 lanes 2,3
    t[8 + j] = _mm512_shuffle_i32x4(v[8 + j], v[12 + j], 0x44);  // group2 lanes 0,1 | group3 lanes 0,1
    t[12 + j] = _mm512_shuffle_i32x4(v[8 + j], v[12 + j], 0xee);
  }
  for (int j = 0; j < 4; ++j) {
    // lane l of every group: words 4l + j -> output rows 4l + j.
    const __m512i lane0 = _mm512_shuffle_i32x4(t[j], t[8 + j], 0x88);       // lanes 0 of groups 0,1,2,3
    const __m512i lane1 = _mm512_shuffle_i32x4(t[j], t[8 + j], 0xdd);       // lanes 1
    const __m512i lane2 = _mm512_shuffle_i32x4(t[4 + j], t[12 + j], 0x88);  // lanes 2
    const __m512i lane3 = _mm512_shuffle_i32x4(t[4 + j], t[12 + j], 0xdd);  // lanes 3
    _mm512_storeu_si512(out + (0 + j) * 16, lane0);
    _mm512_storeu_si512(out + (4 + j) * 16, lane1);
    _mm512_storeu_si512(out + (8 + j) * 16, lane2);
    _mm512_storeu_si512(out + (12 + j) * 16, lane3);
  }
}

}  // namespace ttt::kernels::avx512
