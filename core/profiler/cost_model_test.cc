// The cost model's formulas on hand-worked cases: matmuls whose time follows from their bytes (tiles of the
// weight's format, padded to 32 and to the 12 DRAM banks) or their FLOPs, a collective from its size and
// hops, the tensor-parallel split, and the per-chip capacity check against TT-Transformers' documented
// N150 limit for Llama-3.1-8B.
#include "core/profiler/cost_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/factory/synthetic.h"
#include "core/hwconfig/device_registry.h"
#include "core/hwconfig/embedded_files.h"
#include "core/profiler/capacity.h"
#include "core/profiler/published_perf.h"
#include "absl/strings/str_cat.h"
#include "core/specs/validate.h"

namespace ttt::profiler {
namespace {

struct ModelOnDevice {
  Validated<spec::ModelSpec> spec;
  ResolvedHwConfig config;
};

ModelOnDevice Make(const std::string& shape, const std::string& device, hw::ConfigMode mode,
                   const HwShortcuts& shortcuts = {}) {
  auto validated = ValidateModel(*NamedShape(shape));
  EXPECT_TRUE(validated.ok()) << validated.status();
  auto config = ResolveHwConfig(*validated, *GetDeviceProfile(device), mode, nullptr, "model file", shortcuts);
  EXPECT_TRUE(config.ok()) << config.status();
  return {*validated, *config};
}

Prediction PredictFor(const ModelOnDevice& s, int64_t batch, int64_t context) {
  auto p = Predict(s.spec, s.config, *CostsForStack("tt-transformers"),
                   {.batch = batch, .context = context, .prompt_tokens = 128});
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

const OpCost& Find(const std::vector<OpCost>& ops, const std::string& module, const std::string& op) {
  for (const OpCost& o : ops) {
    if (o.layer <= 0 && o.module == module && o.op == op) return o;
  }
  ADD_FAILURE() << "no op " << module << "." << op;
  return ops.front();
}

constexpr double kWormholeShardedBandwidth = 249.5e9;  // 239-260 GB/s measured, the middle (cost_params.cc)

TEST(CostModelTest, DecodeMatmulTimeIsItsTiledBytesOverShardedBandwidth) {
  // Llama-3.1-8B's wqkv [6144, 4096] in BFP8 (performance mode): 128 x 192 tiles of 1088 bytes, 192 columns
  // of tiles already a multiple of 12 banks.
  const Prediction p = PredictFor(Make("llama-8b", "n150", hw::PERFORMANCE), 32, 128);
  const OpCost& wqkv = Find(p.decode, "attention", "wqkv");
  EXPECT_DOUBLE_EQ(wqkv.weight_bytes, 128.0 * 192 * 1088);
  EXPECT_NEAR(wqkv.dram_s, 128.0 * 192 * 1088 / kWormholeShardedBandwidth, 1e-12);
  EXPECT_EQ(OpBound(wqkv, p.family, p.stack), Bound::kDram);
}

TEST(CostModelTest, DecodeMatmulPadsColumnsToTheDramBanks) {
  // Falcon-7B's wqkv: 71 query heads + K + V of 64 = 4672 outputs = 146 tiles, padded to 156 (13 per bank);
  // 4544 inputs = 142 tiles.
  const Prediction p = PredictFor(Make("falcon-7b", "n150", hw::PERFORMANCE), 32, 128);
  EXPECT_DOUBLE_EQ(Find(p.decode, "attention", "wqkv").weight_bytes, 142.0 * 156 * 1088);
  // Prefill reads it interleaved: no bank padding.
  EXPECT_DOUBLE_EQ(Find(p.prefill, "attention", "wqkv").weight_bytes, 142.0 * 146 * 1088);
}

TEST(CostModelTest, PrefillMatmulTimeIsItsFlopsOverFidelityPeakTimesUtilisation) {
  // ff1_3 of Llama-3.1-8B over a 128-token prompt: 2 x 128 x 4096 x 28672 FLOPs at LoFi (performance mode)
  // on 64 cores x 4096 FLOP/cycle x 1 GHz x 0.52 utilisation; 896 column tiles fill the 64 cores evenly.
  const Prediction p = PredictFor(Make("llama-8b", "n150", hw::PERFORMANCE), 1, 128);
  const OpCost& ff1_3 = Find(p.prefill, "mlp", "ff1_3");
  const double flops = 2.0 * 128 * 4096 * 28672;
  EXPECT_DOUBLE_EQ(ff1_3.flops, flops);
  EXPECT_NEAR(ff1_3.compute_s, flops / (64 * 4096 * 1e9 * 0.52), 1e-12);
  // ff2 runs at HiFi2: twice the time per FLOP.
  const OpCost& ff2 = Find(p.prefill, "mlp", "ff2");
  EXPECT_NEAR(ff2.compute_s, 2 * ff2.flops / (64 * 4096 * 1e9 * 0.52), 1e-12);
}

TEST(CostModelTest, KvCacheBytesAreInTheCachesOwnFormat) {
  // 32 users x 1024 positions x K and V of 8 heads x 128 (4 tiles): BFP8 in performance mode, BF16 in accuracy.
  const double tiles = 2.0 * 32 * 8 * (1024 / 32) * 4;
  const Prediction perf = PredictFor(Make("llama-8b", "n150", hw::PERFORMANCE), 32, 1024);
  const Prediction acc = PredictFor(Make("llama-8b", "n150", hw::ACCURACY), 32, 1024);
  const double bw = 288e9 * 258.0 / 288;  // interleaved reads (cost_params.cc)
  EXPECT_NEAR(Find(perf.decode, "attention", "sdpa").dram_s, tiles * 1088 / bw, 1e-12);
  EXPECT_NEAR(Find(acc.decode, "attention", "sdpa").dram_s, tiles * 2048 / bw, 1e-12);
}

TEST(CostModelTest, CollectiveTimeFollowsFromItsSizeAndHops) {
  const LinkCosts links{.bytes_per_s = 12e9, .hop_s = 711e-9, .links = 1};
  // All-reduce of 1 MB over a ring of 8: 2 x 7/8 of it, halved by the ring's two directions, = 875 kB per link,
  // and 2 x 7 hops.
  EXPECT_NEAR(CollectiveSeconds(Collective::kAllReduce, 1e6, 8, Topology::kRing, links), 875e3 / 12e9 + 14 * 711e-9,
              1e-15);
  // All-gather over a line of 2: half of it on the one link, one hop.
  EXPECT_NEAR(CollectiveSeconds(Collective::kAllGather, 1e6, 2, Topology::kLine, links), 0.5e6 / 12e9 + 711e-9, 1e-15);
  EXPECT_EQ(CollectiveSeconds(Collective::kAllReduce, 1e6, 1, Topology::kLine, links), 0);
}

TEST(CostModelTest, TensorParallelSplitsTheTtTransformersWay) {
  const ModelOnDevice s = Make("llama-70b", "t3k", hw::PERFORMANCE);
  const Prediction p = PredictFor(s, 32, 128);
  EXPECT_EQ(p.plan.chips, 8);
  EXPECT_EQ(p.plan.topology, Topology::kRing);
  EXPECT_EQ(p.plan.SplitOf("attention", "wqkv").split, Split::kColumn);
  EXPECT_EQ(p.plan.SplitOf("mlp", "ff2").split, Split::kRow);
  EXPECT_EQ(p.plan.SplitOf("lm_head", "lm_head").split, Split::kVocab);
  EXPECT_EQ(p.plan.KvHeadsPerChip(8), 1);
  // wqkv's 10240 outputs / 8 = 1280 = 40 tiles, padded to 48 over 12 banks; 8192 inputs = 256 tiles.
  EXPECT_DOUBLE_EQ(Find(p.decode, "attention", "wqkv").weight_bytes, 256.0 * 48 * 1088);
  // wo is row-parallel: 8192 / 8 = 1024 inputs (32 tiles) by 8192 outputs (256 tiles, 12 banks -> 264).
  EXPECT_DOUBLE_EQ(Find(p.decode, "attention", "wo").weight_bytes, 32.0 * 264 * 1088);
  // Its partial sums are all-reduced over the ring: 32 rows x 8192 bf16.
  const OpCost& reduce = Find(p.decode, "attention", "all-reduce");
  EXPECT_NEAR(reduce.collective_s,
              CollectiveSeconds(Collective::kAllReduce, 32.0 * 8192 * 2, 8, Topology::kRing,
                                CostsForLinks(s.config.device)),
              1e-15);
}

TEST(CostModelTest, GalaxySplitsEveryMatmulOverBothMeshAxes) {
  const ModelOnDevice s = Make("llama-70b", "tg", hw::PERFORMANCE);
  const Prediction p = PredictFor(s, 32, 128);
  EXPECT_EQ(p.plan.rows, 4);
  EXPECT_EQ(p.plan.cols, 8);
  const OpSplit wqkv = p.plan.SplitOf("attention", "wqkv"), wo = p.plan.SplitOf("attention", "wo");
  EXPECT_EQ(wqkv.out_ways * wqkv.in_ways, 32);
  EXPECT_EQ(wqkv.out_ways, 8);  // heads over the columns
  EXPECT_EQ(wo.in_ways, 8);
  // Each matmul's partial sums are reduced along the axis its inputs were split over: 4 per layer.
  EXPECT_EQ(p.plan.per_layer.size(), 4u);
  EXPECT_EQ(p.plan.per_layer[0].chips, 4);
  EXPECT_EQ(p.plan.per_layer[1].chips, 8);
  // wqkv per chip: 10240 / 8 = 1280 outputs (40 tiles, 48 over 12 banks) by 8192 / 4 = 2048 inputs (64 tiles).
  EXPECT_DOUBLE_EQ(Find(p.decode, "attention", "wqkv").weight_bytes, 64.0 * 48 * 1088);
}

TEST(CostModelTest, CapacityRefusesLlama8bOnN150At64kContext) {
  // TT-Transformers documents 32k as N150's largest context for Llama-3.1-8B "due to a lack of memory".
  for (auto [mode, shortcuts] : {std::pair{hw::ACCURACY, HwShortcuts{}},
                                 std::pair{hw::PERFORMANCE, HwShortcuts{.kv_cache = hw::BF16}}}) {
    const ModelOnDevice s = Make("llama-8b", "n150", mode, shortcuts);
    const Prediction p = PredictFor(s, 1, 128);
    const ChipCapacity at64k = CapacityPerChip(s.spec, s.config, p.plan, p.family, 1, 65536);
    EXPECT_FALSE(at64k.fits());
    EXPECT_GT(at64k.largest_context, 0);
    EXPECT_LT(at64k.largest_context, 65536);
    const absl::Status status = CheckCapacity(at64k, "n150", 1, 65536);
    EXPECT_NE(status.message().find(absl::StrCat("largest context that fits at batch 1 is ", at64k.largest_context)),
              std::string::npos)
        << status;
  }
  // Performance weights with a bf16 cache: 32k fits, as documented.
  const ModelOnDevice perf = Make("llama-8b", "n150", hw::PERFORMANCE, {.kv_cache = hw::BF16});
  const Prediction p = PredictFor(perf, 1, 128);
  EXPECT_TRUE(CapacityPerChip(perf.spec, perf.config, p.plan, p.family, 1, 32768).fits());
}

TEST(CostModelTest, CapacityIsPerChipNotPooled) {
  // Llama-70B's BFP8/BFP4 weights (~40 GiB) fit none of n150's 12 GiB but an eighth of them fits each t3k chip
  // (only the norms' scales are replicated).
  const ModelOnDevice n150 = Make("llama-70b", "n150", hw::PERFORMANCE);
  const ModelOnDevice t3k = Make("llama-70b", "t3k", hw::PERFORMANCE);
  const Prediction p1 = PredictFor(n150, 1, 128), p8 = PredictFor(t3k, 1, 128);
  EXPECT_FALSE(CapacityPerChip(n150.spec, n150.config, p1.plan, p1.family, 1, 8192).fits());
  const ChipCapacity whole = CapacityPerChip(n150.spec, n150.config, p1.plan, p1.family, 1, 8192);
  const ChipCapacity chip = CapacityPerChip(t3k.spec, t3k.config, p8.plan, p8.family, 1, 8192);
  EXPECT_TRUE(chip.fits());
  EXPECT_NEAR(chip.weights, whole.weights / 8, whole.weights * 1e-3);
  // 8 KV heads over 8 chips: one each.
  EXPECT_DOUBLE_EQ(chip.kv_per_position, whole.kv_per_position / 8);
}

// A published row whose demo sets its own formats runs with them. Qwen 2.5 7B's TT-Transformers performance
// settings (BF16 attention, BFP8 ff1_3) cost its decode wqkv at BF16's 2048-byte tiles, 112 x 72 of them per
// n300 chip, and its ff1_3 at BFP8's 1088-byte tiles where the module defaults have BFP4's 576; Llama keeps the
// defaults. Every file in hwconfig/published/ belongs to a row.
TEST(CostModelTest, PublishedRowsRunWithTheirDemosOwnFormats) {
  auto rows = CheckPublishedRows(*CostsForStack("tt-transformers"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  const Prediction defaults = PredictFor(Make("qwen2.5-7b", "n300", hw::PERFORMANCE), 32, 128);
  std::vector<std::string> used;
  for (const RowCheck& r : *rows) {
    if (!r.hw_config.empty()) used.push_back(r.hw_config);
    if (r.row.shape == "llama-8b") EXPECT_TRUE(r.hw_config.empty());
    if (r.row.shape != "qwen2.5-7b") continue;
    EXPECT_EQ(r.hw_config, PublishedHwConfigPath("qwen2.5-7b"));
    EXPECT_DOUBLE_EQ(Find(r.prediction.decode, "attention", "wqkv").weight_bytes, 112.0 * 72 * 2048);
    EXPECT_DOUBLE_EQ(Find(r.prediction.decode, "mlp", "ff1_3").weight_bytes,
                     Find(defaults.decode, "mlp", "ff1_3").weight_bytes * 1088 / 576);
  }
  EXPECT_EQ(used.size(), 2u);
  for (const EmbeddedFile& file : EmbeddedHwconfigFiles()) {
    if (!file.path.starts_with("hwconfig/published/")) continue;
    EXPECT_NE(std::find(used.begin(), used.end(), std::string(file.path)), used.end()) << file.path << " has no row";
  }
}

// A stack mixing dense and mixture-of-experts layers (Mixtral's shape with a dense layer 0, as Qwen2-MoE's
// mlp_only_layers make it) is planned from every layer, not layer 0 alone: on t3k each layer all-reduces after
// its own feed-forward's down projection, and the experts still split whole over the chips.
TEST(CostModelTest, MixedDenseAndExpertLayersEachGetTheirCollective) {
  spec::ModelSpec s = *NamedShape("mixtral-8x7b");
  spec::LayerGroup* dense = s.add_layer_groups();
  dense->add_layers(0);
  *dense->mutable_layer() = s.layer();
  dense->mutable_layer()->clear_moe();
  dense->mutable_layer()->mutable_mlp()->set_intermediate_dim(14336);
  dense->mutable_layer()->mutable_mlp()->set_activation(spec::SILU);
  dense->mutable_layer()->mutable_mlp()->set_gated(true);
  auto validated = ValidateModel(s);
  ASSERT_TRUE(validated.ok()) << validated.status();
  auto config = ResolveHwConfig(*validated, *GetDeviceProfile("t3k"), hw::PERFORMANCE);
  ASSERT_TRUE(config.ok()) << config.status();
  const Prediction p = PredictFor({*validated, *config}, 32, 128);
  EXPECT_EQ(p.plan.SplitOf("moe", "ff1_3").split, Split::kExperts);
  int after_mlp = 0, after_moe = 0;
  for (const OpCost& o : p.decode) {
    if (o.kind != "collective") continue;
    if (o.layer == 0 && o.module == "mlp") ++after_mlp;
    if (o.layer == 1 && o.module == "moe") ++after_moe;
  }
  EXPECT_EQ(after_mlp, 1);
  EXPECT_EQ(after_moe, 1);
}

}  // namespace
}  // namespace ttt::profiler
