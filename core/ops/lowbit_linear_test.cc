// Compressed Linear weights end to end: QuantizeWeight's error bounds and failures, and ops::Linear on
// bf16 / i8 / bfp8 / bfp4 weights (both the GEMV and the dequantise+sgemm path, bias, i8 scales, threads).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/test_values.h"
#include "core/ops/ops.h"
#include "core/ops/weight_quantization.h"
#include "core/runtime/threading.h"
#include "gtest/gtest.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace ttt::ops {
namespace {

using testing::ActivationRoundingBound;
using testing::RandomValues;

constexpr double kUnitRoundoff = 6e-8;
constexpr DType kCompressed[] = {DType::kBF16, DType::kI8, DType::kBFP8, DType::kBFP4};

class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(NumThreads()) { SetNumThreads(n); }
  ~ThreadCount() { SetNumThreads(saved_); }

 private:
  int saved_;
};

std::string Label(DType dtype, int64_t m, int64_t n, int64_t k) {
  return std::string(DTypeName(dtype)) + " m=" + std::to_string(m) + " n=" + std::to_string(n) +
         " k=" + std::to_string(k);
}

TEST(QuantizeWeight, ErrorsStayWithinEachFormatsBound) {
  const int64_t n = 37, k = 53;  // k not a multiple of the block size: the last block of a row is padded
  auto w = RandomValues(n * k, 40, -3, 3);
  for (int64_t i = 0; i < k; ++i) w[5 * k + i] *= 1e-3f;  // a row of small values: scales are per row/block
  const Tensor f32 = Tensor::FromF32({n, k}, w);
  for (DType dtype : kCompressed) {
    auto q = QuantizeWeight(f32, dtype);
    ASSERT_TRUE(q.ok()) << q.status();
    EXPECT_EQ(q->values.dtype(), dtype);
    EXPECT_EQ(q->values.shape(), (Shape{n, k}));
    EXPECT_EQ(q->row_scale.defined(), dtype == DType::kI8);
    const std::vector<float> back = DequantizeWeight(*q).ToF32();
    for (int64_t j = 0; j < n; ++j) {
      double row_max = 0;
      for (int64_t i = 0; i < k; ++i) row_max = std::max(row_max, std::fabs(static_cast<double>(w[j * k + i])));
      for (int64_t i = 0; i < k; ++i) {
        const double v = w[j * k + i];
        double block_max = 0;
        for (int64_t b = i / 16 * 16; b < std::min(k, i / 16 * 16 + 16); ++b) {
          block_max = std::max(block_max, std::fabs(static_cast<double>(w[j * k + b])));
        }
        double bound = 0;
        switch (dtype) {
          case DType::kBF16: bound = std::fabs(v) * 0x1p-8; break;  // half a unit of 8 significand bits
          // scale/2, plus the rounding of q * scale in float
          case DType::kI8: bound = row_max / 127 / 2 * (1 + 1e-6) + row_max * kUnitRoundoff; break;
          case DType::kBFP8: bound = block_max * 0x1p-6; break;
          default: bound = block_max * 0x1p-2; break;
        }
        ASSERT_LE(std::fabs(back[j * k + i] - v), bound)
            << DTypeName(dtype) << " w[" << j << ", " << i << "] = " << v << " came back as " << back[j * k + i];
      }
    }
  }
}

TEST(QuantizeWeight, Int8UsesTheFullRangeAndZeroRowsGetScaleZero) {
  std::vector<float> w = {0.5f, -2.0f, 1.0f, 0.0f, 0, 0, 0, 0, 3.0f, 1.5f, -0.75f, 0.0f};
  auto q = QuantizeWeight(Tensor::FromF32({3, 4}, w), DType::kI8);
  ASSERT_TRUE(q.ok()) << q.status();
  const int8_t* v = q->values.data<int8_t>();
  const float* s = q->row_scale.data<float>();
  EXPECT_EQ(v[1], -127);
  EXPECT_EQ(v[2], 64);  // 63.5 rounds to nearest even
  EXPECT_FLOAT_EQ(s[0], 2.0f / 127);
  EXPECT_EQ(s[1], 0.0f);
  for (int i = 4; i < 8; ++i) EXPECT_EQ(v[i], 0);
  EXPECT_EQ(v[8], 127);
  EXPECT_EQ(v[9], 64);  // 63.5 again
}

TEST(QuantizeWeight, RejectsWhatHasNoKernelAndCorruptWeights) {
  const Tensor w = Tensor::FromF32({2, 3}, {1, 2, 3, 4, 5, 6});
  for (DType dtype : {DType::kF16, DType::kI32}) {
    auto q = QuantizeWeight(w, dtype);
    ASSERT_FALSE(q.ok());
    EXPECT_NE(std::string(q.status().message()).find("no Linear kernels"), std::string::npos) << q.status();
  }
  auto rank = QuantizeWeight(Tensor::FromF32({6}, {1, 2, 3, 4, 5, 6}), DType::kBF16);
  EXPECT_FALSE(rank.ok());
  auto nan = QuantizeWeight(Tensor::FromF32({2, 3}, {1, 2, 3, 4, NAN, 6}), DType::kI8);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(std::string(nan.status().message()).find("row 1, column 1"), std::string::npos) << nan.status();
  // A bf16 checkpoint tensor is converted first; an f32 target is a plain copy.
  auto from_bf16 = QuantizeWeight(w.To(DType::kBF16), DType::kF32);
  ASSERT_TRUE(from_bf16.ok()) << from_bf16.status();
  EXPECT_EQ(from_bf16->values.ToF32(), w.ToF32());
}

