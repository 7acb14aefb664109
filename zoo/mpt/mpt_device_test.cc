// The zoo's mpt on the device the compatibility matrix selects (TTT_DEVICE / TTT_MODE; the exact f32 cpu model
// when unset): logits of the HF checkpoint and of its GGUF against llama.cpp's (reference.json, logits-N.f32), and
// greedy decode speed, reported for `ttt-gov matrix` (core/testing/gtest_device.h). The model's attention names
// position bias "alibi", a contrib block, registered first.
#include "contrib/positional/alibi/alibi.h"
#include "core/testing/gtest_device.h"

namespace {

TEST(ZooLogitsTest, MatchesLlamaCpp) {
  ASSERT_TRUE(ttt::contrib::RegisterAlibi().ok());
  ttt::testing::ExpectLogitsMatchReference(MODEL_DATA "/hf", "", MODEL_DATA);
  ttt::testing::ExpectLogitsMatchReference(MODEL_DATA "/model-f32.gguf", "", MODEL_DATA);
}

TEST(ZooSpeedTest, GreedyDecode) {
  ASSERT_TRUE(ttt::contrib::RegisterAlibi().ok());
  ttt::testing::ReportGreedyDecodeSpeed(MODEL_DATA "/hf", "", /*steps=*/64);
}

}  // namespace
