// Attention semantics (causal mask, GQA head mapping, sliding windows, KV-cache strides) against a float64
// implementation written from the definition, and agreement across thread counts.
#include <cmath>
#include <string>
#include <vector>

#include "core/ops/internal/test_values.h"
#include "core/ops/ops.h"
#include "core/runtime/threading.h"
#include "gtest/gtest.h"

namespace ttt::ops {
namespace {

using testing::ExpectClose;
using testing::RandomValues;

struct Case {
  int64_t tokens, pos0, kv_len, heads, kv_heads, head_dim, window;
  bool causal;
  bool alibi = false;  // kAlibiSlopes as the position-bias slopes
  bool table = false;  // an additive bias per head, query and key (T5's), from BiasTable
};

// [heads, tokens, kv_len] in [-2, 2], seeded by the case's shape.
std::vector<float> BiasTable(const Case& c) {
  return RandomValues(c.heads * c.tokens * c.kv_len, static_cast<uint32_t>(c.tokens * 31 + c.kv_len), -2, 2);
}

// Per-head slopes of a distance bias (ALiBi-like, not sorted, one large enough to make a head local).
constexpr float kAlibiSlopes[] = {0.5f, 0.25f, 0.125f, 0.0625f, 1.0f / 256, 0.7f, 0.3f, 2.0f, 0.05f};

std::string Describe(const Case& c) {
  return "tokens=" + std::to_string(c.tokens) + " pos0=" + std::to_string(c.pos0) +
         " kv_len=" + std::to_string(c.kv_len) + " heads=" + std::to_string(c.heads) + "/" +
         std::to_string(c.kv_heads) + " head_dim=" + std::to_string(c.head_dim) +
         " window=" + std::to_string(c.window) + (c.causal ? " causal" : " full") + (c.alibi ? " alibi" : "") +
         (c.table ? " table" : "");
}

// Straight from the definition: query (t, h) at position pos0 + t sees key j when j <= pos (causal) and
// pos - j < window (sliding; |pos - j| < window when not causal), using kv head h / (heads / kv_heads); with
// a position bias its score gets -slope_h * |pos - j|.
std::vector<float> AttentionFloat64(const std::vector<float>& q, const std::vector<float>& k,
                                    const std::vector<float>& v, int64_t stride, const Case& c, float scale) {
  std::vector<float> out(c.tokens * c.heads * c.head_dim, 0.0f);
  const std::vector<float> table = c.table ? BiasTable(c) : std::vector<float>{};
  for (int64_t t = 0; t < c.tokens; ++t) {
    const int64_t pos = c.pos0 + t;
    for (int64_t h = 0; h < c.heads; ++h) {
      const int64_t kvh = h / (c.heads / c.kv_heads);
      std::vector<double> weights(c.kv_len, 0.0);
      double max = -INFINITY;
      for (int64_t j = 0; j < c.kv_len; ++j) {
        if (c.causal && j > pos) continue;
        if (c.window > 0 && std::abs(pos - j) >= c.window) continue;
        double dot = 0;
        for (int64_t d = 0; d < c.head_dim; ++d) {
          dot += static_cast<double>(q[(t * c.heads + h) * c.head_dim + d]) * k[j * stride + kvh * c.head_dim + d];
        }
        weights[j] = dot * scale - (c.alibi ? kAlibiSlopes[h] * std::abs(static_cast<double>(pos - j)) : 0.0) +
                     (c.table ? table[(h * c.tokens + t) * c.kv_len + j] : 0.0);
        max = std::fmax(max, weights[j]);
      }
      double sum = 0;
      for (int64_t j = 0; j < c.kv_len; ++j) {
        const bool visible = !(c.causal && j > pos) && !(c.window > 0 && std::abs(pos - j) >= c.window);
        weights[j] = visible ? std::exp(weights[j] - max) : 0.0;
        sum += weights[j];
      }
      for (int64_t d = 0; d < c.head_dim; ++d) {
        double acc = 0;
        for (int64_t j = 0; j < c.kv_len; ++j) acc += weights[j] * v[j * stride + kvh * c.head_dim + d];
        out[(t * c.heads + h) * c.head_dim + d] = sum > 0 ? static_cast<float>(acc / sum) : 0.0f;
      }
    }
  }
  return out;
}

std::vector<float> RunAttention(const std::vector<float>& q, const std::vector<float>& k,
                                const std::vector<float>& v, int64_t stride, const Case& c, float scale) {
  AttentionParams params;
  params.num_heads = c.heads;
  params.num_kv_heads = c.kv_heads;
  params.head_dim = c.head_dim;
  params.scale = scale;
  params.causal = c.causal;
  params.sliding_window = c.window;
  if (c.alibi) params.slopes = kAlibiSlopes;
  const std::vector<float> table = c.table ? BiasTable(c) : std::vector<float>{};
  if (c.table) params.bias = table.data();
  std::vector<float> out(c.tokens * c.heads * c.head_dim, -7.0f);
  Attention(q.data(), c.tokens, c.pos0, k.data(), v.data(), c.kv_len, stride, out.data(), params);
  return out;
}

TEST(Attention, MatchesFloat64Definition) {
  const Case cases[] = {
      {1, 0, 1, 1, 1, 4, 0, true},         // one key: the output is its value
      {1, 6, 7, 4, 4, 8, 0, true},         // decode, multi-head
      {5, 0, 5, 4, 2, 8, 0, true},         // prefill, GQA groups of 2
      {5, 3, 8, 6, 1, 16, 0, true},        // prefill after a cached prefix, MQA
      {9, 0, 9, 2, 2, 8, 3, true},         // sliding window
      {4, 10, 14, 3, 1, 5, 4, true},       // window with a prefix, odd head_dim
      {4, 0, 6, 2, 1, 8, 0, false},        // bidirectional
      {6, 0, 6, 2, 2, 8, 2, false},        // bidirectional local window
      {37, 0, 37, 9, 3, 64, 0, true},      // SmolLM-135M geometry
      {1, 4096, 4097, 9, 3, 64, 0, true},  // long-context decode
      // From 16 queries on, prefill runs as sgemm over blocks of 64 queries: several blocks, with a cached
      // prefix, a sliding window that starts inside a block, GQA, and bidirectional.
      {130, 5, 135, 4, 2, 16, 0, true},
      {100, 3, 103, 4, 1, 8, 40, true},
      {20, 0, 24, 2, 2, 8, 0, false},
      {70, 0, 70, 2, 1, 8, 9, false},
      // A position bias (ALiBi) on both paths: decode, prefill after a prefix with GQA, the sgemm path over
      // several blocks, a window, bidirectional (-|distance|), and a long context.
      {1, 6, 7, 4, 4, 8, 0, true, true},
      {5, 3, 8, 6, 2, 16, 0, true, true},
      {130, 5, 135, 4, 2, 16, 0, true, true},
      {100, 3, 103, 4, 1, 8, 40, true, true},
      {6, 0, 6, 2, 2, 8, 0, false, true},
      {20, 0, 24, 2, 2, 8, 0, false, true},
      {1, 4096, 4097, 9, 3, 64, 0, true, true},
      // An additive table (T5's relative position bias): decode over a prefix, causal prefill after one with
      // GQA, bidirectional both ways (query-by-query and sgemm), and with ALiBi too.
      {1, 6, 7, 4, 4, 8, 0, true, false, true},
      {5, 3, 8, 6, 2, 16, 0, true, false, true},
      {6, 0, 6, 2, 2, 8, 0, false, false, true},
      {20, 0, 24, 2, 2, 8, 0, false, false, true},
      {130, 5, 135, 4, 2, 16, 0, true, true, true},
  };
  for (const Case& c : cases) {
    const int64_t stride = c.kv_heads * c.head_dim + 3;  // a KV slab row with padding
    auto q = RandomValues(c.tokens * c.heads * c.head_dim, 40, -2, 2);
    auto k = RandomValues(c.kv_len * stride, 41, -2, 2), v = RandomValues(c.kv_len * stride, 42);
    const float scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));
    // Scores carry float dot-product error (head_dim products of magnitude <= 4 times scale); the output,
    // an average of values in [-1, 1], inherits that absolute error plus the softmax sum's.
    ExpectClose(RunAttention(q, k, v, stride, c, scale), AttentionFloat64(q, k, v, stride, c, scale), 0, 2e-5,
                Describe(c));
  }
}

