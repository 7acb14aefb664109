// A model built for each device with its default config runs, the CPU accuracy default is the exact f32
// model, Tenstorrent accuracy mode is closer to f32 than performance mode, and ApplyHwConfig re-specialises
// a built model. stories260K-shaped synthetic weights keep it tiny.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/factory/synthetic.h"
#include "core/formats/weight_cache.h"
#include "core/hwconfig/device_registry.h"
#include "core/patterns/causal_lm.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::vector<int32_t> kTokens = {1, 17, 42, 99, 300, 7, 5, 250};


std::vector<float> Logits(const CausalLm& model) {
  auto state = model.NewState(1, 64);
  EXPECT_TRUE(state.ok()) << state.status();
  std::vector<float> logits(kTokens.size() * model.vocab_size());
  EXPECT_TRUE(model.Prefill(**state, 0, kTokens, logits.data(), /*all_logits=*/true).ok());
  std::vector<float> next(model.vocab_size());
  const int32_t slot = 0, token = 3;
  EXPECT_TRUE(model.Decode(**state, {&slot, 1}, {&token, 1}, next.data()).ok());
  logits.insert(logits.end(), next.begin(), next.end());
  return logits;
}

double RelativeError(const std::vector<float>& a, const std::vector<float>& ref) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - ref[i]) * double(a[i] - ref[i]);
    den += double(ref[i]) * ref[i];
  }
  return std::sqrt(num / den);
}

std::unique_ptr<CausalLm> Build(const spec::ModelSpec& spec, const WeightMap& w, BuildOptions options) {
  auto model = CausalLm::Create(spec, w, options);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : nullptr;
}

TEST(DeviceModelsTest, EveryDeviceAndModeRunsAndTenstorrentAccuracyBeatsPerformance) {
  const spec::ModelSpec spec = *NamedShape("stories260k");
  const WeightMap w = SyntheticWeights(*ValidateModel(spec), 7);
  const std::vector<float> reference = Logits(*Build(spec, w, {}));
  for (const std::string& device : DeviceNames()) {
    double err[2] = {0, 0};
    for (hw::ConfigMode mode : {hw::ACCURACY, hw::PERFORMANCE}) {
      auto model = Build(spec, w, BuildOptions{.device = device, .mode = mode});
      ASSERT_NE(model, nullptr) << device;
      EXPECT_EQ(model->hw_config().device.name(), device);
      const std::vector<float> logits = Logits(*model);
      for (float v : logits) ASSERT_TRUE(std::isfinite(v)) << device;
      err[mode == hw::ACCURACY ? 0 : 1] = RelativeError(logits, reference);
    }
    if (device == "cpu") {
      EXPECT_EQ(err[0], 0.0) << "cpu accuracy must be the exact f32 path";
    } else {
      EXPECT_GT(err[0], 0.0) << device << ": emulated numerics must differ from f32";
    }
    EXPECT_LT(err[0], err[1]) << device << ": accuracy mode must be closer to f32 than performance mode";
    EXPECT_LT(err[1], 0.5) << device;
  }
}

TEST(DeviceModelsTest, BuildSpecialisesEveryProjectionFromTheResolvedConfig) {
  const spec::ModelSpec spec = *NamedShape("stories260k");
  const WeightMap w = SyntheticWeights(*ValidateModel(spec), 7);
  auto model = Build(spec, w, BuildOptions{.device = "n150", .mode = hw::PERFORMANCE});
  const Linear& up = model->layer(1).mlp()->up_projection();
  EXPECT_EQ(up.weight_dtype(), DType::kBFP4);
  EXPECT_TRUE(up.execution(Phase::kDecode).emulate_tt);
  EXPECT_EQ(up.execution(Phase::kDecode).numerics.fidelity, ops::MathFidelity::kLoFi);
  EXPECT_FALSE(up.execution(Phase::kDecode).numerics.fp32_accumulation);
  const Linear& qkv = model->layer(0).attention().qkv_projection();
  EXPECT_EQ(qkv.weight_dtype(), DType::kBFP8);
  EXPECT_TRUE(qkv.execution(Phase::kPrefill).numerics.fp32_accumulation);
  EXPECT_EQ(model->kv_cache_dtype(), DType::kBFP8);
  // The shortcuts win.
  auto bf16 = Build(spec, w, BuildOptions{.device = "n150", .linear_weight_dtype = DType::kBF16,
                                          .kv_cache_dtype = DType::kF32});
  EXPECT_EQ(bf16->layer(1).mlp()->up_projection().weight_dtype(), DType::kBF16);
  EXPECT_EQ(bf16->lm_head().projection().weight_dtype(), DType::kBF16);
  EXPECT_EQ(bf16->kv_cache_dtype(), DType::kF32);
}

