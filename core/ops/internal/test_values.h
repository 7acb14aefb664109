// Shared helpers of the ops tests: reproducible inputs and a comparison that reports the worst element.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

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

}  // namespace ttt::ops::testing
