// Attention for the queries of one GQA group on AVX2: core/kernels/generic/attention.h over simd::Avx2,
// bf16/bfp8 K/V rows decoded by this ISA's row decoders.
#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/generic/attention.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {

using simd::Avx2;

void AttentionQueries(const float* q, int64_t num_queries, const float* k, const float* v, int64_t kv_stride,
                      int64_t key_begin, int64_t key_end, int64_t head_dim, float scale, ScoreBias bias,
                      float* scores, float* out) {
  generic::AttentionQueries<Avx2>(q, num_queries, k, v, kv_stride, key_begin, key_end, head_dim, scale, bias,
                                  scores, out);
}

void AttentionQueriesKv(const float* q, int64_t num_queries, const void* k, const void* v, DType kv_dtype,
                        int64_t row_bytes, int64_t col0, int64_t key_begin, int64_t key_end, int64_t head_dim,
                        float scale, ScoreBias bias, float* work, float* out) {
  generic::AttentionQueriesKv<Avx2>(DequantRowBF16, DequantRowBfp8, q, num_queries, k, v, kv_dtype, row_bytes,
                                    col0, key_begin, key_end, head_dim, scale, bias, work, out);
}

}  // namespace ttt::kernels::avx2
