// The attention block against an independent float64 implementation of the same spec and weights.
#include "core/blocks/attention/attention.h"

#include <cmath>
#include <random>

#include "core/blocks/attention/position_bias.h"
#include "core/specs/validate.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

using Matrix = std::vector<double>;

Tensor RandomTensor(Shape shape, std::mt19937& rng) {
  std::normal_distribution<float> d(0.0f, 0.3f);
  Tensor t = Tensor::Empty(DType::kF32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// y = x W^T + b in float64.
Matrix Project(const std::vector<float>& x, int64_t rows, const Tensor& w, const Tensor* b) {
  const int64_t out = w.dim(0), in = w.dim(1);
  Matrix y(rows * out);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double s = b ? b->data<float>()[o] : 0.0;
      for (int64_t i = 0; i < in; ++i) s += static_cast<double>(x[r * in + i]) * w.data<float>()[o * in + i];
      y[r * out + o] = s;
    }
  return y;
}

void RotateReference(double* head, int64_t pos, const spec::RopeSpec& rope) {
  const int64_t rd = rope.rotary_dim(), half = rd / 2;
  for (int64_t i = 0; i < half; ++i) {
    double inv = std::pow(rope.theta(), -2.0 * i / rd);
    double c = std::cos(pos * inv), s = std::sin(pos * inv);
    int64_t a = rope.convention() == spec::RopeSpec::INTERLEAVED ? 2 * i : i;
    int64_t b = rope.convention() == spec::RopeSpec::INTERLEAVED ? 2 * i + 1 : i + half;
    double x0 = head[a], x1 = head[b];
    head[a] = x0 * c - x1 * s;
    head[b] = x0 * s + x1 * c;
  }
}

// A position bias kind of the test's own (core cannot use contrib's "alibi"): head h's slope is 2^-(h+1).
double HalvingSlope(int64_t h) { return std::ldexp(1.0, -static_cast<int>(h) - 1); }
void RegisterHalvingBias() {
  static const absl::Status registered = RegisterPositionBias(
      "test_halving", [](const spec::PositionBiasSpec&, int64_t heads) -> absl::StatusOr<std::vector<float>> {
        std::vector<float> slopes;
        for (int64_t h = 0; h < heads; ++h) slopes.push_back(static_cast<float>(HalvingSlope(h)));
        return slopes;
      });
  ASSERT_TRUE(registered.ok()) << registered;
}

// Full causal attention over `tokens` positions, float64.
Matrix ReferenceAttention(const spec::AttentionSpec& s, const WeightMap& w, const std::vector<float>& x, int64_t tokens) {
  auto bias = [&](const char* name) { return s.qkv_bias() ? &w.at(std::string("attn.") + name + ".bias") : nullptr; };
  Matrix q = Project(x, tokens, w.at("attn.wq"), bias("wq"));
  Matrix k = Project(x, tokens, w.at("attn.wk"), bias("wk"));
  Matrix v = Project(x, tokens, w.at("attn.wv"), bias("wv"));
  const int64_t H = s.num_heads(), KV = s.num_kv_heads(), D = s.head_dim();
  if (s.use_rope()) {
    for (int64_t t = 0; t < tokens; ++t) {
      for (int64_t h = 0; h < H; ++h) RotateReference(&q[(t * H + h) * D], t, s.rope());
      for (int64_t h = 0; h < KV; ++h) RotateReference(&k[(t * KV + h) * D], t, s.rope());
    }
  }
  std::vector<float> heads(tokens * H * D);
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t g = h / (H / KV);
      std::vector<double> scores;
      int64_t first = s.sliding_window() > 0 ? std::max<int64_t>(0, t - s.sliding_window() + 1) : 0;
      double max = -1e300;
      for (int64_t j = first; j <= t; ++j) {
        double dot = 0;
        for (int64_t d = 0; d < D; ++d) dot += q[(t * H + h) * D + d] * k[(j * KV + g) * D + d];
        // A position bias adds slope_h * (j - t) to the scaled score of each (past) key.
        const double bias = s.has_position_bias() ? HalvingSlope(h) * static_cast<double>(j - t) : 0.0;
        scores.push_back(dot * s.softmax_scale() + bias);
        max = std::max(max, scores.back());
      }
      double sum = 0;
      for (double& sc : scores) sum += (sc = std::exp(sc - max));
      for (int64_t d = 0; d < D; ++d) {
        double acc = 0;
        for (int64_t j = first; j <= t; ++j) acc += scores[j - first] / sum * v[(j * KV + g) * D + d];
        heads[(t * H + h) * D + d] = static_cast<float>(acc);
      }
    }
  return Project(heads, tokens, w.at("attn.wo"), s.output_bias() ? &w.at("attn.wo.bias") : nullptr);
}

struct AttentionCase {
  const char* name;
  uint32_t heads, kv_heads;
  bool bias, rope, interleaved;
  uint32_t window, rotary_dim;
  bool position_bias = false;  // the test's "test_halving" kind (ALiBi's form)
};

void PrintTo(const AttentionCase& c, std::ostream* os) { *os << c.name; }

