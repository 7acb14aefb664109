// GEMV and row-decode kernels of the ggml block formats (Q8_0 ... Q6_K), every instruction set this machine
// runs, against the scalar reference, which decodes each row block by block (ggml::DecodeRow). The blocks
// are random bytes (every nibble, high-bit and scale pattern occurs) with finite f16 scales.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/internal/ggml_kernels.h"
#include "core/kernels/kernel_table.h"
#include "core/ops/internal/test_values.h"
#include "core/runtime/dtype_ggml.h"
#include "gtest/gtest.h"

namespace ttt::kernels {
namespace {

using ops::testing::RandomValues;

constexpr double kUnitRoundoff = 6e-8;  // 2^-24, float32

void SetHalf(uint16_t* field, float value) { *field = F32ToF16(value); }

// n rows of k values of `dtype` as random blocks whose f16 scales are in [2^-8, 2^-4) (mins too).
std::vector<char> RandomBlocks(DType dtype, int64_t n, int64_t k, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<char> bytes(n * StorageBytes(dtype, k));
  for (char& b : bytes) b = static_cast<char>(gen() & 0xFF);
  std::uniform_real_distribution<float> scale(0x1p-8f, 0x1p-4f);
  const int64_t blocks = n * k / ggml::BlockValues(dtype);
  for (int64_t i = 0; i < blocks; ++i) {
    switch (dtype) {
      case DType::kQ8_0: SetHalf(&reinterpret_cast<ggml::BlockQ8_0*>(bytes.data())[i].d, scale(gen)); break;
      case DType::kQ4_0: SetHalf(&reinterpret_cast<ggml::BlockQ4_0*>(bytes.data())[i].d, scale(gen)); break;
      case DType::kQ5_0: SetHalf(&reinterpret_cast<ggml::BlockQ5_0*>(bytes.data())[i].d, scale(gen)); break;
      case DType::kIQ4_NL: SetHalf(&reinterpret_cast<ggml::BlockIQ4NL*>(bytes.data())[i].d, scale(gen)); break;
      case DType::kQ4_K: {
        auto& b = reinterpret_cast<ggml::BlockQ4_K*>(bytes.data())[i];
        SetHalf(&b.d, scale(gen));
        SetHalf(&b.dmin, scale(gen));
        break;
      }
      case DType::kQ5_K: {
        auto& b = reinterpret_cast<ggml::BlockQ5_K*>(bytes.data())[i];
        SetHalf(&b.d, scale(gen));
        SetHalf(&b.dmin, scale(gen));
        break;
      }
      case DType::kQ6_K: SetHalf(&reinterpret_cast<ggml::BlockQ6_K*>(bytes.data())[i].d, scale(gen)); break;
      default: ADD_FAILURE() << DTypeName(dtype) << " is not a ggml format";
    }
  }
  return bytes;
}

// Row lengths: one block, several, and (for the 32-value formats) lengths that are not whole 256-value
// chunks, as SmolLM's 576.
std::vector<int64_t> RowLengths(DType dtype) {
  if (ggml::BlockValues(dtype) == ggml::kQK) return {256, 512, 1280};
  return {32, 96, 256, 576, 1056};
}

class GgmlKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const KernelTable& table() const { return Kernels(GetParam()); }
};

TEST_P(GgmlKernels, GemvMatchesReference) {
  for (DType dtype : kGgmlDTypes) {
    for (int64_t k : RowLengths(dtype)) {
      for (int64_t m : {1, 3, 9, 17}) {
        const int64_t n = 13;
        const std::string what = std::string(IsaName(GetParam())) + " " + std::string(DTypeName(dtype)) +
                                 " m=" + std::to_string(m) + " k=" + std::to_string(k);
        const std::vector<char> w = RandomBlocks(dtype, n, k, 7);
        const size_t row_bytes = StorageBytes(dtype, k);
        std::vector<float> decoded(n * k);
        for (int64_t j = 0; j < n; ++j) ggml::DecodeRow(dtype, w.data() + j * row_bytes, k, &decoded[j * k]);
        const auto x = RandomValues(m * k, 8);
        // A sub-range of rows, as a thread sees it, must not touch rows outside it.
        const int64_t begin = 4;
        std::vector<float> y(m * n, 12345.0f), expected(m * n, 12345.0f);
        table().Gemv(dtype)(x.data(), m, k, w.data(), row_bytes, begin, n, y.data(), n);
        Kernels(Isa::kScalar).Gemv(dtype)(x.data(), m, k, w.data(), row_bytes, begin, n, expected.data(), n);
        for (int64_t r = 0; r < m; ++r) {
          for (int64_t j = 0; j < n; ++j) {
            const float got = y[r * n + j];
            if (j < begin) {
              ASSERT_EQ(got, 12345.0f) << what << ": row " << j << " outside the range was written";
              continue;
            }
            // f32 summation in another order, and values decoded with one rounding (an FMA) where the
            // reference takes two (scale * q, then - min): (k/8 + 64) roundings of sum |x w| bound both.
            double abs_sum = 0;
            for (int64_t i = 0; i < k; ++i) abs_sum += std::fabs(x[r * k + i] * decoded[j * k + i]);
            const double tol = (static_cast<double>(k) / 8 + 64) * kUnitRoundoff * abs_sum;
            ASSERT_LE(std::fabs(double{got} - expected[r * n + j]), tol)
                << what << ": y[" << r << ", " << j << "] = " << got << ", reference " << expected[r * n + j];
          }
        }
      }
    }
  }
}

// The decode GEMV by integer dot products (generic/gemv_ggml_int.h) against the scalar f32 reference on the
// activations rounded as llama.cpp rounds them: the integer sums are exact, so only f32 rounding of the block
// terms differs, a few units in the last place of sum |x w|. Row lengths up to a 4096-wide FFN, SmolLM's 576
// (32-value formats only: the K formats need whole 256-value blocks), 13 rows (no multiple of any unroll).
TEST_P(GgmlKernels, IntegerGemvMatchesReferenceOnRoundedActivations) {
  for (DType dtype : kGgmlDTypes) {
    const GemvGgmlQ8Fn gemv = table().GemvGgmlQ8(dtype);
    if (gemv == nullptr) continue;  // the scalar table: ops::Linear uses the f32 GEMV
    const bool k_format = ggml::BlockValues(dtype) == ggml::kQK;
    const std::vector<int64_t> lengths =
        k_format ? std::vector<int64_t>{256, 512, 1536, 4096} : std::vector<int64_t>{32, 256, 512, 576, 1536, 4096};
    for (int64_t k : lengths) {
      const int64_t n = 13, begin = 4;
      const std::string what =
          std::string(IsaName(GetParam())) + " " + std::string(DTypeName(dtype)) + " k=" + std::to_string(k);
      const std::vector<char> w = RandomBlocks(dtype, n, k, 11);
      const size_t row_bytes = StorageBytes(dtype, k);
      // Activations of varied magnitude per block (a few large ones), as hidden states have.
      auto x = RandomValues(k, 12);
      for (int64_t i = 0; i < k; i += 37) x[i] *= 20.0f;
      std::vector<float> rounded(k);
      ggml::RoundActivations(dtype, x.data(), k, rounded.data());
      ggml::QuantizedActivations quantized;
      ggml::QuantizeActivations(dtype, x.data(), k, &quantized);
      std::vector<float> y(n, 12345.0f), expected(n, 12345.0f), decoded(k);
      gemv(quantized, k, w.data(), row_bytes, begin, n, y.data());
      Kernels(Isa::kScalar).Gemv(dtype)(rounded.data(), 1, k, w.data(), row_bytes, begin, n, expected.data(), n);
      for (int64_t j = 0; j < n; ++j) {
        if (j < begin) {
          ASSERT_EQ(y[j], 12345.0f) << what << ": row " << j << " outside the range was written";
          continue;
        }
        ggml::DecodeRow(dtype, w.data() + j * row_bytes, k, decoded.data());
        double abs_sum = 0;
        for (int64_t i = 0; i < k; ++i) abs_sum += std::fabs(double{rounded[i]} * decoded[i]);
        ASSERT_LE(std::fabs(double{y[j]} - expected[j]), 1e-5 * abs_sum)
            << what << ": y[" << j << "] = " << y[j] << ", reference " << expected[j];
      }
    }
  }
}

// A NaN or Inf activation makes every output NaN, as in the f32 path (its block gets a NaN scale).
TEST_P(GgmlKernels, IntegerGemvPropagatesNonFiniteActivations) {
  for (DType dtype : kGgmlDTypes) {
    const GemvGgmlQ8Fn gemv = table().GemvGgmlQ8(dtype);
    if (gemv == nullptr) continue;
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
      const int64_t k = 512, n = 3;
      const std::vector<char> w = RandomBlocks(dtype, n, k, 14);
      auto x = RandomValues(k, 15);
      x[300] = bad;
      ggml::QuantizedActivations quantized;
      ggml::QuantizeActivations(dtype, x.data(), k, &quantized);
      std::vector<float> y(n, 0.0f);
      gemv(quantized, k, w.data(), StorageBytes(dtype, k), 0, n, y.data());
      for (int64_t j = 0; j < n; ++j) EXPECT_TRUE(std::isnan(y[j])) << DTypeName(dtype) << " x[300] = " << bad;
    }
  }
}

