// Decode GEMV (one activation row) over ggml block weights by integer dot products: the activation row comes
// as llama.cpp's 8-bit blocks (ggml::QuantizeActivations: Q8_0 blocks of 32 for Q8_0, Q4_0, Q5_0, IQ4_NL;
// Q8_K blocks of 256 with sums per 16 for the K formats), the weights stay integers, and f32 only enters once
// per block (32-value formats) or super-block (K formats). Include only from *_avx2.cc / *_avx512.cc files;
// written with 256-bit integer vectors, the `Dot` policy giving the multiply-adds: AVX2 vpmaddubsw + vpmaddwd
// (avx2/gemv_kquant_avx2.cc), AVX-512 VNNI vpdpbusd / vpdpwssd on the same registers (avx512/gemv_kquant_avx512.cc).
//
// Why: the f32 path (generic/gemv_ggml.h) unpacks each block to int8 and then widens every value to f32 for
// its FMA, ~0.8 cycles per weight: compute-bound, so a Q4_K_M file decoded no faster than f32. Here a value
// costs a few byte operations and 1/32 of a multiply-add instruction.
//
// Per format, the weight bytes that reach the unsigned operand of vpmaddubsw / vpdpbusd:
//   Q8_0, Q4_0, Q5_0, IQ4_NL: the signed value (Q4_0: nibble - 8; Q5_0: 5-bit value - 16; IQ4_NL: its level) as
//     |w|, its sign moved onto the activation (vpsignb); 32 values = one ymm = one block, whose 8 int32 lanes
//     are converted and FMA'd with d_w * d_x. |w| <= 128 and |x| <= 127, so the int16 pairs never saturate.
//   Q4_K, Q5_K: the unsigned 4- or 5-bit q; pairs of products (int16) are multiplied by the sub-block's 6-bit
//     scale and summed into int32 (vpmaddwd / vpdpwssd) over the super-block, then one FMA with d * d_x; the
//     mins enter as -dmin * d_x * sum_s m_s * (sum of the sub-block's activation integers).
//   Q6_K: the unsigned 6-bit q (q - 32 is the value), scaled per 16 values as above; the -32 becomes
//     -32 * sum_s scale_s * bsum16_s, in int32.
// Every integer sum is exact, so results differ from the f32 reference on the rounded activations
// (ggml::RoundActivations) only by f32 rounding of a few block terms. Each row's sum is computed the same way
// whatever range of rows the call covers, so any split of rows over threads gives identical results.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/kernels/kernel_table.h"
#include "core/runtime/dtype_ggml.h"

namespace ttt::kernels::generic::ggml_int {

inline float Half(uint16_t bits) { return _cvtsh_ss(bits); }

inline float ReduceAdd(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

inline __m256i Load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// 16 bytes of nibbles as the 32 values of a 32-value block: low nibbles (values 0..15), then high ones.
inline __m256i Nibbles32(const uint8_t* qs) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(v), _mm_srli_epi16(v, 4), 1);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Signed int8 weights of one 32-value block, per format.
template <DType D>
struct Legacy;

template <>
struct Legacy<DType::kQ8_0> {
  using Block = ggml::BlockQ8_0;
  static __m256i Weights(const Block& b) { return Load(b.qs); }
};

template <>
struct Legacy<DType::kQ4_0> {
  using Block = ggml::BlockQ4_0;
  static __m256i Weights(const Block& b) { return _mm256_sub_epi8(Nibbles32(b.qs), _mm256_set1_epi8(8)); }
};

template <>
struct Legacy<DType::kQ5_0> {
  using Block = ggml::BlockQ5_0;
  static __m256i Weights(const Block& b) {
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    // Byte i gets qh's byte i / 8, then tests bit i % 8: all ones where value i has its 5th bit.
    const __m256i bytes = _mm256_shuffle_epi8(
        _mm256_set1_epi32(static_cast<int32_t>(qh)),
        _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3,
                         3, 3));
    const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ULL));
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, bit), bit);
    // (nibble | 5th bit << 4) - 16: the nibble itself where the bit is set, else nibble - 16 = nibble | 0xF0.
    return _mm256_or_si256(Nibbles32(b.qs), _mm256_andnot_si256(set, _mm256_set1_epi8(static_cast<char>(0xF0))));
  }
};

template <>
struct Legacy<DType::kIQ4_NL> {
  using Block = ggml::BlockIQ4NL;
  static __m256i Weights(const Block& b) {
    const __m256i levels =
        _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ggml::kIQ4NLValues)));
    return _mm256_shuffle_epi8(levels, Nibbles32(b.qs));
  }
};

// Keeps the weight stream kGemvStreamPrefetchBytes ahead: one prefetch per 64 bytes of `bytes` read from p.
inline void PrefetchAhead(const void* p, int bytes) {
  for (int b = 0; b < bytes; b += 64) {
    __builtin_prefetch(static_cast<const char*>(p) + kGemvStreamPrefetchBytes + b, 0, 0);
  }
}

