// The panel GEMV (kernel_table.h: GemvF32PanelsFn) of every ISA this machine runs against the scalar
// reference, bit for bit: every output is one FMA chain over k in order, so blocking, ISA, thread split and
// batch size must not change a bit. Sizes cover n not a multiple of the panel, k below a vector, m across
// every tile shape (AVX2's chunks of 6, AVX-512's of 12) and past 16.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/kernels/internal/bf16_panels.h"
#include "core/kernels/internal/f32_panels.h"
#include "core/kernels/kernel_table.h"
#include "core/ops/internal/test_values.h"
#include "gtest/gtest.h"

namespace ttt::kernels {
namespace {

using ops::testing::RandomValues;

class GemvPanels : public ::testing::TestWithParam<Isa> {
 protected:
  const KernelTable& table() const { return Kernels(GetParam()); }
};

std::vector<float> Pack(const std::vector<float>& w, int64_t n, int64_t k) {
  std::vector<float> packed(w.size());
  internal::PackF32Panels(w.data(), n, k, packed.data());
  return packed;
}

// Every table's packing (vector transposes) gives the scalar packing's bits: full and partial panels, k
// below, at and past a transpose's width.
TEST_P(GemvPanels, PackingMatchesTheScalarPacking) {
  for (int64_t n : {1, 15, 16, 17, 48, 61}) {
    for (int64_t k : {1, 7, 8, 15, 16, 17, 40, 576}) {
      const std::vector<float> w = RandomValues(n * k, 5);
      std::vector<float> packed(n * k, -1.0f);
      table().pack_panels(w.data(), n, k, packed.data());
      EXPECT_EQ(packed, Pack(w, n, k)) << IsaName(GetParam()) << " n=" << n << " k=" << k;
    }
  }
}

TEST(GemvPanelsLayout, UnpackInvertsPack) {
  for (int64_t n : {1, 15, 16, 17, 40, 64}) {
    const int64_t k = 7;
    const std::vector<float> w = RandomValues(n * k, 3);
    const std::vector<float> packed = Pack(w, n, k);
    // Tiles starting at each panel, and the whole.
    for (int64_t begin = 0; begin < n; begin += kF32PanelRows) {
      std::vector<float> out((n - begin) * k);
      internal::UnpackF32Panels(packed.data(), n, k, begin, n, out.data());
      EXPECT_EQ(std::memcmp(out.data(), w.data() + begin * k, out.size() * sizeof(float)), 0) << n << " " << begin;
    }
  }
}

TEST(GemvPanelsLayout, ReferenceIsTheRowMajorProduct) {
  const int64_t n = 19, k = 5, m = 2;
  const std::vector<float> w = RandomValues(n * k, 4), x = RandomValues(m * k, 5);
  const std::vector<float> packed = Pack(w, n, k);
  std::vector<float> y(m * n);
  Kernels(Isa::kScalar).gemv_f32_panels(x.data(), m, k, packed.data(), n, 0, n, y.data(), n);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t c = 0; c < k; ++c) sum += static_cast<double>(x[r * k + c]) * w[j * k + c];
      EXPECT_NEAR(y[r * n + j], sum, 1e-5) << r << " " << j;
    }
  }
}

TEST_P(GemvPanels, SameBitsAsTheReference) {
  const GemvF32PanelsFn ref = Kernels(Isa::kScalar).gemv_f32_panels;
  ASSERT_NE(table().gemv_f32_panels, nullptr);
  for (int64_t n : {16, 40, 77, 128, 200}) {
    for (int64_t k : {1, 5, 64, 97, 576}) {
      const std::vector<float> w = RandomValues(n * k, static_cast<uint32_t>(n * 1000 + k));
      const std::vector<float> packed = Pack(w, n, k);
      for (int64_t m : {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 25}) {
        const std::vector<float> x = RandomValues(m * k, static_cast<uint32_t>(m + 7));
        const int64_t ldy = n + 3;  // y's rows apart by more than n, as for a part of a stacked weight
        std::vector<float> want(m * ldy, -7.0f), got(m * ldy, -7.0f);
        ref(x.data(), m, k, packed.data(), n, 0, n, want.data(), ldy);
        // In two thread ranges split at a panel boundary, as ops::Linear splits them.
        const int64_t split = n / 2 / kF32PanelRows * kF32PanelRows;
        table().gemv_f32_panels(x.data(), m, k, packed.data(), n, 0, split, got.data(), ldy);
        table().gemv_f32_panels(x.data(), m, k, packed.data(), n, split, n, got.data(), ldy);
        ASSERT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0)
            << IsaName(GetParam()) << " m=" << m << " n=" << n << " k=" << k;
      }
    }
  }
}

