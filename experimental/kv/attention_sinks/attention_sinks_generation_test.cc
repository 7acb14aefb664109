// Attention sinks on the real stories260K model: generation runs far past the context in the memory planned
// for the context, keeping the sinks and the most recent tokens.
#include <algorithm>

#include "core/factory/model_loader.h"
#include "core/generation/generate.h"
#include "experimental/kv/attention_sinks/attention_sinks.h"
#include "gtest/gtest.h"

namespace ttt::experimental {
namespace {

class AttentionSinksGenerationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadModel(std::string(TTT_FIXTURES_DIR) + "/stories260K/stories260K.bin");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    loaded_ = *std::move(loaded);
  }
  LoadedModel loaded_;
};

TEST_F(AttentionSinksGenerationTest, GenerationRunsPastTheContext) {
  GenerationOptions options;
  options.context = 64;
  options.max_new_tokens = 200;
  options.stop_at_eos = false;
  options.kv_policy = std::make_shared<AttentionSinksPolicy>(4);
  auto results = Generate(*loaded_.model, *loaded_.tokenizer, {"Once upon a time"}, options);
  ASSERT_TRUE(results.ok()) << results.status();
  const GenerationResult& r = results->front();
  EXPECT_EQ(r.stop_reason, StopReason::kBudget);
  ASSERT_EQ(r.tokens.size(), 200u);
  // Each compaction of a full 64-row cache keeps 4 sinks + 30 recent rows, freeing 30.
  const int64_t cached = static_cast<int64_t>(r.prompt_tokens.size()) + 200 - 1;
  EXPECT_EQ(r.kv_compactions, (cached - 64 + 29) / 30);
  EXPECT_EQ(r.evicted_tokens, 30 * r.kv_compactions);
  EXPECT_GE(r.kv_compactions, 5);
  EXPECT_FALSE(r.text.empty());
}

// A prompt longer than the context is prefilled in pieces, the policy evicting between them; without a
// policy it is refused, naming the fix.
TEST_F(AttentionSinksGenerationTest, APromptLongerThanTheContextIsPrefilledThroughThePolicy) {
  std::string long_prompt;
  for (int i = 0; i < 12; ++i) long_prompt += "Once upon a time there was a little girl. ";
  GenerationOptions options;
  options.context = 64;
  options.max_new_tokens = 20;
  options.stop_at_eos = false;
  auto refused = Generate(*loaded_.model, *loaded_.tokenizer, {long_prompt}, options);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(refused.status().message().find("--kv-policy"), std::string::npos) << refused.status();

  options.kv_policy = std::make_shared<AttentionSinksPolicy>(4);
  auto results = Generate(*loaded_.model, *loaded_.tokenizer, {long_prompt}, options);
  ASSERT_TRUE(results.ok()) << results.status();
  const GenerationResult& r = results->front();
  ASSERT_GT(r.prompt_tokens.size(), 64u * 2);
  EXPECT_EQ(r.tokens.size(), 20u);
  EXPECT_GE(r.kv_compactions, 3);
  // Everything but the last cache's worth was evicted, 30 rows at a time.
  EXPECT_EQ(r.evicted_tokens, 30 * r.kv_compactions);
  EXPECT_GE(r.evicted_tokens, static_cast<int64_t>(r.prompt_tokens.size()) + 19 - 64);
}

// The same loop by hand, to watch the state: its planned memory and cache never change, the sequence never
// holds more than the context, and after each compaction the cache holds the sinks and the recent tokens.
TEST_F(AttentionSinksGenerationTest, MemoryStaysAsPlannedForTheContext) {
  const CausalLm& model = *loaded_.model;
  const AttentionSinksPolicy policy(4);
  auto state = model.NewState(1, 64);
  ASSERT_TRUE(state.ok()) << state.status();
  const int64_t planned = (*state)->PlannedBytes();
  const size_t cache_bytes = (*state)->cache().bytes();
  auto encoded = loaded_.tokenizer->Encode("Once upon a time", /*add_bos=*/true);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  const std::vector<int32_t> prompt = *encoded;
  ASSERT_GE(prompt.size(), 4u);
  std::vector<float> logits(model.vocab_size());
  ASSERT_TRUE(model.Prefill(**state, 0, prompt, logits.data(), false).ok());
  std::vector<int32_t> cached_tokens = prompt;  // what each cache row holds
  int64_t processed = static_cast<int64_t>(prompt.size()), compactions = 0;
  for (int step = 0; step < 200; ++step) {
    if ((*state)->length(0) == (*state)->max_seq_len()) {
      const std::vector<int64_t> keep = policy.RowsToKeep(64, 64);
      std::vector<int32_t> kept;
      for (int64_t row : keep) kept.push_back(cached_tokens[row]);
      ASSERT_TRUE(model.CompactKvCache(**state, 0, keep).ok());
      // The first prompt tokens are the sinks; the rest are the latest tokens, in order.
      EXPECT_EQ(std::vector<int32_t>(kept.begin(), kept.begin() + 4),
                std::vector<int32_t>(prompt.begin(), prompt.begin() + 4));
      EXPECT_EQ(std::vector<int32_t>(kept.begin() + 4, kept.end()),
                std::vector<int32_t>(cached_tokens.end() - 30, cached_tokens.end()));
      cached_tokens = kept;
      ++compactions;
    }
    const int32_t token = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    const int32_t slot = 0;
    ASSERT_TRUE(model.Decode(**state, {&slot, 1}, {&token, 1}, logits.data()).ok()) << "step " << step;
    cached_tokens.push_back(token);
    ++processed;
    ASSERT_LE((*state)->length(0), 64);
    ASSERT_EQ((*state)->length(0), static_cast<int64_t>(cached_tokens.size()));
  }
  EXPECT_EQ(processed, static_cast<int64_t>(prompt.size()) + 200);  // over 3x the context
  EXPECT_GE(compactions, 5);
  EXPECT_EQ((*state)->PlannedBytes(), planned);
  EXPECT_EQ((*state)->cache().bytes(), cache_bytes);
  EXPECT_EQ((*state)->max_seq_len(), 64);
}

TEST_F(AttentionSinksGenerationTest, GptTwoIsRefusedAtSetup) {
  auto gpt2 = LoadModel(std::string(TTT_FIXTURES_DIR) + "/gpt2-tiny/hf");
  ASSERT_TRUE(gpt2.ok()) << gpt2.status();
  GenerationOptions options;
  options.kv_policy = std::make_shared<AttentionSinksPolicy>(4);
  auto r = Generate(*gpt2->model, *gpt2->tokenizer, {"Hello"}, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("KV-cache policy sinks:4: model"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace ttt::experimental
