#include <cblas.h>

#include <algorithm>
#include <limits>
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

// From this many queries on, a block of queries of one head is computed as two single-threaded sgemm calls
// (scores = Q K^T, out = P V) instead of query by query: the prompt's keys are then reused from cache for
// every query of the block. Measured on SmolLM-135M shapes (9 heads, head_dim 64, 128 tokens): ~25 GFLOP/s
// query by query.
constexpr int64_t kGemmMinQueries = 16;
constexpr int64_t kQueryBlock = 64;

// Prefill: work items are (head, block of queries); each is masked per query (causal, sliding window).
void AttentionByGemm(const float* q, int64_t tokens, int64_t pos0, const float* k, const float* v, int64_t kv_len,
                     int64_t kv_stride, float* out, const AttentionParams& p) {
  const int64_t heads = p.num_heads, head_dim = p.head_dim, group = heads / p.num_kv_heads;
  const int64_t blocks = (tokens + kQueryBlock - 1) / kQueryBlock;
  const int64_t items = heads * blocks;
  const int threads = internal::ThreadsFor(tokens * heads * kv_len * head_dim * 4, items);
  const kernels::SoftmaxRowFn softmax = kernels::ActiveKernels().softmax_row;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t item = 0; item < items; ++item) {
    static thread_local std::vector<float> scores;
    const int64_t h = item % heads, t0 = item / heads * kQueryBlock;
    const int64_t rows = std::min(kQueryBlock, tokens - t0);
    const int64_t g = h / group;
    // Keys any query of the block sees: from the first query's start to the last query's end.
    const int64_t begin = VisibleKeys(pos0 + t0, kv_len, p).begin;
    const int64_t end = VisibleKeys(pos0 + t0 + rows - 1, kv_len, p).end;
    const int64_t cols = end - begin;
    float* o = out + (t0 * heads + h) * head_dim;
    if (cols <= 0) {
      for (int64_t r = 0; r < rows; ++r) std::fill(o + r * heads * head_dim, o + r * heads * head_dim + head_dim, 0.0f);
      continue;
    }
    if (scores.size() < static_cast<size_t>(rows * cols)) scores.resize(rows * cols);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, head_dim, p.scale,
                q + (t0 * heads + h) * head_dim, heads * head_dim, k + begin * kv_stride + g * head_dim, kv_stride,
                0.0f, scores.data(), cols);
    for (int64_t r = 0; r < rows; ++r) {
      float* row = scores.data() + r * cols;
      const KeyRange keys = VisibleKeys(pos0 + t0 + r, kv_len, p);
      const int64_t lo = keys.begin - begin, hi = keys.end - begin;  // the query's own keys within the block's
      std::fill(row, row + lo, 0.0f);
      std::fill(row + std::max(lo, hi), row + cols, 0.0f);
      if (hi > lo) softmax(row + lo, hi - lo);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, head_dim, cols, 1.0f, scores.data(), cols,
                v + begin * kv_stride + g * head_dim, kv_stride, 0.0f, o, heads * head_dim);
  }
}

}  // namespace

void Attention(const float* q, int64_t tokens, int64_t pos0, const float* k, const float* v, int64_t kv_len,
               int64_t kv_stride, float* out, const AttentionParams& params) {
  const int64_t heads = params.num_heads;
  const int64_t kv_heads = params.num_kv_heads;
  const int64_t head_dim = params.head_dim;
  const int64_t group = heads / kv_heads;
  if (tokens <= 0 || heads <= 0) return;
  if (tokens >= kGemmMinQueries) {
    AttentionByGemm(q, tokens, pos0, k, v, kv_len, kv_stride, out, params);
    return;
  }
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