// A row alone gives the same bits as that row inside a batch: a sequence's logits do not depend on its batch.
TEST_P(GemvPanels, ABatchRowIsTheSameBitsAsTheRowAlone) {
  const int64_t n = 96, k = 130, m = 8;
  const std::vector<float> packed = Pack(RandomValues(n * k, 11), n, k);
  const std::vector<float> x = RandomValues(m * k, 12);
  std::vector<float> batch(m * n), alone(n);
  table().gemv_f32_panels(x.data(), m, k, packed.data(), n, 0, n, batch.data(), n);
  for (int64_t r = 0; r < m; ++r) {
    table().gemv_f32_panels(x.data() + r * k, 1, k, packed.data(), n, 0, n, alone.data(), n);
    EXPECT_EQ(std::memcmp(alone.data(), batch.data() + r * n, n * sizeof(float)), 0) << "row " << r;
  }
}

// bf16 pair panels (internal/bf16_panels.h): n rows of k bf16 values as k / 2 words per row.
std::vector<uint16_t> ToBf16(const std::vector<float>& v) {
  std::vector<uint16_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = F32ToBF16(v[i]);
  return out;
}

TEST_P(GemvPanels, Bf16PairPanelsUnpackToTheRows) {
  for (int64_t n : {1, 16, 17, 50}) {
    for (int64_t k : {2, 30, 32, 34}) {
      const std::vector<uint16_t> rows = ToBf16(RandomValues(n * k, 9));
      std::vector<uint16_t> packed(n * k), back(n * k);
      table().pack_panels(rows.data(), n, k / 2, packed.data());
      internal::UnpackBf16Panels(packed.data(), n, k, 0, n, back.data());
      EXPECT_EQ(back, rows) << IsaName(GetParam()) << " n=" << n << " k=" << k;
    }
  }
}

// The vdpbf16ps panel kernel (where the table has one) against the scalar bf16 GEMV on the rows: activations
// rounded to bf16 (2^-8 relative each) and one f32 chain of k / 2 steps, each rounding up to twice. Every row
// count's tiles, whole and partial panels, thread ranges split at a panel; a row's bits do not depend on the
// rows it is computed with (decode gives a prompt's bits).
TEST_P(GemvPanels, Bf16PanelsMatchTheReferenceAndDecodeGivesAPromptsBits) {
  const GemvBf16PanelsFn gemv = table().gemv_bf16_panels;
  if (gemv == nullptr) GTEST_SKIP() << IsaName(GetParam()) << " has no bf16 panel kernel";
  for (int64_t n : {16, 17, 70, 200}) {
    for (int64_t k : {2, 34, 576}) {
      const std::vector<float> w = RandomValues(n * k, static_cast<uint32_t>(n * 100 + k));
      const std::vector<uint16_t> rows = ToBf16(w);
      std::vector<uint16_t> packed(n * k);
      table().pack_panels(rows.data(), n, k / 2, packed.data());
      for (int64_t m : {1, 2, 3, 4, 13, 25}) {
        const std::vector<float> x = RandomValues(m * k, static_cast<uint32_t>(m + 3));
        const int64_t ldy = n + 5;
        std::vector<float> want(m * ldy, -7.0f), got(m * ldy, -7.0f);
        Kernels(Isa::kScalar).Gemv(DType::kBF16)(x.data(), m, k, rows.data(), 2 * k, 0, n, want.data(), ldy);
        const int64_t split = n / 2 / kF32PanelRows * kF32PanelRows;
        gemv(x.data(), m, k, packed.data(), n, 0, split, got.data(), ldy);
        gemv(x.data(), m, k, packed.data(), n, split, n, got.data(), ldy);
        for (int64_t r = 0; r < m; ++r) {
          std::vector<float> alone(n);
          gemv(x.data() + r * k, 1, k, packed.data(), n, 0, n, alone.data(), n);
          for (int64_t j = 0; j < n; ++j) {
            double abs_sum = 0;
            for (int64_t c = 0; c < k; ++c) abs_sum += std::fabs(x[r * k + c] * BF16ToF32(rows[j * k + c]));
            const double tol = (k + 16) * 6e-8 * abs_sum + 0x1p-8 * abs_sum;
            ASSERT_NEAR(got[r * ldy + j], want[r * ldy + j], tol) << "m=" << m << " n=" << n << " k=" << k << " y["
                                                                  << r << ", " << j << "]";
            ASSERT_EQ(alone[j], got[r * ldy + j]) << "row " << r << " alone, m=" << m << " n=" << n << " k=" << k;
          }
          ASSERT_EQ(got[r * ldy + n], -7.0f) << "wrote past n";
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, GemvPanels, ::testing::ValuesIn(AvailableIsas()),
                         [](const auto& info) { return std::string(IsaName(info.param)); });

}  // namespace
}  // namespace ttt::kernels
