// The suggestion engine on synthetic profiles whose right answer is worked out here by hand.
#include "core/profiler/suggestions.h"

#include <gtest/gtest.h>

#include "core/runtime/dtype.h"

namespace ttt::profiler {
namespace {

constexpr int kF32 = static_cast<int>(DType::kF32);
constexpr int kBf16 = static_cast<int>(DType::kBF16);
constexpr int kBfp8 = static_cast<int>(DType::kBFP8);
constexpr int kBfp4 = static_cast<int>(DType::kBFP4);

// A slow machine (ridge 10 FLOP/B) so that the hand-written op times below sit near its roofline.
MachineLimits Machine() { return {.name = "test", .bandwidth = 0.2e9, .peak_flops = 2e9}; }

// A linear op [n, k] run `calls` times on `rows` rows each, taking `seconds` in all.
Stats Linear(const std::string& module, const std::string& name, int64_t n, int64_t k, int64_t rows, int calls,
             int dtype, double seconds) {
  Stats s;
  s.module = module;
  s.name = name;
  s.count = calls;
  s.rows = static_cast<double>(rows) * calls;
  s.seconds = seconds;
  s.weight_dtype = dtype;
  s.weight_values = static_cast<double>(n) * k * calls;
  s.weight_bytes = s.weight_values * BytesPerValue(dtype);
  s.bytes = s.weight_bytes + 4.0 * rows * (n + k) * calls;
  s.flops = 2.0 * rows * n * k * calls;
  return s;
}

Stats Plain(const std::string& module, const std::string& name, double bytes, double flops, double seconds) {
  Stats s;
  s.module = module;
  s.name = name;
  s.count = 1;
  s.rows = 1;
  s.bytes = bytes;
  s.flops = flops;
  s.seconds = seconds;
  return s;
}

PhaseSummary MakePhase(Phase phase, double seconds, std::vector<Stats> ops) {
  PhaseSummary p;
  p.phase = phase;
  p.steps = 10;
  p.tokens = 10;
  p.max_rows = 1;
  p.seconds = seconds;
  p.ops = std::move(ops);
  return p;
}

const Suggestion* Find(const std::vector<Suggestion>& all, Suggestion::Kind kind, Phase phase,
                       const std::string& module = "") {
  for (const Suggestion& s : all) {
    if (s.kind == kind && s.phase == phase && (module.empty() || s.module == module)) return &s;
  }
  return nullptr;
}

// Expected gain when an op's time scales with its bytes (memory-bound, far from its compute floor).
double ByteRatio(const Stats& op, double new_bpv) {
  const double activations = op.bytes - op.weight_bytes;
  return op.bytes / (activations + op.weight_values * new_bpv);
}

TEST(SuggestionsTest, MemoryBoundF32DecodeGetsBfp8WithTheByteRatioAndAmdahlTotal) {
  ProfileSummary profile;
  profile.machine = Machine();
  // Decode of one token: ff1_3 [3072, 576] and ff2 [576, 1536] in f32 take 60% of a 1 s decode.
  const Stats ff1_3 = Linear("mlp", "ff1_3", 3072, 576, 1, 10, kF32, 0.4);
  const Stats ff2 = Linear("mlp", "ff2", 576, 1536, 1, 10, kF32, 0.2);
  const Stats sdpa = Plain("attention", "sdpa", 1e6, 1e6, 0.1);
  profile.decode = MakePhase(Phase::kDecode, 1.0, {ff1_3, ff2, sdpa});
  const auto all = Suggest(profile);
  const Suggestion* s = Find(all, Suggestion::Kind::kWeightDtype, Phase::kDecode, "mlp");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->from_dtype, kF32);
  EXPECT_EQ(s->to_dtype, kBfp8);
  EXPECT_EQ(s->ops, (std::vector<std::string>{"ff1_3", "ff2"}));
  EXPECT_NEAR(s->share, 0.6, 1e-12);
  const double after = 0.4 / ByteRatio(ff1_3, 17.0 / 16) + 0.2 / ByteRatio(ff2, 17.0 / 16);
  EXPECT_NEAR(s->op_speedup, 0.6 / after, 1e-9);
  EXPECT_GT(s->op_speedup, 3.7);  // 4 / 1.0625 = 3.76 for the weights alone; activations are tiny
  EXPECT_LT(s->op_speedup, 4.0 / (17.0 / 16));
  EXPECT_NEAR(s->phase_speedup, 1.0 / (0.4 + after), 1e-9);
  EXPECT_EQ(s->alt_dtype, kBfp4);
  const double alt_after = 0.4 / ByteRatio(ff1_3, 9.0 / 16) + 0.2 / ByteRatio(ff2, 9.0 / 16);
  EXPECT_NEAR(s->alt_op_speedup, 0.6 / alt_after, 1e-9);
  EXPECT_NEAR(s->alt_phase_speedup, 1.0 / (0.4 + alt_after), 1e-9);
  EXPECT_NE(s->apply.find("key: \"mlp\""), std::string::npos);
  EXPECT_NE(s->apply.find("decode { ops { key: \"ff1_3\" value { weight_dtype: BFP8 } }"), std::string::npos);
  EXPECT_NE(s->change.find("BFP8"), std::string::npos);
}

TEST(SuggestionsTest, AllWeightsSuggestionIsAmdahlOverEveryWeightOp) {
  ProfileSummary profile;
  profile.machine = Machine();
  const Stats ff = Linear("mlp", "ff1_3", 3072, 576, 1, 10, kBf16, 0.5);
  const Stats qkv = Linear("attention", "wqkv", 960, 576, 1, 10, kBf16, 0.15);
  profile.decode = MakePhase(Phase::kDecode, 1.0, {ff, qkv, Plain("attention", "sdpa", 1e6, 1e6, 0.35)});
  const auto all = Suggest(profile);
  const Suggestion* s = Find(all, Suggestion::Kind::kAllWeightsDtype, Phase::kDecode);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->from_dtype, kBf16);
  EXPECT_EQ(s->to_dtype, kBfp8);
  const double after = 0.5 / ByteRatio(ff, 17.0 / 16) + 0.15 / ByteRatio(qkv, 17.0 / 16);
  EXPECT_NEAR(s->phase_speedup, 1.0 / (0.35 + after), 1e-9);
  EXPECT_EQ(s->apply, "--weights bfp8");
  // The per-module ones exist too, each with its own Amdahl total.
  const Suggestion* mlp = Find(all, Suggestion::Kind::kWeightDtype, Phase::kDecode, "mlp");
  ASSERT_NE(mlp, nullptr);
  EXPECT_NEAR(mlp->phase_speedup, 1.0 / (0.5 + 0.5 / ByteRatio(ff, 17.0 / 16)), 1e-9);
}

