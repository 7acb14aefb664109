// The scheduler on the real stories260K model: requests that share decode steps produce what each produces
// alone, slots join and leave between steps, cancellation frees a slot, a full queue and an over-long request
// are refused with errors that say why.
#include "core/generation/batching/batch_scheduler.h"

#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"

#include "core/factory/model_loader.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

// Records what the scheduler hands a request.
class RecordingSink : public BatchSink {
 public:
  bool OnToken(const BatchToken& token) override {
    tokens.push_back(token.token);
    text += token.text;
    steps.push_back(token);
    return keep_going_for < 0 || static_cast<int>(tokens.size()) < keep_going_for;
  }
  void OnDone(const BatchOutcome& o) override {
    ++done_calls;
    outcome = o;
    text += o.final_text;
  }
  int keep_going_for = -1;  // >= 0: cancel (return false) at that many tokens
  std::vector<int32_t> tokens;
  std::vector<BatchToken> steps;
  std::string text;
  int done_calls = 0;
  BatchOutcome outcome;
};

class BatchSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadModel(std::string(TTT_FIXTURES_DIR) + "/stories260K/stories260K.bin");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    loaded_ = *std::move(loaded);
  }
  std::unique_ptr<BatchScheduler> Make(BatchSchedulerOptions options) {
    auto s = BatchScheduler::Create(*loaded_.model, *loaded_.tokenizer, options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }
  BatchRequest Request(const std::string& prompt, int32_t n) {
    BatchRequest r;
    r.prompt = *loaded_.tokenizer->Encode(prompt, /*add_bos=*/true);
    r.max_new_tokens = n;
    return r;
  }
  GenerationResult Alone(const std::string& prompt, GenerationOptions options) {
    auto r = Generate(*loaded_.model, *loaded_.tokenizer, {prompt}, options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r->front();
  }
  static void RunToEnd(BatchScheduler& s) {
    for (int i = 0; i < 10000 && s.Step(); ++i) {
    }
  }
  LoadedModel loaded_;
};

TEST_F(BatchSchedulerTest, RequestsSharingStepsMatchEachRunAlone) {
  auto scheduler = Make({.slots = 2, .context = 256});
  const std::vector<std::string> prompts = {"Once upon a time", "The dog", "Lily and Ben went"};
  std::vector<std::shared_ptr<RecordingSink>> sinks;
  for (const auto& p : prompts) {
    sinks.push_back(std::make_shared<RecordingSink>());
    ASSERT_TRUE(scheduler->Submit(Request(p, 30), sinks.back()).ok());
  }
  RunToEnd(*scheduler);  // two slots for three requests: the third joins when one leaves
  GenerationOptions options;
  options.max_new_tokens = 30;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const GenerationResult alone = Alone(prompts[i], options);
    EXPECT_EQ(sinks[i]->done_calls, 1);
    EXPECT_TRUE(sinks[i]->outcome.status.ok());
    EXPECT_EQ(sinks[i]->tokens, alone.tokens) << prompts[i];
    EXPECT_EQ(sinks[i]->text, alone.text) << prompts[i];
    EXPECT_EQ(sinks[i]->outcome.stop_reason, alone.stop_reason);
  }
  EXPECT_EQ(scheduler->stats().requests_finished, 3);
  EXPECT_EQ(scheduler->stats().active_slots, 0);
}

TEST_F(BatchSchedulerTest, ASlotJoiningMidwayGetsItsOwnCacheRegion) {
  auto scheduler = Make({.slots = 4, .context = 256, .prefill_tokens_per_step = 3});  // prompts in pieces
  auto first = std::make_shared<RecordingSink>(), second = std::make_shared<RecordingSink>();
  ASSERT_TRUE(scheduler->Submit(Request("Once upon a time", 40), first).ok());
  for (int i = 0; i < 12; ++i) scheduler->Step();
  ASSERT_TRUE(scheduler->Submit(Request("The cat sat on the mat and", 20), second).ok());
  RunToEnd(*scheduler);
  GenerationOptions options;
  options.max_new_tokens = 40;
  EXPECT_EQ(first->tokens, Alone("Once upon a time", options).tokens);
  options.max_new_tokens = 20;
  EXPECT_EQ(second->tokens, Alone("The cat sat on the mat and", options).tokens);
}

