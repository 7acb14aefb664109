#include "core/runtime/spin_team.h"

#include <immintrin.h>
#include <omp.h>

namespace ttt {
namespace {
thread_local SpinTeam* g_current = nullptr;

// Spins until done() or SpinTeam::kSpinBudget has passed; returns done(). The clock is read every 64 pauses
// (a pause is 10-150 cycles, depending on the CPU).
template <class Done>
bool SpinUntil(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + SpinTeam::kSpinBudget;
  for (int i = 1;; ++i) {
    if (done()) return true;
    _mm_pause();
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return done();
  }
}
}  // namespace

SpinTeam* SpinTeam::Current() { return g_current; }

void SpinTeam::Hold(int threads, absl::FunctionRef<void()> body) {
  if (threads <= 1 || g_current != nullptr || omp_in_parallel()) {
    body();
    return;
  }
  SpinTeam team(threads);
#pragma omp parallel num_threads(threads)
  {
    const int id = omp_get_thread_num();
    if (id == 0) {
      if (omp_get_num_threads() == threads) {
        g_current = &team;
        body();
        g_current = nullptr;
      } else {
        body();  // the runtime gave fewer threads than asked: no team, the ops fall back to their own regions
      }
      team.stop_.store(true, std::memory_order_relaxed);
      team.Post();
    } else if (omp_get_num_threads() == threads) {
      team.Serve(id);
    }
  }
}

// Sleeping follows one pattern on both sides: announce (seq_cst), check the word again, wait on its value. The
// poster changes the word (seq_cst) before it reads the announcement, so either the sleeper sees the new value
// or the poster sees the sleeper; the futex itself returns at once if the value changed in between.
void SpinTeam::Post() {
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleeping_workers_.load(std::memory_order_seq_cst) > 0) generation_.notify_all();
}

void SpinTeam::Serve(int id) {
  uint32_t seen = 0;
  while (true) {
    if (!SpinUntil([&] { return generation_.load(std::memory_order_acquire) != seen; })) {
      sleeping_workers_.fetch_add(1, std::memory_order_seq_cst);
      generation_.wait(seen, std::memory_order_seq_cst);
      sleeping_workers_.fetch_sub(1, std::memory_order_relaxed);
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_relaxed)) return;  // written before the generation that announced it
    (*job_)(id);
    if (running_.fetch_sub(1, std::memory_order_seq_cst) == 1 && holder_sleeping_.load(std::memory_order_seq_cst)) {
      running_.notify_one();
    }
  }
}

void SpinTeam::Run(absl::FunctionRef<void(int id)> fn) {
  job_ = &fn;
  running_.store(size_ - 1, std::memory_order_relaxed);
  Post();
  // A parallel op that fn itself calls runs on this thread alone: the others are busy with this job.
  g_current = nullptr;
  fn(0);
  g_current = this;
  if (SpinUntil([&] { return running_.load(std::memory_order_acquire) == 0; })) return;
  holder_sleeping_.store(true, std::memory_order_seq_cst);
  for (int left; (left = running_.load(std::memory_order_seq_cst)) != 0;) running_.wait(left, std::memory_order_seq_cst);
  holder_sleeping_.store(false, std::memory_order_relaxed);
}

}  // namespace ttt
