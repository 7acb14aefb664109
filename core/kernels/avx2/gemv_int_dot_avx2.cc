// i8, bfp8 and bfp4 GEMVs for AVX2 CPUs, by integer dot products (vpmaddubsw + vpmaddwd), the AVX2 twin of
// the AVX-512 VNNI kernels (avx512/vnni_common_avx512.h says why and how accurate).
//
// Decoding every weight to f32 and FMA'ing it (as dequant_row_avx2.cc still does to decode rows for
// the prefill GEMM) costs ~8 vector uops per 8 weights, so on an AVX2-only Zen 3 these GEMVs were compute-bound
// far below memory speed (issue 19: bfp4 decoded at 1.15x f32, bfp8 at 1.58x). Here the activations are
// quantised to int8 once per call, per block of 16 values exactly as the AVX-512 kernels do (same scale, same
// rounding), and two blocks share one ymm: 16 unsigned weight bytes x 16 signed activations per 128-bit lane
// through vpmaddubsw (pairs to int16, never saturating: |w| <= 128, |x| <= 127) and vpmaddwd with ones
// (int32 lanes of 4 products, the lanes of vpdpbusd), then one convert and one FMA with the lanes' scales.
//
// Per format, what reaches vpmaddubsw as the unsigned operand:
//   i8:   |w| (vpabsb), the sign moved to the activation (vpsignb);
//   bfp8: the 7-bit magnitude, the sign moved to the activation (vpsignb reads the sign-magnitude byte as
//         int8: negative exactly when the sign bit is set; magnitude 0 gives 0 either way);
//   bfp4: the code's signed magnitude biased by +8 (1..15) through a vpshufb table, corrected by the
//         activation lane's -8 * sum(q), precomputed at quantisation.
// A block's scale 2^(e - 127) is the exponent byte moved to bit 23 (vpshufb to byte 3, shift right by 1), as
// the AVX-512 LaneScale: e = 0 gives zeros, e = 255 Inf/NaN. Each row's sum uses the same operations whatever
// rows it is grouped with, so threads splitting rows differently give identical results.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/internal/cache_line_vector.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {
namespace {

using simd::Avx2;

constexpr int kBlock = 16;

// Activations of one x row: q per block of 16, and per int32 lane of the kernel's dots the block's scale
// and, for bfp4, the correction -8 * sum of the q values the lane's dot sums. Layouts:
//   i8, bfp8: block b's 16 values at 16 b, its scale in lanes 4b .. 4b + 3 (a lane sums 4 products);
//   bfp4: per step of 4 blocks, 32 bytes of even values (block t of the step at 8 t: values 0, 2, .., 14)
//         then 32 bytes of odd ones, and block t's scale and correction in lanes 2t, 2t + 1 (a lane sums 4
//         even and 4 odd products).
struct Activations {
  internal::CacheLineVector<int8_t> q;
  internal::CacheLineVector<float> lane_scale;
  internal::CacheLineVector<int32_t> lane_correction;
};

// What the dot loops read, as plain pointers: reached through the thread_local Activations, GCC re-derived
// its address (a call to __tls_get_addr, with the accumulators spilled around it) on every step.
struct ActivationView {
  const int8_t* q;
  const float* lane_scale;
  const int32_t* lane_correction;
  explicit ActivationView(const Activations& a)
      : q(a.q.data()), lane_scale(a.lane_scale.data()), lane_correction(a.lane_correction.data()) {}
};

// x[start, start + 16) (zeros past k) as int8 scaled by 127 / max|x|, the AVX-512 QuantizeBlock's rounding.
inline __m128i QuantizeBlock(const float* x, int64_t k, int64_t start, float* absmax) {
  const int64_t n = start >= k ? 0 : (k - start < kBlock ? k - start : kBlock);
  const __m256 lo = _mm256_maskload_ps(x + start, Avx2::FirstLanes(n));
  const __m256 hi = _mm256_maskload_ps(x + start + 8, Avx2::FirstLanes(n > 8 ? n - 8 : 0));
  *absmax = Avx2::ReduceMax(_mm256_max_ps(Avx2::Abs(lo), Avx2::Abs(hi)));
  const __m256 inverse = _mm256_set1_ps(*absmax > 0 ? 127.0f / *absmax : 0.0f);
  const __m256i i_lo = _mm256_cvtps_epi32(_mm256_mul_ps(lo, inverse));
  const __m256i i_hi = _mm256_cvtps_epi32(_mm256_mul_ps(hi, inverse));
  // packs works within 128-bit lanes: words (lo0..3, hi0..3 | lo4..7, hi4..7), then bytes in that order.
  const __m256i words = _mm256_packs_epi32(i_lo, i_hi);
  const __m128i bytes = _mm_packs_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
  return _mm_shuffle_epi8(bytes, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15));
}