// Linear on a compressed weight equals the float64 product with the weight it stands for (DequantizeWeight).
TEST(LowbitLinear, MatchesFloat64OnTheDecodedWeightOnBothPaths) {
  for (DType dtype : kCompressed) {
    for (int64_t m : {1, 3, 17}) {
      for (int64_t n : {1, 17, 300}) {
        for (int64_t k : {16, 17, 576, 4097}) {
          auto x = RandomValues(m * k, 41), bias = RandomValues(n, 42);
          auto q = QuantizeWeight(Tensor::FromF32({n, k}, RandomValues(n * k, 43)), dtype);
          ASSERT_TRUE(q.ok()) << q.status();
          const std::vector<float> w = DequantizeWeight(*q).ToF32();
          for (bool with_bias : {false, true}) {
            std::vector<float> y(m * n, 999.0f);
            Linear(x.data(), m, *q, with_bias ? bias.data() : nullptr, y.data());
            for (int64_t r = 0; r < m; ++r) {
              for (int64_t j = 0; j < n; ++j) {
                double sum = with_bias ? bias[j] : 0.0, abs_sum = 0;
                for (int64_t i = 0; i < k; ++i) {
                  sum += static_cast<double>(x[r * k + i]) * w[j * k + i];
                  abs_sum += std::fabs(static_cast<double>(x[r * k + i]) * w[j * k + i]);
                }
                // sgemm's order is undocumented: a sequential float sum's worst case, (k + 16) roundings of
                // sum |x w|, plus the i8 scale applied after the sum (a few roundings) and the bias. The
                // GEMV kernels (m < 16) and a dtype's own prompt GEMM (KernelTable::gemm) may round x
                // (ActivationRoundingBound).
                double tol = (k + 16) * kUnitRoundoff * (abs_sum + std::fabs(sum) + 1);
                if (m < 16 || kernels::ActiveKernels().Gemm(dtype) != nullptr) {
                  tol += ActivationRoundingBound(dtype, &x[r * k], &w[j * k], k);
                }
                const float got = y[r * n + j];
                ASSERT_LE(std::fabs(got - sum), tol) << Label(dtype, m, n, k) << " bias=" << with_bias << ": y["
                                                     << r << ", " << j << "] = " << got << ", expected " << sum;
              }
            }
          }
        }
      }
    }
  }
}

TEST(LowbitLinear, OneAndTwoThreadsAgree) {
  const int64_t n = 1000, k = 576;
  const Tensor f32 = Tensor::FromF32({n, k}, RandomValues(n * k, 44));
  for (DType dtype : kCompressed) {
    auto q = QuantizeWeight(f32, dtype);
    ASSERT_TRUE(q.ok()) << q.status();
    for (bool openblas_single : {false, true}) {
      for (int64_t m : {1, 3, 64}) {
        auto x = RandomValues(m * k, 45);
        std::vector<float> one(m * n), two(m * n);
        {
          ThreadCount threads(1);
          Linear(x.data(), m, *q, nullptr, one.data());
        }
        {
          ThreadCount threads(2);
          if (openblas_single) openblas_set_num_threads(1);
          Linear(x.data(), m, *q, nullptr, two.data());
        }
        // Each output is computed by one thread, in the same order, either way.
        testing::ExpectClose(two, one, 0, 0, Label(dtype, m, n, k) + (openblas_single ? " openblas 1" : ""));
      }
    }
  }
}

TEST(LowbitLinear, SelfDescribingDtypesWorkWithThePlainTensorOverload) {
  const int64_t n = 20, k = 40;
  auto x = RandomValues(k, 46);
  const Tensor f32 = Tensor::FromF32({n, k}, RandomValues(n * k, 47));
  for (DType dtype : {DType::kBF16, DType::kBFP8, DType::kBFP4}) {
    auto q = QuantizeWeight(f32, dtype);
    ASSERT_TRUE(q.ok()) << q.status();
    std::vector<float> plain(n), wrapped(n);
    Linear(x.data(), 1, q->values, nullptr, plain.data());
    Linear(x.data(), 1, *q, nullptr, wrapped.data());
    EXPECT_EQ(plain, wrapped) << DTypeName(dtype);
  }
}

TEST(LowbitLinearDeathTest, RejectsMissingOrMisplacedScales) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Tensor f32 = Tensor::FromF32({4, 8}, RandomValues(32, 48));
  auto i8 = QuantizeWeight(f32, DType::kI8);
  auto bf16 = QuantizeWeight(f32, DType::kBF16);
  ASSERT_TRUE(i8.ok() && bf16.ok());
  std::vector<float> x(8, 1.0f), y(4);
  EXPECT_DEATH(Linear(x.data(), 1, i8->values, nullptr, y.data()), "has no per-row scales");
  EXPECT_DEATH(Linear(x.data(), 1, LinearWeight{i8->values, Tensor()}, nullptr, y.data()), "needs a contiguous");
  EXPECT_DEATH(Linear(x.data(), 1, LinearWeight{bf16->values, i8->row_scale}, nullptr, y.data()),
               "only i8 weights take scales");
}

}  // namespace
}  // namespace ttt::ops
