// The i8 GEMV for decode, and the row decoders (DequantRow) of every compressed dtype (bf16, i8, bfp8, bfp4)
// that feed prefill's sgemm tiles. Each 16-value chunk of a weight row is decoded to exact f32 in registers;
// the GEMV FMAs it with f32 activations, so its only rounding is the f32 accumulation (the same blocking and
// fixed summation order as GemvF32: chunk c to accumulator c % 2, the masked tail to the next one, one
// reduction), and results do not depend on how rows are split over threads.
//
// The other dtypes' GEMVs have kernels of their own, because decoding to f32 costs too many uops per byte to
// keep up with memory: gemv_bf16_avx512.cc (vdpbf16ps) and gemv_blockfloat_avx512.cc (VNNI).
//
// Block formats: a bfp value is +-magnitude * 2^(exponent - 127 - (bits - 1)). The magnitude converts to
// float exactly and the power of two is one multiply (exact). Deliberate differences from the scalar
// decoder (ttt::DecodeBfp8Block): a block whose shared exponent is below 7 (bfp8) / 3 (bfp4), i.e. whose
// values are all below 2^-119, decodes as zeros; exponent 255 (an Inf/NaN in the encoder's input) decodes
// to huge finite values instead of Inf/NaN. Neither occurs in trained weights.
#include <cstring>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/kernel_table.h"
#include "core/kernels/avx512/vec_math_avx512.h"
#include "core/kernels/internal/gemv_rows.h"

namespace ttt::kernels::avx512 {
namespace {

constexpr int kChunk = 16;

// The hardware prefetchers alone leave a core short of memory-level parallelism at these byte rates
// (measured: i8 GEMV reached 6 GB/s from DRAM where f32 reaches 13), so each row stream prefetches 8 KiB
// ahead; rows are read one at a time (gemv_rows.h), so that is simply the stream's next 8 KiB (measured on
// 1536x576 from DRAM: 4 rows ahead doubled bf16/i8 speed, 2 rows was too close, 4 KiB beat 2 KiB by 5-10%
// for i8 and bfp8; on an AMD EPYC (Zen 5) 8 KiB beat 4 KiB in SmolLM-135M decode, bf16 (then decoded here)
// 1.58-1.66x -> 1.82-2.04x of f32 in alternating runs, as gemv_blockfloat_avx512.cc found for bfp4).
constexpr int64_t kPrefetchAhead = kGemvStreamPrefetchBytes;

// 2^(exponent - 127 - shift), or 0 when that is not a normal float.
inline __m512 BlockScale(uint8_t exponent, int shift) {
  const int field = static_cast<int>(exponent) - shift;
  const uint32_t bits = field > 0 ? static_cast<uint32_t>(field) << 23 : 0u;
  return _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(bits)));
}

struct BF16Format {
  static constexpr int kChunkBytes = 32;
  static __m512 Decode(const char* row, int64_t c) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 32 * c));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static __m512 DecodeTail(const char* row, int64_t c, __mmask16 mask) {
    const __m256i h = _mm256_maskz_loadu_epi16(mask, row + 32 * c);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
};

struct I8Format {
  static constexpr int kChunkBytes = 16;
  static __m512 Decode(const char* row, int64_t c) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16 * c));
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b));
  }
  static __m512 DecodeTail(const char* row, int64_t c, __mmask16 mask) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, row + 16 * c)));
  }
};

// Sign-extending the sign|magnitude byte puts its sign in bit 31; the low 7 bits are the magnitude.
struct Bfp8Format {
  static constexpr int kChunkBytes = 17;
  static __m512 Decode(const char* row, int64_t c) {
    const char* block = row + 17 * c;
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
    const char* block = row + 9 * c;
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

template <class Format, int R, int M>
inline void DotBlock(const char* const* w, const float* const* x, int64_t k, float (&result)[M][R]) {
  __m512 acc[M][R][2];
  #pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) acc[i][j][0] = acc[i][j][1] = _mm512_setzero_ps();
  const int64_t full = k / kChunk;
  int64_t c = 0;
  for (; c + 2 <= full; c += 2) {
    __m512 wv0[R], wv1[R];
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) {
      _mm_prefetch(w[j] + kPrefetchAhead + Format::kChunkBytes * c, _MM_HINT_T0);
      wv0[j] = Format::Decode(w[j], c);
      wv1[j] = Format::Decode(w[j], c + 1);
    }
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m512 x0 = _mm512_loadu_ps(x[i] + kChunk * c);
      const __m512 x1 = _mm512_loadu_ps(x[i] + kChunk * c + kChunk);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) {
        acc[i][j][0] = _mm512_fmadd_ps(wv0[j], x0, acc[i][j][0]);
        acc[i][j][1] = _mm512_fmadd_ps(wv1[j], x1, acc[i][j][1]);
      }
    }
  }
  int slot = 0;
  if (c < full) {
    __m512 wv[R];
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) wv[j] = Format::Decode(w[j], c);
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m512 xv = _mm512_loadu_ps(x[i] + kChunk * c);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) acc[i][j][0] = _mm512_fmadd_ps(wv[j], xv, acc[i][j][0]);
    }
    ++c;
    slot = 1;
  }
  if (kChunk * c < k) {
    const __mmask16 mask = TailMask(k - kChunk * c);
    __m512 wv[R];
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) wv[j] = Format::DecodeTail(w[j], c, mask);
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m512 xv = _mm512_maskz_loadu_ps(mask, x[i] + kChunk * c);
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) acc[i][j][slot] = _mm512_fmadd_ps(wv[j], xv, acc[i][j][slot]);
    }
  }
  #pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 16
    for (int j = 0; j < R; ++j) result[i][j] = _mm512_reduce_add_ps(_mm512_add_ps(acc[i][j][0], acc[i][j][1]));
}

// Adapts DotBlock to the shared row loop (core/kernels/internal/gemv_rows.h).
template <class Format>
struct LowbitKernel {
  static constexpr int kRows = 1;  // see gemv_rows.h
  template <int R, int M>
  void Dot(const char* const* w, const float* const* x, int64_t k, float (&out)[M][R]) const {
    DotBlock<Format, R, M>(w, x, k, out);
  }
};

template <class Format>
void Gemv(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
          int64_t n_end, float* y, int64_t ldy) {
  internal::GemvRows(LowbitKernel<Format>{}, x, k, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

template <class Format>
void DequantRow(const void* w_row, int64_t k, float* out) {
  const char* row = static_cast<const char*>(w_row);
  int64_t c = 0;
  for (; kChunk * (c + 1) <= k; ++c) _mm512_storeu_ps(out + kChunk * c, Format::Decode(row, c));
  if (kChunk * c < k) {
    const __mmask16 mask = TailMask(k - kChunk * c);
    _mm512_mask_storeu_ps(out + kChunk * c, mask, Format::DecodeTail(row, c, mask));
  }
}

}  // namespace

void GemvI8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
            int64_t n_end, float* y, int64_t ldy) {
  Gemv<I8Format>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void DequantRowBF16(const void* w_row, int64_t k, float* out) { DequantRow<BF16Format>(w_row, k, out); }
void DequantRowI8(const void* w_row, int64_t k, float* out) { DequantRow<I8Format>(w_row, k, out); }
void DequantRowBfp8(const void* w_row, int64_t k, float* out) { DequantRow<Bfp8Format>(w_row, k, out); }
void DequantRowBfp4(const void* w_row, int64_t k, float* out) { DequantRow<Bfp4Format>(w_row, k, out); }

}  // namespace ttt::kernels::avx512
