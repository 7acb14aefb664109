// Block-float (bfp8, bfp4) and i8 GEMVs with VNNI: decoding a 16-value block to f32 and FMA'ing it costs ~7
// vector uops per block, which made these kernels compute-bound (bfp4 at ~5.6 GB/s on one core, below DRAM
// speed; i8 at 39 GB/s in cache). Here the activations are quantised to int8 once per call (per block of
// 16, like llama.cpp's Q8 path) and four blocks at a time go through one vpdpbusd: ~3.5 uops per block.
//
// Accuracy: the only extra error is the activation rounding, |x - q * s_x| <= s_x / 2 with
// s_x = max |x_block| / 127, i.e. at most 0.4% of the block's largest activation, well below the weights'
// own quantisation error (bfp8: up to 1.6%, bfp4: up to 25% of the block's largest weight). Integer dots
// are exact; the per-block scale (2^(e - 127 - (bits - 1)) * s_x) and the f32 accumulation round as usual.
// Each row's result is computed with the same operations whatever rows it is grouped with, so threads
// splitting the rows differently give identical results.
//
// Layout in registers: one 128-bit lane per block (4 blocks per zmm). vpermd/vpshufb move each block's
// bytes into its lane (a bfp8 block is 17 bytes, a bfp4 block 9, so blocks straddle lanes in memory).
// A block's scale 2^(e - 127) is built from its exponent byte alone, so e = 0 (values below 2^-126) gives
// zeros and e = 255 (an Inf/NaN in the encoder's input) gives Inf/NaN.
#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/internal/cache_line_vector.h"
#include "core/kernels/kernel_table.h"
#include "core/kernels/avx512/vec_math_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

constexpr int kBlock = 16;
constexpr int kGroupBlocks = 4;  // blocks per zmm

// The hardware prefetchers alone leave a core short of memory-level parallelism at these byte rates
// (measured: i8 decoded to f32 reached 6 GB/s from DRAM where f32 reached 13; 4 rows ahead doubled it), so
// each row stream prefetches ahead, 8 KiB: once the bfp4 kernel got faster,
// 4 KiB left it waiting for DRAM (1 core, cold: 8 KiB gave 24 -> 27.5 GB/s on 1536 x 576 and 23 -> 28.5 on
// 49152 x 576; without prefetches 15 GB/s; 16 KiB no better than 8; bfp8 unchanged). Rows are contiguous
// and read one at a time (gemv_rows.h), so 8 KiB past the current byte is simply what comes 8 KiB later.
constexpr int64_t kPrefetchAhead = kGemvStreamPrefetchBytes;

// Activations of one x row, quantised per block: q (int8; for bfp4 each block's values reordered to
// 0, 2, .., 14, 1, 3, .., 15 to match the nibble unpacking), the scale of each int32 lane's block, and for
// bfp4 the per-lane correction -8 * sum(q) (bfp4 magnitudes enter vpdpbusd biased by +8 to be unsigned).
// 64-byte aligned (internal/cache_line_vector.h).
struct Activations {
  internal::CacheLineVector<int8_t> q;
  internal::CacheLineVector<float> lane_scale;
  internal::CacheLineVector<int32_t> lane_correction;
  // Room for `blocks` blocks with `lanes` int32 lanes each (grows on the first calls only).
  void Resize(int64_t blocks, int64_t lanes) {
    q.resize(static_cast<size_t>(blocks * kBlock));
    lane_scale.resize(static_cast<size_t>(blocks * lanes));
    lane_correction.resize(static_cast<size_t>(blocks * lanes));
  }
};

// What the dot loops read, as plain pointers: handing them the thread_local Activations made GCC re-derive
// its address (a TLS call, with vzeroupper and zmm spills around it) on every step of the inner loop, which
// cost ~30% of the bfp4 kernel's time.
struct ActivationView {
  const int8_t* q;
  const float* lane_scale;
  const int32_t* lane_correction;
  explicit ActivationView(const Activations& a)
      : q(a.q.data()), lane_scale(a.lane_scale.data()), lane_correction(a.lane_correction.data()) {}
};

// x[start, start + 16) (zeros past k) as int8 scaled by 127 / max|x|; *absmax receives max|x|.
inline __m128i QuantizeBlock(const float* x, int64_t k, int64_t start, float* absmax) {
  const int64_t n = start >= k ? 0 : (k - start < kBlock ? k - start : kBlock);
  const __m512 v = _mm512_maskz_loadu_ps(TailMask(n), x + start);
  *absmax = _mm512_reduce_max_ps(_mm512_abs_ps(v));
  const float inverse = *absmax > 0 ? 127.0f / *absmax : 0.0f;
  return _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(v, _mm512_set1_ps(inverse))));
}

