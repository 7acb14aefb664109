// The prefill GEMM of bf16 weights with AVX512-BF16 (KernelTable::gemm): vdpbf16ps multiplies 32 bf16 pairs
// per instruction where an f32 FMA multiplies 16, so a prompt's projections run at up to twice the f32 panel
// kernel's rate instead of decoding every weight tile to f32 first (what ops::Linear does for the other
// compressed formats). The activations are rounded to bf16 once per call (round to nearest even), as the
// decode GEMV (gemv_bf16_avx512.cc) and llama.cpp's BF16 path do.
//
// Layout: vdpbf16ps adds, in each 32-bit lane, the products of a pair of bf16 values. A weight row's bytes
// already hold its values as pairs (c = 2p, 2p + 1 in one 32-bit word p), so 16 rows are transposed as 32-bit
// words into a "pair panel": panel[p * 16 + r] = row r's pair p. One zmm load gives pair p of 16 rows; an
// activation row's pair p, broadcast, multiplies it into 16 outputs. Two panels (32 weight rows) are packed
// per step into a buffer that stays in L1/L2 while every chunk of up to 12 activation rows runs over it
// (24 accumulators, 2 weight vectors, a broadcast: 27 of 32 registers), as the f32 panel GEMV does.
//
// GemvBF16Panels runs the same tiles on weights stored in pair panels once at load (internal/bf16_panels.h,
// KernelTable::gemv_bf16_panels), for decode (1-3 rows over 4 panels: 4-12 independent chains) and prompts,
// so nothing is packed per call; GemmBF16 serves row-major bf16 weights (an odd k, a prefill-only copy).
//
// Each output is one chain of vdpbf16ps over the pairs in order, whatever the rows or threads it is computed
// with: a prompt row's result does not depend on the prompt's length, and decode gives the prompt's bits.
#include <algorithm>
#include <cstring>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/internal/cache_line_vector.h"
#include "core/kernels/simd/vec_avx512.h"  // immintrin.h, with GCC 12's false warnings off

