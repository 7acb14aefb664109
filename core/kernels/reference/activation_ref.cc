#include <cmath>

#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels::reference {
namespace {

double SiluOf(double x) { return x / (1.0 + std::exp(-x)); }
// 0.5 x (1 + erf(x / sqrt 2)) written with erfc so that the negative tail keeps its relative precision.
double GeluErfOf(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
// 0.5 x (1 + tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x^3), written as x / (1 + exp(-2u)) (the same value:
// (1 + tanh u) / 2 = sigmoid(2u)) because 1 + tanh(u) cancels catastrophically for x below about -5, even in
// double.
double GeluTanhOf(double x) {
  const double kSqrt2OverPi = 0.7978845608028654;
  const double u = kSqrt2OverPi * (x + 0.044715 * x * x * x);
  return x / (1.0 + std::exp(-2.0 * u));
}

}  // namespace

void Silu(const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(SiluOf(x[i]));
}
void Relu(const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
void GeluErf(const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(GeluErfOf(x[i]));
}
void GeluTanh(const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(GeluTanhOf(x[i]));
}

void SoftCap(const float* x, float* out, int64_t n, float cap) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(cap * std::tanh(static_cast<double>(x[i]) / cap));
}

void SiluMul(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(SiluOf(a[i]) * b[i]);
}
void GeluErfMul(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(GeluErfOf(a[i]) * b[i]);
}
void GeluTanhMul(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(GeluTanhOf(a[i]) * b[i]);
}

void Add(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}
void Mul(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

}  // namespace ttt::kernels::reference
