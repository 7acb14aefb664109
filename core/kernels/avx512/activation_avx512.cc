// Element-wise kernels for AVX512: core/kernels/generic/elementwise.h over simd::Avx512.
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/generic/elementwise.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {

using simd::Avx512;

void Silu(const float* x, float* out, int64_t n) { generic::Silu<Avx512>(x, out, n); }
void Relu(const float* x, float* out, int64_t n) { generic::Relu<Avx512>(x, out, n); }
void GeluErf(const float* x, float* out, int64_t n) { generic::GeluErf<Avx512>(x, out, n); }
void GeluTanh(const float* x, float* out, int64_t n) { generic::GeluTanh<Avx512>(x, out, n); }
void SoftCap(const float* x, float* out, int64_t n, float cap) { generic::SoftCap<Avx512>(x, out, n, cap); }

void Add(const float* a, const float* b, float* out, int64_t n) { generic::Add<Avx512>(a, b, out, n); }
void Mul(const float* a, const float* b, float* out, int64_t n) { generic::Mul<Avx512>(a, b, out, n); }
void SiluMul(const float* a, const float* b, float* out, int64_t n) { generic::SiluMul<Avx512>(a, b, out, n); }
void GeluErfMul(const float* a, const float* b, float* out, int64_t n) { generic::GeluErfMul<Avx512>(a, b, out, n); }
void GeluTanhMul(const float* a, const float* b, float* out, int64_t n) {
  generic::GeluTanhMul<Avx512>(a, b, out, n);
}

}  // namespace ttt::kernels::avx512
