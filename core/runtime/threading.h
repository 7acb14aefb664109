// The thread count every threaded op uses (OpenMP team size and OpenBLAS threads).
#pragma once

namespace ttt {

// Sets the number of threads; n <= 0 means one per hardware core.
void SetNumThreads(int n);
// The calling thread's count: its ScopedThreadLimit's when one is active, else the process's.
int NumThreads();

// Limits the ops this thread runs to `threads` threads while it lives: a thread that is one of several
// running at once (an emulated chip of a tensor-parallel model, core/patterns/transport.h) takes its share
// of the cores instead of opening a team of all of them.
class ScopedThreadLimit {
 public:
  explicit ScopedThreadLimit(int threads);
  ~ScopedThreadLimit();
  ScopedThreadLimit(const ScopedThreadLimit&) = delete;
  ScopedThreadLimit& operator=(const ScopedThreadLimit&) = delete;

 private:
  int previous_;
};

}  // namespace ttt
