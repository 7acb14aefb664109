// The panel GEMV for AVX2 (generic/gemv_f32_panels.h): two ymm per panel column. Up to 6 activation rows per
// tile over one panel (12 accumulators, 2 weight vectors, a broadcast: 15 of 16 registers, the classic 6x16
// sgemm micro-kernel); 2 rows over 2 panels (8 independent FMA chains); one row (decode) over 4 panels, 8
// chains and four weight streams: SmolLM-135M f32 decode under TTT_ISA=avx2, 1 thread, alternating runs on a
// Zen 5, 44.8-48.0 tokens/s (70-84% of the read bandwidth) over 2 panels, 46.8-52.1 (91-94%) over 4.
#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/generic/gemv_f32_panels.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {
namespace {
struct Blocking {
  static constexpr int kMaxRows = 6;
  static constexpr int Panels(int rows) { return rows <= 1 ? 4 : rows <= 2 ? 2 : 1; }
};
}  // namespace

void GemvF32Panels(const float* x, int64_t m, int64_t k, const float* panels, int64_t n, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy) {
  generic::GemvF32Panels<simd::Avx2, Blocking>(x, m, k, panels, n, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx2