// Quantises x into `blocks` blocks (a whole number of the kernel's steps; blocks past k are zeros).
template <bool kBfp4>
void QuantizeActivations(const float* x, int64_t k, int64_t blocks, Activations& a) {
  const int64_t lanes_per_block = kBfp4 ? 2 : 4;
  a.q.resize(static_cast<size_t>(blocks * kBlock));
  a.lane_scale.resize(static_cast<size_t>(blocks * lanes_per_block));
  if (kBfp4) a.lane_correction.resize(static_cast<size_t>(blocks * lanes_per_block));
  int8_t* const q_out = a.q.data();
  float* const scale_out = a.lane_scale.data();
  int32_t* const correction_out = a.lane_correction.data();
  for (int64_t b = 0; b < blocks; ++b) {
    float absmax;
    const __m128i q = QuantizeBlock(x, k, b * kBlock, &absmax);
    const float scale = absmax / 127.0f;
    if constexpr (kBfp4) {
      const __m128i even_odd = _mm_shuffle_epi8(q, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
      int8_t* evens = q_out + (b / 4) * 64 + (b % 4) * 8;
      _mm_storel_epi64(reinterpret_cast<__m128i*>(evens), even_odd);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(evens + 32), _mm_unpackhi_epi64(even_odd, even_odd));
      // Sums of evens 0..3, 4..7 and odds 0..3, 4..7 (times 8): lane 2b takes the first of each, 2b + 1 the second.
      alignas(16) int32_t sums[4];
      _mm_store_si128(reinterpret_cast<__m128i*>(sums),
                      _mm_madd_epi16(_mm_maddubs_epi16(_mm_set1_epi8(8), even_odd), _mm_set1_epi16(1)));
      correction_out[2 * b] = -(sums[0] + sums[2]);
      correction_out[2 * b + 1] = -(sums[1] + sums[3]);
      scale_out[2 * b] = scale_out[2 * b + 1] = scale;
    } else {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q_out + b * kBlock), q);
      _mm_storeu_ps(scale_out + 4 * b, _mm_set1_ps(scale));
    }
  }
}

// Per-lane 2^(e - 127): `exponents` holds each lane's block exponent byte at byte 3 of every dword (zeros
// elsewhere); shifted right by one it is the exponent field of a float.
inline __m256 ExponentScale(__m256i exponents) { return _mm256_castsi256_ps(_mm256_srli_epi32(exponents, 1)); }

// int32 lane dots of 16 unsigned bytes with 16 signed ones per 128-bit lane.
inline __m256i LaneDots(__m256i unsigned_w, __m256i signed_x) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(unsigned_w, signed_x), _mm256_set1_epi16(1));
}

// A format's step: kStepBlocks blocks in kStepBytes of a row, whose first DataBytes(k) bytes hold the values.
// Decode(p) reads the step at p (kStepBytes readable there) into registers; Multiply(decoded, a, c, acc) adds
// it times the activations' step c, scaled, to acc. Several activation rows share one Decode. DecodeTail(p)
// reads a row's last, partial step from a zero-padded copy (in the stored layout whatever layout Decode reads).

// i8: two blocks (32 weights) per step; the row scale is applied by ops::Linear after the dot.
struct I8Step {
  static constexpr int kStepBlocks = 2;
  static constexpr int kStepBytes = 32;
  static constexpr float kUnit = 1.0f;
  static int64_t DataBytes(int64_t k) { return k; }  // rows of k bytes, not padded to blocks
  struct Decoded {
    __m256i w, magnitude;
  };
  static Decoded DecodeTail(const char* p) { return Decode(p); }
  static Decoded Decode(const char* p) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return {w, _mm256_abs_epi8(w)};
  }
  static __m256 Multiply(const Decoded& d, const ActivationView& a, int64_t c, __m256 acc) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.q + 32 * c));
    const __m256i dots = LaneDots(d.magnitude, _mm256_sign_epi8(x, d.w));
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), _mm256_loadu_ps(a.lane_scale + 8 * c), acc);
  }
};

