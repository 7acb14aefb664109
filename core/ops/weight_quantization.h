// Converting f32 Linear weights [n, k] to the compressed dtypes ops::Linear has GEMV kernels for, when a
// hardware config asks for smaller weights than the checkpoint stores. Decode reads every weight byte once
// per token, so bf16 halves its time, i8 and bfp8 quarter it (nearly: bfp8 is 17 bytes per 16 values), and
// bfp4 (9 bytes per 16 values) cuts it about sevenfold.
//
//   bf16: round to nearest even (relative error <= 2^-8).
//   i8:   symmetric per output row: scale_j = max_i |w[j, i]| / 127, q = round-to-nearest(w / scale_j), so
//         |w - q * scale_j| <= scale_j / 2. An all-zero row gets scale 0.
//   bfp8, bfp4: ttt::ConvertFromF32 row by row (tt-metal's encoder), each row padded with zeros to whole
//         blocks of 16; error <= one step of the block's magnitude, 2^-6 (bfp8) or 2^-2 (bfp4) of the
//         block's largest |value|.
#pragma once

#include "absl/status/statusor.h"
#include "core/ops/ops.h"
#include "core/runtime/tensor.h"

namespace ttt::ops {

// `weight` is a 2-D tensor [n, k] of any dtype (converted to f32 first); `dtype` is f32, bf16, i8, bfp8 or
// bfp4. Fails on other dtypes, on other ranks, and on non-finite weights (naming the first bad element).
absl::StatusOr<LinearWeight> QuantizeWeight(const Tensor& weight, DType dtype);

// The f32 values a LinearWeight stands for ([n, k]; i8 rows multiplied by their scales): what the GEMV
// kernels compute with, for tests and for measuring quantisation error.
Tensor DequantizeWeight(const LinearWeight& weight);
// `weight`'s values row-major, in their dtype: panels (LinearWeight::panels) unpacked into a new tensor, others
// as they are.
Tensor RowMajorValues(const LinearWeight& weight);

}  // namespace ttt::ops
