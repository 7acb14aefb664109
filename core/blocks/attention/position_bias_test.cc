// The position-bias registry: lookups, and the errors a wrong registration or an unregistered kind give.
#include "core/blocks/attention/position_bias.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

using ::testing::HasSubstr;

spec::PositionBiasSpec Spec(const std::string& kind, float max_bias = 8) {
  spec::PositionBiasSpec s;
  s.set_kind(kind);
  s.set_max_bias(max_bias);
  return s;
}

TEST(PositionBiasTest, ARegisteredKindGivesItsSlopesForTheSpec) {
  ASSERT_TRUE(RegisterPositionBias("test_scaled", [](const spec::PositionBiasSpec& s, int64_t heads) {
                return absl::StatusOr<std::vector<float>>(std::vector<float>(heads, s.max_bias() / 16));
              }).ok());
  auto slopes = PositionBiasSlopes(Spec("test_scaled", 4), 3);
  ASSERT_TRUE(slopes.ok()) << slopes.status();
  EXPECT_EQ(*slopes, (std::vector<float>{0.25f, 0.25f, 0.25f}));
  EXPECT_THAT(RegisteredPositionBiases(), ::testing::Contains("test_scaled"));
}

TEST(PositionBiasTest, AKindIsRegisteredOnce) {
  auto fn = [](const spec::PositionBiasSpec&, int64_t heads) {
    return absl::StatusOr<std::vector<float>>(std::vector<float>(heads, 1.0f));
  };
  ASSERT_TRUE(RegisterPositionBias("test_once", fn).ok());
  const absl::Status again = RegisterPositionBias("test_once", fn);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(RegisterPositionBias("", fn).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RegisterPositionBias("test_null", nullptr).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PositionBiasTest, AnUnknownKindNamesTheRegisteredOnesAndHowToGetAlibi) {
  auto slopes = PositionBiasSlopes(Spec("alibi_v9"), 4);
  ASSERT_FALSE(slopes.ok());
  EXPECT_EQ(slopes.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(slopes.status().message()), HasSubstr("kind 'alibi_v9' is not registered"));
  EXPECT_THAT(std::string(slopes.status().message()),
              HasSubstr("link ttt::contrib and call ttt::contrib::RegisterAlibi()"));
}

TEST(PositionBiasTest, AKindsErrorsAndWrongResultsNameIt) {
  ASSERT_TRUE(RegisterPositionBias("test_fails", [](const spec::PositionBiasSpec&, int64_t) {
                return absl::StatusOr<std::vector<float>>(absl::InvalidArgumentError("needs an even head count"));
              }).ok());
  auto failed = PositionBiasSlopes(Spec("test_fails"), 3);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("position bias 'test_fails': needs an even head"));

  ASSERT_TRUE(RegisterPositionBias("test_short", [](const spec::PositionBiasSpec&, int64_t heads) {
                return absl::StatusOr<std::vector<float>>(std::vector<float>(heads - 1, 0.5f));
              }).ok());
  auto short_result = PositionBiasSlopes(Spec("test_short"), 4);
  EXPECT_EQ(short_result.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(short_result.status().message()), HasSubstr("gave 3 slopes for 4 heads"));
}

}  // namespace
}  // namespace ttt
