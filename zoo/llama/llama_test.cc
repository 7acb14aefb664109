// The zoo's llama against its outside reference: llama.cpp's logits (reference.json, logits-N.f32), compared
// with the library's reference-logits tools.
#include "core/factory/model_loader.h"
#include "core/testing/reference_logits.h"
#include "gtest/gtest.h"

namespace {

class ZooLogitsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooLogitsTest, MatchesLlamaCpp) {
  auto loaded = ttt::LoadModel(std::string(MODEL_DATA) + "/" + GetParam(), "", /*require_tokenizer=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto cases = ttt::testing::LoadReferenceCases(MODEL_DATA);
  ASSERT_TRUE(cases.ok()) << cases.status();
  for (const auto& c : *cases) {
    auto logits = ttt::testing::PrefillLogits(*loaded->model, c.tokens);
    ASSERT_TRUE(logits.ok()) << logits.status();
    const auto agreement = ttt::testing::CompareLogits(*logits, c.logits, c.vocab);
    EXPECT_LE(agreement.relative_error(), 1e-3) << "worst position " << agreement.worst_position;
    EXPECT_EQ(agreement.first_argmax_mismatch, -1);
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ZooLogitsTest, ::testing::Values("hf", "model-f32.gguf"),
                         [](const auto& info) { return std::string(info.param) == "hf" ? "hf" : "gguf"; });

}  // namespace
