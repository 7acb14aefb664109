#include <cmath>
#include <vector>

#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels::reference {

namespace {

void OneQuery(const float* q, const float* k, const float* v, int64_t kv_stride, int64_t key_begin,
              int64_t key_end, int64_t head_dim, float scale, float* scores, float* out) {
  const int64_t count = key_end - key_begin;
  for (int64_t d = 0; d < head_dim; ++d) out[d] = 0.0f;
  if (count <= 0) return;
  double max = -INFINITY;
  for (int64_t j = 0; j < count; ++j) {
    const float* key = k + (key_begin + j) * kv_stride;
    double dot = 0;
    for (int64_t d = 0; d < head_dim; ++d) dot += static_cast<double>(q[d]) * key[d];
    scores[j] = static_cast<float>(dot * scale);
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
                      int64_t key_begin, int64_t key_end, int64_t head_dim, float scale, float* scores,
                      float* out) {
  const int64_t count = key_end > key_begin ? key_end - key_begin : 0;
  for (int64_t g = 0; g < num_queries; ++g) {
    OneQuery(q + g * head_dim, k, v, kv_stride, key_begin, key_end, head_dim, scale, scores + g * count,
             out + g * head_dim);
  }
}

}  // namespace ttt::kernels::reference
