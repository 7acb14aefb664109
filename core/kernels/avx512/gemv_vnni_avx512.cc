// Block-float (bfp8, bfp4) GEMVs with VNNI and VBMI, and the i8 GEMV with VNNI; the activation quantisation,
// scales and row loop they share are in vnni_common_avx512.h (whose comment says why and how accurate).
#include <type_traits>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/vnni_common_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

using namespace vnni;  // NOLINT: this file's kernels are built from these parts

// ---- bfp4 with AVX-512 VBMI (vpermb / vpermi2b): eight blocks (72 bytes, 128 values) per step.
//
// Bfp4Group (gemv_vnni_no_vbmi_avx512.cc) spends 4 int32 lanes on every block, so each block pays a
// quarter of the scale work (exponent shuffle, scale build, int->float convert, FMA: 7 uops per zmm) and a
// third of the gather shuffles. Here one vpermi2b drops the 8 exponent bytes of 8 blocks, giving 64 data
// bytes, block b's in bytes 8b .. 8b + 7, i.e. int32 lanes 2b and 2b + 1. The low nibbles (values 0, 2, ..,
// 14) and high nibbles (1, 3, .., 15) each go through one vpermb into a 64-entry table that indexes by the
// low 6 bits, so the table (code -> biased magnitude, repeated every 16 entries) also does the nibble
// masking. Two vpdpbusd then sum 8 products per lane, and the scale work is paid once per 2 lanes of each
// block: ~14 uops per 8 blocks instead of ~26. Measured when introduced, 1 core of this EPYC (Zen 5),
// BM_LinearDecode cold: 1536 x 576 15.5 -> 23-25 GB/s, 576 x 1536 15.4 -> 28-31, 49152 x 576 15.6 -> 24-26.
//
// Both VBMI groups read a step of kStepBytes (two loads, at +0 and + kStepBytes - 64, so one vpermi2b can
// gather from both), take the step's activations with Load, return the int32 lane dots from Dot and the
// lanes' scales from Scale (DotRowsStepped).
struct Bfp4Vbmi {
  static constexpr int kStepBlocks = 8;
  static constexpr int kStepBytes = kStepBlocks * 9;  // 72
  static constexpr float kUnit = kBfp4Unit;
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
  static constexpr float kUnit = kBfp8Unit;
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

// VBMI is not part of this table's ISA level (e.g. Cooper Lake has VNNI and BF16 but not VBMI).
bool HasVbmi() {
  static const bool vbmi = __builtin_cpu_supports("avx512vbmi");
  return vbmi;
}

}  // namespace

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
