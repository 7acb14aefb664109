// Row norms and softmax for AVX512: core/kernels/generic/norm.h over simd::Avx512.
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/generic/norm.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {

using simd::Avx512;

void RmsNormRow(const float* x, const float* w, float* out, int64_t dim, float eps, bool unit_offset) {
  generic::RmsNormRow<Avx512>(x, w, out, dim, eps, unit_offset);
}
void LayerNormRow(const float* x, const float* w, const float* b, float* out, int64_t dim, float eps) {
  generic::LayerNormRow<Avx512>(x, w, b, out, dim, eps);
}
void SoftmaxRow(float* x, int64_t n) { generic::SoftmaxRow<Avx512>(x, n); }

}  // namespace ttt::kernels::avx512
