// AVX2 + FMA kernels. Declared here for kernel_table.cc, which never calls them unless ttt::BestIsa() is
// at least kAvx2; defined in *_avx2.cc files compiled with -mavx2 -mfma: most are core/kernels/generic/
// templates instantiated over simd::Avx2, the compressed-weight GEMVs and row decoders are AVX2's own
// (gemv_bf16_avx2.cc, gemv_int_dot_avx2.cc, dequant_row_avx2.cc).
// The Tenstorrent matmul kernels are inherited from the reference table.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/kernels/kernel_table.h"  // ScoreBias
#include "core/runtime/dtype.h"

namespace ttt::kernels::avx2 {

void GemvF32(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
             int64_t n_end, float* y, int64_t ldy);
float DotF32(const float* a, const float* b, int64_t n);
// Batched f32 decode on panel-packed weights (kernel_table.h: GemvF32PanelsFn).
void GemvF32Panels(const float* x, int64_t m, int64_t k, const float* panels, int64_t n, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy);
void PackPanels(const void* src, int64_t n, int64_t words, void* dst);
// Compressed weights (core/kernels/kernel_table.h: i8 results are unscaled).
void GemvBF16(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy);
void GemvI8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
            int64_t n_end, float* y, int64_t ldy);
void GemvBfp8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy);
void GemvBfp4(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy);
// bfp4 weights in the step layout of internal/bfp4_steps.h (kernel_table.h: KernelTable::gemv_bfp4_steps).
void GemvBfp4Steps(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy);
// i8 rows unscaled, as the GEMV kernels.
void DequantRowBF16(const void* w_row, int64_t k, float* out);
void DequantRowI8(const void* w_row, int64_t k, float* out);
void DequantRowBfp8(const void* w_row, int64_t k, float* out);
void DequantRowBfp4(const void* w_row, int64_t k, float* out);
// A bfp4 row in the step layout of internal/bfp4_steps.h (KernelTable::dequant_row_bfp4_steps).
void DequantRowBfp4Steps(const void* w_row, int64_t k, float* out);

void RmsNormRow(const float* x, const float* w, float* out, int64_t dim, float eps, bool unit_offset);
void LayerNormRow(const float* x, const float* w, const float* b, float* out, int64_t dim, float eps);
void SoftmaxRow(float* x, int64_t n);

void Silu(const float* x, float* out, int64_t n);
void Relu(const float* x, float* out, int64_t n);
void GeluErf(const float* x, float* out, int64_t n);
void GeluTanh(const float* x, float* out, int64_t n);
void SoftCap(const float* x, float* out, int64_t n, float cap);

void Add(const float* a, const float* b, float* out, int64_t n);
void Mul(const float* a, const float* b, float* out, int64_t n);
void SiluMul(const float* a, const float* b, float* out, int64_t n);
void GeluErfMul(const float* a, const float* b, float* out, int64_t n);
void GeluTanhMul(const float* a, const float* b, float* out, int64_t n);

void RopeRotateHalf(float* x, const float* cos, const float* sin, int64_t half_rotary_dim);
void RopeInterleaved(float* x, const float* cos, const float* sin, int64_t half_rotary_dim);

void AttentionQueries(const float* q, int64_t num_queries, const float* k, const float* v, int64_t kv_stride,
                      int64_t key_begin, int64_t key_end, int64_t head_dim, float scale, ScoreBias bias,
                      float* scores, float* out);
// AttentionQueries over bf16/bfp8/f32 K/V rows (kernel_table.h AttentionQueriesKvFn).
void AttentionQueriesKv(const float* q, int64_t num_queries, const void* k, const void* v, DType kv_dtype,
                        int64_t row_bytes, int64_t col0, int64_t key_begin, int64_t key_end, int64_t head_dim,
                        float scale, ScoreBias bias, float* work, float* out);

}  // namespace ttt::kernels::avx2