// bfp8: two 17-byte blocks (exponent byte, 16 sign-magnitude bytes) per step.
struct Bfp8Step {
  static constexpr int kStepBlocks = 2;
  static constexpr int kStepBytes = 34;
  static constexpr int kBlockBytes = 17;
  static constexpr float kUnit = 0x1p-6f;  // a magnitude of 1 at exponent 127 (7 bits of magnitude)
  static int64_t DataBytes(int64_t k) { return (k + kBlock - 1) / kBlock * kBlockBytes; }
  struct Decoded {
    __m256i data, magnitude;
    __m256 scale;  // per lane 2^(e - 127)
  };
  static Decoded DecodeTail(const char* p) { return Decode(p); }
  static Decoded Decode(const char* p) {
    const __m256i data = _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(p + 18),
                                             reinterpret_cast<const __m128i*>(p + 1));
    // Bytes 0 (block 0's exponent, lane 0) and 17 (block 1's, byte 1 of lane 1) to byte 3 of their lanes' dwords.
    const __m256i head = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i exponents = _mm256_shuffle_epi8(
        head, _mm256_setr_epi8(-1, -1, -1, 0, -1, -1, -1, 0, -1, -1, -1, 0, -1, -1, -1, 0,  //
                               -1, -1, -1, 1, -1, -1, -1, 1, -1, -1, -1, 1, -1, -1, -1, 1));
    return {data, _mm256_and_si256(data, _mm256_set1_epi8(0x7f)), ExponentScale(exponents)};
  }
  static __m256 Multiply(const Decoded& d, const ActivationView& a, int64_t c, __m256 acc) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.q + 32 * c));
    const __m256i dots = LaneDots(d.magnitude, _mm256_sign_epi8(x, d.data));
    const __m256 scale = _mm256_mul_ps(d.scale, _mm256_loadu_ps(a.lane_scale + 8 * c));
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), scale, acc);
  }
};

// bfp4: four 9-byte blocks (exponent byte, 8 bytes of nibbles: value 2i in byte i's low nibble, 2i + 1 in its
// high one; bit 3 of a code is the sign) per step. The low nibbles of all four blocks go into one ymm, the high
// ones into another, both through a vpshufb table (code -> signed magnitude + 8, 1..15); their vpmaddubsw
// pair sums (<= 2 x 15 x 127 each) are added as int16 before vpmaddwd, so each block fills two int32 lanes
// and the scale work (exponent shuffle, convert, scale, FMA) is paid once per four blocks, not per two.
struct Bfp4Step {
  static constexpr int kStepBlocks = 4;
  static constexpr int kStepBytes = 36;
  static constexpr int kBlockBytes = 9;
  static constexpr float kUnit = 0x1p-2f;  // 3 bits of magnitude
  static int64_t DataBytes(int64_t k) { return (k + kBlock - 1) / kBlock * kBlockBytes; }
  struct Decoded {
    __m256i evens, odds;  // signed magnitudes + 8
    __m256 scale;         // per lane 2^(e - 127)
  };
  // A row's last blocks (fewer than kStepBlocks) in the stored layout, from a zero-padded copy.
  static Decoded DecodeTail(const char* p) { return Decode(p); }
  static Decoded Decode(const char* p) {
    // Two loads cover the step: `head` bytes 0..31 and `tail` bytes 4..35. Block 0's data (bytes 1..8) and
    // block 2's (19..26) lie whole in head's lanes, blocks 1's (10..17) and 3's (28..35) in tail's; one
    // shuffle each takes them to bytes 0..7 and 8..15 of their lane (blocks 0, 1 in lane 0, 2, 3 in lane 1).
    // Five uops for what movq/movhps pairs, an insert and a third load took eight: 1536 x 576 in cache, one
    // Zen 3 class core, 11.0 -> 12.1 GB/s (medians of 7 alternating runs; this GEMV is bound by its uops).
    const __m256i head = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i tail = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 4));
    const __m256i packed = _mm256_or_si256(
        _mm256_shuffle_epi8(head, _mm256_setr_epi8(1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1, -1, -1, -1, -1,  //
                                                   3, 4, 5, 6, 7, 8, 9, 10, -1, -1, -1, -1, -1, -1, -1, -1)),
        _mm256_shuffle_epi8(tail, _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, 6, 7, 8, 9, 10, 11, 12, 13,  //
                                                   -1, -1, -1, -1, -1, -1, -1, -1, 8, 9, 10, 11, 12, 13, 14, 15)));
    const __m256i table = _mm256_setr_epi8(8, 9, 10, 11, 12, 13, 14, 15, 8, 7, 6, 5, 4, 3, 2, 1,  //
                                           8, 9, 10, 11, 12, 13, 14, 15, 8, 7, 6, 5, 4, 3, 2, 1);
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    // Exponents at bytes 0, 9 (lane 0 of head) and 18, 27 (bytes 2, 11 of lane 1).
    const __m256i exponents = _mm256_shuffle_epi8(
        head, _mm256_setr_epi8(-1, -1, -1, 0, -1, -1, -1, 0, -1, -1, -1, 9, -1, -1, -1, 9,  //
                               -1, -1, -1, 2, -1, -1, -1, 2, -1, -1, -1, 11, -1, -1, -1, 11));
    return {_mm256_shuffle_epi8(table, _mm256_and_si256(packed, nibble)),
            _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(packed, 4), nibble)),
            ExponentScale(exponents)};
  }
  static __m256 Multiply(const Decoded& d, const ActivationView& a, int64_t c, __m256 acc) {
    const int8_t* q = a.q + 64 * c;
    const __m256i pairs =
        _mm256_add_epi16(_mm256_maddubs_epi16(d.evens, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q))),
                         _mm256_maddubs_epi16(d.odds, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 32))));
    const __m256i dots =
        _mm256_add_epi32(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)),
                         _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.lane_correction + 8 * c)));
    const __m256 scale = _mm256_mul_ps(d.scale, _mm256_loadu_ps(a.lane_scale + 8 * c));
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), scale, acc);
  }
};

