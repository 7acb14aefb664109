// Every kernel of every instruction set this machine runs, against the scalar reference, over odd sizes
// that exercise SIMD main loops, masked tails and sizes smaller than one vector.
#include <cmath>
#include <string>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/test_values.h"
#include "core/runtime/dtype.h"
#include "gtest/gtest.h"

namespace ttt::kernels {
namespace {

using ops::testing::ExpectClose;
using ops::testing::RandomValues;

constexpr double kUnitRoundoff = 6e-8;  // 2^-24, float32
const int64_t kSizes[] = {1, 3, 17, 64, 4097};

// Relative error bound of a float sum of n terms done as >= 8 interleaved partial sums of n/8 terms each and
// a reduction of at most 64 steps (the shape of every SIMD kernel here), as a multiple of the unit roundoff.
double SumRelativeBound(int64_t n) { return (static_cast<double>(n) / 8 + 64) * kUnitRoundoff; }

class IsaKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const KernelTable& table() const { return Kernels(GetParam()); }
  const KernelTable& ref() const { return Kernels(Isa::kScalar); }
  std::string Name(const char* kernel, int64_t n) const {
    return std::string(IsaName(GetParam())) + " " + kernel + " n=" + std::to_string(n);
  }
};

TEST_P(IsaKernels, TableIsCompleteAndForThisIsa) {
  EXPECT_EQ(table().isa, GetParam());
  EXPECT_NE(table().Gemv(DType::kF32), nullptr);
  for (auto fn : {table().silu, table().relu, table().gelu_erf, table().gelu_tanh}) EXPECT_NE(fn, nullptr);
  for (auto fn : {table().add, table().mul, table().silu_mul, table().gelu_erf_mul, table().gelu_tanh_mul}) {
    EXPECT_NE(fn, nullptr);
  }
  EXPECT_NE(table().dot_f32, nullptr);
  EXPECT_NE(table().rmsnorm_row, nullptr);
  EXPECT_NE(table().layernorm_row, nullptr);
  EXPECT_NE(table().softmax_row, nullptr);
  EXPECT_NE(table().rope_rotate_half, nullptr);
  EXPECT_NE(table().rope_interleaved, nullptr);
  EXPECT_NE(table().attention_queries, nullptr);
  EXPECT_NE(table().attention_queries_kv, nullptr);
  EXPECT_NE(table().tt_panel, nullptr);
  EXPECT_NE(table().tt_row, nullptr);
}

TEST_P(IsaKernels, Dot) {
  for (int64_t n : kSizes) {
    auto a = RandomValues(n, 1), b = RandomValues(n, 2);
    double abs_sum = 0;
    for (int64_t i = 0; i < n; ++i) abs_sum += std::fabs(a[i] * b[i]);
    EXPECT_NEAR(table().dot_f32(a.data(), b.data(), n), ref().dot_f32(a.data(), b.data(), n),
                SumRelativeBound(n) * abs_sum)
        << Name("dot", n);
  }
}

TEST_P(IsaKernels, GemvF32OverLinearShapes) {
  for (int64_t m : {1, 2, 3, 5, 17, 128}) {
    for (int64_t n : {1, 17, 300}) {
      for (int64_t k : {1, 3, 16, 17, 576, 4097}) {
        auto x = RandomValues(m * k, 3), w = RandomValues(n * k, 4);
        std::vector<float> y(m * n), expected(m * n);
        // A sub-range of rows, as a thread sees it, must not touch rows outside it.
        const int64_t begin = n / 3, end = n;
        std::vector<float> sentinel(m * n, 12345.0f);
        y = sentinel;
        expected = sentinel;
        table().Gemv(DType::kF32)(x.data(), m, k, w.data(), k * sizeof(float), begin, end, y.data(), n);
        ref().Gemv(DType::kF32)(x.data(), m, k, w.data(), k * sizeof(float), begin, end, expected.data(), n);
        // Inputs lie in [-1, 1], so sum |x w| <= k; typical sums are ~k/4: bound with k/4 (errors are far
        // below the worst case).
        const double atol = SumRelativeBound(k) * static_cast<double>(k) / 4;
        ExpectClose(y, expected, 0, atol,
                    Name("gemv", n) + " m=" + std::to_string(m) + " k=" + std::to_string(k));
      }
    }
  }
}

TEST_P(IsaKernels, Norms) {
  for (int64_t n : kSizes) {
    auto x = RandomValues(n, 5, -3, 3), w = RandomValues(n, 6), b = RandomValues(n, 7);
    std::vector<float> out(n), expected(n);
    for (bool unit_offset : {false, true}) {
      table().rmsnorm_row(x.data(), w.data(), out.data(), n, 1e-6f, unit_offset);
      ref().rmsnorm_row(x.data(), w.data(), expected.data(), n, 1e-6f, unit_offset);
      // The sum of squares carries SumRelativeBound; the square root halves it; a few roundings follow.
      ExpectClose(out, expected, SumRelativeBound(n) / 2 + 4 * kUnitRoundoff, 1e-30, Name("rmsnorm", n));
    }
    for (const float* bias : {static_cast<const float*>(b.data()), static_cast<const float*>(nullptr)}) {
      table().layernorm_row(x.data(), w.data(), bias, out.data(), n, 1e-5f);
      ref().layernorm_row(x.data(), w.data(), bias, expected.data(), n, 1e-5f);
      // Mean and variance are sums; centring cancels, so the error is absolute on the O(1) normalised scale.
      ExpectClose(out, expected, SumRelativeBound(n), 4 * SumRelativeBound(n), Name("layernorm", n));
    }
  }
}

TEST_P(IsaKernels, Softmax) {
  for (int64_t n : kSizes) {
    auto x = RandomValues(n, 8, -20, 20);
    auto expected = x;
    table().softmax_row(x.data(), n);
    ref().softmax_row(expected.data(), n);
    // The vector exp is accurate to ~2e-7 relative; the normalising sum adds SumRelativeBound.
    ExpectClose(x, expected, 1e-6 + SumRelativeBound(n), 1e-30, Name("softmax", n));
  }
}

TEST_P(IsaKernels, Activations) {
  struct Unary {
    const char* name;
    UnaryFn fn;
    UnaryFn ref;
  };
  const Unary unary[] = {{"silu", table().silu, ref().silu},
                         {"relu", table().relu, ref().relu},
                         {"gelu_erf", table().gelu_erf, ref().gelu_erf},
                         {"gelu_tanh", table().gelu_tanh, ref().gelu_tanh}};
  for (int64_t n : kSizes) {
    // [-12, 12] covers the tails where exp/erfc approximations usually fail.
    auto x = RandomValues(n, 9, -12, 12);
    std::vector<float> out(n), expected(n);
    for (const Unary& u : unary) {
      u.fn(x.data(), out.data(), n);
      u.ref(x.data(), expected.data(), n);
      // Vectorised exp/erfc are accurate to a few 1e-7 relative; in the far negative tail of GELU the
      // rounding of x^2 in the exponent (|x| = 12 -> 72 * 6e-8) dominates, hence 1e-5. The absolute floor
      // covers results below 1e-20 that the kernels flush differently from the double reference.
      ExpectClose(out, expected, 1e-5, 1e-20, Name(u.name, n));
    }
  }
}

TEST_P(IsaKernels, SoftCap) {
  for (int64_t n : kSizes) {
    // Far past the cap (saturated at +-cap), near 0 (linear) and in between.
    auto x = RandomValues(n, 10, -400, 400);
    for (int64_t i = 0; i < n; i += 3) x[i] *= 1e-3f;
    for (float cap : {50.0f, 2.0f}) {
      std::vector<float> out(n), expected(n);
      table().softcap(x.data(), out.data(), n, cap);
      ref().softcap(x.data(), expected.data(), n, cap);
      // tanh as 1 - 2 / (1 + e^2y): a few float ulps of 1, times the cap, absolute.
      ExpectClose(out, expected, 1e-6, 4e-7 * cap, Name("softcap", n));
    }
  }
}

TEST_P(IsaKernels, Binary) {
  struct BinaryCase {
    const char* name;
    BinaryFn fn;
    BinaryFn ref;
    double rtol;
  };
  // add and mul are one rounding each, so they must match exactly; gated activations as in Activations.
  const BinaryCase cases[] = {{"add", table().add, ref().add, 0},
                              {"mul", table().mul, ref().mul, 0},
                              {"silu_mul", table().silu_mul, ref().silu_mul, 1e-5},
                              {"gelu_erf_mul", table().gelu_erf_mul, ref().gelu_erf_mul, 1e-5},
                              {"gelu_tanh_mul", table().gelu_tanh_mul, ref().gelu_tanh_mul, 1e-5}};
  for (int64_t n : kSizes) {
    auto a = RandomValues(n, 10, -12, 12), b = RandomValues(n, 11, -2, 2);
    std::vector<float> out(n), expected(n);
    for (const BinaryCase& c : cases) {
      c.fn(a.data(), b.data(), out.data(), n);
      c.ref(a.data(), b.data(), expected.data(), n);
      ExpectClose(out, expected, c.rtol, c.rtol == 0 ? 0 : 1e-20, Name(c.name, n));
    }
    // In place (out aliases a), as the residual add is used.
    auto in_place = a;
    table().add(in_place.data(), b.data(), in_place.data(), n);
    ref().add(a.data(), b.data(), expected.data(), n);
    ExpectClose(in_place, expected, 0, 0, Name("add in place", n));
  }
}

TEST_P(IsaKernels, Rope) {
  for (int64_t half : {1, 3, 16, 17, 32, 64}) {
    auto x = RandomValues(2 * half + 5, 12);
    auto angles = RandomValues(half, 13, -10, 10);
    std::vector<float> cos(half), sin(half);
    for (int64_t i = 0; i < half; ++i) {
      cos[i] = std::cos(angles[i]);
      sin[i] = std::sin(angles[i]);
    }
    for (bool interleaved : {false, true}) {
      auto out = x, expected = x;
      (interleaved ? table().rope_interleaved : table().rope_rotate_half)(out.data(), cos.data(), sin.data(),
                                                                          half);
      (interleaved ? ref().rope_interleaved : ref().rope_rotate_half)(expected.data(), cos.data(), sin.data(),
                                                                      half);
      // a*c - b*s in float with FMA: at most 2 roundings of values bounded by |a| + |b| <= 2.
      ExpectClose(out, expected, 0, 4 * 2 * kUnitRoundoff, Name(interleaved ? "rope_interleaved" : "rope", half));
    }
  }
}

TEST_P(IsaKernels, AttentionQueries) {
  for (int64_t head_dim : {1, 17, 64, 128}) {
    for (int64_t keys : kSizes) {
      for (int64_t queries : {1, 3}) {
        const int64_t stride = 3 * head_dim + 1;  // other heads and padding between rows
        auto q = RandomValues(queries * head_dim, 14), k = RandomValues(keys * stride, 15);
        auto v = RandomValues(keys * stride, 16);
        const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
        std::vector<float> scores(queries * keys), out(queries * head_dim), expected(queries * head_dim);
        // Without a bias, and with ALiBi slopes for a query at the last key (causal) or inside the range.
        const float slopes[3] = {0.5f, 1.0f / 256, 2.0f};
        // And soft-capped (Gemma 2), alone and with the slopes; and an additive table per query and key (T5's
        // relative position bias), alone and with the slopes.
        const std::vector<float> added = RandomValues(queries * keys, 17, -3, 3);
        for (const ScoreBias bias : {ScoreBias{}, ScoreBias{slopes, keys - 1}, ScoreBias{slopes, keys / 3},
                                     ScoreBias{nullptr, 0, 0.5f}, ScoreBias{slopes, keys - 1, 4.0f},
                                     ScoreBias{nullptr, 0, 0, added.data(), keys},
                                     ScoreBias{slopes, keys / 3, 0, added.data(), keys}}) {
          for (int64_t begin : {int64_t{0}, keys / 2}) {
            table().attention_queries(q.data(), queries, k.data() + head_dim, v.data() + head_dim, stride, begin,
                                      keys, head_dim, scale, bias, scores.data(), out.data());
            ref().attention_queries(q.data(), queries, k.data() + head_dim, v.data() + head_dim, stride, begin,
                                    keys, head_dim, scale, bias, scores.data(), expected.data());
            // A score error e becomes a relative weight error e; scores are sums of head_dim products bounded
            // by sqrt(head_dim), outputs are averages of values in [-1, 1]. The bias is rounded (twice, in f32)
            // where the reference adds it in double: keys whose bias exceeds ~20 weigh < e^-20, so its error
            // that matters is below 2 * 20 unit roundoffs.
            const double score_error = SumRelativeBound(head_dim) * std::sqrt(static_cast<double>(head_dim)) +
                                       (bias.slopes ? 40 * kUnitRoundoff : 0.0) + 4e-7 * bias.softcap +
                                       (bias.table ? 8 * kUnitRoundoff : 0.0);
            const std::string what = Name("attention", keys) + " head_dim=" + std::to_string(head_dim) +
                                     " queries=" + std::to_string(queries) +
                                     (bias.slopes ? " bias at " + std::to_string(bias.query_pos) : "") +
                                     (bias.softcap > 0 ? " softcap " + std::to_string(bias.softcap) : "") +
                                     (bias.table ? " table" : "");
            ExpectClose(out, expected, 0, 2 * score_error + 1e-6 + SumRelativeBound(keys), what);
            // A query's result must not depend on the other queries of its call (threads slice groups).
            if (queries == 3) {
              std::vector<float> alone(head_dim);
              const ScoreBias own{bias.slopes ? bias.slopes + 2 : nullptr, bias.query_pos, bias.softcap,
                                  bias.table ? bias.table + 2 * bias.table_stride : nullptr, bias.table_stride};
              table().attention_queries(q.data() + 2 * head_dim, 1, k.data() + head_dim, v.data() + head_dim, stride,
                                        begin, keys, head_dim, scale, own, scores.data(), alone.data());
              ExpectClose(alone, std::vector<float>(out.begin() + 2 * head_dim, out.end()), 0, 0, what + " alone");
            }
          }
        }
      }
    }
  }
}

// The emulated Tenstorrent matmul kernels must equal the reference bit for bit (kernel_table.h TtPanelFn), at
// every fidelity (1-4 phases), with the parts no phase uses left null as the op passes them.
TEST_P(IsaKernels, TtMatmulBitForBit) {
  // bf16 values: products of two have at most 16 significant bits, exact in f32 as phase parts' are.
  auto bf16 = [](std::vector<float> v) {
    for (float& e : v) e = BF16ToF32(F32ToBF16(e));
    return v;
  };
  for (int64_t kp : {32, 96}) {
    const auto b_hi = bf16(RandomValues(kp, 17, -4, 4)), b_lo = bf16(RandomValues(kp, 18, -0.01, 0.01));
    const auto a_hi = bf16(RandomValues(kp * kTtPanelRows, 19, -4, 4));
    const auto a_lo = bf16(RandomValues(kp * kTtPanelRows, 20, -0.01, 0.01));
    for (int phases = 1; phases <= 4; ++phases) {
      const float* b[2] = {b_hi.data(), phases >= 3 ? b_lo.data() : nullptr};
      const float* a[2] = {a_hi.data(), phases >= 2 ? a_lo.data() : nullptr};
      for (bool fp32_acc : {false, true}) {
        const std::string what = Name("tt", kp) + " phases=" + std::to_string(phases) +
                                 (fp32_acc ? " fp32 Dst" : " bf16 Dst");
        float out[kTtPanelRows], expected[kTtPanelRows];
        table().tt_panel(b, a, kp, phases, fp32_acc, out);
        ref().tt_panel(b, a, kp, phases, fp32_acc, expected);
        for (int r = 0; r < kTtPanelRows; ++r) EXPECT_EQ(out[r], expected[r]) << what << " panel row " << r;
        EXPECT_EQ(table().tt_row(b, a, kp, phases, fp32_acc), ref().tt_row(b, a, kp, phases, fp32_acc))
            << what << " row";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, IsaKernels, ::testing::ValuesIn(AvailableIsas()),
                         [](const ::testing::TestParamInfo<Isa>& info) { return IsaName(info.param); });

TEST(KernelTable, ActiveIsTheBestIsa) {
  EXPECT_EQ(ActiveKernels().isa, BestIsa());
  EXPECT_EQ(AvailableIsas().front(), Isa::kScalar);
  EXPECT_EQ(AvailableIsas().back(), BestIsa());
}

// The kernels written once over the vector width (core/kernels/generic/) exist in every SIMD table: none may
// fall back to the scalar reference unnoticed.
TEST(KernelTable, SimdTablesHaveTheirOwnGenericKernels) {
  const KernelTable& ref = Kernels(Isa::kScalar);
  for (Isa isa : AvailableIsas()) {
    if (isa == Isa::kScalar) continue;
    const KernelTable& t = Kernels(isa);
    EXPECT_NE(t.Gemv(DType::kF32), ref.Gemv(DType::kF32)) << IsaName(isa);
    EXPECT_NE(t.dot_f32, ref.dot_f32) << IsaName(isa);
    EXPECT_NE(t.rmsnorm_row, ref.rmsnorm_row) << IsaName(isa);
    EXPECT_NE(t.layernorm_row, ref.layernorm_row) << IsaName(isa);
    EXPECT_NE(t.softmax_row, ref.softmax_row) << IsaName(isa);
    EXPECT_NE(t.silu, ref.silu) << IsaName(isa);
    EXPECT_NE(t.relu, ref.relu) << IsaName(isa);
    EXPECT_NE(t.gelu_erf, ref.gelu_erf) << IsaName(isa);
    EXPECT_NE(t.gelu_tanh, ref.gelu_tanh) << IsaName(isa);
    EXPECT_NE(t.softcap, ref.softcap) << IsaName(isa);
    EXPECT_NE(t.add, ref.add) << IsaName(isa);
    EXPECT_NE(t.mul, ref.mul) << IsaName(isa);
    EXPECT_NE(t.silu_mul, ref.silu_mul) << IsaName(isa);
    EXPECT_NE(t.gelu_erf_mul, ref.gelu_erf_mul) << IsaName(isa);
    EXPECT_NE(t.gelu_tanh_mul, ref.gelu_tanh_mul) << IsaName(isa);
    EXPECT_NE(t.rope_rotate_half, ref.rope_rotate_half) << IsaName(isa);
    EXPECT_NE(t.rope_interleaved, ref.rope_interleaved) << IsaName(isa);
    EXPECT_NE(t.attention_queries, ref.attention_queries) << IsaName(isa);
    EXPECT_NE(t.attention_queries_kv, ref.attention_queries_kv) << IsaName(isa);
  }
}

}  // namespace
}  // namespace ttt::kernels
