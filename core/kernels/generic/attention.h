// Attention for the queries of one GQA group, written once over the vector-width abstraction
// (core/kernels/simd/) and instantiated by avx2/attention_avx2.cc and avx512/attention_avx512.cc; include
// only from *_avx2.cc / *_avx512.cc files.
//
// Scores for 4 keys at a time (4 independent FMA chains; the 4 K rows are loaded from memory once and reused
// from L1 by every query), a vectorised softmax per query, then the weighted sum of values in blocks of keys,
// the output block held in registers (8 vectors: 64 floats on AVX2, 128 on AVX-512).
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "core/kernels/generic/elementwise.h"
#include "core/kernels/generic/norm.h"
#include "core/kernels/internal/attention_kv.h"
#include "core/kernels/kernel_table.h"

namespace ttt::kernels::generic {

// Keys per block of the weighted sum: 64 rows of V stay in L1 while every query of the group uses them.
inline constexpr int64_t kValueBlock = 64;

// scale * q.k for 4 keys.
template <class V>
inline void Scores4(const float* q, const float* k, int64_t kv_stride, int64_t head_dim, float scale,
                    float* scores) {
  using F = typename V::F;
  F acc[4];
  #pragma GCC unroll 16
  for (int j = 0; j < 4; ++j) acc[j] = V::Zero();
  for (int64_t d = 0; d < head_dim; d += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(head_dim - d);
    const F qv = V::LoadMasked(q + d, mask);
    #pragma GCC unroll 16
    for (int j = 0; j < 4; ++j) acc[j] = V::Fma(qv, V::LoadMasked(k + j * kv_stride + d, mask), acc[j]);
  }
  _mm_storeu_ps(scores, _mm_mul_ps(V::ReduceAdd4(acc[0], acc[1], acc[2], acc[3]), _mm_set1_ps(scale)));
}

template <class V>
inline void Scores1(const float* q, const float* k, int64_t head_dim, float scale, float* score) {
  typename V::F acc = V::Zero();
  for (int64_t d = 0; d < head_dim; d += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(head_dim - d);
    acc = V::Fma(V::LoadMasked(q + d, mask), V::LoadMasked(k + d, mask), acc);
  }
  *score = V::ReduceAdd(acc) * scale;
}

// Scores of every query against keys [0, count) of k (rows kv_stride apart), into scores[g * ldscores + j].
template <class V>
inline void ScoreKeys(const float* q, int64_t num_queries, const float* k, int64_t kv_stride, int64_t count,
                      int64_t head_dim, float scale, float* scores, int64_t ldscores) {
  int64_t j = 0;
  for (; j + 4 <= count; j += 4) {
    for (int64_t g = 0; g < num_queries; ++g) {
      Scores4<V>(q + g * head_dim, k + j * kv_stride, kv_stride, head_dim, scale, scores + g * ldscores + j);
    }
  }
  for (; j < count; ++j) {
    for (int64_t g = 0; g < num_queries; ++g) {
      Scores1<V>(q + g * head_dim, k + j * kv_stride, head_dim, scale, scores + g * ldscores + j);
    }
  }
}

// out[d0 .. d0 + kLanes * kChunks) (masked at head_dim) (+)= sum_j p[j] * v[j][...] over `count` keys.
template <class V, int kChunks>
inline void WeightedSum(const float* p, const float* v, int64_t kv_stride, int64_t count, int64_t d0,
                        int64_t head_dim, bool accumulate, float* out) {
  using F = typename V::F;
  constexpr int L = V::kLanes;
  F acc[kChunks];
  typename V::Mask mask[kChunks];
  #pragma GCC unroll 16
  for (int c = 0; c < kChunks; ++c) {
    mask[c] = V::FirstLanes(head_dim - d0 - L * c);
    acc[c] = accumulate ? V::LoadMasked(out + d0 + L * c, mask[c]) : V::Zero();
  }
  for (int64_t j = 0; j < count; ++j) {
    const F pj = V::Set1(p[j]);
    const float* row = v + j * kv_stride + d0;
    #pragma GCC unroll 16
    for (int c = 0; c < kChunks; ++c) acc[c] = V::Fma(pj, V::LoadMasked(row + L * c, mask[c]), acc[c]);
  }
  #pragma GCC unroll 16
  for (int c = 0; c < kChunks; ++c) V::StoreMasked(out + d0 + L * c, mask[c], acc[c]);
}

template <class V>
void WeightedSumBlock(const float* p, const float* v, int64_t kv_stride, int64_t count, int64_t head_dim,
                      bool accumulate, float* out) {
  constexpr int L = V::kLanes;
  for (int64_t d0 = 0; d0 < head_dim; d0 += 8 * L) {
    const int64_t chunks = (head_dim - d0 + L - 1) / L;
    switch (chunks >= 8 ? 8 : chunks) {
      case 1: WeightedSum<V, 1>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 2: WeightedSum<V, 2>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 3: WeightedSum<V, 3>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 4: WeightedSum<V, 4>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 5: WeightedSum<V, 5>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 6: WeightedSum<V, 6>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      case 7: WeightedSum<V, 7>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
      default: WeightedSum<V, 8>(p, v, kv_stride, count, d0, head_dim, accumulate, out); break;
    }
  }
}

// scores[j] += slope * -|first_distance + j| for j < count: ALiBi's bias, first_distance being the first key's
// position minus the query's. Distances are exact in float below 2^24 positions.
template <class V>
void AddDistanceBias(float* scores, int64_t count, float slope, int64_t first_distance) {
  using F = typename V::F;
  const F minus_slope = V::Set1(-slope);
  const F lanes = V::LaneIndices();
  for (int64_t i = 0; i < count; i += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(count - i);
    const F distance = V::Abs(V::Add(V::Set1(static_cast<float>(first_distance + i)), lanes));
    V::StoreMasked(scores + i, mask, V::Fma(minus_slope, distance, V::LoadMasked(scores + i, mask)));
  }
}

// scores[j] += add[j] for j < count.
template <class V>
void AddRow(float* scores, const float* add, int64_t count) {
  for (int64_t i = 0; i < count; i += V::kLanes) {
    const typename V::Mask mask = V::FirstLanes(count - i);
    V::StoreMasked(scores + i, mask, V::Add(V::LoadMasked(scores + i, mask), V::LoadMasked(add + i, mask)));
  }
}

// The soft cap and the biases of each query of a call over `count` keys from position key_begin (no work
// without any).
template <class V>
void AddBias(float* scores, int64_t num_queries, int64_t count, int64_t key_begin, ScoreBias bias) {
  if (bias.softcap > 0) SoftCap<V>(scores, scores, num_queries * count, bias.softcap);
  for (int64_t g = 0; bias.slopes != nullptr && g < num_queries; ++g) {
    AddDistanceBias<V>(scores + g * count, count, bias.slopes[g], key_begin - bias.query_pos);
  }
  for (int64_t g = 0; bias.table != nullptr && g < num_queries; ++g) {
    AddRow<V>(scores + g * count, bias.table + g * bias.table_stride + key_begin, count);
  }
}

// Each query's result depends only on its own q (never on how many queries share the call), so splitting a
// GQA group differently over threads gives identical outputs.
template <class V>
void AttentionQueries(const float* q, int64_t num_queries, const float* k, const float* v, int64_t kv_stride,
                      int64_t key_begin, int64_t key_end, int64_t head_dim, float scale, ScoreBias bias,
                      float* scores, float* out) {
  const int64_t count = key_end - key_begin;
  if (count <= 0) {
    for (int64_t d = 0; d < num_queries * head_dim; ++d) out[d] = 0.0f;
    return;
  }
  ScoreKeys<V>(q, num_queries, k + key_begin * kv_stride, kv_stride, count, head_dim, scale, scores, count);
  AddBias<V>(scores, num_queries, count, key_begin, bias);
  for (int64_t g = 0; g < num_queries; ++g) SoftmaxRow<V>(scores + g * count, count);

  const float* vb = v + key_begin * kv_stride;
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    for (int64_t g = 0; g < num_queries; ++g) {
      WeightedSumBlock<V>(scores + g * count + j0, vb + j0 * kv_stride, kv_stride, block, head_dim, j0 > 0,
                          out + g * head_dim);
    }
  }
}

