// --kv-policy as a ttt built without the experimental tier reads it (this test compiles kv_policy_flag.cc
// without TTT_WITH_EXPERIMENTAL_TIER in every configuration; the tool as configured is run by the CTest
// cli.generate_kv_policy).
#include "tools/ttt/kv_policy_flag.h"

#include "gtest/gtest.h"

namespace ttt::cli {
namespace {

TEST(KvPolicyFlagTest, WithoutTheExperimentalTierSinksNameTheCmakeOption) {
  auto none = ParseKvPolicyFlag("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  EXPECT_TRUE(ParseKvPolicyFlag("none").ok());
  auto sinks = ParseKvPolicyFlag("sinks:4");
  EXPECT_EQ(sinks.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(sinks.status().message().find("-DTTT_ENABLE_EXPERIMENTAL=ON"), std::string::npos) << sinks.status();
  auto unknown = ParseKvPolicyFlag("h2o:8");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("use sinks:N"), std::string::npos) << unknown.status();
}

}  // namespace
}  // namespace ttt::cli