// A block's values 0, 2, .., 14 then 1, 3, .., 15: the order bfp4's nibble unpacking yields them in.
inline __m128i EvenThenOdd(__m128i q) {
  return _mm_shuffle_epi8(q, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
}

// Quantises x block by block into `a`, with room for `blocks` blocks of `lanes` int32 lanes each;
// place(b, q, scale, q_out, scale_out, correction_out) stores block b in the kernel's layout.
template <class Place>
inline void QuantizeBlocks(const float* x, int64_t k, int64_t blocks, int64_t lanes, Activations& a, Place place) {
  a.Resize(blocks, lanes);
  int8_t* const q_out = a.q.data();  // plain pointers, for the reason given at ActivationView
  float* const scale_out = a.lane_scale.data();
  int32_t* const correction_out = a.lane_correction.data();
  for (int64_t b = 0; b < blocks; ++b) {
    float absmax;
    const __m128i q = QuantizeBlock(x, k, b * kBlock, &absmax);
    place(b, q, absmax / 127.0f, q_out, scale_out, correction_out);
  }
}

// Activations of the four-block groups (Bfp4Group, Bfp8Group, Bfp8Vbmi, I8Vnni): block b's 16 values at
// 16 b, its scale and correction in lanes 4b .. 4b + 3.
template <bool kBfp4>
void QuantizeActivations(const float* x, int64_t k, int64_t groups, Activations& a) {
  QuantizeBlocks(x, k, groups * kGroupBlocks, 4, a,
                 [](int64_t b, __m128i q, float scale, int8_t* q_out, float* scale_out, int32_t* correction_out) {
                   __m128i correction = _mm_setzero_si128();
                   if (kBfp4) {
                     q = EvenThenOdd(q);
                     correction = _mm_sub_epi32(_mm_setzero_si128(),
                                                _mm_dpbusd_epi32(_mm_setzero_si128(), _mm_set1_epi8(8), q));
                   }
                   _mm_storeu_si128(reinterpret_cast<__m128i*>(q_out + b * kBlock), q);
                   _mm_storeu_ps(scale_out + 4 * b, _mm_set1_ps(scale));
                   _mm_storeu_si128(reinterpret_cast<__m128i*>(correction_out + 4 * b), correction);
                 });
}

inline __mmask64 ByteMask(int64_t n) {
  return n >= 64 ? ~__mmask64{0} : n <= 0 ? __mmask64{0} : (__mmask64{1} << n) - 1;
}

// vpshufb index putting lane t's byte `t` (the block's exponent, see the loaders) at bit 24 of every dword.
inline __m512i ExponentIndex() {
  alignas(64) int8_t idx[64];
  for (int t = 0; t < 4; ++t) {
    for (int d = 0; d < 4; ++d) {
      for (int b = 0; b < 4; ++b) idx[16 * t + 4 * d + b] = b == 3 ? static_cast<int8_t>(t) : int8_t{-128};
    }
  }
  return _mm512_load_si512(idx);
}

// Per-lane 2^(e - 127) times the activation scale: shifted right by one, the exponent byte at bit 24 is the
// exponent field of a float (sign 0, mantissa 0; e = 0 gives +0). The format's remaining factor
// 2^-(bits - 1) is applied once to the finished dot product (Group::kUnit): two uops per zmm, not four.
inline __m512 LaneScale(__m512i exponent_at_24, __m512 activation_scale) {
  return _mm512_mul_ps(_mm512_castsi512_ps(_mm512_srli_epi32(exponent_at_24, 1)), activation_scale);
}

// Byte 3 of each dword: where the VBMI groups put a block's exponent byte (LaneScale).
constexpr __mmask64 kExponentBytes = 0x8888888888888888ull;

// Four bfp4 blocks (36 bytes). After vpermd lane t holds bytes 8t .. 8t + 11, so its exponent (byte 9t) is at
// lane position t and its data at t + 1 .. t + 8. Each data byte is placed twice, words 4..7 shifted right
// by 4, masked to nibbles: low nibbles (values 0, 2, ..) in bytes 0..7, high ones in bytes 8..15.
struct Bfp4Group {
  static constexpr int kGroupBytes = 36;
  static constexpr int kReadBytes = 64;
  static constexpr float kUnit = 0x1p-2f;  // value of magnitude 1 at exponent 127
  __m512i dword_perm, data_index, nibble_shift, lut, exponent_index;
  Bfp4Group() {
    dword_perm = _mm512_setr_epi32(0, 1, 2, 0, 2, 3, 4, 0, 4, 5, 6, 0, 6, 7, 8, 0);
    alignas(64) int8_t idx[64], table[64];
    for (int t = 0; t < 4; ++t) {
      for (int j = 0; j < 16; ++j) {
        idx[16 * t + j] = static_cast<int8_t>(t + 1 + (j & 7));
        // code -> signed magnitude + 8: 0..7 -> 8..15, 8..15 (negative) -> 8..1
        table[16 * t + j] = static_cast<int8_t>(j < 8 ? 8 + j : 16 - j);
      }
    }
    data_index = _mm512_load_si512(idx);
    lut = _mm512_load_si512(table);
    alignas(64) int16_t shifts[32];
    for (int i = 0; i < 32; ++i) shifts[i] = (i & 7) < 4 ? 0 : 4;  // words 4..7 of each lane: high nibbles
    nibble_shift = _mm512_load_si512(shifts);
    exponent_index = ExponentIndex();
  }
  // Returns the int32 lane dots (biased weights, plus `correction`) and the lanes' exponents at bit 16.
  inline __m512i Dot(const char* p, int64_t available, bool masked, __m512i xq, __m512i correction,
                     __m512i& exponent) const {
    const __m512i raw = masked ? _mm512_maskz_loadu_epi8(ByteMask(available), p) : _mm512_loadu_si512(p);
    const __m512i lanes = _mm512_permutexvar_epi32(dword_perm, raw);
    exponent = _mm512_shuffle_epi8(lanes, exponent_index);
    const __m512i bytes = _mm512_shuffle_epi8(lanes, data_index);
    const __m512i codes = _mm512_and_si512(_mm512_srlv_epi16(bytes, nibble_shift), _mm512_set1_epi8(0x0f));
    return _mm512_dpbusd_epi32(correction, _mm512_shuffle_epi8(lut, codes), xq);
  }
};

// Four bfp8 blocks (68 bytes), loaded at +0 and +16: lane t of the first load holds bytes 16t .. 16t + 15, so
// the exponent (byte 17t) is at position t and the data starts at t + 1, running into lane t of the second.
// The sign of each weight moves to the activation (vpdpbusd wants unsigned weights).
struct Bfp8Group {
  static constexpr int kGroupBytes = 68;
  static constexpr int kReadBytes = 80;
  static constexpr float kUnit = 0x1p-6f;
  __m512i index_lo, index_hi, exponent_index;
  Bfp8Group() {
    alignas(64) int8_t lo[64], hi[64];
    for (int t = 0; t < 4; ++t) {
      for (int j = 0; j < 16; ++j) {
        const int at = t + 1 + j;
        lo[16 * t + j] = at < 16 ? static_cast<int8_t>(at) : int8_t{-128};
        hi[16 * t + j] = at >= 16 ? static_cast<int8_t>(at - 16) : int8_t{-128};
      }
    }
    index_lo = _mm512_load_si512(lo);
    index_hi = _mm512_load_si512(hi);
    exponent_index = ExponentIndex();
  }
  inline __m512i Dot(const char* p, int64_t available, bool masked, __m512i xq, __m512i /*correction*/,
                     __m512i& exponent) const {
    const __m512i a = masked ? _mm512_maskz_loadu_epi8(ByteMask(available), p) : _mm512_loadu_si512(p);
    const __m512i b =
        masked ? _mm512_maskz_loadu_epi8(ByteMask(available - 16), p + 16) : _mm512_loadu_si512(p + 16);
    exponent = _mm512_shuffle_epi8(a, exponent_index);
    const __m512i data = _mm512_or_si512(_mm512_shuffle_epi8(a, index_lo), _mm512_shuffle_epi8(b, index_hi));
    const __mmask64 negative = _mm512_movepi8_mask(data);
    const __m512i signed_x = _mm512_mask_sub_epi8(xq, negative, _mm512_setzero_si512(), xq);
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(data, _mm512_set1_epi8(0x7f)), signed_x);
  }
};