TEST(DeviceModelsTest, PrefillAndDecodeMayStoreAnOpInDifferentFormats) {
  const spec::ModelSpec spec = *NamedShape("stories260k");
  const WeightMap w = SyntheticWeights(*ValidateModel(spec), 7);
  BuildOptions options;
  options.hw_config = *ParseModelHwConfig(R"pb(
    defaults { key: "mlp" value { prefill { ops { key: "ff2" value { weight_dtype: BF16 } } }
                                  decode { ops { key: "ff2" value { weight_dtype: BFP4 } } } } })pb", "split.textproto");
  auto model = Build(spec, w, options);
  const Linear& down = model->layer(0).mlp()->down_projection();
  EXPECT_EQ(down.weight_dtype(Phase::kPrefill), DType::kBF16);
  EXPECT_EQ(down.weight_dtype(Phase::kDecode), DType::kBFP4);
  EXPECT_GT(down.resident_weight_bytes(), down.weight_bytes());
  EXPECT_EQ(model->layer(0).mlp()->up_projection().resident_weight_bytes(),
            model->layer(0).mlp()->up_projection().weight_bytes());
}

TEST(DeviceModelsTest, ApplyHwConfigReSpecialisesABuiltModelAndRecordsItsSource) {
  const spec::ModelSpec spec = *NamedShape("stories260k");
  const WeightMap w = SyntheticWeights(*ValidateModel(spec), 7);
  auto model = Build(spec, w, {});
  const std::vector<float> before = Logits(*model);
  const hw::ModelHwConfig change = *ParseModelHwConfig(R"pb(
    overrides { range { first: 1 last: 2 } modules { key: "mlp" value {
      prefill { ops { key: "ff1_3" value { weight_dtype: BFP4 } } }
      decode { ops { key: "ff1_3" value { weight_dtype: BFP4 } } } } } })pb", "change");
  ASSERT_TRUE(model->ApplyHwConfig(change, "ApplyHwConfig (test)").ok());
  EXPECT_EQ(model->layer(0).mlp()->up_projection().weight_dtype(), DType::kF32);
  EXPECT_EQ(model->layer(1).mlp()->up_projection().weight_dtype(), DType::kBFP4);
  EXPECT_EQ(model->hw_config().module(2, "mlp").source("decode.ff1_3.weight_dtype"),
            "ApplyHwConfig (test) override #1 (layers 1-2)");
  const double err = RelativeError(Logits(*model), before);
  EXPECT_GT(err, 0.0);
  EXPECT_LT(err, 0.5);
  // An invalid change is rejected and leaves the model as it was.
  const hw::ModelHwConfig bad = *ParseModelHwConfig(R"pb(
    defaults { key: "mlp" value { decode { ops { key: "ff2" value { math_fidelity: HIFI2 } } } } })pb", "bad");
  const absl::Status s = model->ApplyHwConfig(bad);
  EXPECT_THAT(s.message(), HasSubstr("cpu has no math fidelity"));
  EXPECT_EQ(model->layer(1).mlp()->up_projection().weight_dtype(), DType::kBFP4);
}

TEST(DeviceModelsTest, CreateRejectsAConfigThatDoesNotFitBeforeBuilding) {
  const spec::ModelSpec spec = *NamedShape("stories260k");
  const WeightMap w = SyntheticWeights(*ValidateModel(spec), 7);
  auto model = CausalLm::Create(spec, w, BuildOptions{.device = "n150", .linear_weight_dtype = DType::kI8});
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), AllOf(HasSubstr("n150 cannot store weights as int8"), HasSubstr("--weights int8")));
}

}  // namespace
}  // namespace ttt

namespace ttt {
namespace {

TEST(DeviceModelsTest, ConvertedWeightsGoThroughTheWeightCacheWhenOneIsGiven) {
  const spec::ModelSpec spec = *NamedShape("stories260k");
  const WeightMap w = SyntheticWeights(*ValidateModel(spec), 7);
  const std::string dir = ::testing::TempDir() + "/ttt_hw_weight_cache";
  std::filesystem::remove_all(dir);
  auto cache = WeightCache::Open(dir);
  ASSERT_TRUE(cache.ok()) << cache.status();
  BuildOptions options{.device = "n150", .mode = hw::PERFORMANCE};
  options.weight_cache = cache->get();
  options.weight_source = "synthetic stories260k seed 7";
  auto first = CausalLm::Create(spec, w, options);
  ASSERT_TRUE(first.ok()) << first.status();
  // 5 layers x 4 projections + the head, each converted once (prefill and decode agree).
  EXPECT_EQ((*cache)->stats().misses, 21);
  EXPECT_EQ((*cache)->stats().hits, 0);
  auto second = CausalLm::Create(spec, w, options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*cache)->stats().hits, 21);
  EXPECT_EQ(Logits(**first), Logits(**second));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ttt
