// The zoo device tests' environment contract with the compatibility matrix: TTT_DEVICE / TTT_MODE select the
// build, and the metric lines have the keys `ttt-gov matrix` parses (core/governance/matrix.cc ParseMetrics).
#include "core/testing/device_env.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace ttt::testing {
namespace {

TEST(DeviceEnvTest, DefaultsToTheExactCpuReference) {
  unsetenv("TTT_DEVICE");
  unsetenv("TTT_MODE");
  auto options = BuildOptionsFromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->device, "cpu");
  EXPECT_TRUE(IsExactReference(*options));
}

TEST(DeviceEnvTest, ReadsDeviceAndModeAndRefusesAnUnknownMode) {
  setenv("TTT_DEVICE", "n150", 1);
  setenv("TTT_MODE", "performance", 1);
  auto options = BuildOptionsFromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->device, "n150");
  EXPECT_EQ(options->mode, hw::PERFORMANCE);
  EXPECT_FALSE(IsExactReference(*options));
  setenv("TTT_MODE", "fast", 1);
  EXPECT_FALSE(BuildOptionsFromEnvironment().ok());
  unsetenv("TTT_DEVICE");
  unsetenv("TTT_MODE");
}

TEST(DeviceEnvTest, MetricLinesCarryTheKeysTheMatrixParses) {
  LogitsAgreement a;
  a.pcc = 0.5;
  a.top1 = 0.75;
  a.max_abs_error = 1;
  a.max_abs_reference = 4;
  const std::string line = AccuracyMetricLine(BuildOptions{}, a);
  EXPECT_EQ(line, "TTT_METRIC device=cpu pcc=0.500000 top1=0.7500 logit_error=0.25");
  EXPECT_EQ(SpeedMetricLine(BuildOptions{}, 12.34), "TTT_METRIC device=cpu tokens_per_s=12.3");
}

}  // namespace
}  // namespace ttt::testing
