// The emulated Tenstorrent matmul (tt_numerics.h) against independent reasoning: float64 sums, hand-worked
// fidelity products, an independent naive re-implementation of the recipe (operand parts computed with
// frexp/ldexp from the §2.3 definitions, not with the library's bit masks), and error orderings.
// Facts: ../shared/notes/tt-numerics.md (§ tags next to each use).
#include "core/ops/tt_numerics.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/test_values.h"
#include "core/ops/weight_quantization.h"
#include "core/runtime/cpu_features.h"
#include "core/runtime/threading.h"
#include "gtest/gtest.h"

namespace ttt::ops {
namespace {

using testing::RandomValues;

std::vector<float> Gaussian(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

std::vector<float> ToBf16Values(std::vector<float> v) {
  for (float& x : v) x = BF16ToF32(F32ToBF16(x));
  return v;
}

LinearWeight F32Weight(const std::vector<float>& w, int64_t n, int64_t k) {
  return LinearWeight{Tensor::FromF32({n, k}, w), Tensor()};
}
LinearWeight Quantized(const std::vector<float>& w, int64_t n, int64_t k, DType dtype) {
  auto q = QuantizeWeight(Tensor::FromF32({n, k}, w), dtype);
  EXPECT_TRUE(q.ok()) << q.status();
  return *q;
}

std::vector<float> Emulate(const std::vector<float>& x, int64_t m, const LinearWeight& w, TtMatmulNumerics nm,
                       const float* bias = nullptr) {
  std::vector<float> y(m * w.values.shape()[0]);
  TtLinear(x.data(), m, w, bias, y.data(), nm);
  return y;
}

// float64 x . W^T of the values the device holds (weights dequantised, activations as given).
std::vector<double> ExactProduct(const std::vector<float>& x, int64_t m, const std::vector<float>& w, int64_t n,
                                 int64_t k) {
  std::vector<double> y(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t t = 0; t < k; ++t) y[i * n + j] += double(x[i * k + t]) * w[j * k + t];
  return y;
}

double RmsError(const std::vector<float>& y, const std::vector<double>& ref) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += (y[i] - ref[i]) * (y[i] - ref[i]);
  return std::sqrt(s / y.size());
}

TtMatmulNumerics Numerics(DType act, MathFidelity f, bool fp32_acc, DType out = DType::kF32) {
  TtMatmulNumerics nm;
  nm.activation_dtype = act;
  nm.fidelity = f;
  nm.fp32_accumulation = fp32_acc;
  nm.output_dtype = out;
  return nm;
}

// --- Independent re-implementation (§2.3 definitions, by significant bits) ---------------------------------

// Keeps the `bits` most significant bits of |x| (hidden one included), truncating: sign-magnitude masking.
double TruncSignificant(double x, int bits) {
  if (x == 0) return 0;
  int e;
  const double m = std::frexp(std::fabs(x), &e);  // |x| = m 2^e, m in [0.5, 1)
  const double t = std::floor(std::ldexp(m, bits)) * std::ldexp(1.0, e - bits);
  return x < 0 ? -t : t;
}

// §2.3 in value terms: SrcA hi = trunc5(A), A' = TF32 without its LSB (10 bits), lo = A' - hi;
// SrcB hi = trunc7(B), lo = TF32(B) - hi (TF32: 11 significant bits).
double AHi(double a) { return TruncSignificant(a, 5); }
double ALo(double a) { return TruncSignificant(a, 10) - AHi(a); }
double BHi(double b) { return TruncSignificant(b, 7); }
double BLo(double b) { return TruncSignificant(b, 11) - BHi(b); }

float RoundToBf16(float x) { return BF16ToF32(F32ToBF16(x)); }

// The whole recipe, naively: per 32-wide K tile, phases in order, each MVMUL's 16 products summed in float as
// (l, l+8), (l, l+4), (l, l+2), (l, l+1); Dst rounded to bf16 after each MVMUL unless fp32 accumulation.
// x and w must already hold the Src values (bf16/bfp values; f32 values are truncated to TF32 here).
std::vector<float> NaiveEmulation(const std::vector<float>& x, int64_t m, const std::vector<float>& w, int64_t n,
                                  int64_t k, int phases, bool fp32_acc) {
  const int64_t kp = (k + 31) / 32 * 32;
  std::vector<float> y(m * n);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float dst = 0;
      for (int64_t kt = 0; kt < kp; kt += 32) {
        for (int p = 0; p < phases; ++p) {
          for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
            float prod[16];
            for (int l = 0; l < 16; ++l) {
              const int64_t t = k0 + l;
              const double a = t < k ? w[j * k + t] : 0.0, b = t < k ? x[i * k + t] : 0.0;
              prod[l] = float(((p & 1) ? ALo(a) : AHi(a)) * ((p >> 1) ? BLo(b) : BHi(b)));
            }
            float s[8];
            for (int l = 0; l < 8; ++l) s[l] = prod[l] + prod[l + 8];
            for (int l = 0; l < 4; ++l) s[l] = s[l] + s[l + 4];
            for (int l = 0; l < 2; ++l) s[l] = s[l] + s[l + 2];
            dst = dst + (s[0] + s[1]);
            if (!fp32_acc) dst = RoundToBf16(dst);
          }
        }
      }
      y[i * n + j] = dst;
    }
  }
  return y;
}

