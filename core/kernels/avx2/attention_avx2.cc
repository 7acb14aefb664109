// Attention for the queries of one GQA group, AVX2 version of core/kernels/avx512/attention_avx512.cc.
#include <immintrin.h>

#include <cmath>

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/internal/attention_kv.h"
#include "core/kernels/avx2/vec_math_avx2.h"

namespace ttt::kernels::avx2 {
namespace {

template <int kKeys>
inline void Scores(const float* q, const float* k, int64_t kv_stride, int64_t head_dim, float scale,
                   float* scores) {
  __m256 acc[kKeys];
  #pragma GCC unroll 16
  for (int j = 0; j < kKeys; ++j) acc[j] = _mm256_setzero_ps();
  for (int64_t d = 0; d < head_dim; d += 8) {
    const __m256i mask = TailMask(head_dim - d < 8 ? head_dim - d : 8);
    const __m256 qv = _mm256_maskload_ps(q + d, mask);
    #pragma GCC unroll 16
    for (int j = 0; j < kKeys; ++j) {
      acc[j] = _mm256_fmadd_ps(qv, _mm256_maskload_ps(k + j * kv_stride + d, mask), acc[j]);
    }
  }
  #pragma GCC unroll 16
  for (int j = 0; j < kKeys; ++j) scores[j] = ReduceAdd(acc[j]) * scale;
}

template <int kChunks>
inline void WeightedSum(const float* p, const float* v, int64_t kv_stride, int64_t count, int64_t d0,
                        int64_t head_dim, bool accumulate, float* out) {
  __m256 acc[kChunks];
  __m256i mask[kChunks];
  #pragma GCC unroll 16
  for (int c = 0; c < kChunks; ++c) {
    const int64_t left = head_dim - d0 - 8 * c;
    mask[c] = TailMask(left < 8 ? left : 8);
    acc[c] = accumulate ? _mm256_maskload_ps(out + d0 + 8 * c, mask[c]) : _mm256_setzero_ps();
  }
  for (int64_t j = 0; j < count; ++j) {
    const __m256 pj = _mm256_set1_ps(p[j]);
    const float* row = v + j * kv_stride + d0;
    #pragma GCC unroll 16
    for (int c = 0; c < kChunks; ++c) acc[c] = _mm256_fmadd_ps(pj, _mm256_maskload_ps(row + 8 * c, mask[c]), acc[c]);
  }
  #pragma GCC unroll 16
  for (int c = 0; c < kChunks; ++c) _mm256_maskstore_ps(out + d0 + 8 * c, mask[c], acc[c]);
}

void WeightedSumBlock(const float* p, const float* v, int64_t kv_stride, int64_t count, int64_t head_dim,
                      bool accumulate, float* out) {
  for (int64_t d0 = 0; d0 < head_dim; d0 += 64) {
    const int64_t chunks = (head_dim - d0 + 7) / 8;
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

constexpr int64_t kValueBlock = 64;

// scores[j] += slope * -|first_distance + j| for j < count: ALiBi's bias, first_distance being the first key's
// position minus the query's. Distances are exact in float below 2^24 positions.
void AddDistanceBias(float* scores, int64_t count, float slope, int64_t first_distance) {
  const __m256 minus_slope = _mm256_set1_ps(-slope);
  const __m256 lanes = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t i = 0; i < count; i += 8) {
    const __m256i mask = TailMask(count - i < 8 ? count - i : 8);
    const __m256 distance =
        _mm256_andnot_ps(sign, _mm256_add_ps(_mm256_set1_ps(static_cast<float>(first_distance + i)), lanes));
    _mm256_maskstore_ps(scores + i, mask,
                        _mm256_fmadd_ps(minus_slope, distance, _mm256_maskload_ps(scores + i, mask)));
  }
}

// The bias of each query of a call over `count` keys from position key_begin (no work without slopes).
void AddBias(float* scores, int64_t num_queries, int64_t count, int64_t key_begin, ScoreBias bias) {
  if (bias.slopes == nullptr) return;
  for (int64_t g = 0; g < num_queries; ++g) {
    AddDistanceBias(scores + g * count, count, bias.slopes[g], key_begin - bias.query_pos);
  }
}

}  // namespace

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
      Scores<4>(q + g * head_dim, kb + j * kv_stride, kv_stride, head_dim, scale, scores + g * count + j);
    }
  }
  for (; j < count; ++j) {
    for (int64_t g = 0; g < num_queries; ++g) {
      Scores<1>(q + g * head_dim, kb + j * kv_stride, kv_stride, head_dim, scale, scores + g * count + j);
    }
  }
  AddBias(scores, num_queries, count, key_begin, bias);
  // Softmax per query, normalised in place (SoftmaxRow is this file's vectorised one).
  for (int64_t g = 0; g < num_queries; ++g) SoftmaxRow(scores + g * count, count);

  const float* vb = v + key_begin * kv_stride;
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    for (int64_t g = 0; g < num_queries; ++g) {
      WeightedSumBlock(scores + g * count + j0, vb + j0 * kv_stride, kv_stride, block, head_dim, j0 > 0,
                       out + g * head_dim);
    }
  }
}

// bf16/bfp8 rows decoded 64 keys at a time into an L1-resident tile, as in attention_avx512.cc.
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
  float* tile = work + num_queries * count;
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    internal::DecodeKvSlices(dequant, k, kv_dtype, row_bytes, col0, key_begin + j0, block, head_dim, tile);
    int64_t j = 0;
    for (; j + 4 <= block; j += 4) {
      for (int64_t g = 0; g < num_queries; ++g) {
        Scores<4>(q + g * head_dim, tile + j * head_dim, head_dim, head_dim, scale, scores + g * count + j0 + j);
      }
    }
    for (; j < block; ++j) {
      for (int64_t g = 0; g < num_queries; ++g) {
        Scores<1>(q + g * head_dim, tile + j * head_dim, head_dim, head_dim, scale, scores + g * count + j0 + j);
      }
    }
  }
  AddBias(scores, num_queries, count, key_begin, bias);
  for (int64_t g = 0; g < num_queries; ++g) SoftmaxRow(scores + g * count, count);
  for (int64_t j0 = 0; j0 < count; j0 += kValueBlock) {
    const int64_t block = count - j0 < kValueBlock ? count - j0 : kValueBlock;
    internal::DecodeKvSlices(dequant, v, kv_dtype, row_bytes, col0, key_begin + j0, block, head_dim, tile);
    for (int64_t g = 0; g < num_queries; ++g) {
      WeightedSumBlock(scores + g * count + j0, tile, head_dim, block, head_dim, j0 > 0, out + g * head_dim);
    }
  }
}

}  // namespace ttt::kernels::avx2
