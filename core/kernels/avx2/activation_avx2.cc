// Element-wise kernels, norms and softmax for AVX2: full 8-lane vectors, then one masked vector for the tail.
#include <immintrin.h>

#include <cmath>

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/avx2/vec_math_avx2.h"

namespace ttt::kernels::avx2 {
namespace {

template <typename Op>
inline void Unary(const float* x, float* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, op(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i mask = TailMask(n - i);
    _mm256_maskstore_ps(out + i, mask, op(_mm256_maskload_ps(x + i, mask)));
  }
}

template <typename Op>
inline void Binary(const float* a, const float* b, float* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, op(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  if (i < n) {
    const __m256i mask = TailMask(n - i);
    _mm256_maskstore_ps(out + i, mask, op(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask)));
  }
}

}  // namespace

void Silu(const float* x, float* out, int64_t n) { Unary(x, out, n, [](__m256 v) { return avx2::Silu(v); }); }
void GeluErf(const float* x, float* out, int64_t n) { Unary(x, out, n, [](__m256 v) { return avx2::GeluErf(v); }); }
void GeluTanh(const float* x, float* out, int64_t n) {
  Unary(x, out, n, [](__m256 v) { return avx2::GeluTanh(v); });
}

void Add(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m256 u, __m256 v) { return _mm256_add_ps(u, v); });
}
void Mul(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m256 u, __m256 v) { return _mm256_mul_ps(u, v); });
}
void SiluMul(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m256 u, __m256 v) { return _mm256_mul_ps(avx2::Silu(u), v); });
}
void GeluErfMul(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m256 u, __m256 v) { return _mm256_mul_ps(avx2::GeluErf(u), v); });
}
void GeluTanhMul(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m256 u, __m256 v) { return _mm256_mul_ps(avx2::GeluTanh(u), v); });
}

void RmsNormRow(const float* x, const float* w, float* out, int64_t dim, float eps, bool unit_offset) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    acc0 = _mm256_fmadd_ps(a, a, acc0);
    acc1 = _mm256_fmadd_ps(b, b, acc1);
  }
  for (; i < dim; i += 8) {
    const __m256 a = _mm256_maskload_ps(x + i, TailMask(dim - i < 8 ? dim - i : 8));
    acc0 = _mm256_fmadd_ps(a, a, acc0);
  }
  const float sum_sq = ReduceAdd(_mm256_add_ps(acc0, acc1));
  const __m256 inv = _mm256_set1_ps(1.0f / std::sqrt(sum_sq / static_cast<float>(dim) + eps));
  const __m256 offset = _mm256_set1_ps(unit_offset ? 1.0f : 0.0f);
  for (i = 0; i < dim; i += 8) {
    const __m256i mask = TailMask(dim - i < 8 ? dim - i : 8);
    const __m256 gain = _mm256_add_ps(_mm256_maskload_ps(w + i, mask), offset);
    _mm256_maskstore_ps(out + i, mask, _mm256_mul_ps(_mm256_mul_ps(_mm256_maskload_ps(x + i, mask), inv), gain));
  }
}

void SoftmaxRow(float* x, int64_t n) {
  if (n <= 0) return;
  float max = x[0];
  for (int64_t i = 1; i < n; ++i) max = std::fmax(max, x[i]);
  const __m256 maxv = _mm256_set1_ps(max);
  __m256 sum = _mm256_setzero_ps();
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i mask = TailMask(n - i < 8 ? n - i : 8);
    const __m256 e = _mm256_and_ps(_mm256_castsi256_ps(mask),
                                   Exp(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), maxv)));
    sum = _mm256_add_ps(sum, e);
    _mm256_maskstore_ps(x + i, mask, e);
  }
  const __m256 inv = _mm256_set1_ps(1.0f / ReduceAdd(sum));
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i mask = TailMask(n - i < 8 ? n - i : 8);
    _mm256_maskstore_ps(x + i, mask, _mm256_mul_ps(_mm256_maskload_ps(x + i, mask), inv));
  }
}

}  // namespace ttt::kernels::avx2
