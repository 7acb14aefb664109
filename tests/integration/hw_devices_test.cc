// The real stories260K and llama-gqa-tiny checkpoints built for every device in both modes with their
// default hardware configs, against llama.cpp's f32 logits: every device runs; cpu accuracy is the exact
// path; every emulated device's accuracy mode agrees with the reference at least as well as performance.
#include "tests/integration/fixture_util.h"

#include "core/hwconfig/device_registry.h"

namespace ttt::testing {
namespace {

class HwDevicesTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HwDevicesTest, EveryDeviceAndModeRunsWithItsDefaultConfig) {
  const std::string fixture = GetParam();
  const std::string model = fixture == "stories260K" ? "stories260K/stories260K.bin" : "llama-gqa-tiny/hf";
  const ReferenceCase c = FixtureReferenceCases(fixture).front();
  for (const std::string& device : DeviceNames()) {
    double pcc[2] = {0, 0};
    for (hw::ConfigMode mode : {hw::ACCURACY, hw::PERFORMANCE}) {
      auto loaded = LoadModel(Fixture(model), "", false, BuildOptions{.device = device, .mode = mode});
      ASSERT_TRUE(loaded.ok()) << device << ": " << loaded.status();
      const LogitsAgreement a = CompareLogits(PrefillLogitsOrFail(*loaded->model, c.tokens), c.logits, c.vocab);
      std::printf("%s %-5s %-11s PCC %.6f  top-1 %.0f%%\n", fixture.c_str(), device.c_str(),
                  mode == hw::ACCURACY ? "accuracy" : "performance", a.pcc, 100 * a.top1);
      pcc[mode == hw::ACCURACY ? 0 : 1] = a.pcc;
      EXPECT_GT(a.pcc, 0.97) << device;
    }
    if (device == "cpu") EXPECT_GT(pcc[0], 0.99999);
    EXPECT_GE(pcc[0], pcc[1]) << device << ": accuracy mode must agree at least as well as performance mode";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, HwDevicesTest, ::testing::Values("stories260K", "llama-gqa-tiny"));

}  // namespace
}  // namespace ttt::testing
