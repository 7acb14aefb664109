// Shared helpers of the ops tests: reproducible inputs and a comparison that reports the worst element.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/runtime/dtype.h"
#include "gtest/gtest.h"

namespace ttt::ops::testing {

// Uniform values in [lo, hi) from a fixed seed, so failures reproduce.
inline std::vector<float> RandomValues(int64_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

// Checks |actual - expected| <= rtol * |expected| + atol element-wise; reports the first violation only.
inline void ExpectClose(const std::vector<float>& actual, const std::vector<float>& expected, double rtol,
                        double atol, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double diff = std::fabs(static_cast<double>(actual[i]) - expected[i]);
    const double tol = rtol * std::fabs(static_cast<double>(expected[i])) + atol;
    if (!(diff <= tol)) {
      ADD_FAILURE() << what << ": element " << i << " is " << actual[i] << ", expected " << expected[i]
                    << " (diff " << diff << " > tolerance " << tol << ")";
      return;
    }
  }
}

// How far a GEMV kernel's result may move because it rounds the activations x[0, k) before multiplying by
// the decoded weight row w[0, k) (AVX-512 kernels): the block-float and i8 kernels quantise x to int8 per
// block of 16, |dx| <= max|x_block| / 254 (VNNI); the bf16 kernel rounds x to bf16, |dx| <= 2^-8 |x|
// (vdpbf16ps). f32 keeps x as it is: 0.
inline double ActivationRoundingBound(DType dtype, const float* x, const float* w, int64_t k) {
  double bound = 0;
  for (int64_t b = 0; b < k; b += 16) {
    double x_max = 0, w_sum = 0, xw_sum = 0;
    for (int64_t i = b; i < std::min(k, b + 16); ++i) {
      x_max = std::max(x_max, std::fabs(static_cast<double>(x[i])));
      w_sum += std::fabs(w[i]);
      xw_sum += std::fabs(static_cast<double>(x[i]) * w[i]);
    }
    if (IsBlockFormat(dtype) || dtype == DType::kI8) bound += x_max / 254 * (1 + 1e-5) * w_sum;
    if (dtype == DType::kBF16) bound += 0x1p-8 * xw_sum;
  }
  return bound;
}

}  // namespace ttt::ops::testing
