// A team of threads held together for one short burst of parallel ops (a decode step).
//
// Decoding a token runs ~120 GEMVs of 10-100 us each, with norms, rope and attention of a microsecond or two
// between them. An OpenMP parallel region per GEMV costs ~0.45 us to start and ~0.2 us to end on this
// project's 2-core machines (libgomp; a bare cross-core round trip is ~0.1 us): 1-2% of a bf16 token and
// 4-7% of a bfp4 one (measured with `ttt bench`, README). SpinTeam::Hold opens one OpenMP region for the
// whole step: the calling thread runs the step as ordinary serial code, and the other threads of the region
// spin until it posts work with Run, which hands it over through one cache line and waits on another.
// Waits are spins bounded in time (kSpinBudget), then sleeps on a futex (std::atomic wait/notify): when another
// process has every core busy, a worker spinning for its next job holds a core the holder may need, and a
// decode step collapsed (issue 19: f32 tg at 1.9 tokens/s against llama.cpp's 4.4 with a busy process on each
// of the 2 cores). A sleeping waiter costs its waker a futex wake (a few microseconds); one that is still
// spinning costs nothing, and the posting side only calls into the kernel when someone sleeps.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "absl/functional/function_ref.h"

namespace ttt {

class SpinTeam {
 public:
  // Runs body() on the calling thread with a team of `threads` threads (itself included) waiting for Run.
  // With threads <= 1, or inside another team or OpenMP region, just runs body().
  static void Hold(int threads, absl::FunctionRef<void()> body);

  // The team of the Hold this thread runs the body of; null outside one (and on the team's other threads).
  static SpinTeam* Current();

  // Runs fn(id) on every thread of the team, id 0 being the caller, and returns when all have finished.
  void Run(absl::FunctionRef<void(int id)> fn);
  int size() const { return size_; }

  // How long a waiter spins before it sleeps: long against the microseconds between two ops of a step (so a
  // decode step on an idle machine never sleeps), short against a scheduler time slice.
  static constexpr std::chrono::microseconds kSpinBudget{50};

 private:
  explicit SpinTeam(int size) : size_(size) {}
  void Serve(int id);
  void Post();  // the next generation (a job, or the stop), waking sleepers

  const int size_;
  // Written by the holder, read by the others: which job (a generation count; 32 bits, a futex word) and
  // what it is, or that the Hold is over.
  alignas(64) std::atomic<uint32_t> generation_{0};
  const absl::FunctionRef<void(int)>* job_ = nullptr;
  std::atomic<bool> stop_{false};
  std::atomic<int> sleeping_workers_{0};
  // Written by the others, read by the holder.
  alignas(64) std::atomic<int> running_{0};
  std::atomic<bool> holder_sleeping_{false};
};

}  // namespace ttt
