// Row-wise ops (norms, softmax): threads take whole rows.
#include "core/kernels/kernel_table.h"
#include "core/ops/internal/parallel.h"
#include "core/ops/ops.h"

namespace ttt::ops {
namespace {
// A normalised element costs about 4 flops (square-accumulate, scale, gain); softmax about 20 (exp).
constexpr int64_t kNormCost = 4;
constexpr int64_t kSoftmaxCost = 20;
}  // namespace

void RmsNorm(const float* x, const float* weight, float* out, int64_t rows, int64_t dim, float eps,
             bool unit_offset) {
  const kernels::RmsNormRowFn fn = kernels::ActiveKernels().rmsnorm_row;
  internal::ParallelRanges(rows, rows * dim * kNormCost, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) fn(x + r * dim, weight, out + r * dim, dim, eps, unit_offset);
  });
}

void LayerNorm(const float* x, const float* weight, const float* bias, float* out, int64_t rows, int64_t dim,
               float eps) {
  const kernels::LayerNormRowFn fn = kernels::ActiveKernels().layernorm_row;
  internal::ParallelRanges(rows, rows * dim * kNormCost, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) fn(x + r * dim, weight, bias, out + r * dim, dim, eps);
  });
}

void Softmax(float* x, int64_t rows, int64_t cols) {
  const kernels::SoftmaxRowFn fn = kernels::ActiveKernels().softmax_row;
  internal::ParallelRanges(rows, rows * cols * kSoftmaxCost, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) fn(x + r * cols, cols);
  });
}

}  // namespace ttt::ops
