// Block-float (bfp8, bfp4) GEMV with VNNI: decoding a 16-value block to f32 and FMA'ing it costs ~7 vector
// uops per block, which made these kernels compute-bound (bfp4 at ~5.6 GB/s on one core, below DRAM speed).
// Here the activations are quantised to int8 once per call (per block of 16, like llama.cpp's Q8 path) and
// four blocks at a time go through one vpdpbusd: ~3.5 uops per block.
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
// Blocks whose shared exponent is below 7 (bfp8) / 3 (bfp4), all values below 2^-119, count as zeros.
#include <type_traits>
#include <vector>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/vec_math_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

constexpr int kBlock = 16;
constexpr int kGroupBlocks = 4;  // blocks per zmm

// As in gemv_lowbit_avx512.cc: prefetch whole 4-row blocks ahead, at least 4 KiB.
inline int64_t PrefetchDistance(size_t row_bytes) {
  int64_t rows = 4;
  while (static_cast<size_t>(rows) * row_bytes < 4096) rows += 4;
  return rows * static_cast<int64_t>(row_bytes);
}

// Activations of one x row, quantised per block: q (int8; for bfp4 each block's values reordered to
// 0, 2, .., 14, 1, 3, .., 15 to match the nibble unpacking), the scale of each int32 lane's block, and for
// bfp4 the per-lane correction -8 * sum(q) (bfp4 magnitudes enter vpdpbusd biased by +8 to be unsigned).
struct Activations {
  std::vector<int8_t> q;
  std::vector<float> lane_scale;
  std::vector<int32_t> lane_correction;
};

template <bool kBfp4>
void QuantizeActivations(const float* x, int64_t k, int64_t groups, Activations& a) {
  const int64_t blocks = groups * kGroupBlocks;
  a.q.resize(static_cast<size_t>(blocks * kBlock));
  a.lane_scale.resize(static_cast<size_t>(blocks * 4));
  a.lane_correction.resize(static_cast<size_t>(blocks * 4));
  const __m128i even_odd = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t start = b * kBlock;
    const int64_t n = start >= k ? 0 : (k - start < kBlock ? k - start : kBlock);
    const __m512 v = _mm512_maskz_loadu_ps(TailMask(n), x + start);
    const float absmax = _mm512_reduce_max_ps(_mm512_abs_ps(v));
    const float inverse = absmax > 0 ? 127.0f / absmax : 0.0f;
    __m128i q = _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(v, _mm512_set1_ps(inverse))));
    __m128i correction = _mm_setzero_si128();
    if (kBfp4) {
      q = _mm_shuffle_epi8(q, even_odd);
      correction = _mm_sub_epi32(_mm_setzero_si128(), _mm_dpbusd_epi32(_mm_setzero_si128(), _mm_set1_epi8(8), q));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a.q.data() + start), q);
    _mm_storeu_ps(a.lane_scale.data() + 4 * b, _mm_set1_ps(absmax / 127.0f));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a.lane_correction.data() + 4 * b), correction);
  }
}

inline __mmask64 ByteMask(int64_t n) {
  return n >= 64 ? ~__mmask64{0} : n <= 0 ? __mmask64{0} : (__mmask64{1} << n) - 1;
}

// vpshufb index putting lane t's byte `t` (the block's exponent, see the loaders) at bit 16 of every dword.
inline __m512i ExponentIndex() {
  alignas(64) int8_t idx[64];
  for (int t = 0; t < 4; ++t) {
    for (int d = 0; d < 4; ++d) {
      for (int b = 0; b < 4; ++b) idx[16 * t + 4 * d + b] = b == 2 ? static_cast<int8_t>(t) : int8_t{-128};
    }
  }
  return _mm512_load_si512(idx);
}

// Per-lane power of two 2^(e - 127 - shift) times the activation scale; e - shift <= 0 gives 0.
inline __m512 LaneScale(__m512i exponent_at_16, int shift, __m512 activation_scale) {
  __m512i bits = _mm512_add_epi32(_mm512_slli_epi32(exponent_at_16, 7), _mm512_set1_epi32(-(shift << 23)));
  bits = _mm512_max_epi32(bits, _mm512_setzero_si512());
  return _mm512_mul_ps(_mm512_castsi512_ps(bits), activation_scale);
}

// Four bfp4 blocks (36 bytes). After vpermd lane t holds bytes 8t .. 8t + 11, so its exponent (byte 9t) is at
// lane position t and its data at t + 1 .. t + 8. Each data byte is placed twice, words 4..7 shifted right
// by 4, masked to nibbles: low nibbles (values 0, 2, ..) in bytes 0..7, high ones in bytes 8..15.
struct Bfp4Group {
  static constexpr int kGroupBytes = 36;
  static constexpr int kReadBytes = 64;
  static constexpr int kShift = 2;
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
  static constexpr int kShift = 6;
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

template <class Group, int R>
inline void DotRows(const Group& g, const char* const* w, size_t row_bytes, int64_t groups, const Activations& a,
                    float* out) {
  __m512 acc[R];
  #pragma GCC unroll 8
  for (int j = 0; j < R; ++j) acc[j] = _mm512_setzero_ps();
  const int64_t ahead = PrefetchDistance(row_bytes);
  for (int64_t c = 0; c < groups; ++c) {
    const int64_t offset = c * Group::kGroupBytes;
    const bool masked = offset + Group::kReadBytes > static_cast<int64_t>(row_bytes);
    const int64_t available = static_cast<int64_t>(row_bytes) - offset;  // bytes of this row from here
    const __m512i xq = _mm512_loadu_si512(a.q.data() + 64 * c);
    const __m512 xs = _mm512_loadu_ps(a.lane_scale.data() + 16 * c);
    const __m512i correction = _mm512_loadu_si512(a.lane_correction.data() + 16 * c);
    #pragma GCC unroll 8
    for (int j = 0; j < R; ++j) {
      _mm_prefetch(w[j] + ahead + offset, _MM_HINT_T0);
      __m512i exponent;
      const __m512i dot = g.Dot(w[j] + offset, available, masked, xq, correction, exponent);
      acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), LaneScale(exponent, Group::kShift, xs), acc[j]);
    }
  }
  #pragma GCC unroll 8
  for (int j = 0; j < R; ++j) out[j] = _mm512_reduce_add_ps(acc[j]);
}

template <class Group>
void Gemv(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
          int64_t n_end, float* y, int64_t ldy) {
  static const Group group;
  thread_local Activations activations;  // reused: no allocation per call
  const int64_t blocks = (k + kBlock - 1) / kBlock;
  const int64_t groups = (blocks + kGroupBlocks - 1) / kGroupBlocks;
  const char* wb = static_cast<const char*>(w);
  for (int64_t r = 0; r < m; ++r) {
    QuantizeActivations<std::is_same_v<Group, Bfp4Group>>(x + r * k, k, groups, activations);
    float* yr = y + r * ldy;
    int64_t j = n_begin;
    for (; j + 4 <= n_end; j += 4) {
      const char* rows[4] = {wb + j * w_row_bytes, wb + (j + 1) * w_row_bytes, wb + (j + 2) * w_row_bytes,
                             wb + (j + 3) * w_row_bytes};
      DotRows<Group, 4>(group, rows, w_row_bytes, groups, activations, yr + j);
    }
    for (; j < n_end; ++j) {
      const char* rows[1] = {wb + j * w_row_bytes};
      DotRows<Group, 1>(group, rows, w_row_bytes, groups, activations, yr + j);
    }
  }
}

}  // namespace

void GemvBfp8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  Gemv<Bfp8Group>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvBfp4(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  Gemv<Bfp4Group>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx512
