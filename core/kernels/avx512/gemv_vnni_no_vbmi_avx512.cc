// Block-float GEMVs (bfp8, bfp4) with VNNI but without VBMI: four blocks per zmm, one 128-bit lane per block,
// gathered with vpermd/vpshufb. On CPUs with VBMI gemv_vnni_avx512.cc uses its VBMI groups instead.
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/vnni_common_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

using namespace vnni;  // NOLINT: this file's kernels are built from these parts

// Four bfp4 blocks (36 bytes). After vpermd lane t holds bytes 8t .. 8t + 11, so its exponent (byte 9t) is at
// lane position t and its data at t + 1 .. t + 8. Each data byte is placed twice, words 4..7 shifted right
// by 4, masked to nibbles: low nibbles (values 0, 2, ..) in bytes 0..7, high ones in bytes 8..15.
struct Bfp4Group {
  static constexpr int kGroupBytes = 36;
  static constexpr int kReadBytes = 64;
  static constexpr float kUnit = kBfp4Unit;
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
  static constexpr float kUnit = kBfp8Unit;
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

template <class Group>
void Gemv(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
          int64_t n_end, float* y, int64_t ldy) {
  static const Group group;
  GemvBlockRows<1>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy, Steps(k, kGroupBlocks),
                   QuantizeActivations<std::is_same_v<Group, Bfp4Group>>,
                   [](auto rows_per_call, const char* const* rows, size_t rb, int64_t n_steps, ActivationView a,
                      float* out) { DotRows<Group, decltype(rows_per_call)::value>(group, rows, rb, n_steps, a, out); });
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

}  // namespace ttt::kernels::avx512
