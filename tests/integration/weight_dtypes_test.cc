// Models with their linear weights stored in bf16, int8, bfp8 and bfp4 against llama.cpp's f32 logits:
// the error grows as the weights shrink, and stays within what each format's precision allows.
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

class WeightDTypesTest : public ::testing::TestWithParam<const char*> {};

TEST_P(WeightDTypesTest, ErrorGrowsAsWeightsShrinkAndStaysBounded) {
  const std::string fixture = GetParam();
  const std::string model = fixture == "stories260K" ? "stories260K/stories260K.bin" : "llama-gqa-tiny/hf";
  const ReferenceCase c = FixtureReferenceCases(fixture).front();
  std::vector<std::pair<DType, LogitsAgreement>> results;
  for (DType dtype : {DType::kF32, DType::kBF16, DType::kI8, DType::kBFP8, DType::kBFP4}) {
    auto loaded = LoadModel(Fixture(model), "", false, BuildOptions{.linear_weight_dtype = dtype});
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    LogitsAgreement a = CompareLogits(PrefillLogitsOrFail(*loaded->model, c.tokens), c.logits, c.vocab);
    std::printf("%s %-5s PCC %.6f  max error %.2e of max|logit|  top-1 %.0f%%\n", fixture.c_str(),
                std::string(DTypeName(dtype)).c_str(), a.pcc, a.relative_error(), 100 * a.top1);
    results.push_back({dtype, a});
  }
  const double f32_error = results[0].second.relative_error();
  const double bf16_error = results[1].second.relative_error();
  const LogitsAgreement& bf16 = results[1].second;
  const double i8_error = results[2].second.relative_error();
  const LogitsAgreement& i8 = results[2].second;
  const double bfp8_error = results[3].second.relative_error();
  const LogitsAgreement& bfp8 = results[3].second;
  const double bfp4_error = results[4].second.relative_error();
  const LogitsAgreement& bfp4 = results[4].second;
  EXPECT_LT(f32_error, 1e-3);
  // bf16 keeps 8 significant bits, int8 and bfp8 about 7, bfp4 3: errors follow that order. (bf16 equals
  // f32 exactly when the checkpoint itself is bf16, as llama-gqa-tiny's is.)
  EXPECT_LE(f32_error, bf16_error);
  EXPECT_LT(bf16_error, bfp4_error);
  EXPECT_LT(bfp8_error, bfp4_error);
  EXPECT_LT(i8_error, bfp4_error);
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
