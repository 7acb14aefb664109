#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels::reference {

// Each pair (a, b) turns by the angle theta: (a cos - b sin, a sin + b cos).
void RopeRotateHalf(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  for (int64_t i = 0; i < half_rotary_dim; ++i) {
    const double a = x[i];
    const double b = x[i + half_rotary_dim];
    x[i] = static_cast<float>(a * cos[i] - b * sin[i]);
    x[i + half_rotary_dim] = static_cast<float>(a * sin[i] + b * cos[i]);
  }
}

void RopeInterleaved(float* x, const float* cos, const float* sin, int64_t half_rotary_dim) {
  for (int64_t i = 0; i < half_rotary_dim; ++i) {
    const double a = x[2 * i];
    const double b = x[2 * i + 1];
    x[2 * i] = static_cast<float>(a * cos[i] - b * sin[i]);
    x[2 * i + 1] = static_cast<float>(a * sin[i] + b * cos[i]);
  }
}

}  // namespace ttt::kernels::reference
