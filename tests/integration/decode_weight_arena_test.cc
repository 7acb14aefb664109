// Decode weights packed into huge-page arenas (CausalLm::PackDecodeWeights): every projection's decode weight
// lies in decode order in arenas shared by consecutive projections, packing does not change what the model
// computes, weights mapped from the weight cache are packed too, and a tied f32 head stays the embedding table
// rather than becoming a copy of it.
#include <cstdlib>
#include <filesystem>

#include "core/factory/synthetic.h"
#include "core/formats/weight_cache.h"
#include "core/kernels/kernel_table.h"
#include "core/patterns/causal_lm.h"
#include "core/specs/text_format.h"
#include "core/specs/validate.h"
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

// Big enough for several huge pages of bf16 decode weights (~1.8 MB per layer), small enough to build fast
// (bfp4 needs a wider MLP for its ~3.6 bits a weight to fill huge pages).
Validated<spec::ModelSpec> ArenaSizedSpec(int64_t intermediate_dim = 1024) {
  spec::ModelSpec spec;
  EXPECT_TRUE(ParseTextProto(
                  R"pb(family: "llama" vocab_size: 2048 hidden_dim: 256 num_layers: 4 max_seq_len: 64
                       layer { attention_norm { kind: RMS_NORM }
                               attention { num_heads: 4 num_kv_heads: 2 use_rope: true rope { theta: 10000 convention: ROTATE_HALF } }
                               mlp_norm { kind: RMS_NORM } mlp { intermediate_dim: 1024 activation: SILU gated: true } }
                       final_norm { kind: RMS_NORM } lm_head { tied: true })pb",
                  &spec)
                  .ok());
  spec.mutable_layer()->mutable_mlp()->set_intermediate_dim(intermediate_dim);
  auto valid = ValidateModel(spec);
  EXPECT_TRUE(valid.ok()) << valid.status();
  return *valid;
}

// Every projection's decode weight lies in decode order in arenas of whole huge pages, most of them
// sharing one with their neighbour.
void ExpectPackedInDecodeOrder(const CausalLm& model) {
  const std::vector<const Linear*> order = ProjectionsInDecodeOrder(model);
  int64_t shared = 0;
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    const Tensor& a = order[i]->weight().values;
    const Tensor& b = order[i + 1]->weight().values;
    if (a.storage() != b.storage()) continue;
    ++shared;
    EXPECT_GE(static_cast<const char*>(b.raw_data()), static_cast<const char*>(a.raw_data()) + a.nbytes())
        << "projection " << i + 1 << " overlaps or precedes projection " << i << " in their arena";
  }
  EXPECT_GE(shared, static_cast<int64_t>(order.size()) / 2) << "most neighbours should share an arena";
  EXPECT_EQ(reinterpret_cast<uintptr_t>(order.front()->weight().values.raw_data()) % Storage::kHugePageBytes, 0u);
}

TEST(DecodeWeightArena, ProjectionsLieInDecodeOrderAndDecodingMatchesPrefill) {
  const Validated<spec::ModelSpec> spec = ArenaSizedSpec();
  auto model = CausalLm::Create(spec, SyntheticWeights(spec, 3), BuildOptions{.linear_weight_dtype = DType::kBF16});
  ASSERT_TRUE(model.ok()) << model.status();
  ExpectPackedInDecodeOrder(**model);

  // Packing copies bytes: decoding token by token still gives a single prefill's logits.
  std::vector<int32_t> tokens;
  for (int i = 0; i < 12; ++i) tokens.push_back((i * 97 + 5) % 2048);
  const std::vector<float> prefill = PrefillLogitsOrFail(**model, tokens);
  auto state = (*model)->NewState(1, static_cast<int64_t>(tokens.size()));
  ASSERT_TRUE(state.ok());
  std::vector<float> logits(2048);
  ASSERT_TRUE((*model)->Prefill(**state, 0, absl::MakeConstSpan(tokens.data(), 1), logits.data(), false).ok());
  for (size_t t = 1; t < tokens.size(); ++t) {
    ASSERT_TRUE((*model)->Decode(**state, std::vector<int32_t>{0}, std::vector<int32_t>{tokens[t]}, logits.data()).ok());
    ExpectLogitsMatch(logits, std::vector<float>(prefill.begin() + t * 2048, prefill.begin() + (t + 1) * 2048), 2048,
                      1e-3);
  }
}

