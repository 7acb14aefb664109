// Shared by the VNNI GEMVs (gemv_vnni_avx512.cc: VBMI block floats and i8; gemv_vnni_no_vbmi_avx512.cc: block
// floats without VBMI): quantised activations, block scales, horizontal sums and the row loop.
//
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
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/internal/cache_line_vector.h"
#include "core/kernels/kernel_table.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512::vnni {

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
  const __m512 v = _mm512_maskz_loadu_ps(simd::Avx512::TailMask(n), x + start);
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

// A block's dot product times its scale 2^(e - 127) is in units of 2^(bits - 1): the factor applied to the
// finished sum (value of magnitude 1 at exponent 127: bfp4 codes 3 bits of magnitude, bfp8 7).
constexpr float kBfp4Unit = 0x1p-2f;
constexpr float kBfp8Unit = 0x1p-6f;

// Byte 3 of each dword: where the VBMI groups put a block's exponent byte (LaneScale).
constexpr __mmask64 kExponentBytes = 0x8888888888888888ull;

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

// The row loop of every block-float kernel: each activation row quantised once (`quantize`, into `steps`
// steps of the kernel's layout), then the weight rows in blocks of kRows (4 or 1) and singly;
// dot(std::integral_constant<int, R>, rows, row_bytes, steps, activations, out) computes R rows' dots.
//
// kRows is the kernel's: one row at a time is one sequential stream per thread (gemv_rows.h; bfp8 with VBMI,
// SmolLM-135M decode, 2 threads, alternating runs: 46-48 GB/s where blocks of 4 rows read 40-42), but a bfp4
// row of a small model is only a few steps long (576 values: 5 VBMI steps), and one row at a time pays the
// per-row work (activation loads per step, the reduction) 4 times as often: bfp4 VBMI one at a time 27-28
// GB/s, pairs 35-40, blocks of 4 36-41 (hot, one core: 30 / 31 / 39 GB/s).
//
// Several activation rows (sequences decoded together by `ttt serve`) take the weight rows a tile at a time
// (~kTileBytes, which stays in L1): every activation row's dots with the tile, then the next tile, so the
// weight comes from memory once per call, not once per activation row (an LM head of 28 MB in i8 was read 8
// times by a batch of 8). Each dot is the same operations whatever the tiling, so results do not change.
template <int kRows, class Quantize, class Dot>
void GemvBlockRows(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy, int64_t steps, Quantize quantize, Dot dot) {
  static_assert(kRows == 1 || kRows == 4);
  constexpr int64_t kTileBytes = 24 << 10;
  thread_local std::vector<Activations> activations;  // one per activation row, reused: no allocation per call
  if (static_cast<int64_t>(activations.size()) < m) activations.resize(static_cast<size_t>(m));
  for (int64_t r = 0; r < m; ++r) quantize(x + r * k, k, steps, activations[r]);
  const int64_t tile = m == 1 ? n_end - n_begin
                              : std::max<int64_t>(kRows, kTileBytes / static_cast<int64_t>(w_row_bytes) / kRows * kRows);
  const char* wb = static_cast<const char*>(w);
  for (int64_t t = n_begin; t < n_end; t += tile) {
    const int64_t t_end = std::min(n_end, t + tile);
    for (int64_t r = 0; r < m; ++r) {
      const ActivationView view(activations[r]);
      float* yr = y + r * ldy;
      int64_t j = t;
      if constexpr (kRows == 4) {
        for (; j + 4 <= t_end; j += 4) {
          const char* rows[4] = {wb + j * w_row_bytes, wb + (j + 1) * w_row_bytes, wb + (j + 2) * w_row_bytes,
                                 wb + (j + 3) * w_row_bytes};
          dot(std::integral_constant<int, 4>{}, rows, w_row_bytes, steps, view, yr + j);
        }
      }
      for (; j < t_end; ++j) {
        const char* rows[1] = {wb + j * w_row_bytes};
        dot(std::integral_constant<int, 1>{}, rows, w_row_bytes, steps, view, yr + j);
      }
    }
  }
}

inline int64_t Steps(int64_t k, int64_t blocks_per_step) {
  return ((k + kBlock - 1) / kBlock + blocks_per_step - 1) / blocks_per_step;
}

}  // namespace ttt::kernels::avx512::vnni
