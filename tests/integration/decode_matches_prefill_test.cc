// Incremental decoding over the KV cache gives the logits a single prefill gives, for every fixture
// model, and sequences decoded together in a batch give what each gives alone.
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

class DecodeMatchesPrefillTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DecodeMatchesPrefillTest, TokenByTokenEqualsOnePrefill) {
  auto loaded = LoadModel(Fixture(GetParam()), "", /*require_tokenizer=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const CausalLm& model = *loaded->model;
  const int64_t vocab = model.vocab_size();
  std::vector<int32_t> tokens;
  for (int i = 0; i < 20; ++i) tokens.push_back(static_cast<int32_t>((i * 37 + 1) % vocab));
  std::vector<float> prefill = PrefillLogitsOrFail(model, tokens);

  // Two sequences in one state: slot 0 gets a 5-token prefill then decodes, slot 1 decodes from one token.
  auto state = model.NewState(2, static_cast<int64_t>(tokens.size()));
  ASSERT_TRUE(state.ok());
  std::vector<float> logits(2 * vocab);
  ASSERT_TRUE(model.Prefill(**state, 0, absl::MakeConstSpan(tokens.data(), 5), logits.data(), false).ok());
  ExpectLogitsMatch(std::vector<float>(logits.begin(), logits.begin() + vocab),
                    std::vector<float>(prefill.begin() + 4 * vocab, prefill.begin() + 5 * vocab), vocab, 1e-4);
  ASSERT_TRUE(model.Prefill(**state, 1, absl::MakeConstSpan(tokens.data(), 1), logits.data() + vocab, false).ok());
  for (size_t t = 1; t < tokens.size(); ++t) {
    std::vector<int32_t> slots, next;
    if (t >= 5) {
      slots.push_back(0);
      next.push_back(tokens[t]);
    }
    slots.push_back(1);
    next.push_back(tokens[t]);
    ASSERT_TRUE(model.Decode(**state, slots, next, logits.data()).ok());
    std::vector<float> expected(prefill.begin() + t * vocab, prefill.begin() + (t + 1) * vocab);
    for (size_t b = 0; b < slots.size(); ++b) {
      SCOPED_TRACE(::testing::Message() << "position " << t << " slot " << slots[b]);
      ExpectLogitsMatch(std::vector<float>(logits.begin() + b * vocab, logits.begin() + (b + 1) * vocab), expected,
                        vocab, 1e-4);
    }
  }
  EXPECT_EQ((*state)->length(0), static_cast<int64_t>(tokens.size()));
  EXPECT_EQ((*state)->length(1), static_cast<int64_t>(tokens.size()));
}

// Each projection names the one a decode step runs after it (its weight is prefetched when it is done):
// per layer wqkv, wo, the MLP's up (gate) and down projections, then the next layer's, and the head last.
TEST_P(DecodeMatchesPrefillTest, ProjectionsKnowTheirDecodeSuccessor) {
  auto loaded = LoadModel(Fixture(GetParam()), "", /*require_tokenizer=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const std::vector<const Linear*> order = ProjectionsInDecodeOrder(*loaded->model);
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    EXPECT_EQ(order[i]->decode_successor(), order[i + 1]) << "projection " << i << " of " << order.size();
  }
  EXPECT_EQ(order.back()->decode_successor(), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DecodeMatchesPrefillTest,
                         ::testing::Values("stories260K/stories260K.bin", "llama-gqa-tiny/hf", "gpt2-tiny/hf"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace ttt::testing
