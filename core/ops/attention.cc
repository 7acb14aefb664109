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
  const int64_t kv_heads = params.num_kv_heads;
  const int64_t head_dim = params.head_dim;
  const int64_t group = heads / kv_heads;
  if (tokens <= 0 || heads <= 0) return;
  const kernels::AttentionQueriesFn fn = kernels::ActiveKernels().attention_queries;

  // A work item is a slice of one GQA group at one token: the kernel then reads each K/V row once for the
  // whole slice. Groups are sliced only as far as needed to give every thread about two items (decode has
  // one token and few kv heads).
  const int64_t work = tokens * heads * std::max<int64_t>(kv_len, 1) * head_dim * 4;
  const int threads = internal::ThreadsFor(work, tokens * heads);
  const int64_t groups = tokens * kv_heads;
  const int64_t wanted_slices = std::min(group, (2 * int64_t{threads} + groups - 1) / groups);
  const int64_t slice = (group + wanted_slices - 1) / wanted_slices;
  const int64_t slices = (group + slice - 1) / slice;
  const int64_t items = groups * slices;
  // Causal queries late in the sequence see more keys, so items are dealt out dynamically in small chunks.
  const int64_t chunk = std::max<int64_t>(1, items / (int64_t{threads} * 8));
#pragma omp parallel for num_threads(threads) schedule(dynamic, chunk)
  for (int64_t item = 0; item < items; ++item) {
    // O(group * kv_len) scratch per thread, grown once and kept across calls.
    static thread_local std::vector<float> scores;
    const int64_t t = item / (kv_heads * slices);
    const int64_t kv_head = item / slices % kv_heads;
    const int64_t first = item % slices * slice;
    const int64_t count = std::min(slice, group - first);
    const int64_t h = kv_head * group + first;
    const KeyRange keys = VisibleKeys(pos0 + t, kv_len, params);
    const size_t needed = static_cast<size_t>(count * (keys.end - keys.begin));
    if (scores.size() < needed) scores.resize(needed);
    fn(q + (t * heads + h) * head_dim, count, k + kv_head * head_dim, v + kv_head * head_dim, kv_stride,
       keys.begin, keys.end, head_dim, params.scale, scores.data(), out + (t * heads + h) * head_dim);
  }
}

}  // namespace ttt::ops
