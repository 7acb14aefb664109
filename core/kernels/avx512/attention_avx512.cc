// Attention for the queries of one GQA group: scores for 4 keys at a time (4 independent FMA chains; the 4 K
// rows are loaded from memory once and reused from L1 by every query), a vectorised softmax per query, then
// the weighted sum of values in blocks of keys, the output block held in registers (up to 128 floats).
#include <cmath>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/internal/attention_kv.h"
#include "core/kernels/avx512/vec_math_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

// Sums of four 16-lane vectors, as lanes 0..3: two rounds of 256/128-bit block shuffles, then in-lane
// permutes, so the four reductions share their shuffles.
inline __m128 ReduceAdd4(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
  const __m512 s01 = _mm512_add_ps(_mm512_shuffle_f32x4(a0, a1, 0x44), _mm512_shuffle_f32x4(a0, a1, 0xEE));
  const __m512 s23 = _mm512_add_ps(_mm512_shuffle_f32x4(a2, a3, 0x44), _mm512_shuffle_f32x4(a2, a3, 0xEE));
  // 128-bit block b now holds four partial sums of key b.
  const __m512 u = _mm512_add_ps(_mm512_shuffle_f32x4(s01, s23, 0x88), _mm512_shuffle_f32x4(s01, s23, 0xDD));
  const __m512 v = _mm512_add_ps(u, _mm512_permute_ps(u, 0x4E));
  const __m512 w = _mm512_add_ps(v, _mm512_permute_ps(v, 0xB1));
  return _mm512_castps512_ps128(_mm512_maskz_compress_ps(0x1111, w));
}

// scale * q.k for 4 keys (4 independent FMA chains).
inline void Scores4(const float* q, const float* k, int64_t kv_stride, int64_t head_dim, float scale,
                    float* scores) {
  __m512 acc[4];
#pragma GCC unroll 16
  for (int j = 0; j < 4; ++j) acc[j] = _mm512_setzero_ps();
  for (int64_t d = 0; d < head_dim; d += 16) {
    const __mmask16 mask = TailMask(head_dim - d < 16 ? head_dim - d : 16);
    const __m512 qv = _mm512_maskz_loadu_ps(mask, q + d);
#pragma GCC unroll 16
    for (int j = 0; j < 4; ++j) {
      acc[j] = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(mask, k + j * kv_stride + d), acc[j]);
    }
  }
  _mm_storeu_ps(scores, _mm_mul_ps(ReduceAdd4(acc[0], acc[1], acc[2], acc[3]), _mm_set1_ps(scale)));
}

inline void Scores1(const float* q, const float* k, int64_t head_dim, float scale, float* score) {
  __m512 acc = _mm512_setzero_ps();
  for (int64_t d = 0; d < head_dim; d += 16) {
    const __mmask16 mask = TailMask(head_dim - d < 16 ? head_dim - d : 16);
    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, q + d), _mm512_maskz_loadu_ps(mask, k + d), acc);
  }
  *score = _mm512_reduce_add_ps(acc) * scale;
}

// out[d0 .. d0 + 16 * kChunks) (masked at head_dim) (+)= sum_j p[j] * v[j][...] over `count` keys.
template <int kChunks>
inline void WeightedSum(const float* p, const float* v, int64_t kv_stride, int64_t count, int64_t d0,
                        int64_t head_dim, bool accumulate, float* out) {
  __m512 acc[kChunks];
  __mmask16 mask[kChunks];
  #pragma GCC unroll 16
  for (int c = 0; c < kChunks; ++c) {
    const int64_t left = head_dim - d0 - 16 * c;
    mask[c] = TailMask(left < 16 ? left : 16);
    acc[c] = accumulate ? _mm512_maskz_loadu_ps(mask[c], out + d0 + 16 * c) : _mm512_setzero_ps();
  }
  for (int64_t j = 0; j < count; ++j) {
    const __m512 pj = _mm512_set1_ps(p[j]);
    const float* row = v + j * kv_stride + d0;
    #pragma GCC unroll 16
    for (int c = 0; c < kChunks; ++c) acc[c] = _mm512_fmadd_ps(pj, _mm512_maskz_loadu_ps(mask[c], row + 16 * c), acc[c]);
  }
  #pragma GCC unroll 16
  for (int c = 0; c < kChunks; ++c) _mm512_mask_storeu_ps(out + d0 + 16 * c, mask[c], acc[c]);
}

void WeightedSumBlock(const float* p, const float* v, int64_t kv_stride, int64_t count, int64_t head_dim,
                      bool accumulate, float* out) {
  for (int64_t d0 = 0; d0 < head_dim; d0 += 128) {
    const int64_t chunks = (head_dim - d0 + 15) / 16;
    switch (chunks >= 8 ? 8 : chunks) {
      case 1: WeightedSum<1>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 2: WeightedSum<2>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 3: WeightedSum<3>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 4: WeightedSum<4>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 5: WeightedSum<5>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 6: WeightedSum<6>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 7: WeightedSum<7>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      default: WeightedSum<8>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
    }
  }
}

// Softmax in place over `count` scores, normalised.
void Normalise(float* scores, int64_t count) {
  __m512 maxv = _mm512_set1_ps(-INFINITY);
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = TailMask(count - i < 16 ? count - i : 16);
    maxv = _mm512_mask_max_ps(maxv, mask, maxv, _mm512_maskz_loadu_ps(mask, scores + i));
  }
  const __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(maxv));
  __m512 sum = _mm512_setzero_ps();
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = TailMask(count - i < 16 ? count - i : 16);
    const __m512 e = _mm512_maskz_mov_ps(mask, Exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, scores + i), max)));
    sum = _mm512_add_ps(sum, e);
    _mm512_mask_storeu_ps(scores + i, mask, e);
  }
  const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = TailMask(count - i < 16 ? count - i : 16);
    _mm512_mask_storeu_ps(scores + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, scores + i), inv));
  }
}