// bfp4 in the step layout of internal/bfp4_steps.h (packed at load): the codes of a step's 4 blocks already
// biased and gathered in one 32-byte load, the exponents in the 4 bytes before them. Three uops on the
// shuffle/shift pipes per step (a nibble shift, the exponent shuffle and its shift) where the stored layout
// needs seven; the same integers and scales as Bfp4Step, so the same bits.
struct Bfp4PackedStep : Bfp4Step {
  static Decoded Decode(const char* p) {
    int32_t exponent_bytes;
    std::memcpy(&exponent_bytes, p, 4);
    const __m256i exponents = _mm256_shuffle_epi8(
        _mm256_set1_epi32(exponent_bytes),
        _mm256_setr_epi8(-1, -1, -1, 0, -1, -1, -1, 0, -1, -1, -1, 1, -1, -1, -1, 1,  //
                         -1, -1, -1, 2, -1, -1, -1, 2, -1, -1, -1, 3, -1, -1, -1, 3));
    const __m256i codes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 4));
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    return {_mm256_and_si256(codes, nibble), _mm256_and_si256(_mm256_srli_epi16(codes, 4), nibble),
            ExponentScale(exponents)};
  }
};

// Dots of R weight rows with M quantised activation rows (R = 1 when M > 1): whole steps read in place, the last
// partial step (if any) from a zero-padded copy, so no load leaves the row's blocks. Each (activation row,
// weight row) sum takes the same operations in the same order whatever M and R are.
template <class Step, int M, int R>
inline void DotRows(const char* const* w, int64_t data_bytes, int64_t steps, const ActivationView* a,
                    float (&out)[M][R]) {
  __m256 acc[M][R];
  #pragma GCC unroll 4
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 4
    for (int j = 0; j < R; ++j) acc[i][j] = _mm256_setzero_ps();
  auto multiply = [&](int j, const typename Step::Decoded& d, int64_t c) __attribute__((always_inline)) {
    #pragma GCC unroll 4
    for (int i = 0; i < M; ++i) acc[i][j] = Step::Multiply(d, a[i], c, acc[i][j]);
  };
  auto step = [&](int j, const char* p, int64_t c) __attribute__((always_inline)) { multiply(j, Step::Decode(p), c); };
  auto tail_step = [&](int j, const char* p, int64_t c) { multiply(j, Step::DecodeTail(p), c); };
  const int64_t whole = data_bytes / Step::kStepBytes;
  for (int64_t c = 0; c < whole; ++c) {
    #pragma GCC unroll 4
    for (int j = 0; j < R; ++j) step(j, w[j] + c * Step::kStepBytes, c);
  }
  if (whole < steps) {
    const int64_t tail = data_bytes - whole * Step::kStepBytes;
    #pragma GCC unroll 4
    for (int j = 0; j < R; ++j) {
      alignas(32) char padded[Step::kStepBytes] = {};
      std::memcpy(padded, w[j] + whole * Step::kStepBytes, static_cast<size_t>(tail));
      tail_step(j, padded, whole);
    }
  }
  #pragma GCC unroll 4
  for (int i = 0; i < M; ++i)
    #pragma GCC unroll 4
    for (int j = 0; j < R; ++j) out[i][j] = Avx2::ReduceAdd(acc[i][j]) * Step::kUnit;
}

