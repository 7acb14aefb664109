#include <cmath>
#include <cstdlib>
#include <vector>

#include "core/kernels/reference/reference_kernels.h"
#include "core/runtime/dtype.h"

namespace ttt::kernels::reference {

namespace {

// The scaled scores are soft-capped (softcap > 0), then `slope` (0: none) times minus the distance of each key
// from `query_pos` is added, and `table`'s entry for the key's row (null: none).
void OneQuery(const float* q, const float* k, const float* v, int64_t kv_stride, int64_t key_begin,
              int64_t key_end, int64_t head_dim, float scale, double slope, int64_t query_pos, double softcap,
              const float* table, float* scores, float* out) {
  const int64_t count = key_end - key_begin;
  for (int64_t d = 0; d < head_dim; ++d) out[d] = 0.0f;
  if (count <= 0) return;
  double max = -INFINITY;
  for (int64_t j = 0; j < count; ++j) {
    const float* key = k + (key_begin + j) * kv_stride;
    double dot = 0;
    for (int64_t d = 0; d < head_dim; ++d) dot += static_cast<double>(q[d]) * key[d];
    const double distance = static_cast<double>(std::abs(key_begin + j - query_pos));
    const double scaled = softcap > 0 ? softcap * std::tanh(dot * scale / softcap) : dot * scale;
    const double added = table != nullptr ? table[key_begin + j] : 0.0;
    scores[j] = static_cast<float>(scaled - slope * distance + added);
    max = std::fmax(max, static_cast<double>(scores[j]));
  }
  double sum = 0;
  for (int64_t j = 0; j < count; ++j) sum += std::exp(scores[j] - max);
  std::vector<double> acc(static_cast<size_t>(head_dim), 0.0);
  for (int64_t j = 0; j < count; ++j) {
    const double p = std::exp(scores[j] - max) / sum;
    const float* value = v + (key_begin + j) * kv_stride;
    for (int64_t d = 0; d < head_dim; ++d) acc[d] += p * value[d];
  }
  for (int64_t d = 0; d < head_dim; ++d) out[d] = static_cast<float>(acc[d]);
}

}  // namespace

void AttentionQueries(const float* q, int64_t num_queries, const float* k, const float* v, int64_t kv_stride,
                      int64_t key_begin, int64_t key_end, int64_t head_dim, float scale, ScoreBias bias,
                      float* scores, float* out) {
  const int64_t count = key_end > key_begin ? key_end - key_begin : 0;
  for (int64_t g = 0; g < num_queries; ++g) {
    const double slope = bias.slopes ? bias.slopes[g] : 0.0;
    OneQuery(q + g * head_dim, k, v, kv_stride, key_begin, key_end, head_dim, scale, slope, bias.query_pos,
             bias.softcap, bias.table != nullptr ? bias.table + g * bias.table_stride : nullptr, scores + g * count,
             out + g * head_dim);
  }
}

// Independent of the SIMD path: each whole row is decoded with the scalar dtype conversions, then the
// double-precision reference above runs on the head's columns.
void AttentionQueriesKv(const float* q, int64_t num_queries, const void* k, const void* v, DType kv_dtype,
                        int64_t row_bytes, int64_t col0, int64_t key_begin, int64_t key_end, int64_t head_dim,
                        float scale, ScoreBias bias, float* work, float* out) {
  const int64_t count = key_end > key_begin ? key_end - key_begin : 0;
  const int64_t elems = kv_dtype == DType::kF32 ? row_bytes / 4
                        : kv_dtype == DType::kBF16 ? row_bytes / 2
                                                   : row_bytes / static_cast<int64_t>(sizeof(Bfp8Block)) * kBfpBlockSize;
  std::vector<float> kf(static_cast<size_t>(count * elems)), vf(kf.size());
  for (int64_t j = 0; j < count; ++j) {
    ConvertToF32(static_cast<const char*>(k) + (key_begin + j) * row_bytes, elems, kv_dtype, kf.data() + j * elems);
    ConvertToF32(static_cast<const char*>(v) + (key_begin + j) * row_bytes, elems, kv_dtype, vf.data() + j * elems);
  }
  // The decoded rows start at key_begin: the query's position moves with them.
  AttentionQueries(q, num_queries, kf.data() + col0, vf.data() + col0, elems, 0, count, head_dim, scale,
                   bias.From(key_begin), work, out);
}

}  // namespace ttt::kernels::reference
