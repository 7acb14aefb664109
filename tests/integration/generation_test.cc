// Generation on the real stories260K model: batches, stop strings, streaming, budgets, sampling.
#include "core/generation/generate.h"

#include <cstdio>

#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

class GenerationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadModel(Fixture("stories260K/stories260K.bin"));
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    loaded_ = *std::move(loaded);
  }
  absl::StatusOr<std::vector<GenerationResult>> Run(const std::vector<std::string>& prompts,
                                                    const GenerationOptions& options,
                                                    const TextCallback& callback = nullptr) {
    return Generate(*loaded_.model, *loaded_.tokenizer, prompts, options, callback);
  }
  LoadedModel loaded_;
};

TEST_F(GenerationTest, ABatchDecodedTogetherEqualsEachPromptAlone) {
  GenerationOptions options;
  options.max_new_tokens = 40;
  const std::vector<std::string> prompts = {"Once upon a time", "The dog", "Lily and Ben went"};
  auto batch = Run(prompts, options);
  ASSERT_TRUE(batch.ok()) << batch.status();
  for (size_t i = 0; i < prompts.size(); ++i) {
    auto alone = Run({prompts[i]}, options);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ((*batch)[i].tokens, alone->front().tokens) << prompts[i];
    EXPECT_EQ((*batch)[i].text, alone->front().text);
  }
}

TEST_F(GenerationTest, StopStringCutsTheTextAndStreamingAddsUpToIt) {
  GenerationOptions options;
  options.max_new_tokens = 200;
  options.stop_strings = {"Lily"};
  std::string streamed;
  auto r = Run({""}, options, [&](size_t, std::string_view text) {
    streamed += text;
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.status();
  // Greedy text starts "Once upon a time, there was a little girl named Lily." (run.c's output).
  EXPECT_EQ(r->front().text, "Once upon a time, there was a little girl named ");
  EXPECT_EQ(r->front().stop_reason, StopReason::kStopString);
  EXPECT_EQ(streamed, r->front().text);
}

TEST_F(GenerationTest, BudgetAndCancellationStopGeneration) {
  GenerationOptions options;
  options.max_new_tokens = 7;
  auto r = Run({"Once"}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->front().tokens.size(), 7u);
  EXPECT_EQ(r->front().stop_reason, StopReason::kBudget);
  options.max_new_tokens = 100;
  int calls = 0;
  auto cancelled = Run({"Once"}, options, [&](size_t, std::string_view) { return ++calls < 3; });
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->front().stop_reason, StopReason::kCancelled);
  EXPECT_LT(cancelled->front().tokens.size(), 10u);
}

TEST_F(GenerationTest, SeededSamplingRepeatsAndSeedsDiffer) {
  GenerationOptions options;
  options.max_new_tokens = 30;
  options.sampling = {.temperature = 1.0f, .top_k = 40, .top_p = 0.95f, .min_p = 0.01f, .seed = 5};
  auto a = Run({"Once upon a time"}, options), b = Run({"Once upon a time"}, options);
  options.sampling.seed = 6;
  auto c = Run({"Once upon a time"}, options);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->front().tokens, b->front().tokens);
  EXPECT_NE(a->front().tokens, c->front().tokens);
}

TEST_F(GenerationTest, PromptsThatDoNotFitAreRejected) {
  GenerationOptions options;
  options.context = 4;
  auto r = Run({"Once upon a time there was a little girl"}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("does not fit the context"), std::string::npos);
  options = {};
  options.sampling.top_p = 2;
  EXPECT_FALSE(Run({"x"}, options).ok());
}

TEST_F(GenerationTest, ContextFullStopsCleanly) {
  GenerationOptions options;
  options.context = 10;
  options.max_new_tokens = 100;
  auto r = Run({"Once"}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->front().stop_reason, StopReason::kContextFull);
  // Every position of the cache is used; the last sampled token needs none (it is never fed back).
  EXPECT_EQ(r->front().prompt_tokens.size() + r->front().tokens.size(), 11u);
}

// A chat's second turn through a KvSession prefills only what follows the first turn's cached tokens, and
// gives the same tokens as the whole conversation prefilled from nothing.
TEST_F(GenerationTest, AKvSessionReusesTheCachedPrefixAndChangesNoToken) {
  GenerationOptions options;
  options.max_new_tokens = 24;
  options.context = 256;  // one state for every turn
  KvSession session;
  options.session = &session;
  const std::string first = "Once upon a time, there was a little girl named Lily.";
  auto turn1 = Run({first}, options);
  ASSERT_TRUE(turn1.ok()) << turn1.status();
  EXPECT_EQ(turn1->front().reused_prompt_tokens, 0);
  ASSERT_NE(session.state, nullptr);
  const std::string second = first + turn1->front().text + " One day, she went to the park.";
  auto turn2 = Run({second}, options);
  ASSERT_TRUE(turn2.ok()) << turn2.status();
  // Everything the cache held that the new prompt repeats: at least the first prompt.
  EXPECT_GE(turn2->front().reused_prompt_tokens, static_cast<int64_t>(turn1->front().prompt_tokens.size()));
  EXPECT_LT(turn2->front().reused_prompt_tokens, static_cast<int64_t>(turn2->front().prompt_tokens.size()));
  std::printf("turn 2: %zu prompt tokens, %lld reused from the session's cache\n",
              turn2->front().prompt_tokens.size(), static_cast<long long>(turn2->front().reused_prompt_tokens));

  GenerationOptions plain = options;
  plain.session = nullptr;
  auto whole = Run({second}, plain);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(turn2->front().tokens, whole->front().tokens);
  EXPECT_EQ(turn2->front().text, whole->front().text);

  // A prompt that diverges early keeps only the shared start; one that does not fit is a new state.
  auto other = Run({"Once upon a time, there was a big dog."}, options);
  ASSERT_TRUE(other.ok());
  auto other_whole = Run({"Once upon a time, there was a big dog."}, plain);
  ASSERT_TRUE(other_whole.ok());
  EXPECT_EQ(other->front().tokens, other_whole->front().tokens);
  EXPECT_GT(other->front().reused_prompt_tokens, 0);

  plain.session = &session;
  plain.kv_policy = nullptr;
  EXPECT_FALSE(Run({"a", "b"}, plain).ok());  // a session holds one sequence
}

}  // namespace
}  // namespace ttt::testing
