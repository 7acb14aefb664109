// CausalLm::CompactKvCache: a compacted, re-rotated cache decodes as a fresh prefill of the kept tokens at
// their new positions would. The fresh prefill is the independent computation: it writes every key at its
// new position directly, with no compaction involved.
//
// A fresh prefill recomputes the kept tokens' hidden states without the evicted ones, so the two agree
// exactly only where no evicted token reaches the decoded one: with one layer (every cached key and value
// depends only on its own token), or with a sliding window shorter than the kept recent run divided by the
// layers (the decoded token's receptive field lies inside that run).
#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/blocks/attention/position_bias.h"
#include "core/factory/synthetic.h"
#include "core/patterns/causal_lm.h"
#include "core/specs/validate.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

// The stories260K shape (8 heads, 4 KV heads, head_dim 8, interleaved RoPE) with random weights whose query
// and key projections are scaled up: the random N(0, 0.02) weights alone give near-uniform attention, which
// would hide a wrong position.
// With `distance_bias`, positions come from a linear score bias by distance (ALiBi's form, slopes 2^-(h+1)
// from a kind registered here: core cannot use contrib's) instead of RoPE.
std::unique_ptr<CausalLm> Stories260kShape(uint32_t layers, uint32_t sliding_window, DType kv_dtype,
                                           bool distance_bias = false) {
  spec::ModelSpec spec = *NamedShape("stories260k");
  spec.set_num_layers(layers);
  spec.mutable_layer()->mutable_attention()->set_sliding_window(sliding_window);
  if (distance_bias) {
    static const absl::Status registered = RegisterPositionBias(
        "test_distance", [](const spec::PositionBiasSpec&, int64_t heads) -> absl::StatusOr<std::vector<float>> {
          std::vector<float> slopes;
          for (int64_t h = 0; h < heads; ++h) slopes.push_back(std::ldexp(1.0f, -static_cast<int>(h) - 1));
          return slopes;
        });
    EXPECT_TRUE(registered.ok()) << registered;
    spec::AttentionSpec* a = spec.mutable_layer()->mutable_attention();
    a->set_use_rope(false);
    a->clear_rope();
    a->mutable_position_bias()->set_kind("test_distance");
    a->mutable_position_bias()->set_max_bias(8);
  }
  auto valid = ValidateModel(spec);
  EXPECT_TRUE(valid.ok()) << valid.status();
  WeightMap weights = SyntheticWeights(*valid, 11);
  for (uint32_t l = 0; l < layers; ++l) {
    for (const char* name : {".attn.wq", ".attn.wk"}) {
      Tensor& w = weights[absl::StrCat("layers.", l, name)];
      for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] *= 8;
    }
  }
  BuildOptions options;
  options.kv_cache_dtype = kv_dtype;
  auto model = CausalLm::Create(*valid, weights, options);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : nullptr;
}

std::vector<int32_t> RandomTokens(int64_t n, int64_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> token(1, static_cast<int32_t>(vocab - 1));
  std::vector<int32_t> tokens(n);
  for (int32_t& t : tokens) t = token(rng);
  return tokens;
}

std::vector<int64_t> SinksAndRecent(int64_t sinks, int64_t first_recent, int64_t length) {
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < sinks; ++i) keep.push_back(i);
  for (int64_t i = first_recent; i < length; ++i) keep.push_back(i);
  return keep;
}

// Prefills `tokens` into a full cache of as many rows, compacts it onto `keep` and decodes `next`.
std::vector<float> DecodeAfterCompaction(const CausalLm& model, const std::vector<int32_t>& tokens,
                                         const std::vector<int64_t>& keep, int32_t next) {
  const int64_t vocab = model.vocab_size();
  auto state = model.NewState(1, static_cast<int64_t>(tokens.size()));
  EXPECT_TRUE(state.ok()) << state.status();
  std::vector<float> logits(vocab);
  EXPECT_TRUE(model.Prefill(**state, 0, tokens, logits.data(), false).ok());
  const absl::Status compacted = model.CompactKvCache(**state, 0, keep);
  EXPECT_TRUE(compacted.ok()) << compacted;
  EXPECT_EQ((*state)->length(0), static_cast<int64_t>(keep.size()));
  const int32_t slot = 0;
  const absl::Status decoded = model.Decode(**state, {&slot, 1}, {&next, 1}, logits.data());
  EXPECT_TRUE(decoded.ok()) << decoded;
  return logits;
}

