// Element-wise kernels: full 16-lane vectors, then one masked vector for the tail.
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/avx512/vec_math_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

template <typename Op>
inline void Unary(const float* x, float* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, op(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 mask = TailMask(n - i);
    _mm512_mask_storeu_ps(out + i, mask, op(_mm512_maskz_loadu_ps(mask, x + i)));
  }
}

template <typename Op>
inline void Binary(const float* a, const float* b, float* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, op(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
  if (i < n) {
    const __mmask16 mask = TailMask(n - i);
    _mm512_mask_storeu_ps(out + i, mask, op(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i)));
  }
}

}  // namespace

void Silu(const float* x, float* out, int64_t n) { Unary(x, out, n, [](__m512 v) { return avx512::Silu(v); }); }
void Relu(const float* x, float* out, int64_t n) {
  Unary(x, out, n, [](__m512 v) { return _mm512_max_ps(v, _mm512_setzero_ps()); });
}
void GeluErf(const float* x, float* out, int64_t n) {
  Unary(x, out, n, [](__m512 v) { return avx512::GeluErf(v); });
}
void GeluTanh(const float* x, float* out, int64_t n) {
  Unary(x, out, n, [](__m512 v) { return avx512::GeluTanh(v); });
}

void Add(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m512 u, __m512 v) { return _mm512_add_ps(u, v); });
}
void Mul(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m512 u, __m512 v) { return _mm512_mul_ps(u, v); });
}
void SiluMul(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m512 u, __m512 v) { return _mm512_mul_ps(avx512::Silu(u), v); });
}
void GeluErfMul(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m512 u, __m512 v) { return _mm512_mul_ps(avx512::GeluErf(u), v); });
}
void GeluTanhMul(const float* a, const float* b, float* out, int64_t n) {
  Binary(a, b, out, n, [](__m512 u, __m512 v) { return _mm512_mul_ps(avx512::GeluTanh(u), v); });
}

}  // namespace ttt::kernels::avx512
