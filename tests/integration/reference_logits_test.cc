// Logits of every fixture model, in every format it ships in, against llama.cpp's (reference.json).
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

struct ModelCase {
  const char* name;
  const char* model;    // relative to the fixtures folder
  const char* fixture;  // folder holding reference.json
};

void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.name; }

class ReferenceLogitsTest : public ::testing::TestWithParam<ModelCase> {};

TEST_P(ReferenceLogitsTest, MatchesLlamaCppWithin1e3OfMaxLogit) {
  auto loaded = LoadModel(Fixture(GetParam().model), "", /*require_tokenizer=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  for (const ReferenceCase& c : FixtureReferenceCases(GetParam().fixture)) {
    ASSERT_EQ(c.vocab, loaded->model->vocab_size());
    ExpectLogitsMatch(PrefillLogitsOrFail(*loaded->model, c.tokens), c.logits, c.vocab, 1e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, ReferenceLogitsTest,
    ::testing::Values(ModelCase{"stories260K_llama2c", "stories260K/stories260K.bin", "stories260K"},
                      ModelCase{"stories260K_gguf", "stories260K/stories260K.gguf", "stories260K"},
                      ModelCase{"llama_gqa_tiny_hf_bf16", "llama-gqa-tiny/hf", "llama-gqa-tiny"},
                      ModelCase{"llama_gqa_tiny_gguf", "llama-gqa-tiny/model-f32.gguf", "llama-gqa-tiny"},
                      ModelCase{"gpt2_tiny_hf", "gpt2-tiny/hf", "gpt2-tiny"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ttt::testing
