#include "core/ops/machine_limits.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

extern "C" void openblas_set_num_threads(int num_threads);

#include "core/kernels/kernel_table.h"
#include "core/runtime/tensor.h"

namespace ttt {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

double MeasureMemoryReadBandwidth(int threads) {
  constexpr int64_t kFloats = int64_t{512} << 20 >> 2;  // 512 MiB, far beyond any last-level cache
  Tensor buffer = Tensor::Empty(DType::kF32, {kFloats});
  const float* data = buffer.data<float>();
  const kernels::DotFn dot = kernels::ActiveKernels().dot_f32;  // the SIMD kernel GEMV is built on
  double best = 0;
  volatile float sink = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double start = Now();
    float total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const int64_t id = omp_get_thread_num(), team = omp_get_num_threads();
      const int64_t begin = kFloats * id / team, end = kFloats * (id + 1) / team;
      total += dot(data + begin, data + begin, end - begin);  // streams each value once
    }
    double elapsed = Now() - start;
    sink = sink + total;
    if (rep > 0) best = std::max(best, kFloats * sizeof(float) / elapsed);  // the first pass faults pages in
  }
  return best;
}

double MeasureGemmPeak(int threads) {
  // The best of OpenBLAS's own threading, one single-threaded sgemm per OpenMP thread on a slice of the
  // columns (how ops::Linear runs compressed weights), on square matrices large enough to reach the kernels'
  // peak, and ttt's own f32 kernel (below).
  const int n = 1024;
  std::vector<float> a(n * n, 1.0f), b(n * n, 0.5f), c(n * n);
  double best = 0;
  for (bool openblas_threads : {true, false}) {
    openblas_set_num_threads(openblas_threads ? threads : 1);
    for (int rep = 0; rep < 4; ++rep) {
      double start = Now();
      if (openblas_threads) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f,
                    c.data(), n);
      } else {
#pragma omp parallel num_threads(threads)
        {
          const int t = omp_get_thread_num(), nt = omp_get_num_threads();
          const int begin = n * t / nt, end = n * (t + 1) / nt;
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, end - begin, n, 1.0f, a.data(), n,
                      b.data() + begin, n, 0.0f, c.data() + begin, n);
        }
      }
      double elapsed = Now() - start;
      if (rep > 0) best = std::max(best, 2.0 * n * n * n / elapsed);
    }
  }
  openblas_set_num_threads(1);  // OpenMP stays the only pool (threading.cc)
  // And ttt's own f32 kernel, the panel GEMV that runs f32 projections in both phases (kernel_table.h):
  // Debian's OpenBLAS 0.3.21 gives CPUs it does not know (Zen 4/5) its AVX2 kernels, which are not the
  // machine's peak. Each thread multiplies 64 rows by its own 256 x 512 weight (512 KiB, in its L2).
  const kernels::GemvF32PanelsFn panels = kernels::ActiveKernels().gemv_f32_panels;
  if (panels != nullptr) {
    constexpr int64_t kRows = 64, kOut = 256, kIn = 512, kCalls = 8;
    std::vector<float> x(kRows * kIn, 1.0f), w(threads * kOut * kIn, 0.5f), y(threads * kRows * kOut);
    for (int rep = 0; rep < 4; ++rep) {
      double start = Now();
#pragma omp parallel num_threads(threads)
      {
        const int64_t t = omp_get_thread_num();
        for (int call = 0; call < kCalls; ++call) {
          panels(x.data(), kRows, kIn, w.data() + t * kOut * kIn, kOut, 0, kOut, y.data() + t * kRows * kOut, kOut);
        }
      }
      double elapsed = Now() - start;
      if (rep > 0) best = std::max(best, 2.0 * threads * kCalls * kRows * kOut * kIn / elapsed);
    }
  }
  return best;
}

double MeasureGemmPeak(int threads, DType weights) {
  const kernels::GemvFn gemm = kernels::ActiveKernels().Gemm(weights);
  if (gemm == nullptr) return MeasureGemmPeak(threads);
  // As the f32 panel kernel above: each thread 64 rows by its own 256 x 512 weight, in its L2.
  constexpr int64_t kRows = 64, kOut = 256, kIn = 512, kCalls = 8;
  const size_t row_bytes = StorageBytes(weights, kIn);
  std::vector<float> x(kRows * kIn, 1.0f), y(threads * kRows * kOut);
  std::vector<char> w(threads * kOut * row_bytes, 0);  // zero bits: 0 in every format
  double best = 0;
  for (int rep = 0; rep < 4; ++rep) {
    double start = Now();
#pragma omp parallel num_threads(threads)
    {
      const int64_t t = omp_get_thread_num();
      for (int call = 0; call < kCalls; ++call) {
        gemm(x.data(), kRows, kIn, w.data() + t * kOut * row_bytes, row_bytes, 0, kOut, y.data() + t * kRows * kOut,
             kOut);
      }
    }
    double elapsed = Now() - start;
    if (rep > 0) best = std::max(best, 2.0 * threads * kCalls * kRows * kOut * kIn / elapsed);
  }
  return best;
}

}  // namespace ttt