// out[j] = unit * (sum of acc[j]'s 16 lanes), for R = 1 or 4 rows. Four rows are reduced together, each
// step serving all four (13 vector ops instead of 4 x 8; a block of 4 bfp4 rows of 576 values is ~20
// steps of ~11 ops). Both add in the same order -- within each 128-bit lane (0 + 2) + (1 + 3), then lanes
// (L0 + L2) + (L1 + L3) -- so a row's sum does not depend on the rows it is grouped with.
template <int R>
inline void HorizontalSums(const __m512 (&acc)[R], float unit, float* out) {
  static_assert(R == 1 || R == 4);
  __m512 t;
  if constexpr (R == 4) {
    const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(acc[0], acc[1]), _mm512_unpackhi_ps(acc[0], acc[1]));
    const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(acc[2], acc[3]), _mm512_unpackhi_ps(acc[2], acc[3]));
    // per lane: a0+a2, b0+b2, a1+a3, b1+b3 and the same of c, d -> (a0+a2)+(a1+a3), .., (d0+d2)+(d1+d3)
    const __m512d ab_pairs = _mm512_castps_pd(ab), cd_pairs = _mm512_castps_pd(cd);
    t = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(ab_pairs, cd_pairs)),
                      _mm512_castpd_ps(_mm512_unpackhi_pd(ab_pairs, cd_pairs)));
  } else {
    const __m512 s = _mm512_add_ps(acc[0], _mm512_permute_ps(acc[0], _MM_SHUFFLE(1, 0, 3, 2)));  // 0+2, 1+3
    t = _mm512_add_ps(s, _mm512_permute_ps(s, _MM_SHUFFLE(2, 3, 0, 1)));
  }
  const __m512 u = _mm512_add_ps(t, _mm512_shuffle_f32x4(t, t, _MM_SHUFFLE(1, 0, 3, 2)));  // L0+L2, L1+L3
  const __m512 v = _mm512_add_ps(u, _mm512_shuffle_f32x4(u, u, _MM_SHUFFLE(2, 3, 0, 1)));
  const __m128 sums = _mm_mul_ps(_mm512_castps512_ps128(v), _mm_set1_ps(unit));
  if constexpr (R == 4) {
    _mm_storeu_ps(out, sums);
  } else {
    out[0] = _mm_cvtss_f32(sums);
  }
}

