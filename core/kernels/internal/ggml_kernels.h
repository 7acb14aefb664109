// The GEMV and dequantisation kernels of the ggml block formats (DType::kQ8_0 ... kQ6_K), kept apart from
// the tables' other entries: each ISA's file fills the ggml slots of a table it is given.
#pragma once

#include "core/kernels/kernel_table.h"

namespace ttt::kernels {

// The ggml dtypes that have kernels, in DType order.
inline constexpr DType kGgmlDTypes[] = {DType::kQ8_0, DType::kQ4_0, DType::kQ5_0, DType::kIQ4_NL,
                                        DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};

namespace reference {
// Decodes each weight row block by block (ggml::DecodeRow) and takes the reference's f32 dot products.
void AddGgmlKernels(KernelTable* table);
}  // namespace reference
namespace avx2 {
void AddGgmlKernels(KernelTable* table);
}  // namespace avx2
namespace avx512 {
void AddGgmlKernels(KernelTable* table);
}  // namespace avx512

}  // namespace ttt::kernels
