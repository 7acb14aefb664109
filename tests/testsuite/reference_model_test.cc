// The float64 reference model itself, checked against an outside engine: built from each fixture's source
// checkpoint, its logits agree with llama.cpp's (the fixtures' reference.json) within 1e-3 of max|logit|
// at every position, with the same argmax.
#include "core/testing/reference_logits.h"
#include "core/testing/reference_weights.h"
#include "gtest/gtest.h"
#include "testsuite_util.h"

namespace ttt::testing {
namespace {

class ReferenceModelTest : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(ReferenceModelTest, Float64LogitsMatchLlamaCpp) {
  const auto& [checkpoint, fixture_dir] = GetParam();
  auto source = LoadFixture(checkpoint);
  ASSERT_NE(source, nullptr);
  auto ref = RefFromWeights(source->spec, source->weights);
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto cases = LoadReferenceCases(FixturePath(fixture_dir));
  ASSERT_TRUE(cases.ok()) << cases.status();
  ASSERT_FALSE(cases->empty());
  for (const ReferenceCase& c : *cases) {
    const DVector logits = ref->Logits(c.tokens);
    const std::vector<float> actual(logits.begin(), logits.end());
    const LogitsAgreement a = CompareLogits(actual, c.logits, c.vocab);
    EXPECT_LT(a.relative_error(), 1e-3) << checkpoint << " worst position " << a.worst_position;
    EXPECT_EQ(a.top1, 1.0) << checkpoint << " first argmax mismatch at " << a.first_argmax_mismatch;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ReferenceModelTest,
                         ::testing::Values(std::make_pair("stories260K/stories260K.bin", "stories260K"),
                                           std::make_pair("llama-gqa-tiny/hf", "llama-gqa-tiny"),
                                           std::make_pair("llama-gqa-tiny/model-f32.gguf", "llama-gqa-tiny"),
                                           std::make_pair("gpt2-tiny/hf", "gpt2-tiny")),
                         [](const auto& info) { return std::to_string(info.index); });

}  // namespace
}  // namespace ttt::testing