TEST(SuggestionsTest, AlreadyBfp4GetsNoWeightSuggestion) {
  ProfileSummary profile;
  profile.machine = Machine();
  profile.decode = MakePhase(Phase::kDecode, 1.0,
                         {Linear("mlp", "ff1_3", 3072, 576, 1, 10, kBfp4, 0.6),
                          Linear("attention", "wqkv", 960, 576, 1, 10, kBfp4, 0.3)});
  for (const Suggestion& s : Suggest(profile)) {
    EXPECT_NE(s.kind, Suggestion::Kind::kWeightDtype) << s.change;
    EXPECT_NE(s.kind, Suggestion::Kind::kAllWeightsDtype) << s.change;
  }
}

TEST(SuggestionsTest, Bfp8SuggestsOnlyBfp4) {
  ProfileSummary profile;
  profile.machine = Machine();
  const Stats ff = Linear("mlp", "ff2", 576, 1536, 1, 10, kBfp8, 0.06);
  profile.decode = MakePhase(Phase::kDecode, 0.12, {ff});
  const auto all = Suggest(profile);
  const Suggestion* s = Find(all, Suggestion::Kind::kWeightDtype, Phase::kDecode, "mlp");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->to_dtype, kBfp4);
  EXPECT_EQ(s->alt_dtype, -1);
  EXPECT_NEAR(s->op_speedup, ByteRatio(ff, 9.0 / 16), 1e-9);
}