TEST_F(BatchSchedulerTest, StopStringsAndSamplingFollowGenerate) {
  auto scheduler = Make({.slots = 2, .context = 256});
  BatchRequest request = Request("Once upon a time", 200);
  request.stop_strings = {"Lily"};
  request.sampling = {.temperature = 0.8f, .top_k = 40, .top_p = 0.9f, .seed = 7};
  auto sink = std::make_shared<RecordingSink>();
  ASSERT_TRUE(scheduler->Submit(request, sink).ok());
  RunToEnd(*scheduler);
  GenerationOptions options;
  options.max_new_tokens = 200;
  options.stop_strings = {"Lily"};
  options.sampling = request.sampling;
  const GenerationResult alone = Alone("Once upon a time", options);
  EXPECT_EQ(sink->text, alone.text);
  EXPECT_EQ(sink->outcome.stop_reason, alone.stop_reason);
}

TEST_F(BatchSchedulerTest, CancellingFreesTheSlotAtTheNextStep) {
  auto scheduler = Make({.slots = 1, .context = 256});
  auto running = std::make_shared<RecordingSink>(), waiting = std::make_shared<RecordingSink>();
  auto id = scheduler->Submit(Request("Once upon a time", 200), running);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(scheduler->Submit(Request("The dog", 5), waiting).ok());
  for (int i = 0; i < 3; ++i) scheduler->Step();
  scheduler->Cancel(*id);
  scheduler->Step();
  EXPECT_EQ(running->done_calls, 1);
  EXPECT_EQ(running->outcome.stop_reason, StopReason::kCancelled);
  EXPECT_LT(running->tokens.size(), 10u);
  RunToEnd(*scheduler);  // the waiting request got the slot
  EXPECT_EQ(waiting->done_calls, 1);
  EXPECT_EQ(waiting->tokens.size(), 5u);
  scheduler->Cancel(*id);  // already finished: ignored
  EXPECT_FALSE(scheduler->Step());
  EXPECT_EQ(scheduler->stats().requests_cancelled, 1);
}

TEST_F(BatchSchedulerTest, ASinkThatRefusesATokenCancelsItsRequest) {
  auto scheduler = Make({.slots = 2, .context = 256});
  auto sink = std::make_shared<RecordingSink>();
  sink->keep_going_for = 4;
  ASSERT_TRUE(scheduler->Submit(Request("Once upon a time", 100), sink).ok());
  RunToEnd(*scheduler);
  EXPECT_EQ(sink->tokens.size(), 4u);
  EXPECT_EQ(sink->done_calls, 1);
  EXPECT_EQ(sink->outcome.stop_reason, StopReason::kCancelled);
}

