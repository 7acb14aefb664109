// Validation of hardware configs against devices: each error's text, and all problems at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "core/factory/synthetic.h"
#include "core/hwconfig/compatibility.h"
#include "core/specs/validate.h"
#include "core/hwconfig/device_registry.h"

namespace ttt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::vector<std::string> Check(const std::string& shape, const std::string& device, hw::ConfigMode mode,
                               const std::string& file_text, int64_t batch, int64_t context) {
  hw::ModelHwConfig file;
  if (!file_text.empty()) file = *ParseModelHwConfig(file_text, "my.textproto");
  auto problems = CheckHardwareCompatibility(*ValidateModel(*NamedShape(shape)), device, mode, &file, batch, context, "my.textproto");
  EXPECT_TRUE(problems.ok()) << problems.status();
  return *problems;
}

TEST(HwCompatibilityTest, EveryDefaultConfigOfASmallModelFitsEveryDevice) {
  for (const std::string& device : DeviceNames()) {
    for (hw::ConfigMode mode : {hw::PERFORMANCE, hw::ACCURACY}) {
      EXPECT_THAT(Check("smollm-135m", device, mode, "", 1, 2048), SizeIs(0)) << device;
      EXPECT_THAT(Check("stories260k", device, mode, "", 1, 0), SizeIs(0)) << device;
    }
  }
}

TEST(HwCompatibilityTest, DtypeTheDeviceCannotStoreNamesModuleLayerOpAndSource) {
  const auto problems = Check("stories260k", "n150", hw::PERFORMANCE, R"pb(
    overrides { layer: 3 modules { key: "mlp" value { decode { ops { key: "ff2" value { weight_dtype: INT8 } } } } } })pb",
                              1, 0);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], AllOf(HasSubstr("layer 3 mlp op ff2 (decode)"), HasSubstr("n150 cannot store weights as int8"),
                                 HasSubstr("[model file my.textproto override #1 (layer 3)]"),
                                 HasSubstr("bfp4, bfp8, bf16, f32")));
}

TEST(HwCompatibilityTest, FidelityAndL1OnTheCpuAreErrors) {
  const auto problems = Check("stories260k", "cpu", hw::ACCURACY, R"pb(
    defaults { key: "attention" value { decode { ops { key: "wo" value { math_fidelity: LOFI placement: L1 } } } } })pb",
                              1, 0);
  ASSERT_THAT(problems, SizeIs(2)) << absl::StrJoin(problems, "\n");
  EXPECT_THAT(problems[0], AllOf(HasSubstr("layers 0-4 attention op wo (decode)"), HasSubstr("no math fidelity LOFI"),
                                 HasSubstr("remove math_fidelity")));
  EXPECT_THAT(problems[1], HasSubstr("cpu has no L1 or sharded layouts"));
}

TEST(HwCompatibilityTest, ShardThatDoesNotDivideAndL1OverflowGiveNumbersAndOptions) {
  const auto problems = Check("llama-8b", "n150", hw::PERFORMANCE, R"pb(
    defaults { key: "mlp" value {
      decode { ops { key: "ff2" value { layout: BLOCK_SHARDED } } }
      prefill { ops { key: "ff1_3" value { placement: L1 } } } } })pb",
                              1, 8192);
  ASSERT_THAT(problems, SizeIs(2)) << absl::StrJoin(problems, "\n");
  EXPECT_THAT(problems[0], AllOf(HasSubstr("layers 0-31 mlp op ff1_3 (prefill)"), HasSubstr("output [8192, 28672]"),
                                 HasSubstr("B of L1 per core but n150 has 1499136"), HasSubstr("use placement DRAM"),
                                 HasSubstr("shorter context")));
  EXPECT_THAT(problems[1], AllOf(HasSubstr("mlp op ff2 (decode): BLOCK_SHARDED"), HasSubstr("does not divide on n150"),
                                 HasSubstr("row tiles by grid y 8"), HasSubstr("use layout INTERLEAVED")));
}

TEST(HwCompatibilityTest, A70bModelOnN150FailsWithDramNumbersAndSuggestsBiggerDevicesOrBfp4) {
  const auto problems = Check("llama-70b", "n150", hw::PERFORMANCE, "", 1, 8192);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], AllOf(HasSubstr("model does not fit n150's DRAM"), HasSubstr("KV cache"),
                                 HasSubstr("batch 1, context 8192"), HasSubstr("> 12.00 GiB of DRAM per chip"),
                                 HasSubstr("a bigger device: t3k ("), HasSubstr("of 12.00 GiB per chip), tg ("),
                                 HasSubstr("--weights bfp4"), HasSubstr("still too big")));
  EXPECT_THAT(Check("llama-70b", "t3k", hw::PERFORMANCE, "", 1, 8192), SizeIs(0));
  // Per chip, never pooled: tg's 32 chips hold 384 GiB, more than llama-70b's 54 GiB of weights and 85 GiB
  // of KV cache at batch 32 and 16k context, but its 8 KV heads cannot be split 32 ways: each chip caches one
  // head (a quarter of the cache), 10.6 GiB, and with its 1.7 GiB share of the weights overflows its 12 GiB.
  const auto tg = Check("llama-70b", "tg", hw::PERFORMANCE, "", 32, 16384);
  ASSERT_THAT(tg, SizeIs(1));
  EXPECT_THAT(tg[0], AllOf(HasSubstr("per chip (32 chip(s), tensor parallel)"), HasSubstr("> 12.00 GiB of DRAM per chip"),
                           HasSubstr("a shorter context: at most")));
  EXPECT_THAT(Check("llama-70b", "tg", hw::PERFORMANCE, "", 32, 8192), SizeIs(0));
  // A long context on a model that fits: the option is a shorter context.
  const auto kv = Check("llama-8b", "n150", hw::PERFORMANCE, "", 32, 131072);
  ASSERT_THAT(kv, SizeIs(1));
  EXPECT_THAT(kv[0], AllOf(HasSubstr("a shorter context: at most"), HasSubstr("at batch 32")));
}

TEST(HwCompatibilityTest, SeveralProblemsAreListedAtOnce) {
  const auto problems = Check("llama-70b", "n150", hw::PERFORMANCE, R"pb(
    defaults { key: "attention" value { decode { ops { key: "wqkv" value { weight_dtype: INT8 } } kv_cache_dtype: BFP4 } } }
    overrides { range { first: 0 last: 9 } modules { key: "mlp" value { decode { ops { key: "ff2" value { math_fidelity: HIFI3 activation_dtype: INT8 } } } } } })pb",
                              1, 8192);
  EXPECT_THAT(problems, SizeIs(5)) << absl::StrJoin(problems, "\n");
  const std::string all = absl::StrJoin(problems, "\n");
  EXPECT_THAT(all, AllOf(HasSubstr("layers 0-79 attention op wqkv (decode): n150 cannot store weights as int8"),
                         HasSubstr("layers 0-9 mlp op ff2 (decode): n150 cannot compute with activation_dtype int8"),
                         HasSubstr("KV cache (decode): cannot be stored as bfp4"),
                         HasSubstr("prefill writes bfp8 but decode reads bfp4"), HasSubstr("does not fit n150's DRAM")));
}

}  // namespace
}  // namespace ttt
