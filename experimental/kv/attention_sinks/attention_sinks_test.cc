// The attention-sinks eviction plan and policy: what is kept, when, and which settings are refused.
#include "experimental/kv/attention_sinks/attention_sinks.h"

#include "gtest/gtest.h"

namespace ttt::experimental {
namespace {

std::vector<int64_t> Range(int64_t first, int64_t end) {
  std::vector<int64_t> rows;
  for (int64_t i = first; i < end; ++i) rows.push_back(i);
  return rows;
}

std::vector<int64_t> Concat(std::vector<int64_t> a, const std::vector<int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(AttentionSinksTest, KeepsEverythingThatFits) {
  EXPECT_EQ(PlanSinkEviction(3, 8, 4).keep, (std::vector<int64_t>{0, 1, 2}));
}

TEST(AttentionSinksTest, KeepsSinksAndTheMostRecentPositions) {
  EXPECT_EQ(PlanSinkEviction(10, 6, 2).keep, (std::vector<int64_t>{0, 1, 6, 7, 8, 9}));
}

TEST(AttentionSinksTest, SinksNeverExceedCapacity) {
  EXPECT_EQ(PlanSinkEviction(10, 2, 4).keep, (std::vector<int64_t>{0, 1}));
}

TEST(AttentionSinksTest, AFullCacheKeepsTheSinksAndTheRecentHalfOfTheRest) {
  // llama.cpp's context shift: of 60 non-sink rows, 30 are discarded.
  const AttentionSinksPolicy policy(4);
  EXPECT_EQ(policy.RowsToKeep(64, 64), Concat(Range(0, 4), Range(34, 64)));
  EXPECT_EQ(policy.RecentRowsKept(64), 30);
  EXPECT_EQ(AttentionSinksPolicy(0).RowsToKeep(9, 9), Range(4, 9));  // odd: the larger half stays
}

TEST(AttentionSinksTest, AWindowKeepsThatManyRecentRows) {
  const AttentionSinksPolicy policy(2, 5);
  EXPECT_EQ(policy.RowsToKeep(16, 16), Concat(Range(0, 2), Range(11, 16)));
  // StreamingLLM's rolling window: one row freed per compaction.
  EXPECT_EQ(AttentionSinksPolicy(4, 11).RowsToKeep(16, 16), Concat(Range(0, 4), Range(5, 16)));
}

TEST(AttentionSinksTest, ParsesTheCommandLineForm) {
  auto plain = AttentionSinksPolicy::Parse("sinks:4");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ((*plain)->sink_tokens(), 4);
  EXPECT_EQ((*plain)->window(), 0);
  EXPECT_EQ((*plain)->Describe(), "sinks:4");
  auto windowed = AttentionSinksPolicy::Parse("sinks:0,window:100");
  ASSERT_TRUE(windowed.ok()) << windowed.status();
  EXPECT_EQ((*windowed)->Describe(), "sinks:0,window:100");
  for (const char* bad : {"sinks", "sinks:x", "sinks:-1", "window:4", "sinks:4,window:0", "sinks:4,keep:3", ""}) {
    auto parsed = AttentionSinksPolicy::Parse(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(parsed.status().message().find("sinks:N,window:W"), std::string::npos) << parsed.status();
  }
}

TEST(AttentionSinksTest, ContextsWithNothingToEvictAreRefused) {
  EXPECT_TRUE(AttentionSinksPolicy(4).Check(6).ok());
  const absl::Status small = AttentionSinksPolicy(4).Check(5);
  EXPECT_EQ(small.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(small.message().find("needs a context of at least 6 tokens"), std::string::npos) << small;
  EXPECT_TRUE(AttentionSinksPolicy(4, 10).Check(15).ok());
  EXPECT_FALSE(AttentionSinksPolicy(4, 10).Check(14).ok());
}

}  // namespace
}  // namespace ttt::experimental
