// Silencing one thread's trace scopes (core/runtime/trace.h): the ranks of a tensor-parallel model other
// than the first run the same ops on their shards, so a profile records one chip, rank 0
// (core/patterns/tensor_parallel_lm.h).
#pragma once

namespace ttt::trace {

// While it lives, scopes opened on this thread record nothing.
class ScopedMute {
 public:
  ScopedMute();
  ~ScopedMute();
  ScopedMute(const ScopedMute&) = delete;
  ScopedMute& operator=(const ScopedMute&) = delete;

 private:
  bool previous_;
};

}  // namespace ttt::trace