template <class Dot, DType D>
void GemvLegacy(const ggml::QuantizedActivations& x, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                int64_t n_end, float* y) {
  using Block = typename Legacy<D>::Block;
  const int8_t* xq = x.q.data();
  const float* xd = x.d.data();
  const int64_t blocks = k / ggml::kQ32;
  // Two blocks per step into two accumulators, so consecutive FMAs do not wait for each other.
  auto block_dot = [&](const Block& b, int64_t i, __m256 acc) {
    const __m256i lanes = Dot::Signed(Legacy<D>::Weights(b), Load(xq + i * ggml::kQ32));
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), _mm256_set1_ps(Half(b.d) * xd[i]), acc);
  };
  for (int64_t j = n_begin; j < n_end; ++j) {
    const Block* row = reinterpret_cast<const Block*>(static_cast<const char*>(w) + j * w_row_bytes);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 1 < blocks; i += 2) {
      PrefetchAhead(row + i, 2 * sizeof(Block));
      acc0 = block_dot(row[i], i, acc0);
      acc1 = block_dot(row[i + 1], i + 1, acc1);
    }
    if (i < blocks) acc0 = block_dot(row[i], i, acc0);
    y[j] = ReduceAdd(_mm256_add_ps(acc0, acc1));
  }
}

// Q4_K and Q5_K super-blocks: 8 sub-blocks of 32 with 6-bit scales and mins (ggml::ScaleMinK4).
template <class Dot, bool kFifthBit>
struct K4 {
  using Block = std::conditional_t<kFifthBit, ggml::BlockQ5_K, ggml::BlockQ4_K>;
  // Adds the super-block's d * d_x * sum(sc * q . x) to acc and dmin * d_x * sum(m * bsum32) to acc_min.
  static void Accumulate(const Block& b, const int8_t* xq, float xd, const int16_t* bsum32, __m256& acc,
                         __m128& acc_min) {
    // The 12 bytes of scales as 8 scales and 8 mins, 4 per 32-bit word (ScaleMinK4's layout, all at once):
    // j < 4 is the low 6 bits of word 0 (scales) / 1 (mins); j >= 4 the nibbles of word 2 with the top two
    // bits from bits 6..7 of words 0 / 1.
    uint32_t u[3];
    std::memcpy(u, b.scales, 12);
    const uint32_t sc_lo = u[0] & 0x3F3F3F3F, sc_hi = (u[2] & 0x0F0F0F0F) | ((u[0] >> 2) & 0x30303030);
    const uint32_t m_lo = u[1] & 0x3F3F3F3F, m_hi = ((u[2] >> 4) & 0x0F0F0F0F) | ((u[1] >> 2) & 0x30303030);
    const __m256i scales =
        _mm256_broadcastsi128_si256(_mm_setr_epi32(static_cast<int>(sc_lo), static_cast<int>(sc_hi), 0, 0));
    const __m256i mask = _mm256_set1_epi8(0x0F);
    [[maybe_unused]] __m256i qh;
    if constexpr (kFifthBit) qh = Load(b.qh);
    __m256i sum[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int pair = 0; pair < 4; ++pair) {
      const __m256i q = Load(b.qs + 32 * pair);
      __m256i nib[2] = {_mm256_and_si256(q, mask), _mm256_and_si256(_mm256_srli_epi16(q, 4), mask)};
      for (int half = 0; half < 2; ++half) {
        const int sub = 2 * pair + half;
        // Q5_K: bit `sub` of each qh byte to bit 4 (16-bit shifts: what crosses bytes is masked off).
        if constexpr (kFifthBit) {
          const __m256i high = sub <= 4 ? _mm256_slli_epi16(qh, 4 - sub) : _mm256_srli_epi16(qh, sub - 4);
          nib[half] = _mm256_or_si256(nib[half], _mm256_and_si256(high, _mm256_set1_epi8(0x10)));
        }
        // The scale as int16 in every lane: byte `sub` of `scales`, zero-extended by a 0x80 index.
        const __m256i scale = _mm256_shuffle_epi8(scales, _mm256_set1_epi16(static_cast<int16_t>(0x8000 | sub)));
        const __m256i pairs = _mm256_maddubs_epi16(nib[half], Load(xq + 32 * sub));
        sum[half] = Dot::AddScaled(sum[half], pairs, scale);
      }
    }
    const __m256i total = _mm256_add_epi32(sum[0], sum[1]);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_set1_ps(Half(b.d) * xd), acc);
    const __m128i mins = _mm_cvtepu8_epi16(_mm_setr_epi32(static_cast<int>(m_lo), static_cast<int>(m_hi), 0, 0));
    const __m128i min_sum = _mm_madd_epi16(mins, _mm_loadu_si128(reinterpret_cast<const __m128i*>(bsum32)));
    acc_min = _mm_fmadd_ps(_mm_cvtepi32_ps(min_sum), _mm_set1_ps(Half(b.dmin) * xd), acc_min);
  }
};

