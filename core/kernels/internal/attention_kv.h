// Attention over a bf16/bfp8 KV cache. DecodeKvSlices decodes the kv head's slice of K/V rows with an ISA's
// DequantRow kernel; the AVX2/AVX-512 kernels use it on L1-sized tiles of 64 keys. AttentionQueriesKv here
// is the simple form (decode every visible row, then the ISA's f32 group kernel): used for f32 rows and
// empty ranges, and a reference of the tiled kernels' arithmetic.
//
// Defined in attention_kv.cc, compiled for the baseline ISA: the per-ISA kernels call them, and an inline
// definition compiled into both an AVX-512 and a baseline object could leave the linker keeping the AVX-512
// copy for everyone (the compiler may vectorise its loops with the object's flags).
#pragma once

#include <cstdint>

#include "core/kernels/kernel_table.h"

namespace ttt::kernels::internal {

// Largest head_dim the bfp8 unaligned-slice path decodes on the stack.
inline constexpr int64_t kMaxKvHeadDim = 1024;

// Decodes elements [col0, col0 + head_dim) of `count` rows (starting at row `first`) into dst[count, head_dim].
void DecodeKvSlices(DequantRowFn dequant, const void* base, DType dtype, int64_t row_bytes, int64_t col0,
                    int64_t first, int64_t count, int64_t head_dim, float* dst);

void AttentionQueriesKv(DequantRowFn dequant_bf16, DequantRowFn dequant_bfp8, AttentionQueriesFn attend,
                        const float* q, int64_t num_queries, const void* k, const void* v, DType kv_dtype,
                        int64_t row_bytes, int64_t col0, int64_t key_begin, int64_t key_end, int64_t head_dim,
                        float scale, ScoreBias bias, float* work, float* out);

}  // namespace ttt::kernels::internal
