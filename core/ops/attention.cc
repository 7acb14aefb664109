#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "core/kernels/internal/attention_kv.h"
#include "core/kernels/kernel_table.h"
#include "core/runtime/check.h"
#include "core/ops/internal/parallel.h"
#include "core/ops/internal/visible_keys.h"
#include "core/ops/ops.h"

namespace ttt::ops {
namespace {

using internal::KeyRange;
using internal::VisibleKeys;

// From this many queries on, a block of queries of one head is computed as two single-threaded sgemm calls
// (scores = Q K^T, out = P V) instead of query by query: the prompt's keys are then reused from cache for
// every query of the block. Measured on SmolLM-135M shapes (9 heads, head_dim 64, 128 tokens): ~25 GFLOP/s
// query by query.
constexpr int64_t kGemmMinQueries = 16;
constexpr int64_t kQueryBlock = 64;

// Decoded f32 copy of the kv head's columns of rows [begin, begin + count) (bf16/bfp8 caches), for sgemm.
void DecodeRows(const KvRows& rows, int64_t col0, int64_t begin, int64_t count, int64_t head_dim, float* dst) {
  const kernels::KernelTable& t = kernels::ActiveKernels();
  const kernels::DequantRowFn dequant = t.DequantRow(rows.dtype);
  const char* base = static_cast<const char*>(rows.data) + begin * rows.row_bytes;
  if (rows.dtype == DType::kBF16) {
    for (int64_t j = 0; j < count; ++j) dequant(base + j * rows.row_bytes + 2 * col0, head_dim, dst + j * head_dim);
    return;
  }
  const int64_t skip = col0 % kBfpBlockSize, offset = col0 / kBfpBlockSize * int64_t{sizeof(Bfp8Block)};
  float tmp[kernels::internal::kMaxKvHeadDim + kBfpBlockSize];
  for (int64_t j = 0; j < count; ++j) {
    if (skip == 0) {
      dequant(base + j * rows.row_bytes + offset, head_dim, dst + j * head_dim);
    } else {
      dequant(base + j * rows.row_bytes + offset, skip + head_dim, tmp);
      std::memcpy(dst + j * head_dim, tmp + skip, head_dim * sizeof(float));
    }
  }
}

// Per-thread work (floats) of the gemm path for one item with up to `cols` keys.
int64_t GemmItemFloats(int64_t cols, int64_t head_dim, DType dtype) {
  return kQueryBlock * cols + (dtype == DType::kF32 ? 0 : 2 * cols * head_dim);
}
// Per-thread work of the query-by-query path: scores of a GQA slice, plus decoded K/V rows.
int64_t QueryItemFloats(int64_t queries, int64_t cols, int64_t head_dim, DType dtype) {
  return dtype == DType::kF32 ? queries * cols : kernels::AttentionKvWorkFloats(queries, cols, head_dim);
}

// The calling thread's slice of `work`, or (no planned work) a per-thread buffer grown on demand.
float* ThreadWork(absl::Span<float> work, int64_t per_thread, int64_t needed, int thread) {
  if (!work.empty()) return work.data() + thread * per_thread;
  static thread_local std::vector<float> own;
  if (own.size() < static_cast<size_t>(needed)) own.resize(needed);
  return own.data();
}

// Prefill: work items are (head, block of queries); each is masked per query (causal, sliding window).
void AttentionByGemm(const float* q, int64_t tokens, int64_t pos0, const KvRows& kr, const KvRows& vr,
                     int64_t kv_len, float* out, const AttentionParams& p, absl::Span<float> work, int threads) {
  const int64_t heads = p.num_heads, head_dim = p.head_dim, group = heads / p.num_kv_heads;
  const int64_t blocks = (tokens + kQueryBlock - 1) / kQueryBlock;
  const int64_t items = heads * blocks;
  const int64_t per_thread = work.empty() ? 0 : static_cast<int64_t>(work.size()) / threads;
  const kernels::SoftmaxRowFn softmax = kernels::ActiveKernels().softmax_row;
  const kernels::SoftCapFn softcap = kernels::ActiveKernels().softcap;
  const bool f32 = kr.dtype == DType::kF32;
  const int64_t f32_stride = kr.row_bytes / static_cast<int64_t>(sizeof(float));
  internal::ParallelItems(items, threads, 1, [&](int64_t item, int thread) {
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
      return;
    }
    float* scores = ThreadWork(work, per_thread, GemmItemFloats(cols, head_dim, kr.dtype), thread);
    const float* keys = f32 ? static_cast<const float*>(kr.data) + begin * f32_stride + g * head_dim : nullptr;
    const float* values = f32 ? static_cast<const float*>(vr.data) + begin * f32_stride + g * head_dim : nullptr;
    int64_t stride = f32_stride;
    if (!f32) {
      float* kf = scores + kQueryBlock * cols;
      float* vf = kf + cols * head_dim;
      DecodeRows(kr, g * head_dim, begin, cols, head_dim, kf);
      DecodeRows(vr, g * head_dim, begin, cols, head_dim, vf);
      keys = kf;
      values = vf;
      stride = head_dim;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, head_dim, p.scale,
                q + (t0 * heads + h) * head_dim, heads * head_dim, keys, stride, 0.0f, scores, cols);
    for (int64_t r = 0; r < rows; ++r) {
      float* row = scores + r * cols;
      const int64_t pos = pos0 + t0 + r;
      const KeyRange keys_of_query = VisibleKeys(pos, kv_len, p);
      const int64_t lo = keys_of_query.begin - begin, hi = keys_of_query.end - begin;
      std::fill(row, row + lo, 0.0f);
      std::fill(row + std::max(lo, hi), row + cols, 0.0f);
      if (p.softcap > 0 && hi > lo) softcap(row + lo, row + lo, hi - lo, p.softcap);
      if (p.slopes != nullptr) {
        for (int64_t j = lo; j < hi; ++j) row[j] += p.slopes[h] * -static_cast<float>(std::abs(begin + j - pos));
      }
      if (p.bias != nullptr) {
        const float* add = p.bias + (h * tokens + t0 + r) * kv_len + begin;
        for (int64_t j = lo; j < hi; ++j) row[j] += add[j];
      }
      if (hi > lo) softmax(row + lo, hi - lo);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, head_dim, cols, 1.0f, scores, cols, values, stride,
                0.0f, o, heads * head_dim);
  });
}

// How the query-by-query path splits the work; shared by Attention and AttentionWorkFloats.
struct QuerySplit {
  int threads;
  int64_t slice;  // query heads of a GQA group per work item
  int64_t slices;
};
QuerySplit SplitQueries(int64_t tokens, int64_t kv_len, const AttentionParams& p) {
  const int64_t group = p.num_heads / p.num_kv_heads;
  // A work item is a slice of one GQA group at one token: the kernel then reads each K/V row once for the
  // whole slice. Groups are sliced only as far as needed to give every thread about two items (decode has
  // one token and few kv heads).
  const int64_t work = tokens * p.num_heads * std::max<int64_t>(kv_len, 1) * p.head_dim * 4;
  const int threads = internal::ThreadsFor(work, tokens * p.num_heads);
  const int64_t groups = tokens * p.num_kv_heads;
  const int64_t wanted_slices = std::min(group, (2 * int64_t{threads} + groups - 1) / groups);
  const int64_t slice = (group + wanted_slices - 1) / wanted_slices;
  return {threads, slice, (group + slice - 1) / slice};
}

}  // namespace

