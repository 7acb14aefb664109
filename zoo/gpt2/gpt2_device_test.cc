// The zoo's gpt2 on the device the compatibility matrix selects (TTT_DEVICE / TTT_MODE; the exact f32 cpu model
// when unset): logits against llama.cpp's (reference.json, logits-N.f32), and greedy decode speed, reported for
// `ttt-gov matrix` (core/testing/gtest_device.h).
#include "core/testing/gtest_device.h"

namespace {

TEST(ZooLogitsTest, MatchesLlamaCpp) { ttt::testing::ExpectLogitsMatchReference(MODEL_DATA "/hf", "", MODEL_DATA); }

TEST(ZooSpeedTest, GreedyDecode) { ttt::testing::ReportGreedyDecodeSpeed(MODEL_DATA "/hf", "", /*steps=*/64); }

}  // namespace
