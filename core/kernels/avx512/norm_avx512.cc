// Row norms and softmax. Sums use two 16-lane accumulators and one fixed reduction.
#include <cmath>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/vec_math_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

float SumOfSquares(const float* x, int64_t n) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 a = _mm512_loadu_ps(x + i), b = _mm512_loadu_ps(x + i + 16);
    acc0 = _mm512_fmadd_ps(a, a, acc0);
    acc1 = _mm512_fmadd_ps(b, b, acc1);
  }
  for (; i < n; i += 16) {
    const __m512 a = _mm512_maskz_loadu_ps(TailMask(n - i < 16 ? n - i : 16), x + i);
    acc0 = _mm512_fmadd_ps(a, a, acc0);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

// sum of (x - center)^(power) for power 1 or 2.
template <int kPower>
float CenteredSum(const float* x, int64_t n, float center) {
  const __m512 c = _mm512_set1_ps(center);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 a = _mm512_sub_ps(_mm512_loadu_ps(x + i), c), b = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), c);
    acc0 = kPower == 2 ? _mm512_fmadd_ps(a, a, acc0) : _mm512_add_ps(a, acc0);
    acc1 = kPower == 2 ? _mm512_fmadd_ps(b, b, acc1) : _mm512_add_ps(b, acc1);
  }
  for (; i < n; i += 16) {
    const __mmask16 mask = TailMask(n - i < 16 ? n - i : 16);
    const __m512 a = _mm512_maskz_sub_ps(mask, _mm512_maskz_loadu_ps(mask, x + i), c);
    acc0 = kPower == 2 ? _mm512_fmadd_ps(a, a, acc0) : _mm512_add_ps(a, acc0);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

}  // namespace

void RmsNormRow(const float* x, const float* w, float* out, int64_t dim, float eps, bool unit_offset) {
  const __m512 inv = _mm512_set1_ps(1.0f / std::sqrt(SumOfSquares(x, dim) / static_cast<float>(dim) + eps));
  const __m512 offset = _mm512_set1_ps(unit_offset ? 1.0f : 0.0f);
  for (int64_t i = 0; i < dim; i += 16) {
    const __mmask16 mask = TailMask(dim - i < 16 ? dim - i : 16);
    const __m512 gain = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, w + i), offset);
    const __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x + i), inv), gain);
    _mm512_mask_storeu_ps(out + i, mask, v);
  }
}

void LayerNormRow(const float* x, const float* w, const float* b, float* out, int64_t dim, float eps) {
  // Two passes (mean, then centred variance) avoid the cancellation of E[x^2] - E[x]^2; the mean itself is
  // refined by the mean of the residuals.
  float mean = CenteredSum<1>(x, dim, 0.0f) / static_cast<float>(dim);
  mean += CenteredSum<1>(x, dim, mean) / static_cast<float>(dim);
  const float var = CenteredSum<2>(x, dim, mean) / static_cast<float>(dim);
  const __m512 inv = _mm512_set1_ps(1.0f / std::sqrt(var + eps));
  const __m512 mv = _mm512_set1_ps(mean);
  for (int64_t i = 0; i < dim; i += 16) {
    const __mmask16 mask = TailMask(dim - i < 16 ? dim - i : 16);
    const __m512 centred = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, x + i), mv);
    const __m512 bias = b != nullptr ? _mm512_maskz_loadu_ps(mask, b + i) : _mm512_setzero_ps();
    const __m512 v = _mm512_fmadd_ps(_mm512_mul_ps(centred, inv), _mm512_maskz_loadu_ps(mask, w + i), bias);
    _mm512_mask_storeu_ps(out + i, mask, v);
  }
}

void SoftmaxRow(float* x, int64_t n) {
  if (n <= 0) return;
  __m512 maxv = _mm512_set1_ps(-INFINITY);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = TailMask(n - i < 16 ? n - i : 16);
    maxv = _mm512_mask_max_ps(maxv, mask, maxv, _mm512_maskz_loadu_ps(mask, x + i));
  }
  const __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(maxv));
  __m512 sum = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = TailMask(n - i < 16 ? n - i : 16);
    const __m512 e = _mm512_maskz_mov_ps(mask, Exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, x + i), max)));
    sum = _mm512_add_ps(sum, e);
    _mm512_mask_storeu_ps(x + i, mask, e);
  }
  const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = TailMask(n - i < 16 ? n - i : 16);
    _mm512_mask_storeu_ps(x + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x + i), inv));
  }
}

}  // namespace ttt::kernels::avx512
