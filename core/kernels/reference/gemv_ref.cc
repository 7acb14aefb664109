#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels::reference {

float DotF32(const float* a, const float* b, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(sum);
}

void GemvF32(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
             int64_t n_end, float* y, int64_t ldy) {
  for (int64_t j = n_begin; j < n_end; ++j) {
    const float* row = reinterpret_cast<const float*>(static_cast<const char*>(w) + j * w_row_bytes);
    for (int64_t r = 0; r < m; ++r) y[r * ldy + j] = DotF32(x + r * k, row, k);
  }
}

}  // namespace ttt::kernels::reference