// --- Tests -----------------------------------------------------------------------------------------------

TEST(TtNumerics, HiFi4Fp32AccOnBf16InputsIsTheExactSumToFp32Rounding) {
  // §2.3: "BF16: HiFi4 is exact" -> only the FP32 summation rounds.
  const int64_t m = 3, n = 37, k = 100;
  const auto x = ToBf16Values(RandomValues(m * k, 1, -2, 2));
  const auto w = ToBf16Values(RandomValues(n * k, 2, -2, 2));
  const auto y = Emulate(x, m, Quantized(w, n, k, DType::kBF16), Numerics(DType::kBF16, MathFidelity::kHiFi4, true));
  const auto ref = ExactProduct(x, m, w, n, k);
  for (int64_t i = 0; i < m * n; ++i) {
    double abs_sum = 0;
    for (int64_t t = 0; t < k; ++t) abs_sum += std::fabs(double(x[(i / n) * k + t]) * w[(i % n) * k + t]);
    // Each product passes 4 tree levels and at most 32 Dst adds (kp = 128: 4 tiles x 4 phases x 2 MVMULs), each
    // a relative rounding of at most 2^-24.
    EXPECT_NEAR(y[i], ref[i], (4 + 4 * 8) * std::ldexp(1.0, -24) * abs_sum) << "element " << i;
  }
}

TEST(TtNumerics, FidelityProductsOfOneHandWorkedPair) {
  // A (weight, SrcA) = 1.1111111b = 1.9921875, B (activation, SrcB) = 1.1111111b too; both bf16.
  // §2.3: trunc5(A) = 1.1111b = 1.9375, lo(A) = 0.0546875; trunc7(B) = 1.111111b = 1.984375, lo(B) = 2^-7.
  const std::vector<float> x = {1.9921875f}, neg_x = {-1.9921875f};
  const auto w = F32Weight({1.9921875f}, 1, 1);
  auto at = [&](MathFidelity f, const std::vector<float>& in) {
    return Emulate(in, 1, w, Numerics(DType::kBF16, f, true))[0];
  };
  EXPECT_EQ(at(MathFidelity::kLoFi, x), 1.9375f * 1.984375f);               // trunc5(A) trunc7(B)
  EXPECT_EQ(at(MathFidelity::kHiFi2, x), 1.9921875f * 1.984375f);           // A' trunc7(B)
  EXPECT_EQ(at(MathFidelity::kHiFi3, x), 1.9921875f * 1.9921875f - 0.0546875f * 0.0078125f);  // A'B - lo lo
  EXPECT_EQ(at(MathFidelity::kHiFi4, x), 1.9921875f * 1.9921875f);          // A'B
  EXPECT_EQ(at(MathFidelity::kLoFi, neg_x), -1.9375f * 1.984375f);          // masking is sign-magnitude
}

