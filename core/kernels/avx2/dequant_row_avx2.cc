// Row decoders of every compressed weight format (bf16, i8, bfp8, bfp4) for AVX2 CPUs, as
// core/kernels/avx512/dequant_row_avx512.cc: they feed the prefill GEMM, 8-value chunks decoded to exact f32 in
// registers. The block-float decoders have the same two deliberate differences from the scalar one (blocks
// with all values below 2^-119 decode as zeros; exponent 255 decodes to finite values). The GEMVs of these
// formats do not decode to f32 like this: gemv_bf16_avx2.cc, gemv_int_dot_avx2.cc.
#include <immintrin.h>

#include <cstring>

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {
namespace {

using simd::Avx2;

constexpr int kChunk = 8;

inline __m256 BlockScale(uint8_t exponent, int shift) {
  const int field = static_cast<int>(exponent) - shift;
  const uint32_t bits = field > 0 ? static_cast<uint32_t>(field) << 23 : 0u;
  return _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(bits)));
}

// Element formats (bf16, i8) cannot read past the row's end: their tail goes through a zeroed copy.
struct BF16Format {
  static __m256 Decode(const char* row, int64_t c) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16 * c));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  static __m256 DecodeTail(const char* row, int64_t c, int64_t n, __m256i /*mask*/) {
    alignas(16) uint16_t tail[kChunk] = {};
    std::memcpy(tail, row + 16 * c, static_cast<size_t>(n) * 2);
    return Decode(reinterpret_cast<const char*>(tail), 0);
  }
};

struct I8Format {
  static __m256 Decode(const char* row, int64_t c) {
    int64_t packed;
    std::memcpy(&packed, row + 8 * c, 8);
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_cvtsi64_si128(packed)));
  }
  static __m256 DecodeTail(const char* row, int64_t c, int64_t n, __m256i /*mask*/) {
    alignas(8) int8_t tail[kChunk] = {};
    std::memcpy(tail, row + 8 * c, static_cast<size_t>(n));
    return Decode(reinterpret_cast<const char*>(tail), 0);
  }
};

// Chunk c is half c % 2 of block c / 2. Sign extension puts the sign in bit 31.
struct Bfp8Format {
  static __m256 Decode(const char* row, int64_t c) {
    const char* block = row + 17 * (c >> 1);
    int64_t packed;
    std::memcpy(&packed, block + 1 + 8 * (c & 1), 8);
    const __m256i s = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(packed));
    const __m256 magnitude = _mm256_cvtepi32_ps(_mm256_and_si256(s, _mm256_set1_epi32(0x7f)));
    const __m256 sign = _mm256_castsi256_ps(_mm256_and_si256(s, _mm256_set1_epi32(static_cast<int>(0x80000000u))));
    return _mm256_mul_ps(_mm256_or_ps(magnitude, sign), BlockScale(static_cast<uint8_t>(block[0]), 6));
  }
  // Blocks are whole in memory (rows are padded), so only the lanes past k need zeroing.
  static __m256 DecodeTail(const char* row, int64_t c, int64_t /*n*/, __m256i mask) {
    return _mm256_and_ps(Decode(row, c), _mm256_castsi256_ps(mask));
  }
};

struct Bfp4Format {
  static __m256 Decode(const char* row, int64_t c) {
    const char* block = row + 9 * (c >> 1);
    int32_t packed;
    std::memcpy(&packed, block + 1 + 4 * (c & 1), 4);
    const __m128i bytes = _mm_cvtsi32_si128(packed);
    const __m256i codes = _mm256_srlv_epi32(_mm256_cvtepu8_epi32(_mm_unpacklo_epi8(bytes, bytes)),
                                            _mm256_set_epi32(4, 0, 4, 0, 4, 0, 4, 0));
    // vpermps uses the low 3 bits (the magnitude); bit 3 of the code is the sign.
    const __m256 magnitude = _mm256_permutevar8x32_ps(_mm256_set_ps(7, 6, 5, 4, 3, 2, 1, 0), codes);
    const __m256 sign = _mm256_castsi256_ps(
        _mm256_and_si256(_mm256_slli_epi32(codes, 28), _mm256_set1_epi32(static_cast<int>(0x80000000u))));
    return _mm256_mul_ps(_mm256_or_ps(magnitude, sign), BlockScale(static_cast<uint8_t>(block[0]), 2));
  }
  static __m256 DecodeTail(const char* row, int64_t c, int64_t /*n*/, __m256i mask) {
    return _mm256_and_ps(Decode(row, c), _mm256_castsi256_ps(mask));
  }
};

// bfp4 rows in the step layout of internal/bfp4_steps.h: the blocks of whole steps hold their codes as value
// + 8, the row's last blocks (fewer than 4) are stored as Bfp4Format reads them. The same values as the
// stored row decodes to (a -0 as +0).
struct Bfp4StepsFormat {
  int64_t step_blocks;  // blocks of the row in whole steps

  explicit Bfp4StepsFormat(int64_t k) : step_blocks((k + 15) / 16 / 4 * 4) {}
  __m256 Decode(const char* row, int64_t c) const {
    const int64_t b = c >> 1;
    if (b >= step_blocks) return Bfp4Format::Decode(row, c);
    const char* step = row + 36 * (b >> 2);
    int32_t packed;
    std::memcpy(&packed, step + 4 + 8 * (b & 3) + 4 * (c & 1), 4);
    const __m128i bytes = _mm_cvtsi32_si128(packed);
    const __m256i biased = _mm256_and_si256(
        _mm256_srlv_epi32(_mm256_cvtepu8_epi32(_mm_unpacklo_epi8(bytes, bytes)), _mm256_set_epi32(4, 0, 4, 0, 4, 0, 4, 0)),
        _mm256_set1_epi32(15));
    const __m256 value = _mm256_sub_ps(_mm256_cvtepi32_ps(biased), _mm256_set1_ps(8.0f));
    return _mm256_mul_ps(value, BlockScale(static_cast<uint8_t>(step[b & 3]), 2));
  }
  __m256 DecodeTail(const char* row, int64_t c, int64_t /*n*/, __m256i mask) const {
    return _mm256_and_ps(Decode(row, c), _mm256_castsi256_ps(mask));
  }
};

template <class Format>
void DequantRow(const void* w_row, int64_t k, float* out, const Format& format = {}) {
  const char* row = static_cast<const char*>(w_row);
  int64_t c = 0;
  for (; kChunk * (c + 1) <= k; ++c) _mm256_storeu_ps(out + kChunk * c, format.Decode(row, c));
  if (kChunk * c < k) {
    const int64_t n = k - kChunk * c;
    const __m256i mask = Avx2::TailMask(n);
    _mm256_maskstore_ps(out + kChunk * c, mask, format.DecodeTail(row, c, n, mask));
  }
}

}  // namespace

void DequantRowBF16(const void* w_row, int64_t k, float* out) { DequantRow<BF16Format>(w_row, k, out); }
void DequantRowI8(const void* w_row, int64_t k, float* out) { DequantRow<I8Format>(w_row, k, out); }
void DequantRowBfp8(const void* w_row, int64_t k, float* out) { DequantRow<Bfp8Format>(w_row, k, out); }
void DequantRowBfp4(const void* w_row, int64_t k, float* out) { DequantRow<Bfp4Format>(w_row, k, out); }
void DequantRowBfp4Steps(const void* w_row, int64_t k, float* out) {
  DequantRow(w_row, k, out, Bfp4StepsFormat(k));
}

}  // namespace ttt::kernels::avx2
