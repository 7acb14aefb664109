#include "core/kernels/internal/attention_kv.h"

#include <cstring>

namespace ttt::kernels::internal {

void DecodeKvSlices(DequantRowFn dequant, const void* base, DType dtype, int64_t row_bytes, int64_t col0,
                           int64_t first, int64_t count, int64_t head_dim, float* dst) {
  const char* rows = static_cast<const char*>(base) + first * row_bytes;
  if (dtype == DType::kBF16) {
    for (int64_t j = 0; j < count; ++j) dequant(rows + j * row_bytes + 2 * col0, head_dim, dst + j * head_dim);
    return;
  }
  // bfp8: start at the block holding col0; when the head starts inside a block (head_dim not a multiple of
  // 16, e.g. stories260K's 8) decode from the block start into a stack row and keep the head's part.
  const int64_t block = col0 / kBfpBlockSize, skip = col0 % kBfpBlockSize;
  const int64_t offset = block * static_cast<int64_t>(sizeof(Bfp8Block));
  if (skip == 0) {
    for (int64_t j = 0; j < count; ++j) dequant(rows + j * row_bytes + offset, head_dim, dst + j * head_dim);
    return;
  }
  float tmp[kMaxKvHeadDim + kBfpBlockSize];
  for (int64_t j = 0; j < count; ++j) {
    dequant(rows + j * row_bytes + offset, skip + head_dim, tmp);
    std::memcpy(dst + j * head_dim, tmp + skip, head_dim * sizeof(float));
  }
}

void AttentionQueriesKv(DequantRowFn dequant_bf16, DequantRowFn dequant_bfp8, AttentionQueriesFn attend,
                               const float* q, int64_t num_queries, const void* k, const void* v, DType kv_dtype,
                               int64_t row_bytes, int64_t col0, int64_t key_begin, int64_t key_end,
                               int64_t head_dim, float scale, ScoreBias bias, float* work, float* out) {
  const int64_t count = key_end > key_begin ? key_end - key_begin : 0;
  if (kv_dtype == DType::kF32) {
    const int64_t stride = row_bytes / static_cast<int64_t>(sizeof(float));
    attend(q, num_queries, static_cast<const float*>(k) + col0, static_cast<const float*>(v) + col0, stride,
           key_begin, key_end, head_dim, scale, bias, work, out);
    return;
  }
  if (count == 0) {
    for (int64_t d = 0; d < num_queries * head_dim; ++d) out[d] = 0.0f;
    return;
  }
  const DequantRowFn dequant = kv_dtype == DType::kBF16 ? dequant_bf16 : dequant_bfp8;
  float* scores = work;
  float* kf = scores + num_queries * count;
  float* vf = kf + count * head_dim;
  DecodeKvSlices(dequant, k, kv_dtype, row_bytes, col0, key_begin, count, head_dim, kf);
  DecodeKvSlices(dequant, v, kv_dtype, row_bytes, col0, key_begin, count, head_dim, vf);
  // The decoded rows start at key_begin: the query's position moves with them.
  attend(q, num_queries, kf, vf, head_dim, 0, count, head_dim, scale, bias.From(key_begin), scores, out);
}

}  // namespace ttt::kernels::internal
