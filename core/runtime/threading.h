// The thread count every threaded op uses (OpenMP team size and OpenBLAS threads).
#pragma once

namespace ttt {

// Sets the number of threads; n <= 0 means one per hardware core.
void SetNumThreads(int n);
int NumThreads();

}  // namespace ttt
