// The hardware-config engine's resolution order, every override level and the provenance of each value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/factory/synthetic.h"
#include "core/hwconfig/device_registry.h"
#include "core/blocks/module_registry.h"
#include "core/hwconfig/module_defaults.h"
#include "core/hwconfig/resolve.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

using ::testing::HasSubstr;
using ::testing::AllOf;
using ::testing::Not;
using ::testing::StartsWith;

Validated<spec::ModelSpec> Shape(const std::string& name) { return *ValidateModel(*NamedShape(name)); }
hw::DeviceProfile Device(const std::string& name) { return *GetDeviceProfile(name); }

ResolvedHwConfig Resolve(const std::string& shape, const std::string& device, hw::ConfigMode mode,
                         const hw::ModelHwConfig* file = nullptr, const HwShortcuts& shortcuts = {}) {
  auto r = ResolveHwConfig(Shape(shape), Device(device), mode, file, "my.textproto", shortcuts);
  EXPECT_TRUE(r.ok()) << r.status();
  return *std::move(r);
}

hw::ModelHwConfig File(const std::string& text) {
  auto f = ParseModelHwConfig(text, "my.textproto");
  EXPECT_TRUE(f.ok()) << f.status();
  return *f;
}

TEST(HwResolveTest, ModuleDefaultsComeFromTheEmbeddedDataWithTheirSource) {
  const ResolvedHwConfig r = Resolve("stories260k", "n150", hw::PERFORMANCE);
  const ResolvedModuleConfig& mlp = r.module(0, "mlp");
  EXPECT_EQ(mlp.op(Phase::kDecode, "ff1_3").weight_dtype(), hw::BFP4);
  EXPECT_EQ(mlp.op(Phase::kDecode, "ff1_3").math_fidelity(), hw::LOFI);
  EXPECT_EQ(mlp.op(Phase::kDecode, "ff2").weight_dtype(), hw::BFP8);
  EXPECT_EQ(mlp.source("decode.ff1_3.weight_dtype"), "hwconfig/modules/mlp.textproto [n150 performance]");
  const ResolvedModuleConfig& attn = r.module(4, "attention");
  EXPECT_EQ(attn.op(Phase::kPrefill, "sdpa").math_fidelity(), hw::HIFI4);
  EXPECT_EQ(attn.op(Phase::kDecode, "wqkv").math_fidelity(), hw::HIFI2);
  EXPECT_EQ(attn.mode(Phase::kDecode).kv_cache_dtype(), hw::BFP8);
  EXPECT_EQ(r.module(-1, "lm_head").op(Phase::kDecode, "lm_head").weight_dtype(), hw::BFP8);

  const ResolvedHwConfig acc = Resolve("stories260k", "n150", hw::ACCURACY);
  EXPECT_EQ(acc.module(0, "mlp").op(Phase::kDecode, "ff1_3").weight_dtype(), hw::BFP8);
  EXPECT_EQ(acc.module(0, "attention").op(Phase::kDecode, "wqkv").weight_dtype(), hw::BF16);
  EXPECT_EQ(acc.module(0, "attention").mode(Phase::kDecode).kv_cache_dtype(), hw::BF16);
}

TEST(HwResolveTest, EveryBlockProvidesDefaultsForEveryDeviceAndMode) {
  const spec::ModelSpec spec = *Shape("llama-70b");
  for (const std::string& device : DeviceNames()) {
    for (hw::ConfigMode mode : {hw::PERFORMANCE, hw::ACCURACY}) {
      auto attention = ModuleDefaultHwConfig(CoreKind("attention"), spec.layer().attention(), Device(device), mode);
      auto mlp = ModuleDefaultHwConfig(CoreKind("mlp"), spec.layer().mlp(), Device(device), mode);
      auto head = ModuleDefaultHwConfig(CoreKind("lm_head"), spec.lm_head(), Device(device), mode);
      ASSERT_TRUE(attention.ok() && mlp.ok() && head.ok()) << device;
      EXPECT_NE(mlp->op(Phase::kDecode, "ff1_3").weight_dtype(), hw::DTYPE_UNSPECIFIED);
      EXPECT_NE(attention->op(Phase::kPrefill, "wqkv").weight_dtype(), hw::DTYPE_UNSPECIFIED);
      EXPECT_NE(head->op(Phase::kDecode, "lm_head").weight_dtype(), hw::DTYPE_UNSPECIFIED);
      // The rule applies to Tenstorrent devices in accuracy mode only; the cpu keeps its table.
      const bool rule = device != "cpu" && mode == hw::ACCURACY;
      EXPECT_EQ(mlp->source("prefill.ff1_3.weight_dtype").rfind("rule: ", 0) == 0, rule) << device;
    }
  }
}

