// The zoo's stories260K on the device the compatibility matrix selects (TTT_DEVICE / TTT_MODE; the exact f32 cpu
// model when unset): logits against llama.cpp's (reference.json, logits-0.f32), and greedy decode speed,
// reported for `ttt-gov matrix` (core/testing/gtest_device.h).
#include "core/testing/gtest_device.h"

namespace {

constexpr const char* kModel = STORIES260K_DATA "/stories260K.bin";
constexpr const char* kTokenizer = STORIES260K_DATA "/tok512.bin";

TEST(Stories260KDeviceTest, LogitsMatchLlamaCpp) {
  ttt::testing::ExpectLogitsMatchReference(kModel, kTokenizer, STORIES260K_DATA);
}

TEST(Stories260KDeviceTest, GreedyDecodeSpeed) { ttt::testing::ReportGreedyDecodeSpeed(kModel, kTokenizer, 128); }

}  // namespace
