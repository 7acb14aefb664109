// The scalar definition of the panel GEMV (kernel_table.h: GemvF32PanelsFn): one FMA chain per output over
// k in order. Every ISA's kernel gives these bits.
#include <cmath>

#include "core/kernels/internal/f32_panels.h"
#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels::reference {

void GemvF32Panels(const float* x, int64_t m, int64_t k, const float* panels, int64_t n, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy) {
  for (int64_t j = n_begin; j < n_end; ++j) {
    const int64_t p0 = j - j % kF32PanelRows;
    const int64_t w = internal::F32PanelWidth(n, p0);
    const float* panel = panels + p0 * k + (j - p0);
    for (int64_t r = 0; r < m; ++r) {
      const float* xr = x + r * k;
      float acc = 0.0f;
      for (int64_t c = 0; c < k; ++c) acc = std::fma(panel[c * w], xr[c], acc);
      y[r * ldy + j] = acc;
    }
  }
}

}  // namespace ttt::kernels::reference