// The integer form holds exactly the values RoundActivations gives, and the sums per 16 and 32 of its integers.
TEST(GgmlActivations, QuantizedFormMatchesRoundedValues) {
  for (DType dtype : {DType::kQ8_0, DType::kQ4_K}) {
    const int64_t k = 512;
    const int block = ggml::BlockValues(dtype);
    auto x = RandomValues(k, 13);
    std::vector<float> rounded(k);
    ggml::RoundActivations(dtype, x.data(), k, rounded.data());
    ggml::QuantizedActivations q;
    ggml::QuantizeActivations(dtype, x.data(), k, &q);
    ASSERT_EQ(q.q.size(), static_cast<size_t>(k));
    ASSERT_EQ(q.d.size(), static_cast<size_t>(k / block));
    for (int64_t i = 0; i < k; ++i) {
      ASSERT_EQ(q.d[i / block] * q.q[i], rounded[i]) << DTypeName(dtype) << " value " << i;
    }
    for (int64_t s = 0; s < k / 16; ++s) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += q.q[s * 16 + i];
      ASSERT_EQ(q.bsum16[s], sum) << DTypeName(dtype) << " sum of 16 #" << s;
      if (s % 2 == 1) ASSERT_EQ(q.bsum32[s / 2], q.bsum16[s - 1] + q.bsum16[s]) << DTypeName(dtype);
    }
  }
}

// Row decoders feed prefill's sgemm tiles: each value as the format defines it, up to the one rounding an
// FMA saves (scale * q - min) for the formats with mins.
TEST_P(GgmlKernels, DequantRowMatchesDecoder) {
  for (DType dtype : kGgmlDTypes) {
    for (int64_t k : RowLengths(dtype)) {
      const std::vector<char> w = RandomBlocks(dtype, 1, k, 9);
      std::vector<float> out(k + 1, 777.0f), expected(k);
      table().DequantRow(dtype)(w.data(), k, out.data());
      ggml::DecodeRow(dtype, w.data(), k, expected.data());
      for (int64_t i = 0; i < k; ++i) {
        ASSERT_NEAR(out[i], expected[i], 1e-6 * (std::fabs(expected[i]) + 1))
            << IsaName(GetParam()) << " " << DTypeName(dtype) << " k=" << k << " value " << i;
      }
      EXPECT_EQ(out[k], 777.0f) << DTypeName(dtype) << ": wrote past the row";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, GgmlKernels, ::testing::ValuesIn(AvailableIsas()),
                         [](const ::testing::TestParamInfo<Isa>& info) { return std::string(IsaName(info.param)); });

}  // namespace
}  // namespace ttt::kernels
