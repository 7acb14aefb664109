// bf16 GEMV with AVX512-BF16: the activations are rounded to bf16 once per call (round to nearest even) and
// each 64-byte chunk of a weight row goes through one vdpbf16ps (32 products, exact in f32, added to 16 f32
// accumulators), as llama.cpp's BF16 path and Tenstorrent's bf16 matmuls do.
//
// Why not decode the weights to f32 and FMA with f32 activations (what DequantRow does, dequant_row_avx512.cc,
// and the AVX2 GEMVs): that costs 6 uops per 64 bytes of weights where vdpbf16ps costs 2, and at 6 the
// core's out-of-order window covers too few bytes ahead to keep enough cache misses in flight. Measured on
// an AMD EPYC (Zen 5), 2 threads, 49152 x 576 from DRAM: decode+FMA 33.7 GB/s, vdpbf16ps 40.5 GB/s, f32
// GEMV 40.3 GB/s; i.e. 1.67x -> 2.01x the speed of f32.
//
// Accuracy: the only extra error is the activation rounding, |dx| <= 2^-8 |x| per value (the weights are
// bf16 already), the same relative size as the weights' own rounding to bf16. Each output lane sums the
// products of its two values of 32-value chunk c into accumulator c % 2 of its (weight row, activation row),
// and the masked tail zeroes the values past k, so a row's result does not depend on the rows or threads it
// is computed with.

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/internal/cache_line_vector.h"
#include "core/kernels/internal/gemv_rows.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

using simd::Avx512;

constexpr int kChunk = 32;  // bf16 values per zmm

inline __mmask32 TailMask32(int64_t n) { return static_cast<__mmask32>((uint64_t{1} << n) - 1u); }

// Activation rows are padded with zeros to whole chunks.
inline int64_t PaddedLength(int64_t k) { return (k + kChunk - 1) / kChunk * kChunk; }

// x[m, k] rounded to bf16, row r at out + r * PaddedLength(k).
void RoundActivations(const float* x, int64_t m, int64_t k, internal::CacheLineVector<uint16_t>& out) {
  const int64_t stride = PaddedLength(k);
  out.resize(static_cast<size_t>(m * stride));  // grows on the first calls only: no allocation per token
  for (int64_t r = 0; r < m; ++r) {
    const float* xr = x + r * k;
    uint16_t* o = out.data() + r * stride;
    for (int64_t c = 0; c < stride; c += kChunk) {
      const int64_t left = k - c;  // >= 1
      const __m512 lo = _mm512_maskz_loadu_ps(Avx512::TailMask(left < 16 ? left : 16), xr + c);
      const __m512 hi =
          _mm512_maskz_loadu_ps(Avx512::TailMask(left < 16 ? 0 : left < 32 ? left - 16 : 16), xr + c + 16);
      _mm512_storeu_si512(o + c, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(hi, lo)));
    }
  }
}

// Rows are read one at a time (gemv_rows.h), each 64-byte chunk prefetched 4 KiB ahead in the stream.
// Measured in `ttt bench --shape smollm-135m` (2 threads, weights in huge pages), alternating runs: with
// blocks of 4 rows, 8 KiB ahead 1.90-1.92x of f32, 16 KiB 1.73-1.74x, none 1.98x; one row at a time, none
// 1.79-2.00x, 4 KiB 1.97-2.06x (16 KiB 1.67-1.89x).
constexpr int64_t kPrefetchAhead = 4096;

struct Bf16Kernel {
  static constexpr int kRows = 1;
  template <int R, int M>
  void Dot(const char* const* w, const uint16_t* const* x, int64_t k, float (&out)[M][R]) const {
    __m512 acc[M][R][2];  // two chains per row (one core, weights in cache: 90 -> 96 GB/s over one chain)
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i)
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) acc[i][j][0] = acc[i][j][1] = _mm512_setzero_ps();
    int64_t c = 0;
    for (; c + 2 * kChunk <= k; c += 2 * kChunk) {
      #pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        __m512bh wv[R];
        #pragma GCC unroll 16
        for (int j = 0; j < R; ++j) {
          _mm_prefetch(w[j] + 2 * (c + h * kChunk) + kPrefetchAhead, _MM_HINT_T0);
          wv[j] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(w[j] + 2 * (c + h * kChunk)));
        }
        #pragma GCC unroll 16
        for (int i = 0; i < M; ++i) {
          const __m512bh xv = reinterpret_cast<__m512bh>(_mm512_loadu_si512(x[i] + c + h * kChunk));
          #pragma GCC unroll 16
          for (int j = 0; j < R; ++j) acc[i][j][h] = _mm512_dpbf16_ps(acc[i][j][h], wv[j], xv);
        }
      }
    }
    // At most two chunks left: a whole one (accumulator 0), then a masked one (weight rows are not padded:
    // load only the values before k; x is zero past k) into the next accumulator.
    int slot = 0;
    for (; c < k; c += kChunk, slot = 1) {
      const __mmask32 mask = k - c >= kChunk ? ~__mmask32{0} : TailMask32(k - c);
      __m512bh wv[R];
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) wv[j] = reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(mask, w[j] + 2 * c));
      #pragma GCC unroll 16
      for (int i = 0; i < M; ++i) {
        const __m512bh xv = reinterpret_cast<__m512bh>(_mm512_loadu_si512(x[i] + c));
        #pragma GCC unroll 16
        for (int j = 0; j < R; ++j) acc[i][j][slot] = _mm512_dpbf16_ps(acc[i][j][slot], wv[j], xv);
      }
    }
    #pragma GCC unroll 16
    for (int i = 0; i < M; ++i)
      #pragma GCC unroll 16
      for (int j = 0; j < R; ++j) out[i][j] = _mm512_reduce_add_ps(_mm512_add_ps(acc[i][j][0], acc[i][j][1]));
  }
};

}  // namespace

void GemvBF16(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  thread_local internal::CacheLineVector<uint16_t> rounded;  // reused: no allocation per call
  RoundActivations(x, m, k, rounded);
  internal::GemvRows(Bf16Kernel{}, rounded.data(), PaddedLength(k), m, k, w, w_row_bytes,
                     n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx512
