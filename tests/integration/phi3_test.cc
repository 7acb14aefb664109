// Phi-3 (fused qkv_proj and gate_up_proj; a 16-token sliding window, shorter than the 24-token case, which
// llama.cpp's phi3 graph applies too) from Hugging Face and GGUF against llama.cpp's logits
// (tests/fixtures/phi3-tiny/README.md): the outside check of sliding-window attention.
#include "core/testing/gtest_device.h"
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

TEST(Phi3Test, LogitsMatchLlamaCppFromHfAndGguf) {
  ExpectLogitsMatchReference(Fixture("phi3-tiny/hf"), "", Fixture("phi3-tiny"));
  ExpectLogitsMatchReference(Fixture("phi3-tiny/model-f32.gguf"), "", Fixture("phi3-tiny"));
}

}  // namespace
}  // namespace ttt::testing