TEST(HwResolveTest, CpuAccuracyIsF32EverywhereAndEveryDeviceHasBothModes) {
  const ResolvedHwConfig r = Resolve("stories260k", "cpu", hw::ACCURACY);
  for (const std::string kind : {"attention", "mlp"}) {
    for (const auto& [op, c] : r.module(2, kind).mode(Phase::kDecode).ops()) {
      if (c.weight_dtype()) EXPECT_EQ(c.weight_dtype(), hw::F32) << kind << " " << op;
    }
  }
  EXPECT_EQ(r.module(0, "attention").mode(Phase::kDecode).kv_cache_dtype(), hw::F32);
  for (const std::string& device : DeviceNames()) {
    for (hw::ConfigMode mode : {hw::PERFORMANCE, hw::ACCURACY}) {
      EXPECT_TRUE(ResolveHwConfig(Shape("smollm-135m"), Device(device), mode).ok()) << device;
    }
  }
}

TEST(HwResolveTest, ModuleRulesKeepBfp4MlpAndBfp8AttentionFor70bClassModelsInAccuracyMode) {
  const ResolvedHwConfig r = Resolve("llama-70b", "t3k", hw::ACCURACY);
  const ResolvedModuleConfig& mlp = r.module(10, "mlp");
  EXPECT_EQ(mlp.op(Phase::kDecode, "ff1_3").weight_dtype(), hw::BFP4);
  EXPECT_EQ(mlp.op(Phase::kPrefill, "ff1_3").math_fidelity(), hw::LOFI);
  EXPECT_THAT(mlp.source("decode.ff1_3.weight_dtype"), StartsWith("rule: hidden_dim 8192 >= 8192"));
  EXPECT_EQ(mlp.source("decode.ff2.weight_dtype"), "hwconfig/modules/mlp.textproto [t3k accuracy]");
  const ResolvedModuleConfig& attn = r.module(10, "attention");
  EXPECT_EQ(attn.op(Phase::kDecode, "wqkv").weight_dtype(), hw::BFP8);
  EXPECT_EQ(attn.mode(Phase::kDecode).kv_cache_dtype(), hw::BFP8);
  EXPECT_THAT(attn.source("decode.kv_cache_dtype"), HasSubstr("BFP8 attention"));
  // A small model keeps the accuracy table.
  EXPECT_EQ(Resolve("llama-8b", "t3k", hw::ACCURACY).module(0, "mlp").op(Phase::kDecode, "ff1_3").weight_dtype(),
            hw::BFP8);
}

TEST(HwResolveTest, LayoutRuleShardsOnlyWhereTheWidthDividesTheCoreGrid) {
  // llama-8b: wo width 4096 = 128 tiles over 64 cores: stays width-sharded, from the data file.
  const ResolvedHwConfig big_model = Resolve("llama-8b", "n150", hw::PERFORMANCE);
  const ResolvedModuleConfig& big = big_model.module(0, "attention");
  EXPECT_EQ(big.op(Phase::kDecode, "wo").layout(), hw::WIDTH_SHARDED);
  EXPECT_EQ(big.source("decode.wo.layout"), "hwconfig/modules/attention.textproto [n150 performance]");
  // stories260k: 64 columns = 2 tiles do not divide over 64 cores: interleaved, by the rule.
  const ResolvedHwConfig small_model = Resolve("stories260k", "n150", hw::PERFORMANCE);
  const ResolvedModuleConfig& small = small_model.module(0, "attention");
  EXPECT_EQ(small.op(Phase::kDecode, "wo").layout(), hw::INTERLEAVED);
  EXPECT_THAT(small.source("decode.wo.layout"), AllOf(StartsWith("rule: width sharding needs the 64 columns"),
                                                      HasSubstr("64 cores")));
  // p150 has 110 cores: 128 tiles do not divide.
  EXPECT_EQ(Resolve("llama-8b", "p150", hw::PERFORMANCE).module(0, "attention").op(Phase::kDecode, "wo").layout(),
            hw::INTERLEAVED);
}

