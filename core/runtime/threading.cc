#include "core/runtime/threading.h"

#include <omp.h>

#include <thread>

extern "C" void openblas_set_num_threads(int num_threads);

namespace ttt {
namespace {
int g_num_threads = 0;
thread_local int t_thread_limit = 0;  // 0: none
}

void SetNumThreads(int n) {
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  g_num_threads = n;
  omp_set_num_threads(n);
  // OpenMP is the only thread pool: OpenBLAS's own threads would spin against OpenMP's (measured: a
  // prefill MLP 5x slower). ops::Linear splits large GEMMs into single-threaded sgemm calls per OpenMP thread.
  openblas_set_num_threads(1);
}

int NumThreads() {
  if (t_thread_limit > 0) return t_thread_limit;
  if (g_num_threads == 0) SetNumThreads(0);
  return g_num_threads;
}

ScopedThreadLimit::ScopedThreadLimit(int threads) : previous_(t_thread_limit) {
  t_thread_limit = threads > 0 ? threads : 1;
}

ScopedThreadLimit::~ScopedThreadLimit() { t_thread_limit = previous_; }

}  // namespace ttt