TEST(Attention, OneVisibleKeyReturnsItsValue) {
  const Case c{1, 0, 1, 2, 1, 3, 0, true};
  const std::vector<float> q = {1, 2, 3, -4, 5, 6}, k = {0.5f, -1, 2}, v = {7, -8, 9};
  EXPECT_EQ(RunAttention(q, k, v, 3, c, 0.3f), (std::vector<float>{7, -8, 9, 7, -8, 9}));
}

TEST(Attention, FutureKeysAndKeysOutsideTheWindowAreIgnored) {
  const int64_t tokens = 6, heads = 2, head_dim = 8, stride = heads * head_dim;
  auto q = RandomValues(tokens * heads * head_dim, 43);
  auto k = RandomValues(tokens * stride, 44), v = RandomValues(tokens * stride, 45);
  const Case causal{tokens, 0, tokens, heads, heads, head_dim, 0, true};
  const Case windowed{tokens, 0, tokens, heads, heads, head_dim, 2, true};
  const auto base = RunAttention(q, k, v, stride, causal, 0.35f);
  const auto base_window = RunAttention(q, k, v, stride, windowed, 0.35f);
  // Change the last key/value: only the last token may change.
  auto k2 = k, v2 = v;
  for (int64_t i = (tokens - 1) * stride; i < tokens * stride; ++i) {
    k2[i] += 3.0f;
    v2[i] -= 5.0f;
  }
  const auto changed = RunAttention(q, k2, v2, stride, causal, 0.35f);
  const int64_t row = heads * head_dim;
  for (int64_t i = 0; i < (tokens - 1) * row; ++i) ASSERT_EQ(changed[i], base[i]) << "causal mask leaked at " << i;
  EXPECT_NE(changed[(tokens - 1) * row], base[(tokens - 1) * row]);
  // Change key 0: with a window of 2, tokens 2.. see only keys (p-2, p] and must not change.
  auto k3 = k, v3 = v;
  for (int64_t i = 0; i < stride; ++i) {
    k3[i] += 3.0f;
    v3[i] -= 5.0f;
  }
  const auto shifted = RunAttention(q, k3, v3, stride, windowed, 0.35f);
  for (int64_t i = 2 * row; i < tokens * row; ++i) ASSERT_EQ(shifted[i], base_window[i]) << "window leaked at " << i;
  EXPECT_NE(shifted[0], base_window[0]);
}

