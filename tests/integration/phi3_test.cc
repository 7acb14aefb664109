// Phi-3 (fused qkv_proj and gate_up_proj; a 16-token sliding window, shorter than the 24-token case, which
// llama.cpp's phi3 graph applies too) from Hugging Face and GGUF against llama.cpp's logits
// (tests/fixtures/phi3-tiny/README.md): the outside check of sliding-window attention. phi3-longrope-tiny adds
// Phi-3 128k's LongRoPE (per-pair divisors and a cos/sin magnitude; tests/fixtures/phi3-longrope-tiny/README.md).
#include "core/testing/gtest_device.h"
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

TEST(Phi3Test, LogitsMatchLlamaCppFromHfAndGguf) {
  ExpectLogitsMatchReference(Fixture("phi3-tiny/hf"), "", Fixture("phi3-tiny"));
  ExpectLogitsMatchReference(Fixture("phi3-tiny/model-f32.gguf"), "", Fixture("phi3-tiny"));
}

// Built for its full 128-position context, past the original 32: the long factors, as llama.cpp picks them for
// n_ctx 128.
TEST(Phi3Test, LongRopeLongFactorsMatchLlamaCppFromHfAndGguf) {
  ExpectLogitsMatchReference(Fixture("phi3-longrope-tiny/hf"), "", Fixture("phi3-longrope-tiny"));
  ExpectLogitsMatchReference(Fixture("phi3-longrope-tiny/model-f32.gguf"), "", Fixture("phi3-longrope-tiny"));
}

// The same weights built for the original 32 positions: the short factors (llama.cpp at n_ctx 32), with the
// 128k model's attention factor given explicitly in the config.
TEST(Phi3Test, LongRopeShortFactorsMatchLlamaCpp) {
  ExpectLogitsMatchReference(Fixture("phi3-longrope-tiny/short/hf"), "", Fixture("phi3-longrope-tiny/short"));
}

}  // namespace
}  // namespace ttt::testing