// The logits of the last of `tokens` from a fresh state.
std::vector<float> FreshPrefill(const CausalLm& model, const std::vector<int32_t>& tokens) {
  auto state = model.NewState(1, static_cast<int64_t>(tokens.size()));
  EXPECT_TRUE(state.ok()) << state.status();
  std::vector<float> logits(model.vocab_size());
  EXPECT_TRUE(model.Prefill(**state, 0, tokens, logits.data(), false).ok());
  return logits;
}

std::vector<int32_t> KeptThen(const std::vector<int32_t>& tokens, const std::vector<int64_t>& keep, int32_t next) {
  std::vector<int32_t> out;
  for (int64_t row : keep) out.push_back(tokens[row]);
  out.push_back(next);
  return out;
}

// max |a - b| / max |b|.
double RelativeDifference(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return diff / scale;
}

struct DtypeCase {
  DType dtype;
  double tolerance;  // re-rotated keys are rounded to the dtype again: one more rounding than a fresh write
};

class KvCompactionTest : public ::testing::TestWithParam<DtypeCase> {};

TEST_P(KvCompactionTest, OneLayerDecodesAsAFreshPrefillOfTheKeptTokens) {
  const auto model = Stories260kShape(1, 0, GetParam().dtype);
  ASSERT_NE(model, nullptr);
  const std::vector<int32_t> tokens = RandomTokens(40, model->vocab_size(), 3);
  const std::vector<int64_t> keep = SinksAndRecent(4, 26, 40);  // rows 26..39 move to 4..17: shift -22
  const int32_t next = 77;
  const std::vector<float> compacted = DecodeAfterCompaction(*model, tokens, keep, next);
  const std::vector<float> fresh = FreshPrefill(*model, KeptThen(tokens, keep, next));
  EXPECT_LE(RelativeDifference(compacted, fresh), GetParam().tolerance);
  EXPECT_EQ(std::max_element(compacted.begin(), compacted.end()) - compacted.begin(),
            std::max_element(fresh.begin(), fresh.end()) - fresh.begin());
  // The check can see a wrong position: the same kept tokens with two of them swapped decode differently by
  // far more than the f32 tolerance (~0.05 of the largest logit). The rounded caches' tolerances are not that
  // tight; the re-rotation they share with f32 is what this proves.
  if (GetParam().dtype == DType::kF32) {
    std::vector<int32_t> swapped = KeptThen(tokens, keep, next);
    std::swap(swapped[5], swapped[15]);
    EXPECT_GT(RelativeDifference(FreshPrefill(*model, swapped), fresh), 20 * GetParam().tolerance);
  }
}

TEST_P(KvCompactionTest, SlidingWindowLayersDecodeAsAFreshPrefillOfTheKeptTokens) {
  // Window 4 over 5 layers: the decoded token sees at most 5 * 3 = 15 rows back, all in the kept recent run,
  // whose keys were moved and re-rotated in every layer.
  const auto model = Stories260kShape(5, 4, GetParam().dtype);
  ASSERT_NE(model, nullptr);
  const std::vector<int32_t> tokens = RandomTokens(48, model->vocab_size(), 5);
  const std::vector<int64_t> keep = SinksAndRecent(4, 24, 48);
  const int32_t next = 301;
  const std::vector<float> compacted = DecodeAfterCompaction(*model, tokens, keep, next);
  const std::vector<float> fresh = FreshPrefill(*model, KeptThen(tokens, keep, next));
  EXPECT_LE(RelativeDifference(compacted, fresh), GetParam().tolerance);
}

