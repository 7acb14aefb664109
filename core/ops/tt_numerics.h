// Emulating a Tenstorrent matrix engine on the CPU: the numerics of one matmul as a device would compute it
// (inputs unpacked to the engine's formats, the multiplier's mantissa limited per math-fidelity phase,
// accumulation in a BF16 or FP32 Dst, output packed to its dtype). Facts and sources: ../shared/notes
// tt-numerics.md §1-§2 (copied facts are cited next to the code that uses them).
//
// Interface shared by the hwconfig engine (which decides the numerics of each op from the resolved config)
// and the emulation kernels (which implement them).
#pragma once

#include <cstdint>

#include "core/ops/ops.h"
#include "core/runtime/dtype.h"

namespace ttt::ops {

enum class MathFidelity : int { kLoFi = 1, kHiFi2 = 2, kHiFi3 = 3, kHiFi4 = 4 };  // value = phases

struct TtMatmulNumerics {
  DType activation_dtype = DType::kBF16;  // what the non-weight input is rounded to: f32 (-> TF32), bf16, bfp8, bfp4
  MathFidelity fidelity = MathFidelity::kHiFi4;
  bool fp32_accumulation = false;        // false: Dst is BF16 and every accumulation is rounded to BF16
  DType output_dtype = DType::kBF16;     // what the result is packed to: f32, bf16, bfp8, bfp4
};

// y[m, n] = x[m, k] . W^T + bias as the device computes it. W is stored in any LinearWeight dtype (its values
// are what the device holds); bias may be null.
void TtLinear(const float* x, int64_t m, const LinearWeight& weight, const float* bias, float* y,
              const TtMatmulNumerics& numerics);

// c[m, n] = a[m, k] . b[n, k]^T with device numerics on both operands (a is SrcB, b is SrcA): the
// matmuls inside attention (scores, weighted values).
void TtMatmulTransposedB(const float* a, const float* b, int64_t m, int64_t n, int64_t k, float* c,
                         const TtMatmulNumerics& numerics);

// Packs `rows` rows of `n` values in place to what a device-produced tensor of `dtype` holds (the packer
// every op's output goes through: a collective's sum, for one).
void TtPackRows(float* values, int64_t rows, int64_t n, DType dtype);

// Scaled dot-product attention (arguments as ops::Attention over KvRows) as the device computes it: both
// matmuls (scores = Q K^T, out = P V) on the matrix engine with `numerics`, the scale, mask and softmax
// in f32 on the vector engine, the probabilities entering P V rounded like any other activation.
void TtAttention(const float* q, int64_t tokens, int64_t pos0, const KvRows& k, const KvRows& v, int64_t kv_len,
                 float* out, const AttentionParams& params, const TtMatmulNumerics& numerics);

}  // namespace ttt::ops
