#include "core/runtime/spin_team.h"

#include <immintrin.h>
#include <omp.h>

namespace ttt {
namespace {
thread_local SpinTeam* g_current = nullptr;
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
      team.stop_.store(true, std::memory_order_release);
    } else if (omp_get_num_threads() == threads) {
      team.Serve(id);
    }
  }
}

void SpinTeam::Serve(int id) {
  uint64_t seen = 0;
  while (true) {
    uint64_t now;
    while ((now = generation_.load(std::memory_order_acquire)) == seen) {
      if (stop_.load(std::memory_order_acquire)) return;
      _mm_pause();
    }
    seen = now;
    (*job_)(id);
    running_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void SpinTeam::Run(absl::FunctionRef<void(int id)> fn) {
  job_ = &fn;
  running_.store(size_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  // A parallel op that fn itself calls runs on this thread alone: the others are busy with this job.
  g_current = nullptr;
  fn(0);
  g_current = this;
  while (running_.load(std::memory_order_acquire) != 0) _mm_pause();
}

}  // namespace ttt