TEST(TtNumerics, F32ActivationsAreTruncatedToTf32AndSrcADropsItsLsb) {
  // §2.1: FP32 -> TF32 drops the low 13 mantissa bits. 1 + 2^-10 + 2^-11 + 2^-12 rounds (RNE) to 1 + 2^-9 but
  // truncates to 1 + 2^-10.
  const float x = 1.0f + std::ldexp(1.0f, -10) + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -12);
  const auto one = F32Weight({1.0f}, 1, 1);
  EXPECT_EQ(Emulate({x}, 1, one, Numerics(DType::kF32, MathFidelity::kHiFi4, true))[0],
            1.0f + std::ldexp(1.0f, -10));
  // §2.3: SrcA's TF32 LSB (mantissa bit 10) is never used, so an f32 weight 1 + 2^-10 multiplies as 1.
  const auto w = F32Weight({1.0f + std::ldexp(1.0f, -10)}, 1, 1);
  EXPECT_EQ(Emulate({1.0f}, 1, w, Numerics(DType::kF32, MathFidelity::kHiFi4, true))[0], 1.0f);
  // ... but 1 + 2^-9 is kept.
  const auto w9 = F32Weight({1.0f + std::ldexp(1.0f, -9)}, 1, 1);
  EXPECT_EQ(Emulate({1.0f}, 1, w9, Numerics(DType::kF32, MathFidelity::kHiFi4, true))[0], 1.0f + std::ldexp(1.0f, -9));
}

TEST(TtNumerics, ErrorShrinksWithFidelity) {
  const int64_t m = 8, n = 64, k = 256;
  const auto x = Gaussian(m * k, 3), w = Gaussian(n * k, 4);
  const auto ref = ExactProduct(x, m, w, n, k);
  double err[5];
  for (int f = 1; f <= 4; ++f) {
    err[f] = RmsError(Emulate(x, m, F32Weight(w, n, k), Numerics(DType::kF32, MathFidelity(f), true)), ref);
  }
  EXPECT_GT(err[1], 2 * err[2]);
  EXPECT_GT(err[2], 2 * err[4]);
  EXPECT_LE(err[3], err[2]);
  EXPECT_LE(err[4], err[3] * 1.0001);
  // LoFi keeps 5 x 7 bits: relative error per product up to ~2^-4; rms over a dot of k products ~ sqrt(k) scale.
  EXPECT_LT(err[1], 0.1 * std::sqrt(double(k)));
}

TEST(TtNumerics, Bf16DstAccumulationIsWorseThanFp32OnLongK) {
  const int64_t m = 2, n = 32, k = 4096;
  const auto x = ToBf16Values(Gaussian(m * k, 5)), w = ToBf16Values(Gaussian(n * k, 6));
  const auto wt = Quantized(w, n, k, DType::kBF16);
  const auto ref = ExactProduct(x, m, w, n, k);
  const double e32 = RmsError(Emulate(x, m, wt, Numerics(DType::kBF16, MathFidelity::kHiFi4, true)), ref);
  const double e16 = RmsError(Emulate(x, m, wt, Numerics(DType::kBF16, MathFidelity::kHiFi4, false)), ref);
  EXPECT_GT(e16, 20 * e32);
  // 2 x 256 BF16 roundings of a running sum of size ~sqrt(k) = 64: each <= 2^-9 relative.
  EXPECT_LT(e16, 512 * 64 * std::ldexp(1.0, -9));
}

TEST(TtNumerics, Bfp8WeightsAreExactAtHiFi2AndBfp4AtLoFi) {
  // §2.3 precision table: "BFP8: phases 0-1 (HiFi2) are exact"; "FP8/BFP4/BFP2: phase 0 alone is exact".
  // Exact on the SrcA side; the SrcB side must then carry <= 7 significant bits (bfp8 activations).
  const int64_t m = 4, n = 48, k = 96;
  const auto x = RandomValues(m * k, 7, -3, 3), w = RandomValues(n * k, 8, -1, 1);
  std::vector<float> x_bfp8(m * k);
  for (int64_t i = 0; i < m; ++i) {
    std::vector<float> row(x.begin() + i * k, x.begin() + (i + 1) * k);
    for (int64_t b = 0; b < k; b += 16) DecodeBfp8Block(EncodeBfp8Block(row.data() + b), x_bfp8.data() + i * k + b);
  }
  for (DType wd : {DType::kBFP8, DType::kBFP4}) {
    const auto wq = Quantized(w, n, k, wd);
    const Tensor wf = DequantizeWeight(wq);
    const std::vector<float> wv(wf.data<float>(), wf.data<float>() + n * k);
    const auto ref = ExactProduct(x_bfp8, m, wv, n, k);
    const MathFidelity f = wd == DType::kBFP8 ? MathFidelity::kHiFi2 : MathFidelity::kLoFi;
    const auto y = Emulate(x, m, wq, Numerics(DType::kBFP8, f, true));
    const auto y4 = Emulate(x, m, wq, Numerics(DType::kBFP8, MathFidelity::kHiFi4, true));
    for (int64_t i = 0; i < m * n; ++i) {
      EXPECT_NEAR(y[i], ref[i], 1e-5 * (1 + std::fabs(ref[i]))) << DTypeName(wd) << " element " << i;
      EXPECT_EQ(y[i], y4[i]) << DTypeName(wd) << ": more phases add only zero parts";
    }
  }
}

