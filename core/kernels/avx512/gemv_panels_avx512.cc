// The panel GEMV for AVX-512 (generic/gemv_f32_panels.h): one zmm per panel column. Up to 12 activation rows
// per tile over 2 panels (24 accumulators, 2 weight vectors, a broadcast: 27 of 32 registers; per column 2
// loads and 12 broadcasts feed 24 FMAs); 1-3 rows over 4 panels, so that even one row has 4 independent
// FMA chains in flight (a chain per panel waits the FMA's latency every column).
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/generic/gemv_f32_panels.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {
namespace {
struct Blocking {
  static constexpr int kMaxRows = 12;
  static constexpr int Panels(int rows) { return rows <= 3 ? 4 : 2; }
};
}  // namespace

void GemvF32Panels(const float* x, int64_t m, int64_t k, const float* panels, int64_t n, int64_t n_begin,
                   int64_t n_end, float* y, int64_t ldy) {
  generic::GemvF32Panels<simd::Avx512, Blocking>(x, m, k, panels, n, n_begin, n_end, y, ldy);
}

}  // namespace ttt::kernels::avx512
