// llama.cpp's quantised weight blocks (ggml's block_q8_0 ... block_q6_K, as a GGUF file stores them; layout
// facts from ggml-common.h). A weight row of k values is k / block_values consecutive blocks. Every block
// holds f16 scale(s) and small integers; a value is scale * integer (minus a per-sub-block offset for the
// K formats with mins). The decoders below are the definition the GEMV kernels are tested against.
#pragma once

#include <cstdint>
#include <vector>

#include "core/runtime/dtype.h"

namespace ttt::ggml {

inline constexpr int kQK = 256;  // values per K-format super-block
inline constexpr int kQ32 = 32;  // values per block of the legacy formats and IQ4_NL

struct BlockQ8_0 {  // value i = d * qs[i]
  uint16_t d;       // f16
  int8_t qs[kQ32];
};
struct BlockQ4_0 {  // value i = d * (nibble - 8); values 0..15 in low nibbles of qs, 16..31 in high nibbles
  uint16_t d;
  uint8_t qs[kQ32 / 2];
};
struct BlockQ5_0 {  // as Q4_0 with a 5th bit per value (bit i of qh, little-endian) and an offset of 16
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQ32 / 2];
};
struct BlockIQ4NL {  // as Q4_0, but each nibble indexes kIQ4NLValues (a non-linear grid)
  uint16_t d;
  uint8_t qs[kQ32 / 2];
};
// 8 sub-blocks of 32 with 6-bit scales and mins packed in `scales` (ScaleMinK4); value = d * sc * q - dmin * m.
// Each 32 bytes of qs hold two sub-blocks: low nibbles the first, high nibbles the second.
struct BlockQ4_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qs[kQK / 2];
};
// As Q4_K with a 5th bit: bit (2 * pair) of qh[l] for the low-nibble sub-block of pair `pair`, the next bit
// for its high-nibble sub-block.
struct BlockQ5_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qh[kQK / 8];
  uint8_t qs[kQK / 2];
};
// 16 sub-blocks of 16 with int8 scales; a 6-bit q (4 low bits in ql, 2 high bits in qh); value =
// d * scales[s] * (q - 32). Per half of 128 values: value l (0..31) + 32 * j takes ql[l + 32 * (j & 1)]'s
// low (j < 2) or high nibble and bits 2j..2j+1 of qh[l].
struct BlockQ6_K {
  uint8_t ql[kQK / 2];
  uint8_t qh[kQK / 4];
  int8_t scales[kQK / 16];
  uint16_t d;
};
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_0) == 18 && sizeof(BlockQ5_0) == 22 &&
                  sizeof(BlockIQ4NL) == 18,
              "32-value ggml blocks have ggml's sizes");
static_assert(sizeof(BlockQ4_K) == 144 && sizeof(BlockQ5_K) == 176 && sizeof(BlockQ6_K) == 210,
              "256-value ggml blocks have ggml's sizes");

// IQ4_NL's 16 levels (ggml's kvalues_iq4nl).
inline constexpr int8_t kIQ4NLValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

// Sub-block j's (0..7) 6-bit scale and min in a Q4_K / Q5_K `scales` array: j < 4 in the low 6 bits of
// bytes j and j + 4; j >= 4 in the nibbles of byte j + 4 with the top 2 bits from bytes j - 4 and j.
inline void ScaleMinK4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// The activations as llama.cpp's dot products with `weight_dtype` blocks see them: it rounds x to 8-bit blocks
// first (its vec_dot_type), and the f32 kernels here take the values those blocks stand for, so both programs
// multiply the same numbers. Per 32 values for Q8_0, Q4_0, Q5_0, IQ4_NL (Q8_0 blocks as its AVX2 code makes
// them: d = amax / 127 stored as f16, q = round-to-nearest-even(x * 127 / amax)); per 256 for the K formats
// (Q8_K: d = max / -127 in f32 with `max` the value of largest magnitude, q = min(127, round(x / d))).
// Without this the two differ by the rounding itself, ~3e-3 of the largest logit on a small random model.
// `k` is a multiple of the format's block; `out` may not alias `x`.
void RoundActivations(DType weight_dtype, const float* x, int64_t k, float* out);

// The same rounding kept as llama.cpp keeps it, for the integer-dot GEMVs (ops::Linear's decode path):
// out value i is d[i / block] * q[i] exactly as RoundActivations gives it, block being 32 (Q8_0) or 256 (Q8_K)
// as for RoundActivations. bsum16 holds the sum of q over each 16 values (Q8_K's bsums; the K formats' min and
// bias terms need them), bsum32 over each 32.
struct QuantizedActivations {
  std::vector<int8_t> q;
  std::vector<float> d;
  std::vector<int16_t> bsum16, bsum32;
};
void QuantizeActivations(DType weight_dtype, const float* x, int64_t k, QuantizedActivations* out);

// Values per block of a ggml dtype (32 or 256).
int BlockValues(DType dtype);
// Decodes `count` values (a whole number of blocks) of a ggml dtype to f32, block by block.
void DecodeRow(DType dtype, const void* src, int64_t count, float* dst);

}  // namespace ttt::ggml