// bf16/bfp8 rows are decoded kValueBlock keys at a time (by the ISA's row decoders) into an L1-resident tile
// (scores pass over K, then the weighted-sum pass over V), so a long context never materialises an f32 copy
// of the cache. The tile is the same key blocking as the f32 kernel's, so results equal the f32 kernel's on
// the decoded values. f32 rows and empty ranges go to internal::AttentionQueriesKv.
template <class V>
void AttentionQueriesKv(DequantRowFn dequant_bf16, DequantRowFn dequant_bfp8, const float* q, int64_t num_queries,
                        const void* k, const void* v, DType kv_dtype, int64_t row_bytes, int64_t col0,
                        int64_t key_begin, int64_t key_end, int64_t head_dim, float scale, ScoreBias bias,
                        float* work, float* out) {
  const int64_t count = key_end - key_begin;
  if (kv_dtype == DType::kF32 || count <= 0) {
    internal::AttentionQueriesKv(dequant_bf16, dequant_bfp8, AttentionQueries<V>, q, num_queries, k, v, kv_dtype,
                                 row_bytes, col0, key_begin, key_end, head_dim, scale, bias, work, out);
    return;
  }
  const DequantRowFn dequant = kv_dtype == DType::kBF16 ? dequant_bf16 : dequant_bfp8;
  float* scores = work;
  float* tile = work + num_queries * count;  // kValueBlock (or count) rows of head_dim
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    internal::DecodeKvSlices(dequant, k, kv_dtype, row_bytes, col0, key_begin + j0, block, head_dim, tile);
    ScoreKeys<V>(q, num_queries, tile, head_dim, block, head_dim, scale, scores + j0, count);
  }
  AddBias<V>(scores, num_queries, count, key_begin, bias);
  for (int64_t g = 0; g < num_queries; ++g) SoftmaxRow<V>(scores + g * count, count);
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    internal::DecodeKvSlices(dequant, v, kv_dtype, row_bytes, col0, key_begin + j0, block, head_dim, tile);
    for (int64_t g = 0; g < num_queries; ++g) {
      WeightedSumBlock<V>(scores + g * count + j0, tile, head_dim, block, head_dim, j0 > 0, out + g * head_dim);
    }
  }
}

}  // namespace ttt::kernels::generic