TEST(HwResolveTest, ModelFileThenLayerOverridesInOrderThenWeightsShortcut) {
  const hw::ModelHwConfig file = File(R"pb(
    defaults { key: "mlp" value { decode { ops { key: "ff2" value { weight_dtype: BF16 } } } } }
    defaults { key: "lm_head" value { decode { ops { key: "lm_head" value { math_fidelity: HIFI4 } } } } }
    overrides { range { first: 1 last: 3 } modules { key: "mlp" value { decode { ops { key: "ff2" value { weight_dtype: BFP4 } } } } } }
    overrides { layer: 2 modules { key: "mlp" value { decode { ops { key: "ff2" value { weight_dtype: F32 } } } } } }
  )pb");
  const ResolvedHwConfig r = Resolve("stories260k", "n150", hw::PERFORMANCE, &file);
  auto ff2 = [&](int layer) { return r.module(layer, "mlp").op(Phase::kDecode, "ff2").weight_dtype(); };
  auto src = [&](int layer) { return r.module(layer, "mlp").source("decode.ff2.weight_dtype"); };
  EXPECT_EQ(ff2(0), hw::BF16);
  EXPECT_EQ(src(0), "model file my.textproto");
  EXPECT_EQ(ff2(1), hw::BFP4);
  EXPECT_EQ(src(1), "model file my.textproto override #1 (layers 1-3)");
  EXPECT_EQ(ff2(2), hw::F32);
  EXPECT_EQ(src(2), "model file my.textproto override #2 (layer 2)");
  EXPECT_EQ(ff2(3), hw::BFP4);
  EXPECT_EQ(ff2(4), hw::BF16);
  // Fields the file does not name keep the module's values and sources.
  EXPECT_EQ(r.module(2, "mlp").op(Phase::kDecode, "ff2").math_fidelity(), hw::HIFI2);
  EXPECT_EQ(r.module(2, "mlp").source("decode.ff2.math_fidelity"), "hwconfig/modules/mlp.textproto [n150 performance]");
  EXPECT_EQ(r.module(-1, "lm_head").source("decode.lm_head.math_fidelity"), "model file my.textproto");

  // --weights wins over the file for every linear op; sdpa has no weight.
  const ResolvedHwConfig w = Resolve("stories260k", "n150", hw::PERFORMANCE, &file, HwShortcuts{.weights = hw::BFP8,
                                                                                                 .kv_cache = hw::BF16});
  EXPECT_EQ(w.module(2, "mlp").op(Phase::kDecode, "ff2").weight_dtype(), hw::BFP8);
  EXPECT_EQ(w.module(2, "mlp").source("decode.ff2.weight_dtype"), "--weights bfp8");
  EXPECT_EQ(w.module(0, "attention").op(Phase::kPrefill, "wqkv").weight_dtype(), hw::BFP8);
  EXPECT_EQ(w.module(-1, "lm_head").op(Phase::kDecode, "lm_head").weight_dtype(), hw::BFP8);
  EXPECT_EQ(w.module(0, "attention").op(Phase::kDecode, "sdpa").weight_dtype(), hw::DTYPE_UNSPECIFIED);
  EXPECT_EQ(w.module(0, "attention").source("decode.kv_cache_dtype"), "--kv-cache bf16");

  const std::string text = r.Describe(2);
  EXPECT_THAT(text, HasSubstr("layer 2 mlp decode.ff2.weight_dtype = F32  [model file my.textproto override #2 (layer 2)]"));
  EXPECT_THAT(text, Not(HasSubstr("layer 1 ")));
  EXPECT_THAT(text, HasSubstr("lm_head decode.lm_head.math_fidelity = HIFI4  [model file my.textproto]"));
}

TEST(HwResolveTest, ConfigFileErrorsNameTheFileLineAndFix) {
  auto unknown = ParseModelHwConfig("device: \"n150\"\ndefaults { key: \"mlp\" value { prefil { } } }\n", "my.textproto");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), AllOf(HasSubstr("my.textproto"), HasSubstr("line 2"), HasSubstr("prefil")));

  auto resolve = [&](const std::string& text) {
    const hw::ModelHwConfig file = File(text);
    return ResolveHwConfig(Shape("stories260k"), Device("n150"), hw::PERFORMANCE, &file, "my.textproto").status();
  };
  EXPECT_THAT(resolve(R"pb(defaults { key: "mpl" value {} })pb").message(),
              AllOf(HasSubstr("module kind 'mpl'"), HasSubstr("attention, mlp, lm_head")));
  EXPECT_THAT(resolve(R"pb(defaults { key: "mlp" value { decode { ops { key: "ff3" value {} } } } })pb").message(),
              AllOf(HasSubstr("no op 'ff3'"), HasSubstr("ff1_3, ff2")));
  EXPECT_THAT(resolve(R"pb(overrides { layer: 9 modules { key: "mlp" value {} } })pb").message(),
              AllOf(HasSubstr("override #1 names layer 9"), HasSubstr("layers 0-4")));
  EXPECT_THAT(resolve(R"pb(defaults { key: "mlp" value { decode { kv_cache_dtype: BF16 } } })pb").message(),
              HasSubstr("has no KV cache"));
  EXPECT_THAT(resolve(R"pb(device: "t3k")pb").message(), HasSubstr("is for device 't3k'"));
}

}  // namespace
}  // namespace ttt
