// The bf16 GEMV for AVX2 CPUs.
//
// A bf16 value is the top half of a float, so 16 bf16 weights in a ymm (8 dwords, value 2i in the low half
// of dword i and 2i + 1 in the high half) are two float vectors for two integer ops: the even values shifted
// left by 16, the odd ones masked to the high half. Widening 8 values at a time (vpmovzxwd, a shuffle, then a
// shift) took twice the uops and made this GEMV compute-bound on one core. The activations are split into
// even and odd values to match, once per call (16 values per chunk: 8 even, then 8 odd), and the weights are
// exact in f32, so the only rounding is the f32 accumulation: per row, one accumulator for the even values
// and one for the odd, the same order whatever rows or threads a row is grouped with.
//
// Weight rows in blocks of 4 taken from the four quarters of the range (gemv_rows.h), no software prefetch: on
// an AVX2-only AMD EPYC (Zen 3 class), 1 thread, from DRAM (bench/ops_bench.cc BM_LinearDecode cold), rows
// one at a time with four chains and an 8 KiB prefetch read 9.6-9.7 GB/s; quarters with that prefetch 13-15,
// quarters without it 16.5-17.9 (the hardware prefetchers follow four long streams on their own).
#include <immintrin.h>

#include <cstring>

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/internal/cache_line_vector.h"
#include "core/kernels/internal/gemv_rows.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {
namespace {

using simd::Avx2;

constexpr int kChunk = 16;  // bf16 values per 32-byte load

inline int64_t PaddedK(int64_t k) { return (k + kChunk - 1) / kChunk * kChunk; }

// x[m, k] into out[m, PaddedK(k)]: per chunk of 16, values 0, 2, .., 14 then 1, 3, .., 15 (zeros past k).
void SplitEvenOdd(const float* x, int64_t m, int64_t k, float* out) {
  const int64_t padded = PaddedK(k);
  for (int64_t r = 0; r < m; ++r) {
    const float* xr = x + r * k;
    float* o = out + r * padded;
    for (int64_t c = 0; c < padded; c += kChunk) {
      const int64_t left = k - c;
      const __m256 a = _mm256_maskload_ps(xr + c, Avx2::FirstLanes(left));
      const __m256 b = _mm256_maskload_ps(xr + c + 8, Avx2::FirstLanes(left > 8 ? left - 8 : 0));
      // Per 128-bit lane (a0 a2 b0 b2 | a4 a6 b4 b6); lanes' 64-bit halves reordered to a0 a2 a4 a6 b0 b2 b4 b6.
      const __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
      const __m256 odd = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
      _mm256_storeu_ps(o + c, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), _MM_SHUFFLE(3, 1, 2, 0))));
      _mm256_storeu_ps(o + c + 8, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(odd), _MM_SHUFFLE(3, 1, 2, 0))));
    }
  }
}

// The block dot of gemv_rows.h over split activations (x rows of PaddedK(k) floats): per (activation row,
// weight row), one accumulator for the even values and one for the odd, chunks in order, whatever R and M.
struct Bf16Kernel {
  static constexpr int kRows = 4;

  template <int R, int M>
  static void Accumulate(const __m256i (&w)[R], const float* const* x, int64_t c, __m256 (&acc)[M][R][2]) {
    const __m256i high = _mm256_set1_epi32(static_cast<int>(0xffff0000u));
    #pragma GCC unroll 2
    for (int i = 0; i < M; ++i) {
      const __m256 x_even = _mm256_loadu_ps(x[i] + c), x_odd = _mm256_loadu_ps(x[i] + c + 8);
      #pragma GCC unroll 4
      for (int j = 0; j < R; ++j) {
        acc[i][j][0] = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(w[j], 16)), x_even, acc[i][j][0]);
        acc[i][j][1] = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_and_si256(w[j], high)), x_odd, acc[i][j][1]);
      }
    }
  }

  template <int R, int M>
  static void Chunk(const char* const* w, const float* const* x, int64_t c, __m256 (&acc)[M][R][2]) {
    __m256i wv[R];
    #pragma GCC unroll 4
    for (int j = 0; j < R; ++j) wv[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[j] + 2 * c));
    Accumulate<R, M>(wv, x, c, acc);
  }

  template <int R, int M>
  void Dot(const char* const* w, const float* const* x, int64_t k, float (&out)[M][R]) const {
    __m256 acc[M][R][2];
    #pragma GCC unroll 2
    for (int i = 0; i < M; ++i)
      #pragma GCC unroll 4
      for (int j = 0; j < R; ++j) acc[i][j][0] = acc[i][j][1] = _mm256_setzero_ps();
    const int64_t whole = k / kChunk * kChunk;
    int64_t c = 0;
    for (; c < whole; c += kChunk) Chunk<R, M>(w, x, c, acc);
    if (c < k) {  // the row ends inside this chunk: its values from a zeroed copy (x is zero there too)
      __m256i wv[R];
      #pragma GCC unroll 4
      for (int j = 0; j < R; ++j) {
        alignas(32) uint16_t tail[kChunk] = {};
        std::memcpy(tail, w[j] + 2 * c, static_cast<size_t>(k - c) * 2);
        wv[j] = _mm256_load_si256(reinterpret_cast<const __m256i*>(tail));
      }
      Accumulate<R, M>(wv, x, c, acc);
    }
    #pragma GCC unroll 2
    for (int i = 0; i < M; ++i)
      #pragma GCC unroll 4
      for (int j = 0; j < R; ++j) out[i][j] = Avx2::ReduceAdd(_mm256_add_ps(acc[i][j][0], acc[i][j][1]));
  }
};

}  // namespace

void GemvBF16(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  thread_local internal::CacheLineVector<float> split;  // reused: no allocation per call
  split.resize(static_cast<size_t>(m * PaddedK(k)));
  SplitEvenOdd(x, m, k, split.data());
  internal::GemvRows(Bf16Kernel{}, split.data(), PaddedK(k), m, k, w, w_row_bytes,
                     n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx2