TEST(SuggestionsTest, ComputeBoundPrefillGetsNoBandwidthClaim) {
  ProfileSummary profile;
  profile.machine = Machine();
  // 128-token GEMMs: intensity ~60 FLOP/byte, far above the ridge of 10.
  const Stats ff = Linear("mlp", "ff1_3", 3072, 576, 128, 1, kF32, 0.6);
  const Stats qkv = Linear("attention", "wqkv", 960, 576, 128, 1, kF32, 0.2);
  profile.prefill = MakePhase(Phase::kPrefill, 1.0, {ff, qkv});
  profile.prefill.steps = 1;
  profile.prefill.max_rows = 128;
  const auto all = Suggest(profile);
  EXPECT_EQ(Find(all, Suggestion::Kind::kWeightDtype, Phase::kPrefill), nullptr);
  EXPECT_EQ(Find(all, Suggestion::Kind::kAllWeightsDtype, Phase::kPrefill), nullptr);
  EXPECT_EQ(Find(all, Suggestion::Kind::kPrefillChunk, Phase::kPrefill), nullptr);  // 128 is not small
  const Suggestion* s = Find(all, Suggestion::Kind::kComputeBound, Phase::kPrefill);
  ASSERT_NE(s, nullptr);
  const double rate = (ff.flops + qkv.flops) / 0.8;
  EXPECT_NE(s->finding.find(std::to_string(static_cast<int>(100 * rate / 2e9 + 0.5)) + "% of the test GEMM peak"),
            std::string::npos)
      << s->finding;
  // At the peak these ops would take FLOPs / peak.
  EXPECT_NEAR(s->op_speedup, 0.8 / ((ff.flops + qkv.flops) / 2e9), 1e-9);
}

TEST(SuggestionsTest, SmallPrefillChunksAreNamed) {
  ProfileSummary profile;
  profile.machine = Machine();
  profile.prefill = MakePhase(Phase::kPrefill, 0.5, {Linear("mlp", "ff1_3", 3072, 576, 16, 8, kF32, 0.4)});
  profile.prefill.steps = 8;
  profile.prefill.max_rows = 16;
  profile.prefill.tokens = 128;
  const auto all = Suggest(profile);
  const Suggestion* s = Find(all, Suggestion::Kind::kPrefillChunk, Phase::kPrefill);
  ASSERT_NE(s, nullptr);
  EXPECT_NE(s->change.find("128 tokens"), std::string::npos) << s->change;
  EXPECT_GT(s->phase_speedup, 1.0);
}

TEST(SuggestionsTest, SmallSharesAreNotWorthAChange) {
  ProfileSummary profile;
  profile.machine = Machine();
  profile.decode = MakePhase(Phase::kDecode, 1.0, {Linear("lm_head", "lm_head", 49152, 576, 1, 10, kF32, 0.04),
                                                      Plain("attention", "sdpa", 1e6, 1e6, 0.96)});
  for (const Suggestion& s : Suggest(profile)) EXPECT_NE(s.module, "lm_head") << s.change;
  EXPECT_FALSE(Suggest(profile, {.min_share = 0.01}).empty());
}

TEST(SuggestionsTest, EstimateNeverBeatsTheComputeFloor) {
  // An op just below the ridge: shrinking its bytes hits the compute floor FLOPs / peak.
  Stats op = Plain("mlp", "ff1_3", 1e9, 9e9, 10);  // at half its roofline of 5 s
  op.weight_bytes = 1e9;
  op.weight_values = 0.25e9;
  op.weight_dtype = kF32;
  EXPECT_NEAR(EstimateSecondsWithWeightBytes(op, 9.0 / 16, Machine()), 9e9 / 2e9, 1e-12);
}

TEST(SuggestionsTest, FarFromTheRooflineOnlyTheBytesTimeAtFullBandwidthIsSaved) {
  ProfileSummary profile;
  profile.machine = Machine();
  // 10 calls of a tiny [64, 64] f32 op taking 1 s: 2% of its roofline; its time is overhead, not bytes.
  const Stats op = Linear("mlp", "ff1_3", 64, 64, 1, 10, kF32, 1.0);
  ASSERT_LT(PlaceOnRoofline(op, profile.machine).fraction, 0.25);
  const double saved = op.weight_values * (4 - 17.0 / 16) / profile.machine.bandwidth;
  EXPECT_NEAR(EstimateSecondsWithWeightBytes(op, 17.0 / 16, profile.machine), 1.0 - saved, 1e-12);
  profile.decode = MakePhase(Phase::kDecode, 1.0, {op});
  const auto all = Suggest(profile);
  EXPECT_EQ(Find(all, Suggestion::Kind::kWeightDtype, Phase::kDecode), nullptr);  // < 5% gain
  const Suggestion* s = Find(all, Suggestion::Kind::kOverheadBound, Phase::kDecode);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->apply.empty());
}

}  // namespace
}  // namespace ttt::profiler

