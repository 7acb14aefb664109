#include <algorithm>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/parallel.h"
#include "core/ops/ops.h"

namespace ttt::ops {
namespace {

// Keys visible to the query at position `pos`: [begin, end).
struct KeyRange {
  int64_t begin;
  int64_t end;
};

KeyRange VisibleKeys(int64_t pos, int64_t kv_len, const AttentionParams& p) {
  int64_t begin = 0;
  int64_t end = p.causal ? std::min(pos + 1, kv_len) : kv_len;
  if (p.sliding_window > 0) {
    begin = std::max<int64_t>(0, pos - p.sliding_window + 1);
    if (!p.causal) end = std::min(kv_len, pos + p.sliding_window);
  }
  return {begin, std::max(begin, end)};
}

}  // namespace

void Attention(const float* q, int64_t tokens, int64_t pos0, const float* k, const float* v, int64_t kv_len,
               int64_t kv_stride, float* out, const AttentionParams& params) {
  const int64_t heads = params.num_heads;
  const int64_t head_dim = params.head_dim;
  const int64_t group = heads / params.num_kv_heads;
  const int64_t pairs = tokens * heads;
  if (pairs <= 0) return;
  const kernels::AttentionQueryFn fn = kernels::ActiveKernels().attention_query;

  const int64_t work = pairs * std::max<int64_t>(kv_len, 1) * head_dim * 4;
  const int threads = internal::ThreadsFor(work, pairs);
  // Causal queries late in the sequence see more keys, so pairs are dealt out dynamically in small chunks.
  const int64_t chunk = std::max<int64_t>(1, pairs / (int64_t{threads} * 8));
#pragma omp parallel for num_threads(threads) schedule(dynamic, chunk)
  for (int64_t pair = 0; pair < pairs; ++pair) {
    // O(kv_len) scratch per thread, grown once and kept across calls.
    static thread_local std::vector<float> scores;
    const int64_t t = pair / heads;
    const int64_t h = pair % heads;
    const int64_t kv_head = h / group;
    const KeyRange keys = VisibleKeys(pos0 + t, kv_len, params);
    if (static_cast<int64_t>(scores.size()) < keys.end - keys.begin) {
      scores.resize(static_cast<size_t>(keys.end - keys.begin));
    }
    fn(q + (t * heads + h) * head_dim, k + kv_head * head_dim, v + kv_head * head_dim, kv_stride, keys.begin,
       keys.end, head_dim, params.scale, scores.data(), out + (t * heads + h) * head_dim);
  }
}

}  // namespace ttt::ops
