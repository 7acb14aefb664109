// The kernel set test_main() selected in-process is the one BestIsa() asks for, OpenBLAS reports it, and its
// sgemm agrees with a plain triple loop (the switched table is the one that runs).
#include "core/runtime/openblas_setup.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "core/runtime/cpu_features.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

extern "C" void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                            int lda, const float* b, int ldb, float beta, float* c, int ldc);

namespace ttt {
namespace {

using ::testing::AnyOf;
using ::testing::StrEq;

TEST(OpenBlasSetup, KernelsFollowBestIsa) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) GTEST_SKIP() << "OPENBLAS_CORETYPE chooses the kernels";
  const std::string name = OpenBlasCoreName();
  switch (BestIsa()) {
    case Isa::kAvx512:
      EXPECT_THAT(name, AnyOf(StrEq("SkylakeX"), StrEq("Cooperlake"), StrEq("SapphireRapids")));
      break;
    case Isa::kAvx2:
      EXPECT_THAT(name, AnyOf(StrEq("Haswell"), StrEq("Zen")));
      break;
    case Isa::kScalar:
      break;
  }
}

TEST(OpenBlasSetup, SelectingAgainChangesNothingAndLeavesTheEnvironment) {
  const bool had_env = std::getenv("OPENBLAS_CORETYPE") != nullptr;
  const OpenBlasKernelChoice again = SelectOpenBlasKernelsForCpu();
  EXPECT_EQ(again.wanted, "");
  EXPECT_EQ(again.before, again.after);
  EXPECT_EQ(std::getenv("OPENBLAS_CORETYPE") != nullptr, had_env);
}

TEST(OpenBlasSetup, SgemmOfTheSelectedKernelsMatchesALoop) {
  // Sizes past one register tile and one cache block of every x86 kernel set, odd to reach the edge code.
  const int m = 67, n = 45, k = 300;
  std::vector<float> a(m * k), b(k * n), c(m * n, 0.f);
  for (int i = 0; i < m * k; ++i) a[i] = static_cast<float>((i * 7919) % 61 - 30) / 31.f;
  for (int i = 0; i < k * n; ++i) b[i] = static_cast<float>((i * 104729) % 53 - 26) / 27.f;
  constexpr int kRowMajor = 101, kNoTrans = 111;
  cblas_sgemm(kRowMajor, kNoTrans, kNoTrans, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c.data(), n);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double want = 0;
      for (int p = 0; p < k; ++p) want += static_cast<double>(a[i * k + p]) * b[p * n + j];
      ASSERT_NEAR(c[i * n + j], want, 1e-4 * k) << "row " << i << " col " << j << " on " << OpenBlasCoreName();
    }
  }
}

}  // namespace
}  // namespace ttt
