#include "core/generation/sampler.h"

#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "gtest/gtest.h"

namespace ttt {
namespace {

std::vector<float> LogitsOf(const std::vector<double>& probs) {
  std::vector<float> l;
  for (double p : probs) l.push_back(static_cast<float>(std::log(p)));
  return l;
}

std::map<int32_t, int> Histogram(SamplingOptions o, const std::vector<float>& logits, int draws) {
  Sampler s(o);
  std::map<int32_t, int> h;
  for (int i = 0; i < draws; ++i) ++h[s.Sample(logits, {})];
  return h;
}

TEST(SamplerTest, GreedyTakesTheArgmax) {
  Sampler s(SamplingOptions{});
  EXPECT_EQ(s.Sample(std::vector<float>{0.1f, 3.0f, -1.0f, 2.9f}, {}), 1);
}

TEST(SamplerTest, TemperatureSamplingFollowsTheSoftmax) {
  auto h = Histogram({.temperature = 1.0f, .seed = 3}, LogitsOf({0.5, 0.3, 0.2}), 20000);
  EXPECT_NEAR(h[0] / 20000.0, 0.5, 0.02);
  EXPECT_NEAR(h[1] / 20000.0, 0.3, 0.02);
  EXPECT_NEAR(h[2] / 20000.0, 0.2, 0.02);
}

TEST(SamplerTest, TopKTopPAndMinPNarrowTheCandidates) {
  const auto logits = LogitsOf({0.4, 0.3, 0.2, 0.1});
  auto top_k = Histogram({.temperature = 1.0f, .top_k = 2}, logits, 2000);
  EXPECT_EQ(top_k.count(2) + top_k.count(3), 0u);
  EXPECT_GT(top_k[1], 0);
  auto top_p = Histogram({.temperature = 1.0f, .top_p = 0.75f}, logits, 2000);  // 0.4 + 0.3 + 0.2 reaches 0.75
  EXPECT_EQ(top_p.count(3), 0u);
  EXPECT_GT(top_p[2], 0);
  auto min_p = Histogram({.temperature = 1.0f, .min_p = 0.6f}, logits, 2000);  // keeps p >= 0.24
  EXPECT_EQ(min_p.count(2) + min_p.count(3), 0u);
  EXPECT_GT(min_p[1], 0);
}

// Top-p over a large vocabulary (the bucket pass, no full sort) keeps exactly the nucleus a full sort gives,
// and samples it in proportion.
TEST(SamplerTest, TopPOnALargeVocabularyKeepsTheSortedNucleus) {
  std::mt19937 gen(11);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> logits(20000);
  for (float& l : logits) l = normal(gen);
  const float temperature = 0.7f, top_p = 0.6f;
  std::vector<int32_t> sorted(logits.size());
  std::iota(sorted.begin(), sorted.end(), 0);
  std::sort(sorted.begin(), sorted.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
  std::vector<double> p(logits.size());
  double sum = 0;
  for (size_t i = 0; i < sorted.size(); ++i) sum += p[i] = std::exp((logits[sorted[i]] - logits[sorted[0]]) / temperature);
  std::set<int32_t> nucleus;
  double cumulative = 0, kept = 0;
  for (size_t i = 0; i < sorted.size() && cumulative < top_p * sum; ++i) {
    cumulative += p[i];
    kept += p[i];
    nucleus.insert(sorted[i]);
  }
  ASSERT_GT(nucleus.size(), 3u);
  const int draws = 4000;
  auto h = Histogram({.temperature = temperature, .top_p = top_p, .seed = 2}, logits, draws);
  for (const auto& [token, count] : h) EXPECT_TRUE(nucleus.contains(token)) << token;
  EXPECT_NEAR(h[sorted[0]] / double(draws), p[0] / kept, 0.03);
  EXPECT_GT(h.size(), nucleus.size() / 2);
}

TEST(SamplerTest, SameSeedSameTokensOtherSeedOtherTokens) {
  const auto logits = LogitsOf({0.25, 0.25, 0.25, 0.25});
  Sampler a({.temperature = 1.0f, .seed = 9}), b({.temperature = 1.0f, .seed = 9}), c({.temperature = 1.0f, .seed = 10});
  std::vector<int32_t> ra, rb, rc;
  for (int i = 0; i < 64; ++i) {
    ra.push_back(a.Sample(logits, {}));
    rb.push_back(b.Sample(logits, {}));
    rc.push_back(c.Sample(logits, {}));
  }
  EXPECT_EQ(ra, rb);
  EXPECT_NE(ra, rc);
}

TEST(SamplerTest, RepetitionPenaltyDiscouragesSeenTokens) {
  std::vector<float> logits = {2.0f, 1.9f, -1.0f};
  std::vector<int32_t> history = {0};
  EXPECT_EQ(Sampler({}).Sample(logits, history), 0);
  EXPECT_EQ(Sampler({.repetition_penalty = 1.5f}).Sample(logits, history), 1);
}

TEST(SamplerTest, RejectsOutOfRangeOptions) {
  EXPECT_FALSE(ValidateSamplingOptions({.temperature = -1}).ok());
  EXPECT_FALSE(ValidateSamplingOptions({.top_p = 0}).ok());
  EXPECT_FALSE(ValidateSamplingOptions({.min_p = 1}).ok());
  EXPECT_FALSE(ValidateSamplingOptions({.top_k = -2}).ok());
  EXPECT_FALSE(ValidateSamplingOptions({.repetition_penalty = 0}).ok());
  EXPECT_TRUE(ValidateSamplingOptions({}).ok());
}

}  // namespace
}  // namespace ttt