template <class Group, int R>
inline void DotRows(const Group& g, const char* const* w, size_t row_bytes, int64_t groups, ActivationView a,
                    float* out) {
  __m512 acc[R];
  #pragma GCC unroll 8
  for (int j = 0; j < R; ++j) acc[j] = _mm512_setzero_ps();
  constexpr int64_t ahead = kPrefetchAhead;
  for (int64_t c = 0; c < groups; ++c) {
    const int64_t offset = c * Group::kGroupBytes;
    const bool masked = offset + Group::kReadBytes > static_cast<int64_t>(row_bytes);
    const int64_t available = static_cast<int64_t>(row_bytes) - offset;  // bytes of this row from here
    const __m512i xq = _mm512_loadu_si512(a.q + 64 * c);
    const __m512 xs = _mm512_loadu_ps(a.lane_scale + 16 * c);
    const __m512i correction = _mm512_loadu_si512(a.lane_correction + 16 * c);
    #pragma GCC unroll 8
    for (int j = 0; j < R; ++j) {
      _mm_prefetch(w[j] + ahead + offset, _MM_HINT_T0);
      __m512i exponent;
      const __m512i dot = g.Dot(w[j] + offset, available, masked, xq, correction, exponent);
      acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), LaneScale(exponent, xs), acc[j]);
    }
  }
  HorizontalSums<R>(acc, Group::kUnit, out);
}