class AttentionBlockTest : public ::testing::TestWithParam<AttentionCase> {};

TEST_P(AttentionBlockTest, PrefillAndDecodeMatchFloat64Reference) {
  const AttentionCase& c = GetParam();
  spec::AttentionSpec s;
  s.set_hidden_dim(48);
  s.set_num_heads(c.heads);
  s.set_num_kv_heads(c.kv_heads);
  s.set_qkv_bias(c.bias);
  s.set_output_bias(c.bias);
  s.set_sliding_window(c.window);
  s.set_max_seq_len(32);
  s.set_use_rope(c.rope);
  if (c.rope) {
    s.mutable_rope()->set_convention(c.interleaved ? spec::RopeSpec::INTERLEAVED : spec::RopeSpec::ROTATE_HALF);
    s.mutable_rope()->set_rotary_dim(c.rotary_dim);
  }
  if (c.position_bias) {
    RegisterHalvingBias();
    s.mutable_position_bias()->set_kind("test_halving");
    s.mutable_position_bias()->set_max_bias(8);
  }
  auto valid = ValidateAttention(s);
  ASSERT_TRUE(valid.ok()) << valid.status();
  s = **valid;
  std::mt19937 rng(11);
  const int64_t qd = s.num_heads() * s.head_dim(), kvd = s.num_kv_heads() * s.head_dim();
  WeightMap w;
  w["attn.wq"] = RandomTensor({qd, 48}, rng);
  w["attn.wk"] = RandomTensor({kvd, 48}, rng);
  w["attn.wv"] = RandomTensor({kvd, 48}, rng);
  w["attn.wo"] = RandomTensor({48, qd}, rng);
  if (c.bias) {
    w["attn.wq.bias"] = RandomTensor({qd}, rng);
    w["attn.wk.bias"] = RandomTensor({kvd}, rng);
    w["attn.wv.bias"] = RandomTensor({kvd}, rng);
    w["attn.wo.bias"] = RandomTensor({48}, rng);
  }
  auto block = Attention::Create(*Validate(s), w, "attn");
  ASSERT_TRUE(block.ok()) << block.status();
  const int64_t tokens = 9;
  std::vector<float> x = RandomTensor({tokens, 48}, rng).ToF32();
  Matrix expected = ReferenceAttention(s, w, x, tokens);

  KvCache cache(1, 1, 32, kvd);
  std::vector<float> scratch((*block)->ScratchFloats(tokens)), out(tokens * 48);
  // Prefill the first 5 tokens, then decode the rest one at a time.
  (*block)->Prefill(x.data(), 5, 0, cache, 0, 0, out.data(), scratch.data());
  for (int64_t t = 5; t < tokens; ++t) {
    int32_t pos = static_cast<int32_t>(t), slot = 0;
    (*block)->Decode(x.data() + t * 48, 1, &pos, &slot, cache, 0, out.data() + t * 48, scratch.data());
  }
  for (int64_t i = 0; i < tokens * 48; ++i) EXPECT_NEAR(out[i], expected[i], 2e-4) << "element " << i;
}

TEST(AttentionPositionBiasTest, AnUnregisteredKindSaysHowToRegisterIt) {
  spec::AttentionSpec s;
  s.set_hidden_dim(16);
  s.set_num_heads(2);
  s.set_max_seq_len(8);
  s.mutable_position_bias()->set_kind("alibi_not_linked");
  s.mutable_position_bias()->set_max_bias(8);
  std::mt19937 rng(3);
  WeightMap w;
  for (const char* name : {"attn.wq", "attn.wk", "attn.wv", "attn.wo"}) w[name] = RandomTensor({16, 16}, rng);
  auto block = Attention::Create(*Validate(s), w, "attn");
  ASSERT_FALSE(block.ok());
  EXPECT_EQ(block.status().code(), absl::StatusCode::kNotFound);
  const std::string message(block.status().message());
  EXPECT_NE(message.find("attention 'attn'"), std::string::npos) << message;
  EXPECT_NE(message.find("'alibi_not_linked' is not registered"), std::string::npos) << message;
  EXPECT_NE(message.find("ttt::contrib::RegisterAlibi()"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Variants, AttentionBlockTest,
    ::testing::Values(AttentionCase{"Mha", 4, 4, false, true, false, 0, 0},
                      AttentionCase{"Gqa", 4, 2, false, true, false, 0, 0},
                      AttentionCase{"Mqa", 4, 1, false, true, true, 0, 0},
                      AttentionCase{"BiasNoRopeGpt2", 4, 4, true, false, false, 0, 0},
                      AttentionCase{"SlidingWindowMistral", 4, 2, false, true, false, 3, 0},
                      AttentionCase{"PartialRotary", 2, 1, true, true, false, 0, 8},
                      AttentionCase{"PartialRotaryInterleaved", 2, 2, false, true, true, 0, 12},
                      AttentionCase{"PositionBiasMpt", 4, 4, false, false, false, 0, 0, true},
                      AttentionCase{"PositionBiasGqaWindow", 4, 2, true, false, false, 5, 0, true}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ttt