template <class Dot>
struct Q6K {
  using Block = ggml::BlockQ6_K;
  static void Accumulate(const Block& b, const int8_t* xq, float xd, const int16_t* bsum16, __m256& acc) {
    const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    const __m256i sc_bytes = _mm256_broadcastsi128_si256(sc8);
    const __m256i mask = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    __m256i sum[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int half = 0; half < 2; ++half) {
      const __m256i ql0 = Load(b.ql + 64 * half), ql1 = Load(b.ql + 64 * half + 32);
      const __m256i qh = Load(b.qh + 32 * half);
      // Value l + 32 j of the half: low bits from ql0 / ql1 (j even / odd), low nibble for j < 2, and bits 2j..2j+1
      // of qh[l]. Shifts are 16-bit; the masks drop what crosses between bytes.
      const __m256i low[4] = {_mm256_and_si256(ql0, mask), _mm256_and_si256(ql1, mask),
                              _mm256_and_si256(_mm256_srli_epi16(ql0, 4), mask),
                              _mm256_and_si256(_mm256_srli_epi16(ql1, 4), mask)};
      for (int j = 0; j < 4; ++j) {
        const __m256i high = _mm256_and_si256(j == 0 ? qh : _mm256_srli_epi16(qh, 2 * j), three);
        const __m256i q = _mm256_or_si256(low[j], _mm256_slli_epi16(high, 4));
        const __m256i pairs = _mm256_maddubs_epi16(q, Load(xq + 128 * half + 32 * j));
        // Values 0..15 (first 128-bit lane of pairs) have scale 8 half + 2 j, 16..31 the next: each int16 lane
        // takes its scale byte twice and shifts it down arithmetically (sign extension).
        const int s = 8 * half + 2 * j;
        const __m256i index = _mm256_setr_epi8(s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s + 1, s + 1, s + 1,
                                               s + 1, s + 1, s + 1, s + 1, s + 1, s + 1, s + 1, s + 1, s + 1, s + 1,
                                               s + 1, s + 1, s + 1);
        const __m256i scale = _mm256_srai_epi16(_mm256_shuffle_epi8(sc_bytes, index), 8);
        sum[j & 1] = Dot::AddScaled(sum[j & 1], pairs, scale);
      }
    }
    // q - 32: minus 32 * sum over sub-blocks of scale * (sum of its 16 activation integers).
    const __m256i bias = _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8), Load(bsum16));
    const __m256i total = _mm256_sub_epi32(_mm256_add_epi32(sum[0], sum[1]), _mm256_slli_epi32(bias, 5));
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_set1_ps(Half(b.d) * xd), acc);
  }
};

template <class Dot, DType D>
void GemvK(const ggml::QuantizedActivations& x, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
           int64_t n_end, float* y) {
  const int8_t* xq = x.q.data();
  const float* xd = x.d.data();
  const int16_t* bsum16 = x.bsum16.data();
  const int16_t* bsum32 = x.bsum32.data();
  const int64_t blocks = k / ggml::kQK;
  for (int64_t j = n_begin; j < n_end; ++j) {
    const char* row = static_cast<const char*>(w) + j * w_row_bytes;
    __m256 acc = _mm256_setzero_ps();
    __m128 acc_min = _mm_setzero_ps();
    for (int64_t i = 0; i < blocks; ++i) {
      const int8_t* xb = xq + i * ggml::kQK;
      if constexpr (D == DType::kQ6_K) {
        const auto& b = reinterpret_cast<const ggml::BlockQ6_K*>(row)[i];
        PrefetchAhead(&b, sizeof(b));
        Q6K<Dot>::Accumulate(b, xb, xd[i], bsum16 + i * 16, acc);
      } else {
        using Format = K4<Dot, D == DType::kQ5_K>;
        const auto& b = reinterpret_cast<const typename Format::Block*>(row)[i];
        PrefetchAhead(&b, sizeof(b));
        Format::Accumulate(b, xb, xd[i], bsum32 + i * 8, acc, acc_min);
      }
    }
    const __m128 m2 = _mm_add_ps(acc_min, _mm_movehl_ps(acc_min, acc_min));
    y[j] = ReduceAdd(acc) - _mm_cvtss_f32(_mm_add_ss(m2, _mm_movehdup_ps(m2)));
  }
}

// Fills the table's integer-dot slots for every ggml dtype.
template <class Dot>
void AddGgmlIntKernels(KernelTable* table) {
  table->gemv_ggml_q8[static_cast<int>(DType::kQ8_0)] = GemvLegacy<Dot, DType::kQ8_0>;
  table->gemv_ggml_q8[static_cast<int>(DType::kQ4_0)] = GemvLegacy<Dot, DType::kQ4_0>;
  table->gemv_ggml_q8[static_cast<int>(DType::kQ5_0)] = GemvLegacy<Dot, DType::kQ5_0>;
  table->gemv_ggml_q8[static_cast<int>(DType::kIQ4_NL)] = GemvLegacy<Dot, DType::kIQ4_NL>;
  table->gemv_ggml_q8[static_cast<int>(DType::kQ4_K)] = GemvK<Dot, DType::kQ4_K>;
  table->gemv_ggml_q8[static_cast<int>(DType::kQ5_K)] = GemvK<Dot, DType::kQ5_K>;
  table->gemv_ggml_q8[static_cast<int>(DType::kQ6_K)] = GemvK<Dot, DType::kQ6_K>;
}

}  // namespace ttt::kernels::generic::ggml_int