namespace ttt::kernels::avx512 {
namespace {

constexpr int kPanelRows = 16;
constexpr int kPanels = 2;    // panels packed per step
constexpr int kMaxRows = 12;  // activation rows per tile

inline int64_t Pairs(int64_t k) { return (k + 1) / 2; }

// x[m, k] rounded to bf16: row r's pair p at out[r * Pairs(k) + p] (the low half holds value 2p, as in
// memory); an odd k's last pair has a zero high half.
void RoundActivationPairs(const float* x, int64_t m, int64_t k, internal::CacheLineVector<uint32_t>& out) {
  const int64_t pairs = Pairs(k);
  out.resize(static_cast<size_t>(m * pairs + 16));  // grows on the first calls only; +16: whole-zmm stores
  for (int64_t r = 0; r < m; ++r) {
    const float* xr = x + r * k;
    uint32_t* o = out.data() + r * pairs;
    for (int64_t c = 0; c < k; c += 32) {
      const int64_t left = k - c;
      const __mmask16 lo_mask = left >= 16 ? 0xffff : static_cast<__mmask16>((1u << left) - 1);
      const __mmask16 hi_mask = left >= 32 ? 0xffff : left <= 16 ? 0 : static_cast<__mmask16>((1u << (left - 16)) - 1);
      const __m512 lo = _mm512_maskz_loadu_ps(lo_mask, xr + c);
      const __m512 hi = _mm512_maskz_loadu_ps(hi_mask, xr + c + 16);
      const __m512i both = reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(hi, lo));
      // Only the pairs of this row: the next row's pairs follow directly.
      const int64_t n_pairs = std::min<int64_t>(16, pairs - c / 2);
      _mm512_mask_storeu_epi32(o + c / 2, static_cast<__mmask16>((1u << n_pairs) - 1), both);
    }
  }
}

// Weight rows [j, j + rows) (rows <= 32) as kPanels pair panels of `pairs` pairs each at out (panel g at
// out + g * 16 * pairs); rows past `rows` and an odd k's missing high half are zero (the activations are zero
// there, but 0 times a NaN or an infinity in memory past the row would not be).
void PackPairPanels(const char* w, size_t row_bytes, int64_t k, int64_t j, int64_t rows, uint32_t* out) {
  const int64_t pairs = Pairs(k), whole = k / 2;  // whole: pairs with both values in the row
  for (int g = 0; g < kPanels; ++g) {
    const int64_t r0 = g * kPanelRows, n_rows = std::clamp<int64_t>(rows - r0, 0, kPanelRows);
    uint32_t* panel = out + g * kPanelRows * pairs;
    const char* first = w + (j + r0) * row_bytes;
    int64_t p = 0;
    if (n_rows == kPanelRows && k % 2 == 0) {  // 16 rows of whole words: the stored panels' packing
      PackPanels(first, kPanelRows, whole, panel);
      p = whole;
    }
    for (; p < pairs; ++p) {
      for (int64_t r = 0; r < kPanelRows; ++r) {
        uint32_t word = 0;
        if (r < n_rows) {
          const char* at = first + r * row_bytes + 4 * p;
          if (p < whole) {
            std::memcpy(&word, at, 4);
          } else {
            uint16_t low;
            std::memcpy(&low, at, 2);
            word = low;
          }
        }
        panel[p * kPanelRows + r] = word;
      }
    }
  }
}

// y[r * ldy + g * 16 + i] for r < MB, g < PB, lane i (the last panel's lanes under `last_mask`) = activation
// row r (pairs at x + r * pairs) times panel g's rows (panels `panel_words` apart).
template <int MB, int PB>
void PairTile(const uint32_t* x, int64_t pairs, const uint32_t* panels, int64_t panel_words, float* y, int64_t ldy,
              __mmask16 last_mask) {
  __m512 acc[PB][MB];
  #pragma GCC unroll 16
  for (int g = 0; g < PB; ++g)
    #pragma GCC unroll 16
    for (int r = 0; r < MB; ++r) acc[g][r] = _mm512_setzero_ps();
  for (int64_t p = 0; p < pairs; ++p) {
    __m512bh wv[PB];
    #pragma GCC unroll 16
    for (int g = 0; g < PB; ++g) {
      wv[g] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(panels + g * panel_words + p * kPanelRows));
    }
    #pragma GCC unroll 16
    for (int r = 0; r < MB; ++r) {
      const __m512bh xv = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(x[r * pairs + p])));
      #pragma GCC unroll 16
      for (int g = 0; g < PB; ++g) acc[g][r] = _mm512_dpbf16_ps(acc[g][r], wv[g], xv);
    }
  }
  #pragma GCC unroll 16
  for (int g = 0; g < PB; ++g)
    #pragma GCC unroll 16
    for (int r = 0; r < MB; ++r) {
      _mm512_mask_storeu_ps(y + r * ldy + g * kPanelRows, g == PB - 1 ? last_mask : __mmask16{0xffff}, acc[g][r]);
    }
}

template <int MB = 1>
void DispatchPairTile(int rows, int panels, const uint32_t* x, int64_t pairs, const uint32_t* packed,
                      int64_t panel_words, float* y, int64_t ldy, __mmask16 last_mask) {
  if constexpr (MB <= kMaxRows) {
    if (rows != MB) {
      return DispatchPairTile<MB + 1>(rows, panels, x, pairs, packed, panel_words, y, ldy, last_mask);
    }
    if constexpr (MB <= 3) {  // 1-3 rows (decode) over 4 panels: 4-12 independent chains
      if (panels == 4) return PairTile<MB, 4>(x, pairs, packed, panel_words, y, ldy, last_mask);
    }
    if (panels == 2) return PairTile<MB, 2>(x, pairs, packed, panel_words, y, ldy, last_mask);
    PairTile<MB, 1>(x, pairs, packed, panel_words, y, ldy, last_mask);
  }
}

}  // namespace

