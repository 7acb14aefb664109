// The row decoders (DequantRow) of every compressed dtype (bf16, i8, bfp8, bfp4): each 16-value chunk of a
// weight row decoded to exact f32, for prefill's sgemm tiles (and bf16/bfp8 KV-cache rows). Decode (m = 1)
// does not decode rows: its GEMVs dot the compressed bytes directly, gemv_bf16_avx512.cc (vdpbf16ps) and
// gemv_vnni_avx512.cc and gemv_vnni_no_vbmi_avx512.cc (VNNI: i8, bfp8, bfp4).
//
// Block formats: a bfp value is +-magnitude * 2^(exponent - 127 - (bits - 1)). The magnitude converts to
// float exactly and the power of two is one multiply (exact). Deliberate differences from the scalar
// decoder (ttt::DecodeBfp8Block): a block whose shared exponent is below 7 (bfp8) / 3 (bfp4), i.e. whose
// values are all below 2^-119, decodes as zeros; exponent 255 (an Inf/NaN in the encoder's input) decodes
// to huge finite values instead of Inf/NaN. Neither occurs in trained weights.
#include <cstring>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

using simd::Avx512;

constexpr int kChunk = 16;

// 2^(exponent - 127 - shift), or 0 when that is not a normal float.
inline __m512 BlockScale(uint8_t exponent, int shift) {
  const int field = static_cast<int>(exponent) - shift;
  const uint32_t bits = field > 0 ? static_cast<uint32_t>(field) << 23 : 0u;
  return _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(bits)));
}

struct BF16Format {
  static constexpr int kChunkBytes = 32;
  static __m512 Decode(const char* row, int64_t c) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + kChunkBytes * c));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static __m512 DecodeTail(const char* row, int64_t c, __mmask16 mask) {
    const __m256i h = _mm256_maskz_loadu_epi16(mask, row + kChunkBytes * c);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
};

struct I8Format {
  static constexpr int kChunkBytes = 16;
  static __m512 Decode(const char* row, int64_t c) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + kChunkBytes * c));
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b));
  }
  static __m512 DecodeTail(const char* row, int64_t c, __mmask16 mask) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, row + kChunkBytes * c)));
  }
};

// Sign-extending the sign|magnitude byte puts its sign in bit 31; the low 7 bits are the magnitude.
struct Bfp8Format {
  static constexpr int kChunkBytes = 17;
  static __m512 Decode(const char* row, int64_t c) {
    const char* block = row + kChunkBytes * c;
    const __m512i s = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 1)));
    const __m512 magnitude = _mm512_cvtepi32_ps(_mm512_and_si512(s, _mm512_set1_epi32(0x7f)));
    // magnitude | (s & sign bit)
    const __m512i value = _mm512_ternarylogic_epi32(_mm512_castps_si512(magnitude), s,
                                                    _mm512_set1_epi32(static_cast<int>(0x80000000u)), 0xF8);
    return _mm512_mul_ps(_mm512_castsi512_ps(value), BlockScale(static_cast<uint8_t>(block[0]), 6));
  }
  // Blocks are whole in memory (rows are padded), so only the lanes past k need zeroing.
  static __m512 DecodeTail(const char* row, int64_t c, __mmask16 mask) {
    return _mm512_maskz_mov_ps(mask, Decode(row, c));
  }
};

// Each byte holds two 4-bit codes (even value low). The byte is duplicated, each int32 lane shifted by 0 or
// 4, and vpermps looks the low 4 bits up in a table of the 16 signed magnitudes.
struct Bfp4Format {
  static constexpr int kChunkBytes = 9;
  static __m512 Decode(const char* row, int64_t c) {
    const char* block = row + kChunkBytes * c;
    int64_t packed;
    std::memcpy(&packed, block + 1, 8);
    const __m128i bytes = _mm_cvtsi64_si128(packed);
    const __m512i codes = _mm512_srlv_epi32(_mm512_cvtepu8_epi32(_mm_unpacklo_epi8(bytes, bytes)),
                                            _mm512_set_epi32(4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0));
    const __m512 table = _mm512_set_ps(-7, -6, -5, -4, -3, -2, -1, -0.0f, 7, 6, 5, 4, 3, 2, 1, 0);
    return _mm512_mul_ps(_mm512_permutexvar_ps(codes, table), BlockScale(static_cast<uint8_t>(block[0]), 2));
  }
  static __m512 DecodeTail(const char* row, int64_t c, __mmask16 mask) {
    return _mm512_maskz_mov_ps(mask, Decode(row, c));
  }
};

template <class Format>
void DequantRow(const void* w_row, int64_t k, float* out) {
  const char* row = static_cast<const char*>(w_row);
  int64_t c = 0;
  for (; kChunk * (c + 1) <= k; ++c) _mm512_storeu_ps(out + kChunk * c, Format::Decode(row, c));
  if (kChunk * c < k) {
    const __mmask16 mask = Avx512::TailMask(k - kChunk * c);
    _mm512_mask_storeu_ps(out + kChunk * c, mask, Format::DecodeTail(row, c, mask));
  }
}

}  // namespace

void DequantRowBF16(const void* w_row, int64_t k, float* out) { DequantRow<BF16Format>(w_row, k, out); }
void DequantRowI8(const void* w_row, int64_t k, float* out) { DequantRow<I8Format>(w_row, k, out); }
void DequantRowBfp8(const void* w_row, int64_t k, float* out) { DequantRow<Bfp8Format>(w_row, k, out); }
void DequantRowBfp4(const void* w_row, int64_t k, float* out) { DequantRow<Bfp4Format>(w_row, k, out); }

}  // namespace ttt::kernels::avx512