// ---- bfp4 with AVX-512 VBMI (vpermb / vpermi2b): eight blocks (72 bytes, 128 values) per step.
//
// The kernel above spends 4 int32 lanes on every block, so each block pays a quarter of the scale work
// (exponent shuffle, scale build, int->float convert, FMA: 7 uops per zmm) and a third of the gather
// shuffles. Here one vpermi2b drops the 8 exponent bytes of 8 blocks, giving 64 data bytes, block b's in
// bytes 8b .. 8b + 7, i.e. int32 lanes 2b and 2b + 1. The low nibbles (values 0, 2, .., 14) and high nibbles
// (1, 3, .., 15) each go through one vpermb into a 64-entry table that indexes by the low 6 bits, so the
// table (code -> biased magnitude, repeated every 16 entries) also does the nibble masking. Two vpdpbusd
// then sum 8 products per lane, and the scale work is paid once per 2 lanes of each block: ~14 uops per 8
// blocks instead of ~26. Measured on 1 core of this EPYC (Zen 5) with BM_LinearDecode (cold, 1536 x 576):
// see the commit message.
//
// Both VBMI groups read a step of kStepBytes (two loads, at +0 and + kStepBytes - 64, so one vpermi2b can
// gather from both), take the step's activations with Load, return the int32 lane dots from Dot and the
// lanes' scales from Scale (DotRowsStepped).
struct Bfp4Vbmi {
  static constexpr int kStepBlocks = 8;
  static constexpr int kStepBytes = kStepBlocks * 9;  // 72
  static constexpr float kUnit = Bfp4Group::kUnit;
  __m512i data_index, exponent_index, table;
  Bfp4Vbmi() {
    alignas(64) int8_t data[64], exponent[64], lut[64];
    for (int i = 0; i < 64; ++i) {
      // Byte i of the result is data byte i % 8 of block i / 8, at 9 * (i / 8) + 1 + i % 8 in the step's 72
      // bytes; A holds bytes 0..63 (indices 0..63), B = bytes 8..71 (indices 64..127).
      const int at = 9 * (i / 8) + 1 + i % 8;
      data[i] = static_cast<int8_t>(at < 64 ? at : 64 + at - 8);
      // Exponent of block i / 8 (byte 9 * (i / 8), always in A) at byte 3 of each lane; other bytes zeroed
      // by kExponentBytes.
      exponent[i] = static_cast<int8_t>(9 * (i / 8));
      const int code = i & 15;
      lut[i] = static_cast<int8_t>(code < 8 ? 8 + code : 16 - code);  // +-magnitude + 8, as in Bfp4Group
    }
    data_index = _mm512_load_si512(data);
    exponent_index = _mm512_load_si512(exponent);
    table = _mm512_load_si512(lut);
    // Paired tails (see DotRowsStepped): blocks 0..3 of row A in bytes 0..31 (lanes 0..7), of row B (indices
    // 64..) in bytes 32..63 (lanes 8..15).
    alignas(64) int8_t pair_data[64], pair_exponent[64];
    for (int i = 0; i < 64; ++i) {
      const int block = (i % 32) / 8, from_b = i >= 32 ? 64 : 0;
      pair_data[i] = static_cast<int8_t>(from_b + 9 * block + 1 + i % 8);
      pair_exponent[i] = static_cast<int8_t>(from_b + 9 * block);
    }
    pair_data_index = _mm512_load_si512(pair_data);
    pair_exponent_index = _mm512_load_si512(pair_exponent);
  }
  // A row's last step holding at most this many bytes (4 of the 8 blocks: k = 576 = 4.5 steps, as most
  // projections of small models) is done together with the next row's, in one step.
  static constexpr int kPairTailBytes = 4 * 9;
  __m512i pair_data_index, pair_exponent_index;
  struct Step {
    __m512i x_even, x_odd, correction;
    __m512 scale;
    // The step with lanes 0..7 (blocks 0..3) repeated in lanes 8..15, for a pair of rows' tails.
    Step Paired() const {
      auto twice = [](__m512i v) { return _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(1, 0, 1, 0)); };
      return {twice(x_even), twice(x_odd), twice(correction), _mm512_shuffle_f32x4(scale, scale, _MM_SHUFFLE(1, 0, 1, 0))};
    }
  };
  static Step Load(const ActivationView& a, int64_t c) {
    return {_mm512_loadu_si512(a.q + 128 * c), _mm512_loadu_si512(a.q + 128 * c + 64),
            _mm512_loadu_si512(a.lane_correction + 16 * c), _mm512_loadu_ps(a.lane_scale + 16 * c)};
  }
  __attribute__((target("avx512vbmi"))) __m512i Dot(__m512i lo, __m512i hi, const Step& s) const {
    return DotData(_mm512_permutex2var_epi8(lo, data_index, hi), s);
  }
  // Dots and lane scales of two rows' tails a and b (each <= kPairTailBytes, loaded from the tail's start).
  __attribute__((target("avx512vbmi"))) __m512i PairDot(__m512i a, __m512i b, const Step& paired) const {
    return DotData(_mm512_permutex2var_epi8(a, pair_data_index, b), paired);
  }
  __attribute__((target("avx512vbmi"))) __m512 PairScale(__m512i a, __m512i b, const Step& paired) const {
    return LaneScale(_mm512_maskz_permutex2var_epi8(kExponentBytes, a, pair_exponent_index, b), paired.scale);
  }
  __attribute__((target("avx512vbmi"))) __m512 Scale(__m512i lo, const Step& s) const {
    return LaneScale(_mm512_maskz_permutexvar_epi8(kExponentBytes, exponent_index, lo), s.scale);
  }
  __attribute__((target("avx512vbmi"))) __m512i DotData(__m512i data, const Step& s) const {
    const __m512i even = _mm512_permutexvar_epi8(data, table);
    const __m512i odd = _mm512_permutexvar_epi8(_mm512_srli_epi16(data, 4), table);
    return _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(s.correction, even, s.x_even), odd, s.x_odd);
  }
};

// Activations in Bfp4Vbmi's order: per step of 8 blocks, 64 bytes of even values (lane 2b + h holds values
// 8h, 8h + 2, 8h + 4, 8h + 6 of block b), 64 bytes of odd values, and per lane the block's scale and the
// correction -8 * sum(q) over the lane's 8 values.
void QuantizeActivationsVbmi(const float* x, int64_t k, int64_t steps, Activations& a) {
  QuantizeBlocks(x, k, steps * Bfp4Vbmi::kStepBlocks, 2, a,
                 [](int64_t b, __m128i q, float scale, int8_t* q_out, float* scale_out, int32_t* correction_out) {
                   q = EvenThenOdd(q);
                   int8_t* step = q_out + (b / 8) * 128 + (b % 8) * 8;
                   _mm_storel_epi64(reinterpret_cast<__m128i*>(step), q);                              // evens
                   _mm_storel_epi64(reinterpret_cast<__m128i*>(step + 64), _mm_unpackhi_epi64(q, q));  // odds
                   // dwords: 8 * (evens 0..6, evens 8..14, odds 1..7, odds 9..15)
                   alignas(16) int32_t sums[4];
                   _mm_store_si128(reinterpret_cast<__m128i*>(sums),
                                   _mm_dpbusd_epi32(_mm_setzero_si128(), _mm_set1_epi8(8), q));
                   const size_t lane = static_cast<size_t>((b / 8) * 16 + (b % 8) * 2);
                   correction_out[lane] = -(sums[0] + sums[2]);
                   correction_out[lane + 1] = -(sums[1] + sums[3]);
                   scale_out[lane] = scale_out[lane + 1] = scale;
                 });
}

