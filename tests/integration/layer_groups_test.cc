// Heterogeneous layer stacks (ModelSpec.layer_groups) against references made outside this project:
// - Gemma 2's alternating local/global attention written as two layer specs (a group for the global layers)
//   instead of sliding_window_pattern reproduces llama.cpp's logits as closely as the pattern form does;
// - Qwen2-MoE with dense layers among sparse ones (decoder_sparse_step, mlp_only_layers), which llama.cpp cannot
//   run, against Hugging Face semantics in numpy float64 (tests/fixtures/qwen2moe-mixed-tiny/README.md), and
//   module by module against the float64 math of its checkpoint (the TestSuite).
#include "core/formats/checkpoint.h"
#include "core/testing/gtest_suite.h"
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

// `fixture`: the folder holding reference.json, relative to tests/fixtures.
void ExpectCloseToReference(const CausalLm& model, const std::string& fixture, double relative_error) {
  const std::vector<ReferenceCase> cases = FixtureReferenceCases(fixture);
  ASSERT_EQ(cases.size(), 2u);
  for (const ReferenceCase& c : cases) {
    const LogitsAgreement agreement = CompareLogits(PrefillLogitsOrFail(model, c.tokens), c.logits, c.vocab);
    std::printf("%s, %zu tokens: max|diff| / max|logit| %.2e\n", fixture.c_str(), c.tokens.size(), agreement.relative_error());
    EXPECT_LE(agreement.relative_error(), relative_error) << fixture << ", worst position " << agreement.worst_position;
    EXPECT_EQ(agreement.first_argmax_mismatch, -1) << fixture;
  }
}

TEST(LayerGroupsTest, Gemma2WithItsGlobalLayersAsAGroupMatchesLlamaCpp) {
  auto ckpt = formats::LoadCheckpoint(Fixture("gemma2-tiny/hf"));
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  spec::ModelSpec s = *ckpt->spec;
  ASSERT_EQ(s.layer().attention().sliding_window_pattern(), 2u);
  ASSERT_GT(s.layer().attention().sliding_window(), 0u);
  // ModelSpec.layer: the window on every layer it builds; the group: the odd layers, which see the whole past.
  s.mutable_layer()->mutable_attention()->set_sliding_window_pattern(0);
  spec::LayerGroup* global = s.add_layer_groups();
  global->set_every(2);
  global->set_first(1);
  *global->mutable_layer() = s.layer();
  global->mutable_layer()->mutable_attention()->set_sliding_window(0);
  auto model = CausalLm::Create(s, ckpt->weights);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_GT((*model)->layer(0).attention().spec().sliding_window(), 0u);
  EXPECT_EQ((*model)->layer(1).attention().spec().sliding_window(), 0u);
  // llama.cpp with its GELU in f32 (gemma2_test.cc: the pattern form is within 1.6e-6 of it).
  ExpectCloseToReference(**model, "gemma2-tiny/exact-gelu", 1e-5);
}

TEST(LayerGroupsTest, Qwen2MoeWithDenseLayersMatchesNumpyFloat64) {
  auto loaded = LoadModel(Fixture("qwen2moe-mixed-tiny/hf"), "", /*require_tokenizer=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const CausalLm& model = *loaded->model;
  ASSERT_EQ(model.num_layers(), 4);
  // decoder_sparse_step 2 and mlp_only_layers [3]: only layer 1 has experts.
  for (int64_t l = 0; l < 4; ++l) {
    EXPECT_EQ(model.layer(l).mlp() == nullptr, l == 1) << "layer " << l;
  }
  EXPECT_EQ(model.layer(0).mlp()->spec().intermediate_dim(), 160u);
  ExpectCloseToReference(model, "qwen2moe-mixed-tiny", 1e-5);
}

// Every module of every layer (dense MLPs and the mixture of experts alike) against the float64 math of the
// checkpoint, and with bfp8 weights against that of its own weights.
const bool kRegistered = RegisterCheckpointSuites("Qwen2MoeMixed", Fixture("qwen2moe-mixed-tiny/hf"));

}  // namespace
}  // namespace ttt::testing
