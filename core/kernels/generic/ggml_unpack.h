// Unpacking ggml blocks (core/runtime/dtype_ggml.h) into signed 8-bit integers and per-sub-block f32 scales
// and offsets, so that value v = scale[v / sub] * q[v] + offset[v / sub]: every format reduced to one shape
// the GEMV's float loop (generic/gemv_ggml.h) consumes. 128-bit SSE (SSSE3) byte work, available to every
// *_avx2.cc and *_avx512.cc file that includes this; the float work is the caller's, at its own width.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "core/runtime/dtype.h"
#include "core/runtime/dtype_ggml.h"

namespace ttt::kernels::generic {

// One unpacked chunk of up to 256 values (a K super-block, or eight 32-value blocks).
struct GgmlChunk {
  alignas(64) int8_t q[ggml::kQK];
  float scale[ggml::kQK / 16];
  float offset[ggml::kQK / 16];  // zero except for the formats with mins (Q4_K, Q5_K)
};

// F16C's conversion (both ISAs' files are built with -mf16c); exact, as F16ToF32.
inline float HalfToFloat(uint16_t bits) { return _cvtsh_ss(bits); }

template <DType D>
struct GgmlFormat;

// Shared by the 32-value formats: nibbles of 16 bytes, low ones first, as int8 (before any offset).
inline void SplitNibbles16(const uint8_t* qs, __m128i* lo, __m128i* hi) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m128i mask = _mm_set1_epi8(0x0F);
  *lo = _mm_and_si128(v, mask);
  *hi = _mm_and_si128(_mm_srli_epi16(v, 4), mask);
}

template <>
struct GgmlFormat<DType::kQ8_0> {
  using Block = ggml::BlockQ8_0;
  static constexpr int kValues = 32, kSub = 32;
  static void Unpack(const Block& b, int8_t* q, float* scale, float* offset) {
    std::memcpy(q, b.qs, 32);
    *scale = HalfToFloat(b.d);
    *offset = 0;
  }
};

template <>
struct GgmlFormat<DType::kQ4_0> {
  using Block = ggml::BlockQ4_0;
  static constexpr int kValues = 32, kSub = 32;
  static void Unpack(const Block& b, int8_t* q, float* scale, float* offset) {
    __m128i lo, hi;
    SplitNibbles16(b.qs, &lo, &hi);
    const __m128i eight = _mm_set1_epi8(8);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm_sub_epi8(lo, eight));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 16), _mm_sub_epi8(hi, eight));
    *scale = HalfToFloat(b.d);
    *offset = 0;
  }
};

template <>
struct GgmlFormat<DType::kQ5_0> {
  using Block = ggml::BlockQ5_0;
  static constexpr int kValues = 32, kSub = 32;
  static void Unpack(const Block& b, int8_t* q, float* scale, float* offset) {
    __m128i lo, hi;
    SplitNibbles16(b.qs, &lo, &hi);
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    // Bit i of qh to byte i: broadcast the 4 bytes, pick byte i / 8 into lane i, test bit i % 8.
    const __m128i bits = _mm_set1_epi32(static_cast<int32_t>(qh));
    const __m128i bit_of_lane = _mm_set1_epi64x(static_cast<int64_t>(0x8040201008040201ULL));
    auto high_bits = [&](int first_byte) {
      const __m128i bytes = _mm_shuffle_epi8(
          bits, _mm_setr_epi8(first_byte, first_byte, first_byte, first_byte, first_byte, first_byte,
                              first_byte, first_byte, first_byte + 1, first_byte + 1, first_byte + 1,
                              first_byte + 1, first_byte + 1, first_byte + 1, first_byte + 1, first_byte + 1));
      const __m128i set = _mm_cmpeq_epi8(_mm_and_si128(bytes, bit_of_lane), bit_of_lane);
      return _mm_and_si128(set, _mm_set1_epi8(0x10));
    };
    const __m128i sixteen = _mm_set1_epi8(16);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm_sub_epi8(_mm_or_si128(lo, high_bits(0)), sixteen));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 16), _mm_sub_epi8(_mm_or_si128(hi, high_bits(2)), sixteen));
    *scale = HalfToFloat(b.d);
    *offset = 0;
  }
};

template <>
struct GgmlFormat<DType::kIQ4_NL> {
  using Block = ggml::BlockIQ4NL;
  static constexpr int kValues = 32, kSub = 32;
  static void Unpack(const Block& b, int8_t* q, float* scale, float* offset) {
    __m128i lo, hi;
    SplitNibbles16(b.qs, &lo, &hi);
    const __m128i levels = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ggml::kIQ4NLValues));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm_shuffle_epi8(levels, lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 16), _mm_shuffle_epi8(levels, hi));
    *scale = HalfToFloat(b.d);
    *offset = 0;
  }
};