// A cache hit maps the converted weight from the cache file (4 KiB pages of the page cache); packing copies
// it into the arenas like a weight converted at load, so the second load of a model decodes from the same
// memory as the first.
TEST(DecodeWeightArena, WeightsMappedFromTheWeightCacheArePackedToo) {
  const Validated<spec::ModelSpec> spec = ArenaSizedSpec();
  const WeightMap weights = SyntheticWeights(spec, 3);
  const std::string dir = ::testing::TempDir() + "/ttt_arena_weight_cache";
  std::filesystem::remove_all(dir);
  auto cache = WeightCache::Open(dir);
  ASSERT_TRUE(cache.ok()) << cache.status();
  BuildOptions options{.linear_weight_dtype = DType::kBF16};
  options.weight_cache = cache->get();
  options.weight_source = "synthetic arena-sized model, seed 3";
  auto converted = CausalLm::Create(spec, weights, options);
  ASSERT_TRUE(converted.ok()) << converted.status();
  auto mapped = CausalLm::Create(spec, weights, options);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  const std::vector<const Linear*> order = ProjectionsInDecodeOrder(**mapped);
  ASSERT_EQ((*cache)->stats().hits, static_cast<int64_t>(order.size())) << "every projection from the cache";
  for (const Linear* projection : order) EXPECT_TRUE(projection->weight().values.storage()->owned());
  ExpectPackedInDecodeOrder(**mapped);

  std::vector<int32_t> tokens;
  for (int i = 0; i < 8; ++i) tokens.push_back((i * 131 + 7) % 2048);
  EXPECT_EQ(PrefillLogitsOrFail(**mapped, tokens), PrefillLogitsOrFail(**converted, tokens));
  std::filesystem::remove_all(dir);
}

// A tied f32 head goes into panels (CausalLm::PackTiedHead) and the embedding reads its rows from the same
// bytes: one copy of the table, counted once, and every row the checkpoint's.
TEST(DecodeWeightArena, TiedF32HeadAndTheEmbeddingShareOnePackedTable) {
  const Validated<spec::ModelSpec> spec = ArenaSizedSpec();
  const WeightMap weights = SyntheticWeights(spec, 3);
  auto model = CausalLm::Create(spec, weights);
  ASSERT_TRUE(model.ok()) << model.status();
  const TokenEmbedding& embedding = (*model)->token_embedding();
  const Linear& head = (*model)->lm_head().projection();
  EXPECT_EQ(head.weight().values.raw_data(), embedding.table().raw_data());
  EXPECT_TRUE(head.weight().panels);
  EXPECT_TRUE(embedding.table_in_panels());

  const Tensor& rows = weights.at("tok_embeddings");
  const int64_t vocab = rows.dim(0), hidden = rows.dim(1);
  EXPECT_EQ(embedding.RowMajorTable().ToF32(), rows.ToF32());
  std::vector<int32_t> ids;
  for (int32_t id : {0, 1, 15, 16, 17, 1000}) ids.push_back(id);
  ids.push_back(static_cast<int32_t>(vocab - 1));  // the last panel
  std::vector<float> got(ids.size() * hidden);
  embedding.Forward(ids.data(), static_cast<int64_t>(ids.size()), got.data());
  for (size_t i = 0; i < ids.size(); ++i) {
    const float* want = rows.data<float>() + ids[i] * hidden;
    EXPECT_EQ(std::vector<float>(got.begin() + i * hidden, got.begin() + (i + 1) * hidden),
              std::vector<float>(want, want + hidden)) << "token " << ids[i];
  }
  int64_t projections = 0;
  for (const Linear* projection : ProjectionsInDecodeOrder(**model)) {
    if (projection != &head) projections += projection->resident_weight_bytes();
  }
  EXPECT_EQ((*model)->ResidentWeightBytes(), projections + static_cast<int64_t>(rows.nbytes()))
      << "the table is counted once";
}

