// Attention on an emulated Tenstorrent device: the per-op `sdpa` config (activation dtype, math fidelity,
// accumulation, output dtype) applied to the two matmuls of attention. Written for clarity, not speed:
// head by head, with the K/V rows decoded to f32 once per call (the device reads them in the cache's
// dtype, which the decoded values are exactly).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/visible_keys.h"
#include "core/ops/tt_numerics.h"
#include "core/runtime/check.h"

namespace ttt::ops {
namespace {

// Rows [0, kv_len) of a KV slab as f32 [kv_len, kv_dim].
void DecodeAllRows(const KvRows& rows, int64_t kv_len, int64_t kv_dim, std::vector<float>& dst) {
  dst.resize(static_cast<size_t>(kv_len * kv_dim));
  const char* base = static_cast<const char*>(rows.data);
  if (rows.dtype == DType::kF32) {
    for (int64_t j = 0; j < kv_len; ++j) {
      std::memcpy(dst.data() + j * kv_dim, base + j * rows.row_bytes, kv_dim * sizeof(float));
    }
    return;
  }
  const kernels::DequantRowFn dequant = kernels::ActiveKernels().DequantRow(rows.dtype);
  for (int64_t j = 0; j < kv_len; ++j) dequant(base + j * rows.row_bytes, kv_dim, dst.data() + j * kv_dim);
}

// Masked, scaled softmax of one row of scores in place; keys outside [lo, hi) get probability 0. The scaled
// scores are soft-capped (softcap > 0), then `slope` (0: none) times minus each key's distance from `pos` is
// added (ALiBi), then `bias` (null: none; T5's relative position bias, one value per key), in f32 on the
// vector engine like the scale.
void MaskedSoftmax(float* row, int64_t cols, int64_t lo, int64_t hi, float scale, float softcap, float slope,
                   int64_t pos, const float* bias) {
  if (softcap > 0) {
    for (int64_t j = lo; j < hi; ++j) row[j] = softcap * std::tanh(row[j] * scale / softcap);
    scale = 1.0f;  // applied
  }
  if (slope != 0.0f) {
    for (int64_t j = lo; j < hi; ++j) row[j] = row[j] * scale + slope * -static_cast<float>(std::abs(j - pos));
    scale = 1.0f;  // applied
  }
  if (bias != nullptr) {
    for (int64_t j = lo; j < hi; ++j) row[j] = row[j] * scale + bias[j];
    scale = 1.0f;  // applied
  }
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t j = lo; j < hi; ++j) max = std::max(max, row[j] * scale);
  float sum = 0;
  for (int64_t j = 0; j < cols; ++j) {
    row[j] = j >= lo && j < hi ? std::exp(row[j] * scale - max) : 0.0f;
    sum += row[j];
  }
  const float inv = sum > 0 ? 1.0f / sum : 0.0f;
  for (int64_t j = lo; j < hi; ++j) row[j] *= inv;
}

}  // namespace

void TtAttention(const float* q, int64_t tokens, int64_t pos0, const KvRows& k, const KvRows& v, int64_t kv_len,
                 float* out, const AttentionParams& p, const TtMatmulNumerics& numerics) {
  const int64_t heads = p.num_heads, head_dim = p.head_dim, group = heads / p.num_kv_heads;
  const int64_t kv_dim = p.num_kv_heads * head_dim, q_stride = heads * head_dim;
  if (tokens <= 0 || heads <= 0) return;
  TTT_CHECK(kv_len > 0);
  // Reused across calls: decoding does not allocate once the buffers reached the model's context.
  thread_local std::vector<float> keys, values, qh, kh, vt, scores, oh;
  DecodeAllRows(k, kv_len, kv_dim, keys);
  DecodeAllRows(v, kv_len, kv_dim, values);
  qh.resize(tokens * head_dim);
  kh.resize(kv_len * head_dim);
  vt.resize(head_dim * kv_len);
  scores.resize(tokens * kv_len);
  oh.resize(tokens * head_dim);
  for (int64_t h = 0; h < heads; ++h) {
    const int64_t g = h / group;
    for (int64_t t = 0; t < tokens; ++t) {
      std::memcpy(&qh[t * head_dim], q + t * q_stride + h * head_dim, head_dim * sizeof(float));
    }
    for (int64_t j = 0; j < kv_len; ++j) {
      std::memcpy(&kh[j * head_dim], &keys[j * kv_dim + g * head_dim], head_dim * sizeof(float));
      for (int64_t d = 0; d < head_dim; ++d) vt[d * kv_len + j] = values[j * kv_dim + g * head_dim + d];
    }
    TtMatmulTransposedB(qh.data(), kh.data(), tokens, kv_len, head_dim, scores.data(), numerics);
    for (int64_t t = 0; t < tokens; ++t) {
      const internal::KeyRange visible = internal::VisibleKeys(pos0 + t, kv_len, p);
      MaskedSoftmax(&scores[t * kv_len], kv_len, visible.begin, visible.end, p.scale, p.softcap,
                    p.slopes ? p.slopes[h] : 0.0f, pos0 + t, p.bias ? p.bias + (h * tokens + t) * kv_len : nullptr);
    }
    TtMatmulTransposedB(scores.data(), vt.data(), tokens, head_dim, kv_len, oh.data(), numerics);
    for (int64_t t = 0; t < tokens; ++t) {
      std::memcpy(out + t * q_stride + h * head_dim, &oh[t * head_dim], head_dim * sizeof(float));
    }
  }
}

}  // namespace ttt::ops
