// The dispatching ops: against the reference kernels and float64 computations, and across thread counts.
#include "core/ops/ops.h"

#include <cmath>
#include <string>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/test_values.h"
#include "core/runtime/threading.h"
#include "gtest/gtest.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace ttt::ops {
namespace {

using testing::ExpectClose;
using testing::RandomValues;

constexpr double kUnitRoundoff = 6e-8;

// Restores the thread count a test changed.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(NumThreads()) { SetNumThreads(n); }
  ~ThreadCount() { SetNumThreads(saved_); }

 private:
  int saved_;
};

std::vector<float> LinearReference(const std::vector<float>& x, int64_t m, const std::vector<float>& w,
                                   const std::vector<float>& bias, int64_t n, int64_t k) {
  std::vector<float> y(m * n);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = bias.empty() ? 0.0 : bias[j];
      for (int64_t i = 0; i < k; ++i) sum += static_cast<double>(x[r * k + i]) * w[j * k + i];
      y[r * n + j] = static_cast<float>(sum);
    }
  }
  return y;
}

TEST(Linear, MatchesFloat64OverShapesOnBothPaths) {
  for (int64_t m : {1, 2, 3, 5, 17, 128}) {
    for (int64_t n : {1, 17, 300}) {
      for (int64_t k : {1, 3, 16, 17, 576, 4097}) {
        auto x = RandomValues(m * k, 20), w = RandomValues(n * k, 21), bias = RandomValues(n, 22);
        Tensor weight = Tensor::FromF32({n, k}, w);
        for (bool with_bias : {false, true}) {
          std::vector<float> y(m * n, 999.0f);
          Linear(x.data(), m, weight, with_bias ? bias.data() : nullptr, y.data());
          auto expected = LinearReference(x, m, w, with_bias ? bias : std::vector<float>{}, n, k);
          // OpenBLAS does not document its summation order, so the bound is the worst case of a
          // sequential float sum, k roundings of a sum of |x w| (~k/4 for uniform [-1, 1] inputs).
          ExpectClose(y, expected, 0, (k + 16) * kUnitRoundoff * (k / 4.0 + 1),
                      "linear m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k));
        }
      }
    }
  }
}

TEST(Linear, OneAndTwoThreadsAgree) {
  const int64_t n = 1000, k = 576;
  auto w = RandomValues(n * k, 23);
  Tensor weight = Tensor::FromF32({n, k}, w);
  // The sgemm path (m >= 16) runs either OpenBLAS's own threads or single-threaded OpenBLAS on slices of
  // the output inside the OpenMP team, depending on openblas_get_num_threads(); both are checked.
  for (bool openblas_single : {false, true}) {
    for (int64_t m : {1, 3, 64}) {
      auto x = RandomValues(m * k, 24);
      std::vector<float> one(m * n), two(m * n);
      {
        ThreadCount threads(1);
        Linear(x.data(), m, weight, nullptr, one.data());
      }
      {
        ThreadCount threads(2);
        if (openblas_single) openblas_set_num_threads(1);
        Linear(x.data(), m, weight, nullptr, two.data());
      }
      // Each output is computed by one thread, in the same order, either way.
      ExpectClose(two, one, 0, 0,
                  "linear threads m=" + std::to_string(m) + (openblas_single ? " (openblas 1 thread)" : ""));
    }
  }
}

TEST(Linear, EmptyInnerDimensionGivesTheBias) {
  Tensor weight = Tensor::FromF32({3, 0}, {});
  const std::vector<float> bias = {1, 2, 3};
  for (int64_t m : {1, 20}) {
    std::vector<float> y(m * 3, 99.0f), expected;
    for (int64_t r = 0; r < m; ++r) expected.insert(expected.end(), bias.begin(), bias.end());
    Linear(nullptr, m, weight, bias.data(), y.data());
    EXPECT_EQ(y, expected);
  }
}

TEST(LinearDeathTest, RejectsWeightsWithoutAKernel) {
  // OpenMP and OpenBLAS threads exist by now: re-execute rather than fork a threaded process.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Tensor weight = Tensor::FromF32({4, 8}, RandomValues(32, 25)).To(DType::kF16);
  std::vector<float> x(8, 1.0f), y(4);
  EXPECT_DEATH(Linear(x.data(), 1, weight, nullptr, y.data()), "no CPU kernel for f16 weights");
}

TEST(Elementwise, OpsMatchReferenceKernelsOnBothThreadCounts) {
  const kernels::KernelTable& ref = kernels::Kernels(Isa::kScalar);
  const int64_t n = 300001;  // long enough to be split over threads
  auto a = RandomValues(n, 26, -8, 8), b = RandomValues(n, 27);
  std::vector<float> out(n), expected(n);
  for (int threads : {1, 2}) {
    ThreadCount count(threads);
    const std::string suffix = " threads=" + std::to_string(threads);
    Add(a.data(), b.data(), out.data(), n);
    ref.add(a.data(), b.data(), expected.data(), n);
    ExpectClose(out, expected, 0, 0, "add" + suffix);
    Mul(a.data(), b.data(), out.data(), n);
    ref.mul(a.data(), b.data(), expected.data(), n);
    ExpectClose(out, expected, 0, 0, "mul" + suffix);
    Relu(a.data(), out.data(), n);
    ref.relu(a.data(), expected.data(), n);
    ExpectClose(out, expected, 0, 0, "relu" + suffix);
    // Vectorised exp/erfc: a few 1e-7 relative, see kernels_vs_reference_test.cc.
    Silu(a.data(), out.data(), n);
    ref.silu(a.data(), expected.data(), n);
    ExpectClose(out, expected, 1e-5, 1e-20, "silu" + suffix);
    for (bool tanh : {false, true}) {
      Gelu(a.data(), out.data(), n, tanh);
      (tanh ? ref.gelu_tanh : ref.gelu_erf)(a.data(), expected.data(), n);
      ExpectClose(out, expected, 1e-5, 1e-20, "gelu" + suffix);
      GeluMul(a.data(), b.data(), out.data(), n, tanh);
      (tanh ? ref.gelu_tanh_mul : ref.gelu_erf_mul)(a.data(), b.data(), expected.data(), n);
      ExpectClose(out, expected, 1e-5, 1e-20, "gelu_mul" + suffix);
    }
    SiluMul(a.data(), b.data(), out.data(), n);
    ref.silu_mul(a.data(), b.data(), expected.data(), n);
    ExpectClose(out, expected, 1e-5, 1e-20, "silu_mul" + suffix);
  }
}

TEST(Norms, RowOpsMatchReferenceOnBothThreadCounts) {
  const kernels::KernelTable& ref = kernels::Kernels(Isa::kScalar);
  for (int64_t rows : {1, 3, 200}) {
    for (int64_t dim : {1, 17, 576}) {
      auto x = RandomValues(rows * dim, 28, -4, 4), w = RandomValues(dim, 29), b = RandomValues(dim, 30);
      std::vector<float> expected(rows * dim);
      std::vector<float> by_threads[2];
      for (int threads : {1, 2}) {
        ThreadCount count(threads);
        std::vector<float> out(rows * dim);
        RmsNorm(x.data(), w.data(), out.data(), rows, dim, 1e-6f, false);
        for (int64_t r = 0; r < rows; ++r) {
          ref.rmsnorm_row(x.data() + r * dim, w.data(), expected.data() + r * dim, dim, 1e-6f, false);
        }
        // Relative error of a float sum of squares of length dim (<= 576 / 8 + 64 roundings), halved by sqrt.
        ExpectClose(out, expected, 1e-5, 1e-30, "rmsnorm");
        LayerNorm(x.data(), w.data(), b.data(), out.data(), rows, dim, 1e-5f);
        for (int64_t r = 0; r < rows; ++r) {
          ref.layernorm_row(x.data() + r * dim, w.data(), b.data(), expected.data() + r * dim, dim, 1e-5f);
        }
        ExpectClose(out, expected, 1e-5, 1e-5, "layernorm");
        std::vector<float> soft = x;
        Softmax(soft.data(), rows, dim);
        expected = x;
        for (int64_t r = 0; r < rows; ++r) ref.softmax_row(expected.data() + r * dim, dim);
        ExpectClose(soft, expected, 1e-5, 1e-30, "softmax");
        by_threads[threads - 1] = soft;
      }
      ExpectClose(by_threads[1], by_threads[0], 0, 0, "softmax threads");
    }
  }
}

TEST(Rope, RotatesPerTokenPositionsAndLeavesTheRestAlone) {
  const int64_t tokens = 3, heads = 2, head_dim = 10, rotary_dim = 6, half = rotary_dim / 2, max_pos = 8;
  std::vector<float> cos(max_pos * half), sin(max_pos * half);
  for (int64_t p = 0; p < max_pos; ++p) {
    for (int64_t i = 0; i < half; ++i) {
      const double angle = p * std::pow(10000.0, -2.0 * i / rotary_dim);
      cos[p * half + i] = static_cast<float>(std::cos(angle));
      sin[p * half + i] = static_cast<float>(std::sin(angle));
    }
  }
  const int32_t positions[tokens] = {5, 0, 7};
  const auto x = RandomValues(tokens * heads * head_dim, 31);
  for (RopeConvention convention : {RopeConvention::kRotateHalf, RopeConvention::kInterleaved}) {
    auto out = x;
    Rope(out.data(), tokens, heads, head_dim, rotary_dim, positions, cos.data(), sin.data(), convention);
    for (int64_t t = 0; t < tokens; ++t) {
      for (int64_t h = 0; h < heads; ++h) {
        const float* in = x.data() + (t * heads + h) * head_dim;
        const float* got = out.data() + (t * heads + h) * head_dim;
        double norm_in = 0, norm_out = 0;
        for (int64_t i = 0; i < half; ++i) {
          const bool inter = convention == RopeConvention::kInterleaved;
          const int64_t ia = inter ? 2 * i : i, ib = inter ? 2 * i + 1 : i + half;
          const double angle = positions[t] * std::pow(10000.0, -2.0 * i / rotary_dim);
          EXPECT_NEAR(got[ia], in[ia] * std::cos(angle) - in[ib] * std::sin(angle), 1e-6);
          EXPECT_NEAR(got[ib], in[ia] * std::sin(angle) + in[ib] * std::cos(angle), 1e-6);
          norm_in += in[ia] * in[ia] + in[ib] * in[ib];
          norm_out += got[ia] * got[ia] + got[ib] * got[ib];
        }
        EXPECT_NEAR(norm_out, norm_in, 1e-5);
        for (int64_t i = rotary_dim; i < head_dim; ++i) EXPECT_EQ(got[i], in[i]);
      }
    }
  }
}

TEST(Embedding, GathersRowsOfEveryFloatDtype) {
  const int64_t vocab = 7, dim = 19;
  Tensor f32 = Tensor::FromF32({vocab, dim}, RandomValues(vocab * dim, 32));
  const int32_t ids[4] = {6, 0, 6, 3};
  for (DType dtype : {DType::kF32, DType::kF16, DType::kBF16}) {
    Tensor table = f32.To(dtype);
    const std::vector<float> rows = table.ToF32();
    std::vector<float> out(4 * dim);
    Embedding(table, ids, 4, out.data());
    for (int i = 0; i < 4; ++i) {
      for (int64_t d = 0; d < dim; ++d) {
        EXPECT_EQ(out[i * dim + d], rows[ids[i] * dim + d]) << DTypeName(dtype) << " id " << ids[i];
      }
    }
  }
}

TEST(EmbeddingDeathTest, RejectsIdsOutsideTheVocabulary) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Tensor table = Tensor::FromF32({3, 2}, {1, 2, 3, 4, 5, 6});
  const int32_t ids[1] = {3};
  std::vector<float> out(2);
  EXPECT_DEATH(Embedding(table, ids, 1, out.data()), "outside the vocabulary");
}

}  // namespace
}  // namespace ttt::ops
