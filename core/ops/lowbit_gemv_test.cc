// GEMV and row-decode kernels of the compressed weight dtypes (bf16, i8, bfp8, bfp4), every instruction set
// this machine runs, against the scalar reference kernels, over sizes that exercise main loops, single
// chunks, masked tails and sub-ranges of rows.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/internal/bfp4_steps.h"
#include "core/kernels/kernel_table.h"
#include "core/ops/internal/test_values.h"
#include "core/ops/weight_quantization.h"
#include "gtest/gtest.h"

namespace ttt::kernels {
namespace {

using ops::testing::RandomValues;

constexpr double kUnitRoundoff = 6e-8;  // 2^-24, float32
constexpr DType kCompressed[] = {DType::kBF16, DType::kI8, DType::kBFP8, DType::kBFP4};

// Weights of a Linear [n, k] in `dtype`, quantised from uniform [-1, 1] values. Every tenth row is scaled by
// 2^-20 and one row is all zeros, so blocks of very different exponents (and an i8 scale of 0) occur.
ops::LinearWeight MakeWeight(DType dtype, int64_t n, int64_t k, uint32_t seed) {
  auto w = RandomValues(n * k, seed);
  for (int64_t j = 0; j < n; j += 10) {
    for (int64_t i = 0; i < k; ++i) w[j * k + i] *= 0x1p-20f;
  }
  if (n > 2) std::fill(w.begin() + k, w.begin() + 2 * k, 0.0f);
  auto q = ops::QuantizeWeight(Tensor::FromF32({n, k}, w), dtype);
  EXPECT_TRUE(q.ok()) << q.status();
  return *std::move(q);
}

// `gemv` (a kernel for `dtype`, named `name` in messages) against the scalar reference over sizes that
// exercise main loops, single chunks, masked tails and sub-ranges of rows, for each activation row count of
// `ms`. `roundings_per_value`: the f32 roundings per product the kernel's accumulation may add.
void ExpectGemvMatchesReference(GemvFn gemv, DType dtype, const std::string& name,
                                std::initializer_list<int64_t> ms = {1, 2, 3, 17},
                                double roundings_per_value = 1.0 / 8) {
  for (int64_t m : ms) {
    // n = 7: rows 2..6 of a thread's range, a block of 4 plus a single row. k = 128, 1152: whole steps of
    // the 8-block AVX-512 VBMI bfp4 kernel (no masked tail); 4097: a masked step holding one value.
    for (int64_t n : {1, 7, 17, 300}) {
      for (int64_t k : {1, 16, 17, 32, 48, 128, 576, 1152, 4097}) {
        const std::string what = name + " gemv " + std::string(DTypeName(dtype)) +
                                 " m=" + std::to_string(m) + " n=" + std::to_string(n) +
                                 " k=" + std::to_string(k);
        const ops::LinearWeight weight = MakeWeight(dtype, n, k, 31);
        const size_t row_bytes = StorageBytes(dtype, k);
        std::vector<float> decoded(n * k);  // i8: the raw integers, as the kernels see them
        for (int64_t j = 0; j < n; ++j) {
          ConvertToF32(weight.values.data<char>() + j * row_bytes, k, dtype, decoded.data() + j * k);
        }
        auto x = RandomValues(m * k, 32);
        // A sub-range of rows, as a thread sees it, must not touch rows outside it.
        const int64_t begin = n / 3, end = n;
        std::vector<float> y(m * n, 12345.0f), expected(m * n, 12345.0f);
        gemv(x.data(), m, k, weight.values.raw_data(), row_bytes, begin, end, y.data(), n);
        Kernels(Isa::kScalar).Gemv(dtype)(x.data(), m, k, weight.values.raw_data(), row_bytes, begin, end,
                                      expected.data(), n);
        for (int64_t r = 0; r < m; ++r) {
          for (int64_t j = 0; j < n; ++j) {
            const size_t at = static_cast<size_t>(r * n + j);
            if (j < begin) {
              ASSERT_EQ(y[at], 12345.0f) << what << ": row " << j << " outside the range was written";
              continue;
            }
            // Decoding is exact in both, so the f32 accumulation differs: for the GEMVs >= 8 interleaved
            // partial sums and a short reduction, (k/8 + 64) roundings of sum |x w| at worst; and a kernel
            // may round x.
            double abs_sum = 0;
            for (int64_t i = 0; i < k; ++i) abs_sum += std::fabs(x[r * k + i] * decoded[j * k + i]);
            const double tol = (static_cast<double>(k) * roundings_per_value + 64) * kUnitRoundoff * abs_sum +
                               ops::testing::ActivationRoundingBound(dtype, &x[r * k], &decoded[j * k], k);
            ASSERT_LE(std::fabs(static_cast<double>(y[at]) - expected[at]), tol)
                << what << ": y[" << r << ", " << j << "] = " << y[at] << ", reference " << expected[at];
          }
        }
      }
    }
  }
}

class LowbitKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const KernelTable& table() const { return Kernels(GetParam()); }
  const KernelTable& ref() const { return Kernels(Isa::kScalar); }
};

TEST_P(LowbitKernels, TableHasEveryCompressedDtype) {
  EXPECT_EQ(table().isa, GetParam());
  for (DType dtype : {DType::kF32, DType::kBF16, DType::kI8, DType::kBFP8, DType::kBFP4}) {
    EXPECT_NE(table().Gemv(dtype), nullptr) << DTypeName(dtype);
    EXPECT_NE(table().DequantRow(dtype), nullptr) << DTypeName(dtype);
  }
  EXPECT_EQ(table().Gemv(DType::kF16), nullptr);
}

TEST_P(LowbitKernels, GemvMatchesReference) {
  for (DType dtype : kCompressed) ExpectGemvMatchesReference(table().Gemv(dtype), dtype, IsaName(GetParam()));
}

// A row's result is the same bits whatever rows a call groups it with (blocks of 4, the bfp4 kernel's paired
// tails, single rows): calls starting at different rows, as threads' ranges do, agree exactly.
TEST_P(LowbitKernels, RowResultDoesNotDependOnItsGroup) {
  for (DType dtype : kCompressed) {
    for (int64_t k : {16, 64, 576, 600, 1152}) {
      const int64_t n = 11;
      const ops::LinearWeight weight = MakeWeight(dtype, n, k, 41);
      const size_t row_bytes = StorageBytes(dtype, k);
      const auto x = RandomValues(k, 42);
      std::vector<float> all(n);
      table().Gemv(dtype)(x.data(), 1, k, weight.values.raw_data(), row_bytes, 0, n, all.data(), n);
      for (int64_t begin = 1; begin < 4; ++begin) {
        std::vector<float> part(n);
        table().Gemv(dtype)(x.data(), 1, k, weight.values.raw_data(), row_bytes, begin, n, part.data(), n);
        for (int64_t j = begin; j < n; ++j) {
          EXPECT_EQ(part[j], all[j]) << DTypeName(dtype) << " k=" << k << " row " << j << " from row " << begin;
        }
      }
    }
  }
}

// Sequences decoded together (ttt serve's batches, m > 1) get the same bits as each decoded alone: the batched
// loops (weight tiles shared by the activation rows, groups of activation rows) change only the order in which
// the dots are done, never a dot's own operations.
TEST_P(LowbitKernels, ABatchRowIsTheSameBitsAsTheRowAlone) {
  for (DType dtype : kCompressed) {
    for (int64_t k : {64, 576, 1536}) {
      const int64_t n = 301, m = 8;
      const ops::LinearWeight weight = MakeWeight(dtype, n, k, 43);
      const size_t row_bytes = StorageBytes(dtype, k);
      const auto x = RandomValues(m * k, 44);
      std::vector<float> batch(m * n);
      table().Gemv(dtype)(x.data(), m, k, weight.values.raw_data(), row_bytes, 0, n, batch.data(), n);
      for (int64_t r = 0; r < m; ++r) {
        std::vector<float> alone(n);
        table().Gemv(dtype)(x.data() + r * k, 1, k, weight.values.raw_data(), row_bytes, 0, n, alone.data(), n);
        for (int64_t j = 0; j < n; ++j) {
          ASSERT_EQ(batch[r * n + j], alone[j]) << DTypeName(dtype) << " k=" << k << " sequence " << r << " row " << j;
        }
      }
    }
  }
}

// The prompt GEMMs (KernelTable::gemm, where a table has one): prompt-sized row counts, chunks of activation
// rows with a remainder, partial panels and odd k. One chain of dot-product steps per output (each step may
// round after each of its two products): k roundings at worst.
TEST_P(LowbitKernels, GemmMatchesReference) {
  for (DType dtype : kCompressed) {
    if (table().Gemm(dtype) == nullptr) continue;
    ExpectGemvMatchesReference(table().Gemm(dtype), dtype, std::string(IsaName(GetParam())) + " gemm",
                               {1, 12, 16, 25, 40}, 1.0);
  }
  if (GetParam() == Isa::kAvx512) EXPECT_NE(table().Gemm(DType::kBF16), nullptr);
}

// A prompt row's result is the same bits whatever the prompt's length and wherever a thread's rows start.
TEST_P(LowbitKernels, GemmRowIsTheSameBitsAloneOrInAPrompt) {
  for (DType dtype : kCompressed) {
    const GemvFn gemm = table().Gemm(dtype);
    if (gemm == nullptr) continue;
    for (int64_t k : {64, 577, 1536}) {
      const int64_t n = 301, m = 29;
      const ops::LinearWeight weight = MakeWeight(dtype, n, k, 45);
      const size_t row_bytes = StorageBytes(dtype, k);
      const auto x = RandomValues(m * k, 46);
      std::vector<float> prompt(m * n);
      gemm(x.data(), m, k, weight.values.raw_data(), row_bytes, 0, n, prompt.data(), n);
      for (int64_t r = 0; r < m; r += 7) {
        std::vector<float> alone(n);
        gemm(x.data() + r * k, 1, k, weight.values.raw_data(), row_bytes, 0, 150, alone.data(), n);
        gemm(x.data() + r * k, 1, k, weight.values.raw_data(), row_bytes, 150, n, alone.data(), n);
        for (int64_t j = 0; j < n; ++j) {
          ASSERT_EQ(prompt[r * n + j], alone[j]) << DTypeName(dtype) << " k=" << k << " row " << r << " column " << j;
        }
      }
    }
  }
}

// On AVX-512 CPUs without VBMI (e.g. Cooper Lake) the block-float GEMVs take another path; the table of a
// VBMI machine never reaches it, so it is called directly.
TEST(LowbitKernelsWithoutVbmi, BlockFloatGemvMatchesReference) {
  if (BestIsa() != Isa::kAvx512) GTEST_SKIP() << "no AVX-512 on this machine";
  ExpectGemvMatchesReference(avx512::GemvBfp8NoVbmi, DType::kBFP8, "avx512 without vbmi");
  ExpectGemvMatchesReference(avx512::GemvBfp4NoVbmi, DType::kBFP4, "avx512 without vbmi");
}

// Row decoders feed the sgemm path; decoding is exact, so every ISA must agree bit for bit.
TEST_P(LowbitKernels, DequantRowIsExact) {
  for (DType dtype : kCompressed) {
    for (int64_t k : {1, 7, 8, 9, 16, 17, 576, 4097}) {
      const ops::LinearWeight weight = MakeWeight(dtype, 3, k, 33);
      const size_t row_bytes = StorageBytes(dtype, k);
      for (int64_t j = 0; j < 3; ++j) {
        const char* row = weight.values.data<char>() + j * row_bytes;
        std::vector<float> out(k + 1, 777.0f), expected(k + 1, 777.0f);
        table().DequantRow(dtype)(row, k, out.data());
        ref().DequantRow(dtype)(row, k, expected.data());
        ASSERT_EQ(out, expected) << IsaName(GetParam()) << " dequant " << DTypeName(dtype) << " k=" << k
                                 << " row " << j << " (the last value is a sentinel past k)";
      }
    }
  }
}

// Hand-made blocks: every bfp4 code and the extreme bfp8 codes (+-127, -0) decode as the scalar decoder says.
TEST_P(LowbitKernels, BlockFloatCodesDecodeLikeTheScalarDecoder) {
  Bfp4Block b4[2];
  Bfp8Block b8[2];
  for (int b = 0; b < 2; ++b) {
    b4[b].exponent = static_cast<uint8_t>(120 + 7 * b);
    b8[b].exponent = static_cast<uint8_t>(133 - 9 * b);
    for (int i = 0; i < 8; ++i) b4[b].data[i] = static_cast<uint8_t>((2 * i + b) | ((15 - 2 * i - b) << 4));
    for (int i = 0; i < 16; ++i) b8[b].data[i] = static_cast<uint8_t>(i * 17 + b);
  }
  b8[0].data[0] = 0x7f;
  b8[0].data[1] = 0xff;
  b8[0].data[2] = 0x80;
  for (auto [dtype, blocks] : {std::pair<DType, const void*>{DType::kBFP4, b4}, {DType::kBFP8, b8}}) {
    std::vector<float> out(32), expected(32);
    table().DequantRow(dtype)(blocks, 32, out.data());
    ConvertToF32(blocks, 32, dtype, expected.data());
    EXPECT_EQ(out, expected) << IsaName(GetParam()) << " " << DTypeName(dtype);
  }
}

// The bfp4 step layout (internal/bfp4_steps.h): packing a row and unpacking it gives the stored values back
// (every code, a -0 as +0), a table's row decoder for it the stored row's values, and its GEMV the bits of its
// GEMV on the stored rows, for whole steps, rows ending in 1-3 blocks, a partial block, every activation row
// count and sub-ranges of rows.
TEST_P(LowbitKernels, Bfp4StepLayoutGivesTheStoredRowsBits) {
  const GemvFn steps = table().gemv_bfp4_steps;
  for (int64_t k : {16, 48, 64, 100, 576, 1152, 1536, 4097}) {
    const int64_t n = 37;
    const ops::LinearWeight weight = MakeWeight(DType::kBFP4, n, k, 51);
    const size_t row_bytes = StorageBytes(DType::kBFP4, k);
    std::vector<uint8_t> packed(n * row_bytes), unpacked(n * row_bytes);
    internal::PackBfp4StepRows(weight.values.raw_data(), n, static_cast<int64_t>(row_bytes), packed.data());
    internal::UnpackBfp4StepRows(packed.data(), n, static_cast<int64_t>(row_bytes), unpacked.data());
    std::vector<float> stored_values(n * k), unpacked_values(n * k);
    ConvertToF32(weight.values.raw_data(), n * k, DType::kBFP4, stored_values.data());
    ConvertToF32(unpacked.data(), n * k, DType::kBFP4, unpacked_values.data());
    for (int64_t i = 0; i < n * k; ++i) {
      ASSERT_EQ(unpacked_values[i], stored_values[i]) << "k=" << k << " value " << i << " after pack and unpack";
    }
    if (steps == nullptr) continue;  // this table reads the stored layout only
    for (int64_t j = 0; j < n; ++j) {
      std::vector<float> got(k + 1, 777.0f), expected(k + 1, 777.0f);
      table().dequant_row_bfp4_steps(packed.data() + j * row_bytes, k, got.data());
      table().DequantRow(DType::kBFP4)(weight.values.data<char>() + j * row_bytes, k, expected.data());
      ASSERT_EQ(got, expected) << IsaName(GetParam()) << " dequant k=" << k << " row " << j
                               << " (the last value is a sentinel past k)";
    }
    for (int64_t m : {1, 2, 3, 8}) {
      const auto x = RandomValues(m * k, 52);
      for (int64_t begin : {0, 3}) {
        std::vector<float> expected(m * n, 777.0f), got(m * n, 777.0f);
        table().Gemv(DType::kBFP4)(x.data(), m, k, weight.values.raw_data(), row_bytes, begin, n, expected.data(), n);
        steps(x.data(), m, k, packed.data(), row_bytes, begin, n, got.data(), n);
        ASSERT_EQ(got, expected) << IsaName(GetParam()) << " k=" << k << " m=" << m << " rows from " << begin;
      }
    }
  }
}

// Every code through the packing: all 16 in both nibbles, exponents kept.
TEST(Bfp4StepLayout, EveryCodeRoundTrips) {
  std::vector<uint8_t> stored(4 * internal::kBfp4BlockBytes), packed(stored.size()), back(stored.size());
  for (size_t i = 0; i < stored.size(); ++i) stored[i] = static_cast<uint8_t>(i * 37 + 11);
  internal::PackBfp4StepRow(stored.data(), 4, packed.data());
  internal::UnpackBfp4StepRow(packed.data(), 4, back.data());
  for (size_t i = 0; i < stored.size(); ++i) {
    if (i % internal::kBfp4BlockBytes == 0) {
      EXPECT_EQ(back[i], stored[i]) << "exponent byte " << i;
      continue;
    }
    for (int shift : {0, 4}) {
      const int code = (stored[i] >> shift) & 15, got = (back[i] >> shift) & 15;
      EXPECT_EQ(got, code == 8 ? 0 : code) << "byte " << i << " nibble at bit " << shift;
    }
  }
  for (int code = 0; code < 16; ++code) {
    const int biased = internal::Bfp4CodeBiased(static_cast<uint8_t>(code));
    const int value = (code & 8 ? -1 : 1) * (code & 7);
    EXPECT_EQ(biased - 8, value) << "code " << code;
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, LowbitKernels, ::testing::ValuesIn(AvailableIsas()),
                         [](const ::testing::TestParamInfo<Isa>& info) { return std::string(IsaName(info.param)); });

}  // namespace
}  // namespace ttt::kernels