// ALiBi-style positions: the bias depends on the distance between cache rows, so compacted rows are at their
// new distances with nothing to re-rotate; one layer (whose keys come from the tokens alone, as in the RoPE
// case above) decodes as a fresh prefill of the kept tokens.
TEST_P(KvCompactionTest, DistanceBiasOneLayerDecodesAsAFreshPrefillOfTheKeptTokens) {
  const auto model = Stories260kShape(1, 0, GetParam().dtype, /*distance_bias=*/true);
  ASSERT_NE(model, nullptr);
  ASSERT_TRUE(model->CheckKvCompaction().ok());
  const std::vector<int32_t> tokens = RandomTokens(40, model->vocab_size(), 7);
  const std::vector<int64_t> keep = SinksAndRecent(4, 26, 40);
  const int32_t next = 123;
  const std::vector<float> compacted = DecodeAfterCompaction(*model, tokens, keep, next);
  const std::vector<float> fresh = FreshPrefill(*model, KeptThen(tokens, keep, next));
  EXPECT_LE(RelativeDifference(compacted, fresh), GetParam().tolerance);
}

INSTANTIATE_TEST_SUITE_P(EveryCacheDtype, KvCompactionTest,
                         // Measured: f32 8e-8 (one layer) and 3e-7 (window); bf16 4e-4, 1.4e-3; bfp8 2e-3, 8.5e-3.
                         ::testing::Values(DtypeCase{DType::kF32, 1e-6}, DtypeCase{DType::kBF16, 5e-3},
                                           DtypeCase{DType::kBFP8, 2e-2}),
                         [](const auto& info) { return std::string(DTypeName(info.param.dtype)); });

TEST(KvCompactionRulesTest, LearnedAbsolutePositionsAreRefused) {
  // A GPT-2 shape small enough to build.
  spec::ModelSpec spec = *NamedShape("gpt2-124m");
  spec.set_vocab_size(64);
  spec.set_hidden_dim(32);
  spec.set_num_layers(1);
  spec.set_max_seq_len(16);
  spec.mutable_position_embedding()->set_max_positions(16);
  spec.mutable_layer()->mutable_attention()->set_num_heads(2);
  spec.mutable_layer()->mutable_mlp()->set_intermediate_dim(64);
  auto valid = ValidateModel(spec);
  ASSERT_TRUE(valid.ok()) << valid.status();
  auto model = CausalLm::Create(*valid, SyntheticWeights(*valid, 1));
  ASSERT_TRUE(model.ok()) << model.status();
  const absl::Status check = (*model)->CheckKvCompaction();
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(check.message().find("learned absolute positions"), std::string::npos) << check;
  auto state = (*model)->NewState(1, 8);
  ASSERT_TRUE(state.ok());
  std::vector<float> logits((*model)->vocab_size());
  ASSERT_TRUE((*model)->Prefill(**state, 0, std::vector<int32_t>{1, 2, 3}, logits.data(), false).ok());
  EXPECT_EQ((*model)->CompactKvCache(**state, 0, std::vector<int64_t>{0, 2}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*state)->length(0), 3);  // untouched
}

TEST(KvCompactionRulesTest, RowsPastTheSequenceAreRefusedAndMemoryIsUnchanged) {
  const auto model = Stories260kShape(2, 0, DType::kF32);
  ASSERT_NE(model, nullptr);
  auto state = model->NewState(1, 16);
  ASSERT_TRUE(state.ok());
  const int64_t planned = (*state)->PlannedBytes();
  std::vector<float> logits(model->vocab_size());
  ASSERT_TRUE(model->Prefill(**state, 0, RandomTokens(10, model->vocab_size(), 1), logits.data(), false).ok());
  const absl::Status past = model->CompactKvCache(**state, 0, std::vector<int64_t>{0, 10});
  EXPECT_EQ(past.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(past.message().find("past the 10 tokens of sequence 0"), std::string::npos) << past;
  EXPECT_EQ(model->CompactKvCache(**state, 1, std::vector<int64_t>{0}).code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(model->CompactKvCache(**state, 0, std::vector<int64_t>{0, 1, 8, 9}).ok());
  EXPECT_EQ((*state)->length(0), 4);
  EXPECT_EQ((*state)->PlannedBytes(), planned);
}

}  // namespace
}  // namespace ttt