TEST(TtNumerics, MatchesIndependentNaiveEmulationBitForBit) {
  // m = 2 runs the row kernel, m = 5 the panel kernel; n not a multiple of 16, k not a multiple of 32.
  for (const int64_t m : {2, 5}) {
    const int64_t n = 45, k = 83;
    const auto x = ToBf16Values(Gaussian(m * k, 9)), w = Gaussian(n * k, 10);
    std::vector<float> w_tf32(w);
    for (float& v : w_tf32) v = float(TruncSignificant(v, 11));
    for (int f = 1; f <= 4; ++f) {
      for (bool acc : {false, true}) {
        const auto y = Emulate(x, m, F32Weight(w, n, k), Numerics(DType::kBF16, MathFidelity(f), acc));
        const auto ref = NaiveEmulation(x, m, w_tf32, n, k, f, acc);
        for (int64_t i = 0; i < m * n; ++i) {
          ASSERT_EQ(y[i], ref[i]) << "m " << m << " fidelity " << f << " fp32_acc " << acc << " element " << i;
        }
      }
    }
  }
}

// Every table's Tenstorrent kernels against the scalar reference, bit for bit (kernel_table.h TtPanelFn).
TEST(TtNumerics, EveryIsasKernelsEqualTheScalarKernels) {
  const kernels::KernelTable& ref = kernels::Kernels(Isa::kScalar);
  const int64_t kp = 192;
  auto b0 = Gaussian(kp, 11), b1 = Gaussian(kp, 12), a0 = Gaussian(kp * 16, 13), a1 = Gaussian(kp * 16, 14);
  for (auto* v : {&b0, &b1, &a0, &a1})
    for (float& e : *v) e = RoundToBf16(e);  // any values: the kernels must agree bit for bit
  const float* b[2] = {b0.data(), b1.data()};
  const float* a[2] = {a0.data(), a1.data()};
  for (Isa isa : kernels::AvailableIsas()) {
    const kernels::KernelTable& table = kernels::Kernels(isa);
    for (int phases = 1; phases <= 4; ++phases) {
      for (bool acc : {false, true}) {
        float s[16], v[16];
        ref.tt_panel(b, a, kp, phases, acc, s);
        table.tt_panel(b, a, kp, phases, acc, v);
        for (int r = 0; r < 16; ++r) {
          ASSERT_EQ(s[r], v[r]) << IsaName(isa) << " phases " << phases << " acc " << acc << " row " << r;
        }
        const float* row[2] = {a0.data(), a1.data()};
        ASSERT_EQ(ref.tt_row(b, row, kp, phases, acc), table.tt_row(b, row, kp, phases, acc))
            << IsaName(isa) << " row kernel, phases " << phases << " acc " << acc;
      }
    }
  }
}

