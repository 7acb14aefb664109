// The zoo's llama on the device the compatibility matrix selects (TTT_DEVICE / TTT_MODE; the exact f32 cpu model
// when unset) against its outside reference, llama.cpp's logits (reference.json, logits-N.f32), and its greedy
// decode speed. Both are printed as `TTT_METRIC` lines that `ttt-gov matrix` judges against the per-device
// targets in model.textproto; only the exact cpu model asserts a tolerance here (an emulated device's block-float
// numerics move the logits by design, and how far they may move is the target's business, kept in one place).
#include <cmath>
#include <iostream>

#include "core/factory/model_loader.h"
#include "core/testing/device_env.h"
#include "gtest/gtest.h"

namespace {

using ttt::testing::BuildOptionsFromEnvironment;

class ZooLogitsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooLogitsTest, MatchesLlamaCpp) {
  auto options = BuildOptionsFromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  auto loaded = ttt::LoadModel(std::string(MODEL_DATA) + "/" + GetParam(), "", /*require_tokenizer=*/false, *options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto cases = ttt::testing::LoadReferenceCases(MODEL_DATA);
  ASSERT_TRUE(cases.ok()) << cases.status();
  for (const auto& c : *cases) {
    auto logits = ttt::testing::PrefillLogits(*loaded->model, c.tokens);
    ASSERT_TRUE(logits.ok()) << logits.status();
    const auto agreement = ttt::testing::CompareLogits(*logits, c.logits, c.vocab);
    std::cout << ttt::testing::AccuracyMetricLine(*options, agreement) << "\n";
    ASSERT_TRUE(std::isfinite(agreement.pcc)) << "non-finite logits on " << options->device;
    if (ttt::testing::IsExactReference(*options)) {
      EXPECT_LE(agreement.relative_error(), 1e-3) << "worst position " << agreement.worst_position;
      EXPECT_EQ(agreement.first_argmax_mismatch, -1);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ZooLogitsTest, ::testing::Values("hf", "model-f32.gguf"),
                         [](const auto& info) { return std::string(info.param) == "hf" ? "hf" : "gguf"; });

// No speed threshold here (a unit test must not fail on a busy machine): the matrix compares the number with
// the target's min_tokens_per_s, which leaves a wide margin.
TEST(ZooSpeedTest, GreedyDecode) {
  auto options = BuildOptionsFromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  auto loaded = ttt::LoadModel(std::string(MODEL_DATA) + "/hf", "", /*require_tokenizer=*/false, *options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto speed = ttt::testing::GreedyDecodeTokensPerSecond(*loaded->model, /*first_token=*/1, /*steps=*/64);
  ASSERT_TRUE(speed.ok()) << speed.status();
  std::cout << ttt::testing::SpeedMetricLine(*options, *speed) << "\n";
}

}  // namespace