int64_t AttentionWorkFloats(const AttentionParams& params, int64_t max_kv_len, DType kv_dtype, int threads) {
  const int64_t group = params.num_heads / std::max<int64_t>(params.num_kv_heads, 1);
  const int64_t per_thread = std::max(GemmItemFloats(max_kv_len, params.head_dim, kv_dtype),
                                      QueryItemFloats(group, max_kv_len, params.head_dim, kv_dtype));
  return per_thread * std::max(threads, 1);
}

void Attention(const float* q, int64_t tokens, int64_t pos0, const KvRows& k, const KvRows& v, int64_t kv_len,
               float* out, const AttentionParams& params, absl::Span<float> work) {
  const int64_t heads = params.num_heads;
  const int64_t kv_heads = params.num_kv_heads;
  const int64_t head_dim = params.head_dim;
  const int64_t group = heads / kv_heads;
  if (tokens <= 0 || heads <= 0) return;
  TTT_CHECK(k.dtype == DType::kF32 || k.dtype == DType::kBF16 || k.dtype == DType::kBFP8);
  TTT_CHECK(head_dim <= kernels::internal::kMaxKvHeadDim || k.dtype != DType::kBFP8);
  if (tokens >= kGemmMinQueries) {
    const int64_t items = heads * ((tokens + kQueryBlock - 1) / kQueryBlock);
    const int threads = internal::ThreadsFor(tokens * heads * kv_len * head_dim * 4, items);
    if (static_cast<int64_t>(work.size()) < AttentionWorkFloats(params, kv_len, k.dtype, threads)) work = {};
    AttentionByGemm(q, tokens, pos0, k, v, kv_len, out, params, work, threads);
    return;
  }
  const kernels::AttentionQueriesKvFn fn = kernels::ActiveKernels().attention_queries_kv;
  const QuerySplit split = SplitQueries(tokens, kv_len, params);
  if (static_cast<int64_t>(work.size()) < AttentionWorkFloats(params, kv_len, k.dtype, split.threads)) work = {};
  const int64_t per_thread = work.empty() ? 0 : static_cast<int64_t>(work.size()) / split.threads;
  const int64_t items = tokens * kv_heads * split.slices;
  // Causal queries late in the sequence see more keys, so items are dealt out dynamically in small chunks.
  const int64_t chunk = std::max<int64_t>(1, items / (int64_t{split.threads} * 8));
  internal::ParallelItems(items, split.threads, chunk, [&](int64_t item, int thread) {
    const int64_t t = item / (kv_heads * split.slices);
    const int64_t kv_head = item / split.slices % kv_heads;
    const int64_t first = item % split.slices * split.slice;
    const int64_t count = std::min(split.slice, group - first);
    const int64_t h = kv_head * group + first;
    const KeyRange keys = VisibleKeys(pos0 + t, kv_len, params);
    float* scratch = ThreadWork(work, per_thread, QueryItemFloats(count, keys.end - keys.begin, head_dim, k.dtype),
                                thread);
    // The call's queries are heads h.. at token t: their bias rows are tokens * kv_len apart.
    const kernels::ScoreBias bias{params.slopes ? params.slopes + h : nullptr, pos0 + t, params.softcap,
                                  params.bias ? params.bias + (h * tokens + t) * kv_len : nullptr, tokens * kv_len};
    fn(q + (t * heads + h) * head_dim, count, k.data, v.data, k.dtype, k.row_bytes, kv_head * head_dim, keys.begin,
       keys.end, head_dim, params.scale, bias, scratch, out + (t * heads + h) * head_dim);
  });
}

void Attention(const float* q, int64_t tokens, int64_t pos0, const float* k, const float* v, int64_t kv_len,
               int64_t kv_stride, float* out, const AttentionParams& params) {
  const int64_t row_bytes = kv_stride * static_cast<int64_t>(sizeof(float));
  Attention(q, tokens, pos0, KvRows{k, DType::kF32, row_bytes}, KvRows{v, DType::kF32, row_bytes}, kv_len, out,
            params);
}

}  // namespace ttt::ops
