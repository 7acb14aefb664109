// Packing weights into panels (kernel_table.h: PackPanelsFn; 32-bit words) by 8 x 8 transposes in registers, each
// panel's 16 rows as two halves: a compressed weight's prompt decodes each tile to f32 and packs it for the
// panel GEMV on every call, where the scalar packing stores one value at a time.
#include <immintrin.h>

#include <cstdint>

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/internal/f32_panels.h"

namespace ttt::kernels::avx2 {
namespace {

// 8 rows of 8 words (rows `stride` apart) into out: column c's 8 words at out + c * kF32PanelRows. Float
// shuffles move any bits unchanged.
inline void Transpose8x8(const uint32_t* rows, int64_t stride, uint32_t* out) {
  __m256 r[8], t[8], s[8];
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + i * stride)));
  }
  for (int i = 0; i < 8; i += 2) {  // per 128-bit lane: columns (0, 1) and (2, 3) of rows i, i + 1
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {  // per 128-bit lane: one column of rows i..i+3
    s[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
    s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
    s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
  }
  for (int c = 0; c < 4; ++c) {  // s[c] holds columns c | c + 4 of rows 0..3, s[4 + c] of rows 4..7
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c * kF32PanelRows),
                        _mm256_castps_si256(_mm256_permute2f128_ps(s[c], s[4 + c], 0x20)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (c + 4) * kF32PanelRows),
                        _mm256_castps_si256(_mm256_permute2f128_ps(s[c], s[4 + c], 0x31)));
  }
}

// A panel's 16 rows as two halves of 8.
inline void Transpose16x8(const uint32_t* rows, int64_t stride, uint32_t* out) {
  Transpose8x8(rows, stride, out);
  Transpose8x8(rows + 8 * stride, stride, out + 8);
}

}  // namespace

void PackPanels(const void* src, int64_t n, int64_t words, void* dst) {
  internal::PackPanelWordsBy<8>(src, n, words, dst, Transpose16x8);
}

}  // namespace ttt::kernels::avx2
