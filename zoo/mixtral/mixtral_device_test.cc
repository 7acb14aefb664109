// The zoo's mixtral on the device the compatibility matrix selects (TTT_DEVICE / TTT_MODE; the exact f32 cpu model
// when unset): logits of the HF and GGUF files against llama.cpp's (reference.json, logits-N.f32), and greedy
// decode speed, reported for `ttt-gov matrix` (core/testing/gtest_device.h).
#include "core/testing/gtest_device.h"

namespace {

class ZooLogitsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooLogitsTest, MatchesLlamaCpp) {
  ttt::testing::ExpectLogitsMatchReference(std::string(MODEL_DATA) + "/" + GetParam(), "", MODEL_DATA);
}

INSTANTIATE_TEST_SUITE_P(Formats, ZooLogitsTest, ::testing::Values("hf", "model-f32.gguf"),
                         [](const auto& info) { return std::string(info.param) == "hf" ? "hf" : "gguf"; });

TEST(ZooSpeedTest, GreedyDecode) { ttt::testing::ReportGreedyDecodeSpeed(MODEL_DATA "/hf", "", /*steps=*/64); }

}  // namespace