void GemmBF16(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  if (m <= 0 || n_end <= n_begin) return;
  thread_local internal::CacheLineVector<uint32_t> activations, packed;  // reused: no allocation per call
  RoundActivationPairs(x, m, k, activations);
  const int64_t pairs = Pairs(k), panel_words = kPanelRows * pairs;
  packed.resize(static_cast<size_t>(kPanels * panel_words));
  const char* weight = static_cast<const char*>(w);
  // Activation rows in equal chunks of at most kMaxRows.
  const int64_t chunks = (m + kMaxRows - 1) / kMaxRows;
  const int64_t mb = (m + chunks - 1) / chunks;
  constexpr int64_t kGroupRows = kPanels * kPanelRows;
  for (int64_t j = n_begin; j < n_end; j += kGroupRows) {
    const int64_t rows = std::min(kGroupRows, n_end - j);
    PackPairPanels(weight, w_row_bytes, k, j, rows, packed.data());
    const int panels = rows > kPanelRows ? 2 : 1;
    const int64_t last_rows = rows - (panels - 1) * kPanelRows;
    const __mmask16 last_mask = static_cast<__mmask16>((1u << last_rows) - 1);
    // The next group's rows come from memory while this one computes: a slice of them before each chunk.
    const int64_t next_rows = std::min(kGroupRows, n_end - j - rows);
    const int64_t next_lines = (next_rows * static_cast<int64_t>(w_row_bytes) + 63) / 64;
    const char* next = weight + (j + rows) * w_row_bytes;
    const int64_t lines_per_chunk = (next_lines + chunks - 1) / chunks;
    int64_t line = 0;
    for (int64_t r0 = 0; r0 < m; r0 += mb) {
      for (const int64_t stop = std::min(next_lines, line + lines_per_chunk); line < stop; ++line) {
        _mm_prefetch(next + line * 64, _MM_HINT_T1);
      }
      DispatchPairTile(static_cast<int>(std::min(mb, m - r0)), panels, activations.data() + r0 * pairs, pairs,
                       packed.data(), panel_words, y + r0 * ldy + j, ldy, last_mask);
    }
  }
}

void GemvBF16Panels(const float* x, int64_t m, int64_t k, const void* panels, int64_t n, int64_t n_begin,
                    int64_t n_end, float* y, int64_t ldy) {
  if (m <= 0 || n_end <= n_begin) return;
  thread_local internal::CacheLineVector<uint32_t> activations, last_panel;  // reused: no allocation per call
  RoundActivationPairs(x, m, k, activations);
  const int64_t pairs = k / 2, panel_words = kPanelRows * pairs;
  const uint32_t* words = static_cast<const uint32_t*>(panels);
  const int64_t chunks = (m + kMaxRows - 1) / kMaxRows;
  const int64_t mb = (m + chunks - 1) / chunks;
  const int group = mb <= 3 ? 4 : kPanels;
  const int64_t full_end = std::min(n_end, n - n % kPanelRows);
  // Panel groups outermost: the chunks of activation rows after the first read them from L1/L2.
  for (int64_t j = n_begin; j < full_end;) {
    const int panels_here = j + group * kPanelRows <= full_end ? group : 1;
    for (int64_t r0 = 0; r0 < m; r0 += mb) {
      DispatchPairTile(static_cast<int>(std::min(mb, m - r0)), panels_here, activations.data() + r0 * pairs, pairs,
                       words + j * pairs, panel_words, y + r0 * ldy + j, ldy, __mmask16{0xffff});
    }
    j += panels_here * kPanelRows;
  }
  if (full_end < n_end) {  // the last panel has w < 16 rows, its words w apart: as a whole panel, zero-padded
    const int64_t w = n_end - full_end;
    const uint32_t* src = words + full_end * pairs;
    last_panel.assign(static_cast<size_t>(panel_words), 0u);
    for (int64_t p = 0; p < pairs; ++p) {
      for (int64_t r = 0; r < w; ++r) last_panel[p * kPanelRows + r] = src[p * w + r];
    }
    for (int64_t r0 = 0; r0 < m; r0 += mb) {
      DispatchPairTile(static_cast<int>(std::min(mb, m - r0)), 1, activations.data() + r0 * pairs, pairs,
                       last_panel.data(), panel_words, y + r0 * ldy + full_end, ldy,
                       static_cast<__mmask16>((1u << w) - 1));
    }
  }
}

}  // namespace ttt::kernels::avx512
