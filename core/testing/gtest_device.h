// The two checks of a zoo model's device test, on the device and mode the compatibility matrix selects through
// the environment (device_env.h): logits against an outside reference, and greedy decode speed, each printed
// as `TTT_METRIC` lines that `ttt-gov matrix` judges against the per-device targets in model.textproto. Only
// the exact cpu model asserts a tolerance here (an emulated device's block-float numerics move the logits by
// design; how far they may move is the target's business, kept in one place). Header-only so the library
// itself does not depend on GoogleTest.
#pragma once

#include <cmath>
#include <iostream>
#include <string>

#include "core/factory/model_loader.h"
#include "core/testing/device_env.h"
#include "gtest/gtest.h"

namespace ttt::testing {

// Loads `model_path` (and `tokenizer_path`, "" for none) for TTT_DEVICE / TTT_MODE and compares its logits with
// every case of the reference in `reference_dir` (reference.json and its logits files, made by llama.cpp).
inline void ExpectLogitsMatchReference(const std::string& model_path, const std::string& tokenizer_path,
                                       const std::string& reference_dir) {
  auto options = BuildOptionsFromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  auto loaded = LoadModel(model_path, tokenizer_path, /*require_tokenizer=*/!tokenizer_path.empty(), *options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto cases = LoadReferenceCases(reference_dir);
  ASSERT_TRUE(cases.ok()) << cases.status();
  for (const auto& c : *cases) {
    auto logits = PrefillLogits(*loaded->model, c.tokens);
    ASSERT_TRUE(logits.ok()) << logits.status();
    const LogitsAgreement agreement = CompareLogits(*logits, c.logits, c.vocab);
    std::cout << AccuracyMetricLine(*options, agreement) << "\n";
    ASSERT_TRUE(std::isfinite(agreement.pcc)) << "non-finite logits on " << options->device;
    if (IsExactReference(*options)) {
      EXPECT_LE(agreement.relative_error(), 1e-3) << "worst position " << agreement.worst_position;
      EXPECT_EQ(agreement.first_argmax_mismatch, -1);
    }
  }
}

// Prints the greedy decode speed of `steps` tokens. No threshold here (a unit test must not fail on a busy
// machine): the matrix compares the number with the target's min_tokens_per_s, which leaves a wide margin.
inline void ReportGreedyDecodeSpeed(const std::string& model_path, const std::string& tokenizer_path,
                                    int64_t steps) {
  auto options = BuildOptionsFromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  auto loaded = LoadModel(model_path, tokenizer_path, /*require_tokenizer=*/!tokenizer_path.empty(), *options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto speed = GreedyDecodeTokensPerSecond(*loaded->model, /*first_token=*/1, steps);
  ASSERT_TRUE(speed.ok()) << speed.status();
  std::cout << SpeedMetricLine(*options, *speed) << "\n";
}

}  // namespace ttt::testing
