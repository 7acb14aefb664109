// Element-wise ops: split into contiguous ranges over threads when long enough (prefill), one call otherwise.
#include "core/kernels/kernel_table.h"
#include "core/ops/internal/parallel.h"
#include "core/ops/ops.h"

namespace ttt::ops {
namespace {

// Transcendental activations cost ~20 flops per element, add/mul ~1 (both memory-bound at large n).
constexpr int64_t kActivationCost = 20;
constexpr int64_t kSimdAlign = 16;

void RunUnary(kernels::UnaryFn fn, const float* x, float* out, int64_t n, int64_t cost) {
  internal::ParallelRanges(n, n * cost, kSimdAlign,
                           [&](int64_t begin, int64_t end) { fn(x + begin, out + begin, end - begin); });
}

void RunBinary(kernels::BinaryFn fn, const float* a, const float* b, float* out, int64_t n, int64_t cost) {
  internal::ParallelRanges(n, n * cost, kSimdAlign, [&](int64_t begin, int64_t end) {
    fn(a + begin, b + begin, out + begin, end - begin);
  });
}

}  // namespace

void Add(const float* a, const float* b, float* out, int64_t n) {
  RunBinary(kernels::ActiveKernels().add, a, b, out, n, 1);
}
void Mul(const float* a, const float* b, float* out, int64_t n) {
  RunBinary(kernels::ActiveKernels().mul, a, b, out, n, 1);
}

void Silu(const float* x, float* out, int64_t n) {
  RunUnary(kernels::ActiveKernels().silu, x, out, n, kActivationCost);
}
void Relu(const float* x, float* out, int64_t n) { RunUnary(kernels::ActiveKernels().relu, x, out, n, 1); }
void Gelu(const float* x, float* out, int64_t n, bool tanh_approximation) {
  const kernels::KernelTable& t = kernels::ActiveKernels();
  RunUnary(tanh_approximation ? t.gelu_tanh : t.gelu_erf, x, out, n, kActivationCost);
}

void SoftCap(float* x, int64_t n, float cap) {
  const kernels::SoftCapFn fn = kernels::ActiveKernels().softcap;
  internal::ParallelRanges(n, n * kActivationCost, kSimdAlign,
                           [&](int64_t begin, int64_t end) { fn(x + begin, x + begin, end - begin, cap); });
}

void SiluMul(const float* gate, const float* up, float* out, int64_t n) {
  RunBinary(kernels::ActiveKernels().silu_mul, gate, up, out, n, kActivationCost);
}
void GeluMul(const float* gate, const float* up, float* out, int64_t n, bool tanh_approximation) {
  const kernels::KernelTable& t = kernels::ActiveKernels();
  RunBinary(tanh_approximation ? t.gelu_tanh_mul : t.gelu_erf_mul, gate, up, out, n, kActivationCost);
}

}  // namespace ttt::ops