TEST(TtNumerics, OutputPackingFollowsTheDevicePacker) {
  // Identity weight, bf16 values, HiFi4 + fp32 Dst: y = x exactly, then packed (§1.6, tt_pack.h).
  // Shared exponent from 4.0: bfp8 quantum 2^(2-6) = 1/16, bfp4 quantum 1.
  const std::vector<float> x = {4.0f,     1.0f, 0.30078125f, -0.69921875f, 0.15625f, 3.9375f, 3.0f, 0.0f,
                                0.09375f, 0.0f, 0.0f,        0.0f,         0.0f,     0.0f,    0.0f, -0.01f};
  std::vector<float> eye(16 * 16, 0.0f);
  for (int j = 0; j < 16; ++j) eye[j * 16 + j] = 1.0f;
  const auto w = Quantized(eye, 16, 16, DType::kBF16);
  auto packed = [&](DType out) { return Emulate(x, 1, w, Numerics(DType::kBF16, MathFidelity::kHiFi4, true, out)); };
  const auto bf = packed(DType::kBF16);
  EXPECT_EQ(bf[15], RoundToBf16(-0.01f));
  const auto b8 = packed(DType::kBFP8);
  // 0.30078125 -> 4.8125 quanta -> 5; -0.69921875 -> E8M6 0.703125 -> 11.25 quanta -> 11;
  // 0.15625 = 2.5 quanta: ties away from zero -> 3 (RNE would give 2); 0.09375 = 1.5 -> 2; -0.01 -> 0.
  const std::vector<float> e8 = {4.0f, 1.0f, 0.3125f, -0.6875f, 0.1875f, 3.9375f, 3.0f, 0.0f,
                                 0.125f, 0, 0, 0, 0, 0, 0, 0.0f};
  for (int j = 0; j < 16; ++j) EXPECT_EQ(b8[j], e8[j]) << "bfp8 element " << j;
  EXPECT_FALSE(std::signbit(b8[15])) << "no -0 (§1.6)";
  const auto b4 = packed(DType::kBFP4);
  // bfp4 = bfp8 magnitude truncated to 3 bits: 3.9375 (63/16) -> 3 (the host's RNE encoder would give 4).
  const std::vector<float> e4 = {4.0f, 1.0f, 0, 0, 0, 3.0f, 3.0f, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int j = 0; j < 16; ++j) EXPECT_EQ(b4[j], e4[j]) << "bfp4 element " << j;
}

TEST(TtNumerics, BiasI8AndTransposedBAgreeWithLinear) {
  const int64_t m = 3, n = 20, k = 40;
  const auto x = RandomValues(m * k, 15, -1, 1), w = RandomValues(n * k, 16, -1, 1);
  const auto bias = RandomValues(n, 17, -1, 1);
  const auto nm = Numerics(DType::kBFP8, MathFidelity::kHiFi2, false, DType::kBF16);
  // Second operand of TtMatmulTransposedB is rounded like an activation: same as a linear on bfp8(w) rows.
  std::vector<float> c(m * n);
  TtMatmulTransposedB(x.data(), w.data(), m, n, k, c.data(), nm);
  EXPECT_EQ(c, Emulate(x, m, Quantized(w, n, k, DType::kBFP8), nm));
  // Bias: close to the biasless result plus the bias (one extra bf16 rounding).
  const auto yb = Emulate(x, m, F32Weight(w, n, k), nm, bias.data());
  const auto y0 = Emulate(x, m, F32Weight(w, n, k), nm);
  for (int64_t i = 0; i < m * n; ++i) EXPECT_NEAR(yb[i], y0[i] + bias[i % n], 0.02 * (1 + std::fabs(yb[i])));
  // i8 weights: the dequantised values, truncated to TF32, are SrcA.
  const auto wi8 = Quantized(w, n, k, DType::kI8);
  const Tensor wf = DequantizeWeight(wi8);
  const std::vector<float> wv(wf.data<float>(), wf.data<float>() + n * k);
  EXPECT_EQ(Emulate(x, m, wi8, nm), Emulate(x, m, F32Weight(wv, n, k), nm));
}

TEST(TtNumerics, ThreadCountDoesNotChangeResults) {
  const int64_t m = 4, n = 200, k = 64;
  const auto x = Gaussian(m * k, 18), w = Gaussian(n * k, 19);
  const int saved = NumThreads();
  SetNumThreads(1);
  const auto y1 = Emulate(x, m, F32Weight(w, n, k), Numerics(DType::kBF16, MathFidelity::kHiFi2, false));
  SetNumThreads(2);
  const auto y2 = Emulate(x, m, F32Weight(w, n, k), Numerics(DType::kBF16, MathFidelity::kHiFi2, false));
  SetNumThreads(saved);
  EXPECT_EQ(y1, y2);
}

}  // namespace
}  // namespace ttt::ops

