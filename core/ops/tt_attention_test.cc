// The emulated Tenstorrent attention (ops::TtAttention) against the CPU attention (ops::Attention, itself
// checked against float64 references): same masking and head mapping, errors of the size the device's
// rounding explains, and ordered by math fidelity.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/ops/internal/test_values.h"
#include "core/ops/tt_numerics.h"
#include "gtest/gtest.h"

namespace ttt::ops {
namespace {

using testing::RandomValues;

struct Case {
  std::string name;
  AttentionParams params;
  int64_t tokens;
  int64_t pos0;
};

std::vector<Case> Cases() {
  auto params = [](int64_t heads, int64_t kv_heads, int64_t window) {
    return AttentionParams{.num_heads = heads, .num_kv_heads = kv_heads, .head_dim = 32,
                           .scale = 1.0f / std::sqrt(32.0f), .causal = true, .sliding_window = window};
  };
  // ALiBi slopes (MPT's for 8 heads, max_bias 8): the bias is added on the vector engine in f32, as on the CPU.
  static constexpr float kSlopes[8] = {0.5f, 0.25f, 0.125f, 0.0625f, 1.0f / 32, 1.0f / 64, 1.0f / 128, 1.0f / 256};
  AttentionParams alibi = params(8, 2, 0);
  alibi.slopes = kSlopes;
  AttentionParams alibi_decode = params(4, 4, 0);
  alibi_decode.slopes = kSlopes;
  // T5: a bias per head, query and key (its relative position bias), no score scaling; bidirectional in its
  // encoder, causal in its decoder's steps.
  static const std::vector<float> kBias = RandomValues(4 * 10 * 13, 99, -3, 3);
  AttentionParams t5_encoder = params(4, 4, 0);
  t5_encoder.scale = 1.0f;
  t5_encoder.causal = false;
  t5_encoder.bias = kBias.data();
  AttentionParams t5_decode = t5_encoder;
  t5_decode.causal = true;
  return {{"mha prefill", params(4, 4, 0), 20, 0},
          {"gqa prefill after cached prefix", params(8, 2, 0), 12, 9},
          {"mqa decode", params(4, 1, 0), 1, 30},
          {"sliding window", params(4, 2, 5), 16, 3},
          {"alibi gqa prefill after cached prefix", alibi, 12, 9},
          {"alibi decode", alibi_decode, 1, 30},
          {"t5 bias encoder", t5_encoder, 10, 0},
          {"t5 bias decode", t5_decode, 1, 12}};
}

// Relative max error of the emulated attention vs the CPU's, for K/V rows in `kv_dtype` (f32 or bf16).
double RelativeError(const Case& c, const TtMatmulNumerics& numerics, DType kv_dtype, uint32_t seed) {
  const AttentionParams& p = c.params;
  const int64_t kv_len = c.pos0 + c.tokens, kv_dim = p.num_kv_heads * p.head_dim, q_dim = p.num_heads * p.head_dim;
  const std::vector<float> q = RandomValues(c.tokens * q_dim, seed, -2, 2);
  std::vector<float> k = RandomValues(kv_len * kv_dim, seed + 1, -2, 2), v = RandomValues(kv_len * kv_dim, seed + 2);
  std::vector<uint16_t> k16(k.size()), v16(v.size());
  for (size_t i = 0; i < k.size(); ++i) {
    k16[i] = F32ToBF16(k[i]);
    v16[i] = F32ToBF16(v[i]);
    if (kv_dtype == DType::kBF16) {  // the CPU path then sees exactly the cache's values
      k[i] = BF16ToF32(k16[i]);
      v[i] = BF16ToF32(v16[i]);
    }
  }
  const bool bf16 = kv_dtype == DType::kBF16;
  const KvRows kr{bf16 ? static_cast<const void*>(k16.data()) : k.data(), kv_dtype, kv_dim * (bf16 ? 2 : 4)};
  const KvRows vr{bf16 ? static_cast<const void*>(v16.data()) : v.data(), kv_dtype, kv_dim * (bf16 ? 2 : 4)};
  std::vector<float> cpu(c.tokens * q_dim), tt(c.tokens * q_dim);
  Attention(q.data(), c.tokens, c.pos0, k.data(), v.data(), kv_len, kv_dim, cpu.data(), p);
  TtAttention(q.data(), c.tokens, c.pos0, kr, vr, kv_len, tt.data(), p, numerics);
  double max_err = 0, max_ref = 0;
  for (size_t i = 0; i < cpu.size(); ++i) {
    max_err = std::max(max_err, std::abs(double(tt[i]) - cpu[i]));
    max_ref = std::max(max_ref, std::abs(double(cpu[i])));
  }
  return max_err / max_ref;
}

constexpr TtMatmulNumerics kHiFi4{.activation_dtype = DType::kBF16, .fidelity = MathFidelity::kHiFi4,
                                  .fp32_accumulation = true, .output_dtype = DType::kF32};
constexpr TtMatmulNumerics kLoFi{.activation_dtype = DType::kBF16, .fidelity = MathFidelity::kLoFi,
                                 .fp32_accumulation = false, .output_dtype = DType::kBF16};

TEST(TtAttention, MatchesCpuAttentionWithinBf16Rounding) {
  for (const Case& c : Cases()) {
    for (DType kv : {DType::kF32, DType::kBF16}) {
      // Q, K, the probabilities and V are each rounded to bf16 (2^-9 relative) once: a few 2^-9 at most.
      // A wrong head mapping or mask gives errors of order 1.
      const double err = RelativeError(c, kHiFi4, kv, 7);
      EXPECT_LT(err, 8 * std::ldexp(1.0, -9)) << c.name << " kv " << DTypeName(kv);
      EXPECT_GT(err, 0) << c.name << ": the device's rounding must show";
    }
  }
}

TEST(TtAttention, LoFiIsFurtherFromTheCpuThanHiFi4) {
  for (const Case& c : Cases()) {
    EXPECT_GT(RelativeError(c, kLoFi, DType::kF32, 11), 1.5 * RelativeError(c, kHiFi4, DType::kF32, 11)) << c.name;
  }
}

TEST(TtAttention, AWindowOfOneKeyReturnsThatValueExactly) {
  // Each query sees only its own key: its probability is exactly 1, and 1 x bf16(v) summed in fp32 is
  // bf16(v) exactly, at any fidelity that keeps all of v's mantissa (HiFi4).
  AttentionParams p{.num_heads = 2, .num_kv_heads = 1, .head_dim = 32, .scale = 0.2f, .causal = true,
                    .sliding_window = 1};
  const int64_t tokens = 6;
  const std::vector<float> q = RandomValues(tokens * 64, 3), k = RandomValues(tokens * 32, 4),
                           v = RandomValues(tokens * 32, 5);
  std::vector<float> out(tokens * 64);
  TtAttention(q.data(), tokens, 0, KvRows{k.data(), DType::kF32, 32 * 4}, KvRows{v.data(), DType::kF32, 32 * 4},
              tokens, out.data(), p, kHiFi4);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t h = 0; h < 2; ++h) {
      for (int64_t d = 0; d < 32; ++d) {
        ASSERT_EQ(out[t * 64 + h * 32 + d], BF16ToF32(F32ToBF16(v[t * 32 + d]))) << t << " " << h << " " << d;
      }
    }
  }
}

}  // namespace
}  // namespace ttt::ops
