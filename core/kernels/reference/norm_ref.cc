#include <cmath>

#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels::reference {

void RmsNormRow(const float* x, const float* w, float* out, int64_t dim, float eps, bool unit_offset) {
  double sum_sq = 0;
  for (int64_t i = 0; i < dim; ++i) sum_sq += static_cast<double>(x[i]) * x[i];
  const double inv_rms = 1.0 / std::sqrt(sum_sq / static_cast<double>(dim) + eps);
  for (int64_t i = 0; i < dim; ++i) {
    const double gain = unit_offset ? 1.0 + w[i] : static_cast<double>(w[i]);
    out[i] = static_cast<float>(x[i] * inv_rms * gain);
  }
}

void LayerNormRow(const float* x, const float* w, const float* b, float* out, int64_t dim, float eps) {
  double sum = 0;
  for (int64_t i = 0; i < dim; ++i) sum += x[i];
  const double mean = sum / static_cast<double>(dim);
  double sum_sq = 0;
  for (int64_t i = 0; i < dim; ++i) sum_sq += (x[i] - mean) * (x[i] - mean);
  const double inv_std = 1.0 / std::sqrt(sum_sq / static_cast<double>(dim) + eps);
  for (int64_t i = 0; i < dim; ++i) {
    const double bias = b != nullptr ? b[i] : 0.0;
    out[i] = static_cast<float>((x[i] - mean) * inv_std * w[i] + bias);
  }
}

void SoftmaxRow(float* x, int64_t n) {
  if (n <= 0) return;
  float max = x[0];
  for (int64_t i = 1; i < n; ++i) max = std::fmax(max, x[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i]) - max);
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(std::exp(static_cast<double>(x[i]) - max) / sum);
}

}  // namespace ttt::kernels::reference