namespace ttt::profiler {
namespace {

TEST(SuggestionsTest, DeviceComputeBoundMatmulsGetLofiWithTheFidelityRatio) {
  ProfileSummary profile;
  profile.machine = Machine();
  // A 2048-token prefill GEMM: compute-bound on a device with 1 TB/s and 100 TFLOP/s at HiFi2.
  const Stats ff = Linear("mlp", "ff1_3", 4096, 4096, 2048, 1, kBfp8, 1.0);
  profile.prefill = MakePhase(Phase::kPrefill, 1.0, {ff});
  DeviceModel device;
  device.name = "dev";
  device.dram_bandwidth = 1e12;
  device.peaks[1] = 200e12;
  device.peaks[2] = 100e12;
  device.fidelity_phases = 2;
  const auto all = SuggestForDevice(profile, device);
  ASSERT_EQ(all.size(), 1u);
  // Bytes on the device: weights + bf16 activations; LoFi halves the compute time unless bandwidth binds.
  const double bytes = ff.weight_bytes + (ff.bytes - ff.weight_bytes) / 2;
  const double hifi2 = std::max(bytes / 1e12, ff.flops / 100e12), lofi = std::max(bytes / 1e12, ff.flops / 200e12);
  EXPECT_NEAR(all[0].op_speedup, hifi2 / lofi, 1e-9);
  EXPECT_NE(all[0].apply.find("math_fidelity: LOFI"), std::string::npos);
  device.fidelity_phases = 1;  // already LoFi: nothing to suggest
  EXPECT_TRUE(SuggestForDevice(profile, device).empty());
}

}  // namespace
}  // namespace ttt::profiler

#include "core/hwconfig/proto/op_config.pb.h"
#include "google/protobuf/text_format.h"

namespace ttt::profiler {
namespace {

// The one-line way to apply a suggestion is valid ModelHwConfig text (core/hwconfig/proto/op_config.proto).
TEST(SuggestionsTest, HwConfigSnippetsParseAsModelHwConfig) {
  ProfileSummary profile;
  profile.machine = Machine();
  profile.decode = MakePhase(Phase::kDecode, 1.0, {Linear("mlp", "ff1_3", 3072, 576, 1, 10, kF32, 0.5),
                                                      Linear("mlp", "ff2", 576, 1536, 1, 10, kF32, 0.3)});
  const auto all = Suggest(profile);
  const Suggestion* s = Find(all, Suggestion::Kind::kWeightDtype, Phase::kDecode, "mlp");
  ASSERT_NE(s, nullptr);
  const std::string prefix = "--hw-config with: ";
  ASSERT_EQ(s->apply.rfind(prefix, 0), 0u) << s->apply;
  hw::ModelHwConfig config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(s->apply.substr(prefix.size()), &config)) << s->apply;
  const hw::ModuleConfig& decode = config.defaults().at("mlp").decode();
  EXPECT_EQ(decode.ops().at("ff1_3").weight_dtype(), hw::BFP8);
  EXPECT_EQ(decode.ops().at("ff2").weight_dtype(), hw::BFP8);
}

}  // namespace
}  // namespace ttt::profiler

namespace ttt::profiler {
namespace {

TEST(SuggestionsTest, DeviceBandwidthBoundWeightsGetBfp8FromTheDeviceModel) {
  ProfileSummary profile;
  profile.machine = Machine();
  const Stats ff = Linear("mlp", "ff1_3", 3072, 576, 1, 10, kF32, 0.5);
  profile.decode = MakePhase(Phase::kDecode, 1.0, {ff});
  DeviceModel device;
  device.name = "dev";
  device.dram_bandwidth = 100e9;
  device.peaks[1] = 100e12;
  device.peaks[2] = 50e12;
  const auto all = SuggestForDevice(profile, device);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, Suggestion::Kind::kDeviceWeightDtype);
  EXPECT_EQ(all[0].to_dtype, kBfp8);
  const double act = (ff.bytes - ff.weight_bytes) / 2;  // bf16 activations on the device
  EXPECT_NEAR(all[0].op_speedup, (ff.weight_bytes + act) / (ff.weight_values * 17.0 / 16 + act), 1e-9);
}

}  // namespace
}  // namespace ttt::profiler
