// Models with their linear weights stored in bf16, int8, bfp8 and bfp4 against llama.cpp's f32 logits:
// the error grows as the weights shrink, and stays within what each format's precision allows.
#include <cmath>

#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

struct Agreement {
  double pcc = 0;             // Pearson correlation of all logits
  double max_error = 0;       // max |difference| / max |reference|
  double top1 = 0;            // fraction of positions with the same argmax
};

Agreement Compare(const std::vector<float>& actual, const std::vector<float>& expected, int64_t vocab) {
  Agreement a;
  double ma = 0, me = 0, max_ref = 0;
  const size_t n = expected.size();
  for (size_t i = 0; i < n; ++i) ma += actual[i] / n, me += expected[i] / n;
  double cov = 0, va = 0, ve = 0;
  for (size_t i = 0; i < n; ++i) {
    cov += (actual[i] - ma) * (expected[i] - me);
    va += (actual[i] - ma) * (actual[i] - ma);
    ve += (expected[i] - me) * (expected[i] - me);
    a.max_error = std::max(a.max_error, std::fabs(static_cast<double>(actual[i] - expected[i])));
    max_ref = std::max(max_ref, std::fabs(static_cast<double>(expected[i])));
  }
  a.pcc = cov / std::sqrt(va * ve);
  a.max_error /= max_ref;
  const int64_t positions = static_cast<int64_t>(n) / vocab;
  for (int64_t t = 0; t < positions; ++t) {
    const float* x = actual.data() + t * vocab;
    const float* y = expected.data() + t * vocab;
    a.top1 += (std::max_element(x, x + vocab) - x == std::max_element(y, y + vocab) - y) ? 1.0 / positions : 0.0;
  }
  return a;
}

class WeightDTypesTest : public ::testing::TestWithParam<const char*> {};

TEST_P(WeightDTypesTest, ErrorGrowsAsWeightsShrinkAndStaysBounded) {
  const std::string fixture = GetParam();
  const std::string model = fixture == "stories260K" ? "stories260K/stories260K.bin" : "llama-gqa-tiny/hf";
  const ReferenceCase c = LoadReferenceCases(fixture).front();
  std::vector<std::pair<DType, Agreement>> results;
  for (DType dtype : {DType::kF32, DType::kBF16, DType::kI8, DType::kBFP8, DType::kBFP4}) {
    auto loaded = LoadModel(Fixture(model), "", false, BuildOptions{.linear_weight_dtype = dtype});
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    Agreement a = Compare(PrefillLogits(*loaded->model, c.tokens), c.logits, c.vocab);
    std::printf("%s %-5s PCC %.6f  max error %.2e of max|logit|  top-1 %.0f%%\n", fixture.c_str(),
                std::string(DTypeName(dtype)).c_str(), a.pcc, a.max_error, 100 * a.top1);
    results.push_back({dtype, a});
  }
  const Agreement& f32 = results[0].second;
  const Agreement& bf16 = results[1].second;
  const Agreement& i8 = results[2].second;
  const Agreement& bfp8 = results[3].second;
  const Agreement& bfp4 = results[4].second;
  EXPECT_LT(f32.max_error, 1e-3);
  // bf16 keeps 8 significant bits, int8 and bfp8 about 7, bfp4 3: errors follow that order. (bf16 equals
  // f32 exactly when the checkpoint itself is bf16, as llama-gqa-tiny's is.)
  EXPECT_LE(f32.max_error, bf16.max_error);
  EXPECT_LT(bf16.max_error, bfp4.max_error);
  EXPECT_LT(bfp8.max_error, bfp4.max_error);
  EXPECT_LT(i8.max_error, bfp4.max_error);
  EXPECT_GT(bf16.pcc, 0.9999);
  EXPECT_GT(i8.pcc, 0.999);
  EXPECT_GT(bfp8.pcc, 0.999);
  EXPECT_GT(bfp4.pcc, 0.95);
  EXPECT_EQ(bf16.top1, 1.0);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, WeightDTypesTest, ::testing::Values("stories260K", "llama-gqa-tiny"),
                         [](const auto& info) { return std::string(info.param) == "stories260K" ? "stories260K" : "llama_gqa_tiny"; });

}  // namespace
}  // namespace ttt::testing