// scores[j] += slope * -|first_distance + j| for j < count: ALiBi's bias, first_distance being the first key's
// position minus the query's. Distances are exact in float below 2^24 positions.
void AddDistanceBias(float* scores, int64_t count, float slope, int64_t first_distance) {
  const __m512 minus_slope = _mm512_set1_ps(-slope);
  const __m512 lanes = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = TailMask(count - i < 16 ? count - i : 16);
    const __m512 distance =
        _mm512_abs_ps(_mm512_add_ps(_mm512_set1_ps(static_cast<float>(first_distance + i)), lanes));
    const __m512 biased = _mm512_fmadd_ps(minus_slope, distance, _mm512_maskz_loadu_ps(mask, scores + i));
    _mm512_mask_storeu_ps(scores + i, mask, biased);
  }
}

// The bias of each query of a call over `count` keys from position key_begin (no work without slopes).
void AddBias(float* scores, int64_t num_queries, int64_t count, int64_t key_begin, ScoreBias bias) {
  if (bias.slopes == nullptr) return;
  for (int64_t g = 0; g < num_queries; ++g) {
    AddDistanceBias(scores + g * count, count, bias.slopes[g], key_begin - bias.query_pos);
  }
}

// Keys per block of the weighted sum: 64 rows of V stay in L1 while every query of the group uses them.
constexpr int64_t kValueBlock = 64;

}  // namespace

// Each query's result depends only on its own q (never on how many queries share the call), so splitting a
// GQA group differently over threads gives identical outputs.
void AttentionQueries(const float* q, int64_t num_queries, const float* k, const float* v, int64_t kv_stride,
                      int64_t key_begin, int64_t key_end, int64_t head_dim, float scale, ScoreBias bias,
                      float* scores, float* out) {
  const int64_t count = key_end - key_begin;
  if (count <= 0) {
    for (int64_t d = 0; d < num_queries * head_dim; ++d) out[d] = 0.0f;
    return;
  }
  const float* kb = k + key_begin * kv_stride;
  int64_t j = 0;
  for (; j + 4 <= count; j += 4) {
    for (int64_t g = 0; g < num_queries; ++g) {
      Scores4(q + g * head_dim, kb + j * kv_stride, kv_stride, head_dim, scale, scores + g * count + j);
    }
  }
  for (; j < count; ++j) {
    for (int64_t g = 0; g < num_queries; ++g) {
      Scores1(q + g * head_dim, kb + j * kv_stride, head_dim, scale, scores + g * count + j);
    }
  }
  AddBias(scores, num_queries, count, key_begin, bias);
  for (int64_t g = 0; g < num_queries; ++g) Normalise(scores + g * count, count);

  const float* vb = v + key_begin * kv_stride;
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    for (int64_t g = 0; g < num_queries; ++g) {
      WeightedSumBlock(scores + g * count + j0, vb + j0 * kv_stride, kv_stride, block, head_dim, j0 > 0,
                       out + g * head_dim);
    }
  }
}

// bf16/bfp8 rows are decoded 64 keys at a time into an L1-resident tile (scores pass over K, then the
// weighted-sum pass over V), so a long context never materialises an f32 copy of the cache. The tile is
// the same key blocking as the f32 kernel's, so results equal the f32 kernel's on the decoded values.
void AttentionQueriesKv(const float* q, int64_t num_queries, const void* k, const void* v, DType kv_dtype,
                        int64_t row_bytes, int64_t col0, int64_t key_begin, int64_t key_end, int64_t head_dim,
                        float scale, ScoreBias bias, float* work, float* out) {
  const int64_t count = key_end - key_begin;
  if (kv_dtype == DType::kF32 || count <= 0) {
    internal::AttentionQueriesKv(DequantRowBF16, DequantRowBfp8, AttentionQueries, q, num_queries, k, v, kv_dtype,
                                 row_bytes, col0, key_begin, key_end, head_dim, scale, bias, work, out);
    return;
  }
  const DequantRowFn dequant = kv_dtype == DType::kBF16 ? DequantRowBF16 : DequantRowBfp8;
  float* scores = work;
  float* tile = work + num_queries * count;  // kValueBlock (or count) rows of head_dim
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    internal::DecodeKvSlices(dequant, k, kv_dtype, row_bytes, col0, key_begin + j0, block, head_dim, tile);
    int64_t j = 0;
    for (; j + 4 <= block; j += 4) {
      for (int64_t g = 0; g < num_queries; ++g) {
        Scores4(q + g * head_dim, tile + j * head_dim, head_dim, head_dim, scale, scores + g * count + j0 + j);
      }
    }
    for (; j < block; ++j) {
      for (int64_t g = 0; g < num_queries; ++g) {
        Scores1(q + g * head_dim, tile + j * head_dim, head_dim, scale, scores + g * count + j0 + j);
      }
    }
  }
  AddBias(scores, num_queries, count, key_begin, bias);
  for (int64_t g = 0; g < num_queries; ++g) Normalise(scores + g * count, count);
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    internal::DecodeKvSlices(dequant, v, kv_dtype, row_bytes, col0, key_begin + j0, block, head_dim, tile);
    for (int64_t g = 0; g < num_queries; ++g) {
      WeightedSumBlock(scores + g * count + j0, tile, head_dim, block, head_dim, j0 > 0, out + g * head_dim);
    }
  }
}

}  // namespace ttt::kernels::avx512
