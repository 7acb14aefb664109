#include "experimental/kv/attention_sinks/attention_sinks.h"

#include "gtest/gtest.h"

namespace ttt::experimental {
namespace {

TEST(AttentionSinksTest, KeepsEverythingThatFits) {
  EXPECT_EQ(PlanSinkEviction(3, 8, 4).keep, (std::vector<int64_t>{0, 1, 2}));
}

TEST(AttentionSinksTest, KeepsSinksAndTheMostRecentPositions) {
  EXPECT_EQ(PlanSinkEviction(10, 6, 2).keep, (std::vector<int64_t>{0, 1, 6, 7, 8, 9}));
}

TEST(AttentionSinksTest, SinksNeverExceedCapacity) {
  EXPECT_EQ(PlanSinkEviction(10, 2, 4).keep, (std::vector<int64_t>{0, 1}));
}

}  // namespace
}  // namespace ttt::experimental
