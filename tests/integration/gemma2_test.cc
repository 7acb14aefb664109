// Gemma 2 from Hugging Face and GGUF against llama.cpp's logits (tests/fixtures/gemma2-tiny/README.md): the
// outside check of soft-capped attention scores and logits, sandwich (post-)norms, (1 + w) RMSNorms stored as w
// (HF) and as 1 + w (GGUF), scaled embeddings, the tanh-GELU GeGLU, and an 8-token window on the even layers only
// (the 24-token case sees past it), with scores scaled by (hidden / heads)^-1/2 (the 46-layer rule).
#include "core/testing/gtest_device.h"
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

TEST(Gemma2Test, LogitsMatchLlamaCppFromHfAndGguf) {
  ExpectLogitsMatchReference(Fixture("gemma2-tiny/hf"), "", Fixture("gemma2-tiny"));
  ExpectLogitsMatchReference(Fixture("gemma2-tiny/model-f32.gguf"), "", Fixture("gemma2-tiny"));
}

// Stock llama.cpp rounds GELU's input and output through fp16 (its lookup table), which over 46 layers accounts
// for ~8e-4 of max|logit|. Against the same llama.cpp with the GELU computed in f32, the difference is float
// rounding alone: nothing else in the model differs.
TEST(Gemma2Test, LogitsMatchLlamaCppWithExactGeluClosely) {
  const std::vector<ReferenceCase> cases = FixtureReferenceCases("gemma2-tiny/exact-gelu");
  ASSERT_EQ(cases.size(), 2u);
  for (const char* model : {"gemma2-tiny/hf", "gemma2-tiny/model-f32.gguf"}) {
    auto loaded = LoadModel(Fixture(model));
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    for (const ReferenceCase& c : cases) {
      const LogitsAgreement agreement = CompareLogits(PrefillLogitsOrFail(*loaded->model, c.tokens), c.logits, c.vocab);
      EXPECT_LE(agreement.relative_error(), 1e-5) << model << ", worst position " << agreement.worst_position;
      EXPECT_EQ(agreement.first_argmax_mismatch, -1) << model;
    }
  }
}

}  // namespace
}  // namespace ttt::testing
