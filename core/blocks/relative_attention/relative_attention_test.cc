// T5's relative position bucket against its float64 definition and worked values, and the seq2seq attention
// block (causal self-attention with a bias over keys appended in steps, cross-attention over another sequence)
// against its float64 reference (core/testing/reference_seq2seq.h).
#include <cstdint>
#include <vector>

#include "core/blocks/relative_attention/relative_position_bias.h"
#include "core/blocks/relative_attention/seq2seq_attention.h"
#include "core/testing/reference_seq2seq.h"
#include "core/testing/reference_weights.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {



TEST(RelativePositionBiasTest, BucketsAgreeWithTheFloat64Definition) {
  for (int64_t buckets : {8, 32, 64}) {
    for (int64_t max_distance : {20, 128}) {
      for (bool bidirectional : {false, true}) {
        // Valid specs only (CheckRelativePositionBias): max_distance beyond the exactly-bucketed distances.
        if (max_distance <= (bidirectional ? buckets / 2 : buckets) / 2) continue;
        for (int64_t rel = -400; rel <= 400; ++rel) {
          ASSERT_EQ(RelativePositionBucket(rel, buckets, max_distance, bidirectional),
                    RelativePositionBucketReference(rel, buckets, max_distance, bidirectional))
              << "distance " << rel << " buckets " << buckets << " max_distance " << max_distance
              << (bidirectional ? " bidirectional" : " causal");
        }
      }
    }
  }
}

// T5's 32 buckets and 128 positions, worked by hand: 8 exact distances per direction in the encoder (16 in the
// decoder), then log-spaced buckets; 16 = 8 * 2 lands exactly on bucket 8 + 8 * ln 2 / ln 16 = 10.
TEST(RelativePositionBiasTest, T5BucketsByHand) {
  auto enc = [](int64_t rel) { return RelativePositionBucket(rel, 32, 128, true); };
  auto dec = [](int64_t rel) { return RelativePositionBucket(rel, 32, 128, false); };
  EXPECT_EQ(enc(0), 0);
  EXPECT_EQ(enc(-1), 1);
  EXPECT_EQ(enc(1), 17);  // a key after the query: the second half
  EXPECT_EQ(enc(-7), 7);
  EXPECT_EQ(enc(-8), 8);
  EXPECT_EQ(enc(-16), 10);
  EXPECT_EQ(enc(16), 26);
  EXPECT_EQ(enc(-1000), 15);
  EXPECT_EQ(enc(1000), 31);
  EXPECT_EQ(dec(3), 0);  // the future: masked anyway
  EXPECT_EQ(dec(-15), 15);
  EXPECT_EQ(dec(-16), 16);
  EXPECT_EQ(dec(-127), 31);
  EXPECT_EQ(dec(-5000), 31);
}

// The attention block on its own, against its float64 reference: decoder self-attention (causal, with a bias,
// its keys appended in two calls as decoding does) and cross-attention (another sequence's keys, no bias).
TEST(Seq2SeqAttentionTest, SelfAndCrossMatchFloat64) {
  const int64_t hidden = 24, heads = 3, head_dim = 5, inner = heads * head_dim, tokens = 7, rows = 9;
  uint32_t state = 12345;
  auto random = [&](int64_t n) {
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>((state = state * 1664525u + 1013904223u) >> 8) / (1 << 24) - 0.5f;
    return v;
  };
  WeightMap weights;
  weights["a.wq"] = Tensor::FromF32({inner, hidden}, random(inner * hidden));
  weights["a.wk"] = Tensor::FromF32({inner, hidden}, random(inner * hidden));
  weights["a.wv"] = Tensor::FromF32({inner, hidden}, random(inner * hidden));
  weights["a.wo"] = Tensor::FromF32({hidden, inner}, random(hidden * inner));
  absl::StatusOr<Seq2SeqAttention> a = Seq2SeqAttention::Create(hidden, heads, head_dim, weights, "a");
  ASSERT_TRUE(a.ok()) << a.status();
  const testing::RefSeq2SeqAttention ref{heads, head_dim, testing::RefFromModule(a->wq()), testing::RefFromModule(a->wk()),
                                         testing::RefFromModule(a->wv()), testing::RefFromModule(a->wo())};
  const std::vector<float> x = random(tokens * hidden), memory = random(rows * hidden), bias = random(heads * tokens * tokens);
  const testing::DVector xd(x.begin(), x.end()), md(memory.begin(), memory.end()), bd(bias.begin(), bias.end());
  auto check = [](const std::vector<float>& fast, const testing::DVector& exact, const char* what) {
    ASSERT_EQ(fast.size(), exact.size());
    for (size_t i = 0; i < exact.size(); ++i) ASSERT_NEAR(fast[i], exact[i], 1e-5) << what << " at " << i;
  };
  KeysValues self;
  a->ProjectKeysValues(x.data(), 3, self);  // the first 3 tokens, then the other 4
  a->ProjectKeysValues(x.data() + 3 * hidden, tokens - 3, self);
  std::vector<float> out(tokens * hidden);
  a->Attend(x.data(), tokens, /*q0=*/0, self, bias.data(), /*causal=*/true, out.data());
  check(out, ref.Forward(xd, tokens, xd, tokens, bd, /*causal=*/true), "causal self-attention");
  KeysValues cross;
  a->ProjectKeysValues(memory.data(), rows, cross);
  a->Attend(x.data(), tokens, /*q0=*/0, cross, nullptr, /*causal=*/false, out.data());
  check(out, ref.Forward(xd, tokens, md, rows, {}, /*causal=*/false), "cross-attention");
}

TEST(RelativePositionBiasTest, FillLaysOutHeadsQueriesKeys) {
  spec::RelativePositionBiasSpec spec;
  spec.set_num_buckets(8);
  spec.set_max_distance(16);
  spec.set_num_heads(2);
  spec.set_bidirectional(false);
  std::vector<float> table(8 * 2);
  for (size_t i = 0; i < table.size(); ++i) table[i] = static_cast<float>(i);  // bucket b, head h: 2b + h
  WeightMap weights;
  weights["bias"] = Tensor::FromF32({8, 2}, table);
  absl::StatusOr<RelativePositionBias> bias = RelativePositionBias::Create(spec, weights, "bias");
  ASSERT_TRUE(bias.ok()) << bias.status();
  // Queries at positions 3 and 4 (a decoding step after 3 tokens) over keys 0..4.
  std::vector<float> out(2 * 2 * 5);
  bias->Fill(/*q0=*/3, /*queries=*/2, /*keys=*/5, out.data());
  for (int64_t h = 0; h < 2; ++h) {
    for (int64_t q = 0; q < 2; ++q) {
      for (int64_t k = 0; k < 5; ++k) {
        const int32_t bucket = RelativePositionBucket(k - (3 + q), 8, 16, false);
        EXPECT_EQ(out[(h * 2 + q) * 5 + k], 2 * bucket + h) << "head " << h << " query " << q << " key " << k;
      }
    }
  }
  weights["bias"] = Tensor::FromF32({2, 8}, table);  // transposed: [heads, buckets] is not T5's layout
  EXPECT_FALSE(RelativePositionBias::Create(spec, weights, "bias").ok());
}

}  // namespace
}  // namespace ttt
