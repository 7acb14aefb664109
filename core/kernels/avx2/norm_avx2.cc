// Row norms and softmax for AVX2: core/kernels/generic/norm.h over simd::Avx2.
#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/generic/norm.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {

using simd::Avx2;

void RmsNormRow(const float* x, const float* w, float* out, int64_t dim, float eps, bool unit_offset) {
  generic::RmsNormRow<Avx2>(x, w, out, dim, eps, unit_offset);
}
void LayerNormRow(const float* x, const float* w, const float* b, float* out, int64_t dim, float eps) {
  generic::LayerNormRow<Avx2>(x, w, b, out, dim, eps);
}
void SoftmaxRow(float* x, int64_t n) { generic::SoftmaxRow<Avx2>(x, n); }

}  // namespace ttt::kernels::avx2