// f32 projections are packed in panels (Linear::MoveDecodeValues; the tied head with the embedding table), and
// bf16 ones in pair panels where the CPU has AVX512-BF16: decoding still gives prefill's logits, and a sequence
// decoded in a batch of two gets the same bits as decoded alone (one FMA or vdpbf16ps chain per output).
void ExpectPanelsDecodeAsPrefillAndTheSameInABatch(DType dtype) {
  const Validated<spec::ModelSpec> spec = ArenaSizedSpec();
  auto model = CausalLm::Create(spec, SyntheticWeights(spec, 3), BuildOptions{.linear_weight_dtype = dtype});
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<const Linear*> order = ProjectionsInDecodeOrder(**model);
  int64_t panels = 0;
  for (const Linear* projection : order) {
    panels += projection->weight().panels ? 1 : 0;
  }
  const bool expected = dtype == DType::kF32 || kernels::ActiveKernels().gemv_bf16_panels != nullptr;
  EXPECT_EQ(panels, expected ? static_cast<int64_t>(order.size()) : 0) << "every projection, the head too";

  std::vector<int32_t> a, b;
  for (int i = 0; i < 10; ++i) {
    a.push_back((i * 97 + 5) % 2048);
    b.push_back((i * 61 + 11) % 2048);
  }
  const std::vector<float> prefill = PrefillLogitsOrFail(**model, a);
  auto alone = (*model)->NewState(1, static_cast<int64_t>(a.size()));
  auto pair = (*model)->NewState(2, static_cast<int64_t>(a.size()));
  ASSERT_TRUE(alone.ok() && pair.ok());
  std::vector<float> one(2048), two(2 * 2048);
  ASSERT_TRUE((*model)->Prefill(**alone, 0, absl::MakeConstSpan(a.data(), 1), one.data(), false).ok());
  ASSERT_TRUE((*model)->Prefill(**pair, 0, absl::MakeConstSpan(a.data(), 1), two.data(), false).ok());
  ASSERT_TRUE((*model)->Prefill(**pair, 1, absl::MakeConstSpan(b.data(), 1), two.data(), false).ok());
  for (size_t t = 1; t < a.size(); ++t) {
    ASSERT_TRUE((*model)->Decode(**alone, std::vector<int32_t>{0}, std::vector<int32_t>{a[t]}, one.data()).ok());
    ASSERT_TRUE((*model)->Decode(**pair, std::vector<int32_t>{0, 1}, std::vector<int32_t>{a[t], b[t]}, two.data()).ok());
    ExpectLogitsMatch(one, std::vector<float>(prefill.begin() + t * 2048, prefill.begin() + (t + 1) * 2048), 2048,
                      1e-3);
    EXPECT_EQ(one, std::vector<float>(two.begin(), two.begin() + 2048)) << "token " << t;
  }
}

TEST(DecodeWeightArena, F32WeightsInPanelsDecodeAsPrefillAndTheSameInABatch) {
  ExpectPanelsDecodeAsPrefillAndTheSameInABatch(DType::kF32);
}

TEST(DecodeWeightArena, Bf16WeightsInPanelsDecodeAsPrefillAndTheSameInABatch) {
  ExpectPanelsDecodeAsPrefillAndTheSameInABatch(DType::kBF16);
}

// bfp4 projections go into the AVX2 GEMV's step layout where the table has that kernel (an AVX2 CPU without
// AVX-512): prompts and decode steps give the bits of the same model built with TTT_PANELS=0 (stored rows).
TEST(DecodeWeightArena, Bfp4WeightsInStepsGiveTheStoredRowsBits) {
  const Validated<spec::ModelSpec> spec = ArenaSizedSpec(/*intermediate_dim=*/4096);
  auto build = [&](const char* panels_env) {
    setenv("TTT_PANELS", panels_env, 1);
    auto model = CausalLm::Create(spec, SyntheticWeights(spec, 3), BuildOptions{.linear_weight_dtype = DType::kBFP4});
    unsetenv("TTT_PANELS");
    return model;
  };
  auto steps = build("1"), rows = build("0");
  ASSERT_TRUE(steps.ok() && rows.ok()) << steps.status() << rows.status();
  int64_t packed = 0, projections = 0;
  for (const Linear* projection : ProjectionsInDecodeOrder(**steps)) {
    if (projection->weight().values.dtype() != DType::kBFP4) continue;
    ++projections;
    packed += projection->weight().panels ? 1 : 0;
  }
  ASSERT_GT(projections, 0);
  EXPECT_EQ(packed, kernels::ActiveKernels().gemv_bfp4_steps != nullptr ? projections : 0);
  for (const Linear* projection : ProjectionsInDecodeOrder(**rows)) EXPECT_FALSE(projection->weight().panels);

  std::vector<int32_t> tokens;
  for (int i = 0; i < 10; ++i) tokens.push_back((i * 97 + 5) % 2048);
  EXPECT_EQ(PrefillLogitsOrFail(**steps, tokens), PrefillLogitsOrFail(**rows, tokens)) << "prompt logits";
  auto a = (*steps)->NewState(1, static_cast<int64_t>(tokens.size()));
  auto b = (*rows)->NewState(1, static_cast<int64_t>(tokens.size()));
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<float> logits_a(2048), logits_b(2048);
  ASSERT_TRUE((*steps)->Prefill(**a, 0, absl::MakeConstSpan(tokens.data(), 1), logits_a.data(), false).ok());
  ASSERT_TRUE((*rows)->Prefill(**b, 0, absl::MakeConstSpan(tokens.data(), 1), logits_b.data(), false).ok());
  for (size_t t = 1; t < tokens.size(); ++t) {
    ASSERT_TRUE((*steps)->Decode(**a, std::vector<int32_t>{0}, std::vector<int32_t>{tokens[t]}, logits_a.data()).ok());
    ASSERT_TRUE((*rows)->Decode(**b, std::vector<int32_t>{0}, std::vector<int32_t>{tokens[t]}, logits_b.data()).ok());
    EXPECT_EQ(logits_a, logits_b) << "decode step " << t;
  }
}

}  // namespace
}  // namespace ttt::testing