TEST_F(BatchSchedulerTest, AFullQueueAndAnOverlongRequestAreRefused) {
  auto scheduler = Make({.slots = 1, .context = 64, .max_queue = 2});
  auto sink = std::make_shared<RecordingSink>();
  // Room for one request per slot plus max_queue waiting.
  ASSERT_TRUE(scheduler->Submit(Request("a", 4), sink).ok());
  ASSERT_TRUE(scheduler->Submit(Request("b", 4), sink).ok());
  ASSERT_TRUE(scheduler->Submit(Request("c", 4), sink).ok());
  auto full = scheduler->Submit(Request("d", 4), sink);
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted);
  BatchRequest longer = Request("Once upon a time", 60);
  auto over = scheduler->Submit(longer, std::make_shared<RecordingSink>());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(over.status().message().find("context is 64 tokens"), std::string::npos) << over.status();
  EXPECT_NE(over.status().message().find(absl::StrCat(longer.prompt.size() + 60, " were requested")),
            std::string::npos);
  EXPECT_EQ(scheduler->stats().requests_rejected, 1);
  BatchRequest bad = Request("a", 4);
  bad.sampling.top_p = 0;
  EXPECT_EQ(scheduler->Submit(bad, sink).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(BatchSchedulerTest, LogprobsAreTheModelsDistribution) {
  auto scheduler = Make({.slots = 1, .context = 256});
  BatchRequest request = Request("Once upon a time", 5);
  request.logprobs = true;
  request.top_logprobs = 3;
  auto sink = std::make_shared<RecordingSink>();
  ASSERT_TRUE(scheduler->Submit(request, sink).ok());
  RunToEnd(*scheduler);
  ASSERT_EQ(sink->steps.size(), 5u);
  for (const BatchToken& t : sink->steps) {
    ASSERT_EQ(t.top.size(), 3u);
    EXPECT_EQ(t.top[0].token, t.token);  // greedy: the likeliest
    EXPECT_FLOAT_EQ(t.top[0].logprob, t.logprob);
    EXPECT_LE(t.logprob, 0.0f);
    EXPECT_GE(t.top[0].logprob, t.top[1].logprob);
    EXPECT_LE(std::exp(t.top[0].logprob) + std::exp(t.top[1].logprob) + std::exp(t.top[2].logprob), 1.0001);
  }
}

// A second turn (the first turn's prompt and answer, then more) finds its prefix in the slot the first left:
// only the rest is prefilled, and it generates what a scheduler that forgets every cache generates.
TEST_F(BatchSchedulerTest, ANewRequestReusesTheLongestPrefixASlotHolds) {
  auto Turns = [&](bool reuse, std::vector<std::shared_ptr<RecordingSink>>* sinks) {
    auto scheduler = Make({.slots = 2, .context = 256, .reuse_prefix = reuse});
    auto first = std::make_shared<RecordingSink>(), other = std::make_shared<RecordingSink>();
    const BatchRequest a = Request("Once upon a time", 20);
    EXPECT_TRUE(scheduler->Submit(a, first).ok());
    EXPECT_TRUE(scheduler->Submit(Request("The dog", 12), other).ok());
    RunToEnd(*scheduler);
    // Turn two: all of turn one, then new text; and an unrelated prompt, which shares nothing.
    BatchRequest b = a;
    b.prompt.insert(b.prompt.end(), first->tokens.begin(), first->tokens.end());
    const auto more = *loaded_.tokenizer->Encode(" Lily was happy.", /*add_bos=*/false);
    b.prompt.insert(b.prompt.end(), more.begin(), more.end());
    auto second = std::make_shared<RecordingSink>(), unrelated = std::make_shared<RecordingSink>();
    EXPECT_TRUE(scheduler->Submit(Request("Lily and Ben went", 15), unrelated).ok());
    EXPECT_TRUE(scheduler->Submit(b, second).ok());
    RunToEnd(*scheduler);
    *sinks = {first, other, second, unrelated};
    return scheduler->stats();
  };
  std::vector<std::shared_ptr<RecordingSink>> reused, fresh;
  const BatchSchedulerStats with = Turns(true, &reused), without = Turns(false, &fresh);
  const int32_t first_prompt = reused[0]->outcome.prompt_tokens;
  ASSERT_EQ(reused[0]->tokens.size(), 20u);
  // The cache holds turn one's prompt and every answer token but the last (never decoded).
  EXPECT_EQ(reused[2]->outcome.cached_prompt_tokens, first_prompt + 19);
  // It shares only BOS with either slot, and takes the one left least recently ("The dog" finished first).
  EXPECT_EQ(reused[3]->outcome.cached_prompt_tokens, 1);
  EXPECT_EQ(fresh[2]->outcome.cached_prompt_tokens, 0);
  for (size_t i = 0; i < reused.size(); ++i) {
    EXPECT_EQ(reused[i]->tokens, fresh[i]->tokens) << i;
    EXPECT_EQ(reused[i]->done_calls, 1);
  }
  EXPECT_EQ(with.prompt_tokens_reused, first_prompt + 19 + 1);
  EXPECT_EQ(with.prompt_tokens + with.prompt_tokens_reused, without.prompt_tokens);
}

TEST_F(BatchSchedulerTest, TheThreadServesConcurrentSubmitters) {
  auto scheduler = Make({.slots = 4, .context = 128});
  scheduler->Start();
  std::vector<std::shared_ptr<RecordingSink>> sinks;
  for (int i = 0; i < 6; ++i) {
    sinks.push_back(std::make_shared<RecordingSink>());
    ASSERT_TRUE(scheduler->Submit(Request("Once upon a time", 10), sinks.back()).ok());
  }
  for (int i = 0; i < 2000 && scheduler->stats().requests_finished < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  scheduler->Stop();
  for (const auto& s : sinks) {
    EXPECT_EQ(s->done_calls, 1);
    EXPECT_EQ(s->tokens, sinks[0]->tokens);
  }
}

}  // namespace
}  // namespace ttt