// ---- bfp8 with AVX-512 VBMI: the four-block group of Bfp8Group, but one vpermi2b gathers the 64 data bytes
// from the two loads (instead of two vpshufb and an or) and one vpermb places the exponents: 13 uops per 4
// blocks instead of 15. Same activation layout and results as Bfp8Group.
struct Bfp8Vbmi {
  static constexpr int kStepBytes = 68;
  static constexpr float kUnit = Bfp8Group::kUnit;
  __m512i data_index, exponent_index;
  Bfp8Vbmi() {
    alignas(64) int8_t data[64], exponent[64];
    for (int i = 0; i < 64; ++i) {
      // Byte i is data byte i % 16 of block i / 16, at 17 * (i / 16) + 1 + i % 16; A = bytes 0..63 (indices
      // 0..63), B = bytes 4..67 (indices 64..127). The exponent (byte 17 * (i / 16)) is always in A.
      const int at = 17 * (i / 16) + 1 + i % 16;
      data[i] = static_cast<int8_t>(at < 64 ? at : 64 + at - 4);
      exponent[i] = static_cast<int8_t>(17 * (i / 16));
    }
    data_index = _mm512_load_si512(data);
    exponent_index = _mm512_load_si512(exponent);
  }
  struct Step {
    __m512i xq;
    __m512 scale;
  };
  static Step Load(const ActivationView& a, int64_t c) {
    return {_mm512_loadu_si512(a.q + 64 * c), _mm512_loadu_ps(a.lane_scale + 16 * c)};
  }
  __attribute__((target("avx512vbmi"))) __m512 Scale(__m512i lo, const Step& s) const {
    return LaneScale(_mm512_maskz_permutexvar_epi8(kExponentBytes, exponent_index, lo), s.scale);
  }
  // The sign of each weight moves to the activation (vpdpbusd wants unsigned weights).
  __attribute__((target("avx512vbmi"))) __m512i Dot(__m512i lo, __m512i hi, const Step& s) const {
    const __m512i data = _mm512_permutex2var_epi8(lo, data_index, hi);
    const __mmask64 negative = _mm512_movepi8_mask(data);
    const __m512i signed_x = _mm512_mask_sub_epi8(s.xq, negative, _mm512_setzero_si512(), s.xq);
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(data, _mm512_set1_epi8(0x7f)), signed_x);
  }
};

// i8 rows (per-row scale, applied by ops::Linear after the dot) on the activations of Bfp8Vbmi: a step is
// 64 weights, contiguous, so no gather is needed (no VBMI): sign moved to the activation, |w| (vpabsb:
// -128 -> 128 unsigned) into vpdpbusd, then each lane's block scale. 5 vector ops per 64 bytes where
// decoding to f32 took 4 converts and 4 FMAs per 64 (one core, weights in cache: 39 -> 85 GB/s).
struct I8Vnni {
  static constexpr int kStepBytes = 64;
  static constexpr float kUnit = 1.0f;
  using Step = Bfp8Vbmi::Step;
  static Step Load(const ActivationView& a, int64_t c) { return Bfp8Vbmi::Load(a, c); }
  __m512i Dot(__m512i w, __m512i /*same as w*/, const Step& s) const {
    const __m512i signed_x = _mm512_mask_sub_epi8(s.xq, _mm512_movepi8_mask(w), _mm512_setzero_si512(), s.xq);
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_abs_epi8(w), signed_x);
  }
  __m512 Scale(__m512i /*w*/, const Step& s) const { return s.scale; }
};

