// main() of every library test: picks OpenBLAS's kernels for this CPU (see openblas_setup.h), then runs
// GoogleTest.
#include "core/runtime/openblas_setup.h"
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  ttt::SelectOpenBlasKernelsForCpu();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