// Rows [n_begin, n_end) of y[m, ldy] = x[m, k] . w^T. One activation row (decode): blocks of 4 weight rows, one
// from each quarter of the range (four long sequential streams, which the hardware prefetchers follow: see
// internal/gemv_rows.h; 4 adjacent rows read 7-8 GB/s from DRAM on one Zen 3 class core where quarters read
// 15-19, and software prefetching on top of quarters did not help), the remainder singly. More (a batch, or a
// prefill tile): activation rows in groups of up to kGroup, each weight step decoded once per group, weight
// rows one at a time (one stream).
template <class Step, bool kBfp4>
void GemvIntDot(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                int64_t n_end, float* y, int64_t ldy) {
  constexpr int kGroup = 4;
  thread_local Activations activations[kGroup];  // reused: no allocation per call
  const int64_t blocks = (k + kBlock - 1) / kBlock;
  const int64_t steps = (blocks + Step::kStepBlocks - 1) / Step::kStepBlocks;
  const int64_t data_bytes = Step::DataBytes(k);
  const char* wb = static_cast<const char*>(w);
  for (int64_t r0 = 0; r0 < m; r0 += kGroup) {
    const int group = static_cast<int>(std::min<int64_t>(kGroup, m - r0));
    for (int i = 0; i < group; ++i) {
      QuantizeActivations<kBfp4>(x + (r0 + i) * k, k, steps * Step::kStepBlocks, activations[i]);
    }
    const ActivationView views[kGroup] = {ActivationView(activations[0]), ActivationView(activations[1]),
                                          ActivationView(activations[2]), ActivationView(activations[3])};
    // Weight rows j0, j0 + stride, .. (R of them).
    auto dot = [&]<int M, int R>(int64_t j0, int64_t stride) {
      const char* rows[R];
      for (int j = 0; j < R; ++j) rows[j] = wb + (j0 + j * stride) * w_row_bytes;
      float out[M][R];
      DotRows<Step, M, R>(rows, data_bytes, steps, views, out);
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < R; ++j) y[(r0 + i) * ldy + j0 + j * stride] = out[i][j];
    };
    int64_t j = n_begin;
    switch (group) {
      case 1: {
        const int64_t quarter = (n_end - n_begin) / 4;
        for (int64_t t = 0; t < quarter; ++t) dot.template operator()<1, 4>(n_begin + t, quarter);
        for (j = n_begin + 4 * quarter; j < n_end; ++j) dot.template operator()<1, 1>(j, 0);
        break;
      }
      case 2:
        for (; j < n_end; ++j) dot.template operator()<2, 1>(j, 0);
        break;
      case 3:
        for (; j < n_end; ++j) dot.template operator()<3, 1>(j, 0);
        break;
      default:
        for (; j < n_end; ++j) dot.template operator()<4, 1>(j, 0);
        break;
    }
  }
}

}  // namespace

void GemvI8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
            int64_t n_end, float* y, int64_t ldy) {
  GemvIntDot<I8Step, false>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvBfp8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  GemvIntDot<Bfp8Step, false>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvBfp4(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  GemvIntDot<Bfp4Step, true>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvBfp4Steps(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy) {
  GemvIntDot<Bfp4PackedStep, true>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx2