// Dot products of R weight rows with one activation row for a stepped group (Bfp4Vbmi, Bfp8Vbmi, I8Vnni):
// each step loads kStepBytes of a row (at +0 and + kStepBytes - 64), Group::Dot gives its int32 lane dots
// and Group::Scale the lanes' float scales. Inlined (flatten) into GemvVnni / GemvVbmi.
template <class Group, int R>
__attribute__((always_inline)) inline void DotRowsStepped(const Group& g, const char* const* w, size_t row_bytes,
                                                          int64_t steps, ActivationView a, float* out) {
  constexpr int64_t kHiOffset = Group::kStepBytes - 64;
  __m512 acc[R];
  #pragma GCC unroll 8
  for (int j = 0; j < R; ++j) acc[j] = _mm512_setzero_ps();
  // Whole steps first, then the row's last, partial step (masked loads) if it has one: no per-step test.
  const int64_t whole = std::min<int64_t>(steps, static_cast<int64_t>(row_bytes) / Group::kStepBytes);
  auto accumulate = [&](int j, __m512i lo, __m512i hi, const typename Group::Step& step)
                        __attribute__((always_inline)) {
    acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(g.Dot(lo, hi, step)), g.Scale(lo, step), acc[j]);
  };
  #pragma GCC unroll 4
  for (int64_t c = 0; c < whole; ++c) {
    const int64_t offset = c * Group::kStepBytes;
    const typename Group::Step step = Group::Load(a, c);
    #pragma GCC unroll 8
    for (int j = 0; j < R; ++j) {
      const char* p = w[j] + offset;
      _mm_prefetch(p + kPrefetchAhead, _MM_HINT_T0);
      const __m512i lo = _mm512_loadu_si512(p);
      if constexpr (kHiOffset == 0) {  // a step of one cache line (i8)
        accumulate(j, lo, lo, step);
      } else {  // a step of 68 or 72 bytes spans two cache lines: two prefetches
        _mm_prefetch(p + kPrefetchAhead + 64, _MM_HINT_T0);
        accumulate(j, lo, _mm512_loadu_si512(p + kHiOffset), step);
      }
    }
  }
  const int64_t tail_bytes = static_cast<int64_t>(row_bytes) - whole * Group::kStepBytes;
  if constexpr (requires { Group::kPairTailBytes; } && R % 2 == 0) {
    if (whole < steps && tail_bytes <= Group::kPairTailBytes) {
      // Rows 2i and 2i + 1 in one step: lanes 0..7 are row 2i's tail, 8..15 row 2i + 1's. Each lane
      // accumulates onto the lane it would have in a step of its own (lanes 0..7 of each row's acc; the
      // rest of that step would add products with zero activations), with the same single FMA: a row's
      // sum is the same bits whether its tail is paired or not.
      const typename Group::Step paired = Group::Load(a, whole).Paired();
      const __mmask64 tail = ByteMask(tail_bytes);
      #pragma GCC unroll 4
      for (int j = 0; j < R; j += 2) {
        const __m512i ta = _mm512_maskz_loadu_epi8(tail, w[j] + whole * Group::kStepBytes);
        const __m512i tb = _mm512_maskz_loadu_epi8(tail, w[j + 1] + whole * Group::kStepBytes);
        const __m512 both = _mm512_shuffle_f32x4(acc[j], acc[j + 1], _MM_SHUFFLE(1, 0, 1, 0));
        const __m512 sum =
            _mm512_fmadd_ps(_mm512_cvtepi32_ps(g.PairDot(ta, tb, paired)), g.PairScale(ta, tb, paired), both);
        acc[j] = _mm512_mask_mov_ps(acc[j], 0x00ff, sum);
        acc[j + 1] = _mm512_mask_shuffle_f32x4(acc[j + 1], 0x00ff, sum, sum, _MM_SHUFFLE(3, 2, 3, 2));
      }
      HorizontalSums<R>(acc, Group::kUnit, out);
      return;
    }
  }
  for (int64_t c = whole; c < steps; ++c) {
    const int64_t offset = c * Group::kStepBytes;
    const int64_t available = static_cast<int64_t>(row_bytes) - offset;
    const typename Group::Step step = Group::Load(a, c);
    #pragma GCC unroll 8
    for (int j = 0; j < R; ++j) {
      const char* p = w[j] + offset;
      const __m512i lo = _mm512_maskz_loadu_epi8(ByteMask(available), p);
      accumulate(j, lo, kHiOffset == 0 ? lo : _mm512_maskz_loadu_epi8(ByteMask(available - kHiOffset), p + kHiOffset),
                 step);
    }
  }
  HorizontalSums<R>(acc, Group::kUnit, out);
}

