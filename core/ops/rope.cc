#include "core/kernels/kernel_table.h"
#include "core/ops/internal/parallel.h"
#include "core/ops/ops.h"

namespace ttt::ops {

void Rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, int64_t rotary_dim,
          const int32_t* positions, const float* cos, const float* sin, RopeConvention convention) {
  const kernels::KernelTable& table = kernels::ActiveKernels();
  const kernels::RopeHeadFn fn =
      convention == RopeConvention::kRotateHalf ? table.rope_rotate_half : table.rope_interleaved;
  const int64_t half = rotary_dim / 2;
  // A rotated pair costs 6 flops.
  internal::ParallelRanges(tokens, tokens * heads * half * 6, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t pos = positions[t];
      for (int64_t h = 0; h < heads; ++h) {
        fn(x + (t * heads + h) * head_dim, cos + pos * half, sin + pos * half, half);
      }
    }
  });
}

}  // namespace ttt::ops
