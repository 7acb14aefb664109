// The generation loop's side of KV-cache policies, with a policy written here (the library's own policies
// live in other tiers: experimental/kv/attention_sinks): a full cache is compacted and decoding goes on,
// or generation is refused before any token.
#include "core/generation/kv_policy.h"

#include "core/factory/model_loader.h"
#include "core/generation/generate.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

std::string Fixture(const std::string& relative) { return std::string(TTT_FIXTURES_DIR) + "/" + relative; }

// Keeps the most recent `keep` rows; refuses caches not larger than that.
class KeepRecent : public KvPolicy {
 public:
  explicit KeepRecent(int64_t keep) : keep_(keep) {}
  std::string Describe() const override { return "keep-recent"; }
  absl::Status Check(int64_t capacity) const override {
    return capacity > keep_ ? absl::OkStatus() : absl::InvalidArgumentError("the context is too small");
  }
  std::vector<int64_t> RowsToKeep(int64_t length, int64_t capacity) const override {
    std::vector<int64_t> rows;
    for (int64_t i = std::max<int64_t>(0, length - keep_); i < length; ++i) rows.push_back(i);
    return rows;
  }

 private:
  int64_t keep_;
};

class KvPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadModel(Fixture("stories260K/stories260K.bin"));
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    loaded_ = *std::move(loaded);
  }
  absl::StatusOr<GenerationResult> Run(const GenerationOptions& options) {
    auto results = Generate(*loaded_.model, *loaded_.tokenizer, {"Once upon a time"}, options);
    if (!results.ok()) return results.status();
    return results->front();
  }
  LoadedModel loaded_;
};

TEST_F(KvPolicyTest, AFullCacheIsCompactedAndGenerationGoesOnPastTheContext) {
  GenerationOptions options;
  options.context = 32;
  options.max_new_tokens = 150;
  options.stop_at_eos = false;
  auto stopped = Run(options);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->stop_reason, StopReason::kContextFull);
  const int64_t prompt = static_cast<int64_t>(stopped->prompt_tokens.size());
  EXPECT_EQ(static_cast<int64_t>(stopped->tokens.size()), 32 - prompt + 1);  // the last one is not cached

  options.kv_policy = std::make_shared<KeepRecent>(20);
  auto r = Run(options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stop_reason, StopReason::kBudget);
  ASSERT_EQ(r->tokens.size(), 150u);
  // Every compaction drops 12 of 32 rows; 150 tokens after the prompt need 150 - 1 rows beyond the prompt.
  const int64_t cached = prompt + 150 - 1;
  EXPECT_EQ(r->kv_compactions, (cached - 32 + 11) / 12);
  EXPECT_EQ(r->evicted_tokens, 12 * r->kv_compactions);
  // Until the cache first fills, nothing differs.
  EXPECT_EQ(std::vector<int32_t>(r->tokens.begin(), r->tokens.begin() + stopped->tokens.size()), stopped->tokens);
}

TEST_F(KvPolicyTest, APolicyThatKeepsEveryRowStopsAsWithout) {
  struct KeepEverything : KvPolicy {
    std::string Describe() const override { return "keep-everything"; }
    absl::Status Check(int64_t) const override { return absl::OkStatus(); }
    std::vector<int64_t> RowsToKeep(int64_t length, int64_t) const override {
      std::vector<int64_t> rows(length);
      for (int64_t i = 0; i < length; ++i) rows[i] = i;
      return rows;
    }
  };
  GenerationOptions options;
  options.context = 24;
  options.max_new_tokens = 50;
  options.stop_at_eos = false;
  options.kv_policy = std::make_shared<KeepEverything>();
  auto r = Run(options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stop_reason, StopReason::kContextFull);
  EXPECT_EQ(r->kv_compactions, 0);
}

TEST_F(KvPolicyTest, PolicyErrorsNameThePolicy) {
  GenerationOptions options;
  options.context = 8;
  options.kv_policy = std::make_shared<KeepRecent>(16);
  auto r = Run(options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("KV-cache policy keep-recent: the context is too small"), std::string::npos)
      << r.status();
}

TEST_F(KvPolicyTest, ModelsWithLearnedPositionsAreRefusedBeforeAnyToken) {
  auto gpt2 = LoadModel(Fixture("gpt2-tiny/hf"));
  ASSERT_TRUE(gpt2.ok()) << gpt2.status();
  GenerationOptions options;
  options.context = 16;
  options.kv_policy = std::make_shared<KeepRecent>(8);
  int calls = 0;
  auto r = Generate(*gpt2->model, *gpt2->tokenizer, {"Hello"}, options, [&](size_t, std::string_view) {
    ++calls;
    return true;
  });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("cannot be compacted"), std::string::npos) << r.status();
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace ttt
