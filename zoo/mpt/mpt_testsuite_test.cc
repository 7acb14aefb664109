// TestSuite for the zoo's mpt: every module (embedding, each layer's norms, attention with ALiBi in prefill and
// decode, MLP and the layer, final norm, head, whole model) judged against the float64 math of the source
// checkpoint it was loaded from (reference tracking: a bad module fails alone, named by its checkpoint path), and
// with bfp8 weights against the float64 math of its own weights. One gtest per case. Plus the f32 model's logits
// against numpy float64 logits computed with MPT's own (exact) GELU, tighter than llama.cpp's tanh GELU allows.
#include "contrib/positional/alibi/alibi.h"
#include "core/factory/model_loader.h"
#include "core/testing/gtest_suite.h"
#include "core/testing/reference_logits.h"

namespace {

// Before the suites load the model: its attention names position bias "alibi", a contrib block.
const bool kAlibi = ttt::contrib::RegisterAlibi().ok();
const bool kRegistered = ttt::testing::RegisterCheckpointSuites("Mpt", MODEL_DATA "/hf");

TEST(MptNumpyLogitsTest, MatchesFloat64WithExactGelu) {
  ASSERT_TRUE(kAlibi);
  for (const char* path : {MODEL_DATA "/hf", MODEL_DATA "/model-f32.gguf"}) {
    auto loaded = ttt::LoadModel(path, "", /*require_tokenizer=*/false);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    auto cases = ttt::testing::LoadReferenceCases(MODEL_DATA, "reference-hf.json");
    ASSERT_TRUE(cases.ok()) << cases.status();
    for (const auto& c : *cases) {
      auto logits = ttt::testing::PrefillLogits(*loaded->model, c.tokens);
      ASSERT_TRUE(logits.ok()) << logits.status();
      const auto agreement = ttt::testing::CompareLogits(*logits, c.logits, c.vocab);
      EXPECT_LE(agreement.relative_error(), 5e-6) << path << ", worst position " << agreement.worst_position;
      EXPECT_EQ(agreement.first_argmax_mismatch, -1) << path;
    }
  }
}

}  // namespace
