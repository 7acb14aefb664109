#include "core/blocks/linear/linear.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace ttt {
namespace {

TEST(LinearBlockTest, EveryWeightDTypeStaysCloseToF32AndShrinks) {
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> w(40 * 48), x(48), b(40);
  for (float& v : w) v = d(rng);
  for (float& v : x) v = d(rng);
  for (float& v : b) v = d(rng);
  WeightMap weights;
  weights["p"] = Tensor::FromF32({40, 48}, w);
  weights["p.bias"] = Tensor::FromF32({40}, b);
  auto reference = Linear::Load(weights, "p", 40, 48, true);
  ASSERT_TRUE(reference.ok()) << reference.status();
  std::vector<float> expected(40), actual(40);
  reference->Forward(x.data(), 1, expected.data());
  // Relative precision of each storage: bf16 2^-8, int8 ~1/127 of the row's max, bfp8 2^-6 of the block's
  // max, bfp4 2^-2 of the block's max; errors add up over 48 products, hence the loose factors.
  const std::pair<DType, double> tolerances[] = {
      {DType::kBF16, 0.05}, {DType::kI8, 0.3}, {DType::kBFP8, 0.5}, {DType::kBFP4, 6.0}};
  int64_t previous_bytes = reference->weight_bytes();
  for (const auto& [dtype, tolerance] : tolerances) {
    Linear l = *reference;
    ASSERT_TRUE(l.ConvertWeight(dtype).ok());
    EXPECT_EQ(l.weight_dtype(), dtype);
    EXPECT_LT(l.weight_bytes(), previous_bytes) << DTypeName(dtype);
    previous_bytes = l.weight_bytes();
    l.Forward(x.data(), 1, actual.data());
    for (int i = 0; i < 40; ++i) EXPECT_NEAR(actual[i], expected[i], tolerance) << DTypeName(dtype) << " row " << i;
  }
}

TEST(LinearBlockTest, BiasFlagMustMatchTheCheckpoint) {
  WeightMap weights;
  weights["p"] = Tensor::Empty(DType::kF32, {2, 3});
  weights["p.bias"] = Tensor::Empty(DType::kF32, {2});
  auto unexpected = Linear::Load(weights, "p", 2, 3, /*has_bias=*/false);
  ASSERT_FALSE(unexpected.ok());
  EXPECT_NE(std::string(unexpected.status().message()).find("'p.bias' that the spec does not use"), std::string::npos);
}

}  // namespace
}  // namespace ttt