// The row loop of every block-float kernel: x quantised once per activation row (`quantize`, into `steps`
// steps of the kernel's layout), then the weight rows in blocks of kRows (4 or 1) and singly;
// dot(std::integral_constant<int, R>, rows, row_bytes, steps, activations, out) computes R rows' dots.
//
// kRows is the kernel's: one row at a time is one sequential stream per thread (gemv_rows.h; bfp8 with VBMI,
// SmolLM-135M decode, 2 threads, alternating runs: 46-48 GB/s where blocks of 4 rows read 40-42), but a bfp4
// row of a small model is only a few steps long (576 values: 5 VBMI steps), and one row at a time pays the
// per-row work (activation loads per step, the reduction) 4 times as often: bfp4 VBMI one at a time 27-28
// GB/s, pairs 35-40, blocks of 4 36-41 (hot, one core: 30 / 31 / 39 GB/s).
template <int kRows, class Quantize, class Dot>
void GemvBlockRows(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy, int64_t steps, Quantize quantize, Dot dot) {
  static_assert(kRows == 1 || kRows == 4);
  thread_local Activations activations;  // reused: no allocation per call
  const char* wb = static_cast<const char*>(w);
  for (int64_t r = 0; r < m; ++r) {
    quantize(x + r * k, k, steps, activations);
    const ActivationView view(activations);
    float* yr = y + r * ldy;
    int64_t j = n_begin;
    if constexpr (kRows == 4) {
      for (; j + 4 <= n_end; j += 4) {
        const char* rows[4] = {wb + j * w_row_bytes, wb + (j + 1) * w_row_bytes, wb + (j + 2) * w_row_bytes,
                               wb + (j + 3) * w_row_bytes};
        dot(std::integral_constant<int, 4>{}, rows, w_row_bytes, steps, view, yr + j);
      }
    }
    for (; j < n_end; ++j) {
      const char* rows[1] = {wb + j * w_row_bytes};
      dot(std::integral_constant<int, 1>{}, rows, w_row_bytes, steps, view, yr + j);
    }
  }
}

inline int64_t Steps(int64_t k, int64_t blocks_per_step) {
  return ((k + kBlock - 1) / kBlock + blocks_per_step - 1) / blocks_per_step;
}

template <class Group>
void Gemv(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
          int64_t n_end, float* y, int64_t ldy) {
  static const Group group;
  GemvBlockRows<1>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy, Steps(k, kGroupBlocks),
                   QuantizeActivations<std::is_same_v<Group, Bfp4Group>>,
                   [](auto rows_per_call, const char* const* rows, size_t rb, int64_t n_steps, ActivationView a,
                      float* out) { DotRows<Group, decltype(rows_per_call)::value>(group, rows, rb, n_steps, a, out); });
}

// The stepped kernels. `flatten` inlines the row loop, the lambda and DotRowsStepped into this one function:
// left to GCC, the lambda stayed a call per block of rows (one core, weights in cache: bfp4 33-35 GB/s;
// flattened 39-41, bfp8 36-38 -> 38-41).
template <class Group, int kRows>
__attribute__((flatten)) void GemvVnni(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes,
                                       int64_t n_begin, int64_t n_end, float* y, int64_t ldy, int64_t steps,
                                       void (*quantize)(const float*, int64_t, int64_t, Activations&)) {
  [[maybe_unused]] static const Group group;  // stateless for I8Vnni
  GemvBlockRows<kRows>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy, steps, quantize,
                       [](auto rows_per_call, const char* const* rows, size_t rb, int64_t n_steps, ActivationView a,
                          float* out) {
                         DotRowsStepped<Group, decltype(rows_per_call)::value>(group, rows, rb, n_steps, a, out);
                       });
}

// The VBMI groups' kernels: GemvVnni flattened into a function compiled for VBMI (GCC sets a target per
// function, not per template argument), so the groups' VBMI shuffles inline into its loops.
template <class Group, int kRows>
__attribute__((target("avx512vbmi"), flatten)) void GemvVbmi(const float* x, int64_t m, int64_t k, const void* w,
                                                             size_t w_row_bytes, int64_t n_begin, int64_t n_end,
                                                             float* y, int64_t ldy, int64_t steps,
                                                             void (*quantize)(const float*, int64_t, int64_t,
                                                                              Activations&)) {
  GemvVnni<Group, kRows>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy, steps, quantize);
}

}  // namespace

namespace {
// VBMI is not part of this table's ISA level (e.g. Cooper Lake has VNNI and BF16 but not VBMI).
bool HasVbmi() {
  static const bool vbmi = __builtin_cpu_supports("avx512vbmi");
  return vbmi;
}
}  // namespace

void GemvBfp8NoVbmi(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                    int64_t n_end, float* y, int64_t ldy) {
  Gemv<Bfp8Group>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvBfp4NoVbmi(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                    int64_t n_end, float* y, int64_t ldy) {
  Gemv<Bfp4Group>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

void GemvI8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
            int64_t n_end, float* y, int64_t ldy) {
  GemvVnni<I8Vnni, 1>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy, Steps(k, kGroupBlocks),
                      QuantizeActivations<false>);
}

void GemvBfp8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  if (HasVbmi()) {
    GemvVbmi<Bfp8Vbmi, 1>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy, Steps(k, kGroupBlocks),
                          QuantizeActivations<false>);
    return;
  }
  GemvBfp8NoVbmi(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvBfp4(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  if (HasVbmi()) {
    GemvVbmi<Bfp4Vbmi, 4>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy, Steps(k, Bfp4Vbmi::kStepBlocks),
                          QuantizeActivationsVbmi);
    return;
  }
  GemvBfp4NoVbmi(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx512