// Q4_K and Q5_K: per pair of sub-blocks, 32 bytes of nibbles (and for Q5_K one bit per sub-block of qh).
template <bool kFifthBit>
inline void UnpackK4(uint16_t d_bits, uint16_t dmin_bits, const uint8_t* scales, const uint8_t* qs,
                     const uint8_t* qh, int8_t* q, float* scale, float* offset) {
  const float d = HalfToFloat(d_bits), dmin = HalfToFloat(dmin_bits);
  const __m128i mask = _mm_set1_epi8(0x0F), one = _mm_set1_epi8(1);
  for (int sub = 0; sub < 8; ++sub) {
    uint8_t sc, m;
    ggml::ScaleMinK4(sub, scales, &sc, &m);
    scale[sub] = d * sc;
    offset[sub] = -(dmin * m);
    for (int half = 0; half < 2; ++half) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs + 32 * (sub / 2) + 16 * half));
      __m128i nib = _mm_and_si128(sub % 2 == 0 ? v : _mm_srli_epi16(v, 4), mask);
      if constexpr (kFifthBit) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qh + 16 * half));
        // Bit `sub` of each byte; a 16-bit shift is safe as only each byte's bit 0 is kept.
        const __m128i bit = _mm_and_si128(_mm_srl_epi16(h, _mm_cvtsi32_si128(sub)), one);
        nib = _mm_or_si128(nib, _mm_slli_epi16(bit, 4));
      }
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 32 * sub + 16 * half), nib);
    }
  }
}

template <>
struct GgmlFormat<DType::kQ4_K> {
  using Block = ggml::BlockQ4_K;
  static constexpr int kValues = 256, kSub = 32;
  static void Unpack(const Block& b, int8_t* q, float* scale, float* offset) {
    UnpackK4<false>(b.d, b.dmin, b.scales, b.qs, nullptr, q, scale, offset);
  }
};

template <>
struct GgmlFormat<DType::kQ5_K> {
  using Block = ggml::BlockQ5_K;
  static constexpr int kValues = 256, kSub = 32;
  static void Unpack(const Block& b, int8_t* q, float* scale, float* offset) {
    UnpackK4<true>(b.d, b.dmin, b.scales, b.qs, b.qh, q, scale, offset);
  }
};

template <>
struct GgmlFormat<DType::kQ6_K> {
  using Block = ggml::BlockQ6_K;
  static constexpr int kValues = 256, kSub = 16;
  static void Unpack(const Block& b, int8_t* q, float* scale, float* offset) {
    const float d = HalfToFloat(b.d);
    for (int s = 0; s < 16; ++s) {
      scale[s] = d * b.scales[s];
      offset[s] = 0;
    }
    const __m128i mask = _mm_set1_epi8(0x0F), three = _mm_set1_epi8(3), bias = _mm_set1_epi8(32);
    for (int half = 0; half < 2; ++half) {
      for (int part = 0; part < 2; ++part) {  // values l = 16 * part .. + 15 of each group of 32
        const __m128i qh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qh + 32 * half + 16 * part));
        for (int j = 0; j < 4; ++j) {
          const __m128i ql = _mm_loadu_si128(
              reinterpret_cast<const __m128i*>(b.ql + 64 * half + 32 * (j & 1) + 16 * part));
          const __m128i low = _mm_and_si128(j < 2 ? ql : _mm_srli_epi16(ql, 4), mask);
          const __m128i high = _mm_and_si128(_mm_srl_epi16(qh, _mm_cvtsi32_si128(2 * j)), three);
          const __m128i value = _mm_sub_epi8(_mm_or_si128(low, _mm_slli_epi16(high, 4)), bias);
          _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 128 * half + 32 * j + 16 * part), value);
        }
      }
    }
  }
};

// Unpacks the `values` (a multiple of the block size, at most 256) starting at `blocks`.
template <DType D>
inline void UnpackChunk(const void* blocks, int values, GgmlChunk* chunk) {
  using Format = GgmlFormat<D>;
  const auto* b = static_cast<const typename Format::Block*>(blocks);
  constexpr int kSubsPerBlock = Format::kValues / Format::kSub;
  for (int i = 0; i * Format::kValues < values; ++i) {
    Format::Unpack(b[i], chunk->q + i * Format::kValues, chunk->scale + i * kSubsPerBlock,
                   chunk->offset + i * kSubsPerBlock);
  }
}

}  // namespace ttt::kernels::generic
