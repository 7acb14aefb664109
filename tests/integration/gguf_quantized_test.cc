// GGUF files as people download them: llama.cpp's quantised types (tests/fixtures/kquants-tiny, made by
// llama-quantize from one random Llama: every tensor in one type, and the Q4_K_M mixture). The model runs the
// file's blocks as they are (nothing re-quantised: the same weights as llama.cpp's), in one prefill (weight
// tiles decoded for sgemm) and token by token (the formats' GEMV kernels), against llama.cpp's logits on the
// same file: within 1e-3 of the largest logit, same argmax. llama.cpp rounds activations to 8 bits for its
// quantised dot products; ttt keeps them f32, which is where the two differ.
#include "core/formats/checkpoint.h"
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

constexpr char kFixture[] = "kquants-tiny";

class GgufQuantizedTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::string type() const { return GetParam(); }
  std::unique_ptr<CausalLm> Load() {
    auto loaded = LoadModel(Fixture(std::string(kFixture) + "/model-" + type() + ".gguf"), "",
                            /*require_tokenizer=*/false);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? std::move(loaded->model) : nullptr;
  }
  std::vector<ReferenceCase> Cases() {
    auto cases = LoadReferenceCases(Fixture(kFixture), "reference-" + type() + ".json");
    EXPECT_TRUE(cases.ok()) << cases.status();
    return cases.ok() ? *cases : std::vector<ReferenceCase>{};
  }
  void ExpectMatches(const std::vector<float>& logits, const ReferenceCase& c, const std::string& what) {
    const LogitsAgreement a = CompareLogits(logits, c.logits, c.vocab);
    std::cout << type() << " " << what << " (" << c.tokens.size() << " tokens): max |diff| " << a.max_abs_error
              << ", max |logit| " << a.max_abs_reference << ", relative " << a.relative_error() << "\n";
    SCOPED_TRACE(type() + " " + what);
    ExpectLogitsMatch(logits, c.logits, c.vocab, 1e-3);
  }
};

TEST_P(GgufQuantizedTest, LinearWeightsKeepTheFilesBlocks) {
  auto model = Load();
  ASSERT_NE(model, nullptr);
  for (const Linear* linear : ProjectionsInDecodeOrder(*model)) {
    EXPECT_TRUE(IsGgmlFormat(linear->weight_dtype()) || linear->weight_dtype() == DType::kF32)
        << DTypeName(linear->weight_dtype());
  }
  // The head is the tied token embedding, one type in every file.
  EXPECT_TRUE(IsGgmlFormat(model->lm_head().projection().weight_dtype()));
}

TEST_P(GgufQuantizedTest, PrefillMatchesLlamaCpp) {
  auto model = Load();
  ASSERT_NE(model, nullptr);
  const std::vector<ReferenceCase> cases = Cases();
  ASSERT_EQ(cases.size(), 2u);
  for (const ReferenceCase& c : cases) ExpectMatches(PrefillLogitsOrFail(*model, c.tokens), c, "prefill");
}

TEST_P(GgufQuantizedTest, TokenByTokenDecodeMatchesLlamaCpp) {
  auto model = Load();
  ASSERT_NE(model, nullptr);
  const std::vector<ReferenceCase> cases = Cases();
  ASSERT_EQ(cases.size(), 2u);
  for (const ReferenceCase& c : cases) {
    const int64_t vocab = model->vocab_size();
    std::vector<float> logits(c.tokens.size() * vocab);
    auto state = model->NewState(1, static_cast<int64_t>(c.tokens.size()));
    ASSERT_TRUE(state.ok()) << state.status();
    ASSERT_TRUE(model->Prefill(**state, 0, absl::MakeConstSpan(c.tokens.data(), 1), logits.data(), false).ok());
    for (size_t t = 1; t < c.tokens.size(); ++t) {
      ASSERT_TRUE(model->Decode(**state, {0}, {c.tokens[t]}, logits.data() + t * vocab).ok());
    }
    ExpectMatches(logits, c, "decode");
  }
}

INSTANTIATE_TEST_SUITE_P(LlamaCppTypes, GgufQuantizedTest,
                         ::testing::Values("Q8_0", "Q4_0", "Q5_0", "IQ4_NL", "Q4_K", "Q5_K", "Q6_K", "Q4_K_M"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace ttt::testing
