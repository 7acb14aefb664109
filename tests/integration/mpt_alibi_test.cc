// MPT, an ALiBi model (attention position bias "alibi", provided by contrib), from its Hugging Face directory and
// its GGUF file (tests/fixtures/mpt-alibi-tiny: 6 heads, so the slopes' non-power-of-two rule matters), against
// llama.cpp's logits (within 1e-3 of the largest logit: llama.cpp approximates MPT's exact GELU with tanh from an
// fp16 table, ~5e-4 apart) and against numpy float64 logits with MPT's exact GELU (tighter); in one prefill and
// token by token; and judged by the TestSuite, whose float64 reference applies the same bias.
#include "contrib/positional/alibi/alibi.h"
#include "core/formats/checkpoint.h"
#include "core/testing/test_suite.h"
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

constexpr char kFixture[] = "mpt-alibi-tiny";

class MptAlibiTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { ASSERT_TRUE(contrib::RegisterAlibi().ok()); }

  std::unique_ptr<CausalLm> Load() {
    auto loaded = LoadModel(Fixture(GetParam()), "", /*require_tokenizer=*/false);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? std::move(loaded->model) : nullptr;
  }
};

// Compares every case's logits (computed by `logits_of`) with the cases of `index`, printing the agreement.
void ExpectCasesMatch(const std::string& index, double relative,
                      const std::function<std::vector<float>(const ReferenceCase&)>& logits_of,
                      const std::string& what) {
  auto cases = LoadReferenceCases(Fixture(kFixture), index);
  ASSERT_TRUE(cases.ok()) << cases.status();
  ASSERT_EQ(cases->size(), 2u);
  for (size_t i = 0; i < cases->size(); ++i) {
    const ReferenceCase& c = (*cases)[i];
    const std::vector<float> logits = logits_of(c);
    const LogitsAgreement a = CompareLogits(logits, c.logits, c.vocab);
    std::cout << what << " case " << i << " (" << c.tokens.size() << " tokens) vs " << index << ": max |diff| "
              << a.max_abs_error << ", max |logit| " << a.max_abs_reference << ", relative " << a.relative_error()
              << ", top-1 " << a.top1 << "\n";
    SCOPED_TRACE(what + " case " + std::to_string(i) + " vs " + index);
    ExpectLogitsMatch(logits, c.logits, c.vocab, relative);
  }
}

TEST_P(MptAlibiTest, PrefillMatchesLlamaCppWithin1e3OfMaxLogit) {
  auto model = Load();
  ASSERT_NE(model, nullptr);
  ExpectCasesMatch("reference.json", 1e-3, [&](const ReferenceCase& c) { return PrefillLogitsOrFail(*model, c.tokens); },
                   std::string(GetParam()) + " prefill");
}

TEST_P(MptAlibiTest, PrefillMatchesNumpyFloat64WithExactGelu) {
  auto model = Load();
  ASSERT_NE(model, nullptr);
  // f32 arithmetic against float64 with the same (exact) GELU: float rounding only.
  ExpectCasesMatch("reference-hf.json", 5e-6,
                   [&](const ReferenceCase& c) { return PrefillLogitsOrFail(*model, c.tokens); },
                   std::string(GetParam()) + " prefill");
}

// Decoding runs other kernels than the prefill (one query per step against the KV cache).
TEST_P(MptAlibiTest, TokenByTokenDecodeMatchesLlamaCppAndNumpy) {
  auto model = Load();
  ASSERT_NE(model, nullptr);
  auto decode = [&](const ReferenceCase& c) {
    const int64_t vocab = model->vocab_size();
    std::vector<float> logits(c.tokens.size() * vocab);
    auto state = model->NewState(1, static_cast<int64_t>(c.tokens.size()));
    EXPECT_TRUE(state.ok()) << state.status();
    if (!state.ok()) return logits;
    EXPECT_TRUE(model->Prefill(**state, 0, absl::MakeConstSpan(c.tokens.data(), 1), logits.data(), false).ok());
    for (size_t t = 1; t < c.tokens.size(); ++t) {
      EXPECT_TRUE(model->Decode(**state, {0}, {c.tokens[t]}, logits.data() + t * vocab).ok());
    }
    return logits;
  };
  ExpectCasesMatch("reference.json", 1e-3, decode, std::string(GetParam()) + " decode");
  ExpectCasesMatch("reference-hf.json", 5e-6, decode, std::string(GetParam()) + " decode");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, MptAlibiTest,
                         ::testing::Values("mpt-alibi-tiny/hf", "mpt-alibi-tiny/model-f32.gguf"),
                         [](const auto& info) {
                           return std::string(info.index == 0 ? "hf" : "gguf");
                         });

// The comparisons above see the bias: other slopes (max_bias 4 instead of 8) are far outside their tolerance.
TEST(MptAlibiSensitivityTest, OtherSlopesMissLlamaCpp) {
  ASSERT_TRUE(contrib::RegisterAlibi().ok());
  auto ckpt = formats::LoadCheckpoint(Fixture("mpt-alibi-tiny/hf"));
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  spec::ModelSpec spec = *ckpt->spec;
  spec.mutable_layer()->mutable_attention()->mutable_position_bias()->set_max_bias(4);
  auto model = CausalLm::Create(spec, ckpt->weights);
  ASSERT_TRUE(model.ok()) << model.status();
  auto cases = LoadReferenceCases(Fixture(kFixture));
  ASSERT_TRUE(cases.ok()) << cases.status();
  const ReferenceCase& c = cases->back();
  const LogitsAgreement a = CompareLogits(PrefillLogitsOrFail(**model, c.tokens), c.logits, c.vocab);
  EXPECT_GT(a.relative_error(), 1e-2);
}

// The TestSuite judges an ALiBi model: every module of the f32 model against the float64 math of its own
// weights and against the source checkpoint's, so its reference must add the same bias.
TEST(MptAlibiTestSuiteTest, EveryModuleMatchesItsFloat64Reference) {
  ASSERT_TRUE(contrib::RegisterAlibi().ok());
  auto ckpt = formats::LoadCheckpoint(Fixture("mpt-alibi-tiny/hf"));
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  auto model = CausalLm::Create(ckpt->spec, ckpt->weights);
  ASSERT_TRUE(model.ok()) << model.status();
  TestSuite suite(**model);
  suite.TestEveryModule();
  const Report own = suite.Run();
  EXPECT_TRUE(own.passed()) << own.Text();
  auto tracked = suite.CompareWithReference(*ckpt);
  ASSERT_TRUE(tracked.ok()) << tracked.status();
  EXPECT_TRUE(tracked->passed()) << tracked->Text();
  EXPECT_TRUE(tracked->Culprits().empty());
}

}  // namespace
}  // namespace ttt::testing