TEST(Attention, GqaHeadsShareTheirKvHead) {
  // 4 query heads over 2 kv heads: identical queries in heads 0 and 1 (group 0) give identical outputs, and
  // head 2 (group 1) with that same query gives another.
  const int64_t head_dim = 4, kv_len = 5, stride = 2 * head_dim;
  const Case c{1, kv_len - 1, kv_len, 4, 2, head_dim, 0, true};
  std::vector<float> q(4 * head_dim);
  const auto one_query = RandomValues(head_dim, 46);
  for (int h = 0; h < 4; ++h) std::copy(one_query.begin(), one_query.end(), q.begin() + h * head_dim);
  auto k = RandomValues(kv_len * stride, 47), v = RandomValues(kv_len * stride, 48);
  const auto out = RunAttention(q, k, v, stride, c, 0.5f);
  for (int64_t d = 0; d < head_dim; ++d) {
    EXPECT_EQ(out[d], out[head_dim + d]);
    EXPECT_EQ(out[2 * head_dim + d], out[3 * head_dim + d]);
  }
  EXPECT_NE(out[0], out[2 * head_dim]);
}

TEST(Attention, OneAndTwoThreadsAgree) {
  // Prefill (whole GQA groups per item) and decode (groups sliced between threads when there are 2).
  // With a position bias too: each slice of a group must take its own heads' slopes.
  const Case cases[] = {{64, 0, 64, 9, 3, 64, 0, true}, {1, 4095, 4096, 9, 3, 64, 0, true},
                        {1, 4095, 4096, 9, 3, 64, 0, true, true}, {3, 40, 43, 9, 3, 64, 0, true, true}};
  for (const Case& c : cases) {
    const int64_t stride = c.kv_heads * c.head_dim;
    auto q = RandomValues(c.tokens * c.heads * c.head_dim, 49);
    auto k = RandomValues(c.kv_len * stride, 50), v = RandomValues(c.kv_len * stride, 51);
    const int saved = NumThreads();
    SetNumThreads(1);
    const auto one = RunAttention(q, k, v, stride, c, 0.125f);
    SetNumThreads(2);
    const auto two = RunAttention(q, k, v, stride, c, 0.125f);
    SetNumThreads(saved);
    ExpectClose(two, one, 0, 0, "attention threads " + Describe(c));
  }
}

}  // namespace
}  // namespace ttt::ops
