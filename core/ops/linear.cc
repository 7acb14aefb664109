#include <cblas.h>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/op_check.h"
#include "core/ops/internal/parallel.h"
#include "core/ops/ops.h"

namespace ttt::ops {
namespace {

// From this many rows on, OpenBLAS sgemm beats the GEMV kernels (which stream the weight once and reuse it
// from L1 for each row). Measured with bench/ops_bench.cc BM_GemvRows vs BM_SgemmRows (1536x576, 2 threads,
// OpenBLAS 0.3.21 with its SkylakeX kernels): GEMV ~65 GFLOP/s for every m, sgemm 10 GFLOP/s at m = 1,
// 50 at m = 8, 88 at m = 16 and ~230 at m = 128. (With the SSE3 "Prescott" kernels that OpenBLAS 0.3.21
// falls back to on CPUs it does not know, sgemm stays near 30 GFLOP/s: set OPENBLAS_CORETYPE.)
constexpr int64_t kSgemmMinRows = 16;

// GEMV chunks are whole groups of weight rows so each thread's kernel runs its fast multi-row path.
constexpr int64_t kGemvRowAlign = 16;

// Columns [n_begin, n_end) of y[m, ldy] = x[m, k] . w[n, k]^T.
void Sgemm(const float* x, int64_t m, int64_t k, const float* w, int64_t n_begin, int64_t n_end, int64_t ldy,
           float* y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n_end - n_begin),
              static_cast<int>(k), 1.0f, x, static_cast<int>(k), w + n_begin * k, static_cast<int>(k), 0.0f,
              y + n_begin, static_cast<int>(ldy));
}

void AddBias(const float* bias, int64_t m, int64_t n, int64_t n_begin, int64_t n_end, float* y) {
  if (bias == nullptr) return;
  for (int64_t r = 0; r < m; ++r) {
    float* row = y + r * n;
    for (int64_t j = n_begin; j < n_end; ++j) row[j] += bias[j];
  }
}

}  // namespace

void Linear(const float* x, int64_t m, const Tensor& weight, const float* bias, float* y) {
  TTT_OP_CHECK(weight.rank() == 2 && weight.is_contiguous(),
               "ops::Linear: weight must be a contiguous 2-D tensor [n, k], got ", weight.DebugString(),
               "; call Contiguous() when building the block");
  TTT_OP_CHECK(kernels::ActiveKernels().Gemv(weight.dtype()) != nullptr,
               "ops::Linear: no CPU kernel for ", DTypeName(weight.dtype()), " weights yet (weight ",
               weight.DebugString(), "); configure f32 weights for this op in the hardware config");
  const int64_t n = weight.dim(0);
  const int64_t k = weight.dim(1);
  if (m <= 0 || n <= 0) return;
  if (k == 0) {  // an empty sum (cblas rejects lda = 0)
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t j = 0; j < n; ++j) y[r * n + j] = bias != nullptr ? bias[j] : 0.0f;
    }
    return;
  }
  const DType dtype = weight.dtype();

  if (m >= kSgemmMinRows && dtype == DType::kF32) {
    const float* w = weight.data<float>();
    if (openblas_get_num_threads() > 1) {
      // OpenBLAS runs its own thread pool.
      Sgemm(x, m, k, w, 0, n, n, y);
      internal::ParallelRanges(n, m * n, kGemvRowAlign,
                               [&](int64_t begin, int64_t end) { AddBias(bias, m, n, begin, end, y); });
      return;
    }
    // Single-threaded OpenBLAS inside the OpenMP team: one pool of threads for every op, instead of
    // OpenBLAS's pthreads and OpenMP's spinning against each other on the same cores.
    internal::ParallelRanges(n, 2 * m * n * k, kGemvRowAlign, [&](int64_t begin, int64_t end) {
      Sgemm(x, m, k, w, begin, end, n, y);
      AddBias(bias, m, n, begin, end, y);
    });
    return;
  }

  const kernels::GemvFn gemv = kernels::ActiveKernels().Gemv(dtype);
  const size_t row_bytes = StorageBytes(dtype, k);
  const void* w = weight.raw_data();
  internal::ParallelRanges(n, 2 * m * n * k, kGemvRowAlign, [&](int64_t begin, int64_t end) {
    gemv(x, m, k, w, row_bytes, begin, end, y, n);
    AddBias(bias, m, n, begin, end, y);
  });
}

}  // namespace ttt::ops
