// Element-wise kernels for AVX2: core/kernels/generic/elementwise.h over simd::Avx2.
#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/generic/elementwise.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {

using simd::Avx2;

void Silu(const float* x, float* out, int64_t n) { generic::Silu<Avx2>(x, out, n); }
void Relu(const float* x, float* out, int64_t n) { generic::Relu<Avx2>(x, out, n); }
void GeluErf(const float* x, float* out, int64_t n) { generic::GeluErf<Avx2>(x, out, n); }
void GeluTanh(const float* x, float* out, int64_t n) { generic::GeluTanh<Avx2>(x, out, n); }
void SoftCap(const float* x, float* out, int64_t n, float cap) { generic::SoftCap<Avx2>(x, out, n, cap); }

void Add(const float* a, const float* b, float* out, int64_t n) { generic::Add<Avx2>(a, b, out, n); }
void Mul(const float* a, const float* b, float* out, int64_t n) { generic::Mul<Avx2>(a, b, out, n); }
void SiluMul(const float* a, const float* b, float* out, int64_t n) { generic::SiluMul<Avx2>(a, b, out, n); }
void GeluErfMul(const float* a, const float* b, float* out, int64_t n) { generic::GeluErfMul<Avx2>(a, b, out, n); }
void GeluTanhMul(const float* a, const float* b, float* out, int64_t n) {
  generic::GeluTanhMul<Avx2>(a, b, out, n);
}

}  // namespace ttt::kernels::avx2
