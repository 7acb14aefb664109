// Splitting an op's rows or elements over the OpenMP team, only when the work pays for the fork: a decode
// step of a small model must not get slower than single-threaded. Inside a SpinTeam (a decode step holds
// one, core/runtime/spin_team.h) the same split runs on the held team instead of a new OpenMP region.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "core/runtime/spin_team.h"
#include "core/runtime/threading.h"
#include "core/runtime/trace.h"

namespace ttt::ops::internal {

// Below about this many floating-point operations (~2 us of single-threaded SIMD work) an OpenMP fork/join
// (1-3 us with the team awake) costs as much as it saves. bench/ops_bench.cc BM_LinearDecode n:64/k:64
// checks that a toy model's decode is not slowed by the second thread.
inline constexpr int64_t kMinParallelWork = int64_t{1} << 16;

// Threads worth using for `work` operations split into `items` pieces.
inline int ThreadsFor(int64_t work, int64_t items) {
  if (work < kMinParallelWork || items < 2) return 1;
  return static_cast<int>(std::min<int64_t>(NumThreads(), items));
}

// Opens the trace scope of worker `id`'s share of an op (trace::Level::kWorker); -1 for the calling thread
// (id 0), whose share the op's own scope already covers, and when not recording.
inline int32_t BeginWorkerShare(int id) {
  return id == 0 ? -1 : TTT_TRACE_BEGIN(trace::Level::kWorker, "worker share", 0, 0, 0, 0, -1, -1, std::nullopt);
}

// Runs fn(id, size) on `threads` threads, ids 0 .. size - 1 (size may come out smaller than asked): on the
// SpinTeam the caller holds, if any, else on a new OpenMP region. The one place that chooses between them.
template <typename Fn>
void OnThreads(int threads, Fn&& fn) {
  if (SpinTeam* team = SpinTeam::Current()) {
    const int size = std::min(threads, team->size());
    team->Run([&](int id) {
      if (id >= size) return;
      trace::Scope share(BeginWorkerShare(id));
      fn(id, size);
    });
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    trace::Scope share(BeginWorkerShare(omp_get_thread_num()));
    fn(omp_get_thread_num(), omp_get_num_threads());
  }
}

// Share `id` of `size` of [0, count): contiguous, about equal, boundaries multiples of `align` (but count).
inline int64_t ShareBegin(int64_t count, int64_t align, int64_t id, int64_t size) {
  const int64_t units = (count + align - 1) / align;
  return std::min(count, units * id / size * align);
}

// Calls fn(item, thread) for every item in [0, items) on up to `threads` threads (thread: 0 .. threads-1, for
// per-thread scratch). On an OpenMP region items are dealt out dynamically, `chunk` at a time, as their
// costs may differ (causal queries late in a sequence see more keys); on a held SpinTeam each thread takes
// one contiguous share (a decode step's items cost alike, and the team has no scheduler).
template <typename Fn>
void ParallelItems(int64_t items, int threads, int64_t chunk, Fn&& fn) {
  if (threads <= 1) {
    for (int64_t item = 0; item < items; ++item) fn(item, 0);
  } else if (SpinTeam::Current() != nullptr) {
    OnThreads(threads, [&](int id, int size) {
      const int64_t end = ShareBegin(items, 1, id + 1, size);
      for (int64_t item = ShareBegin(items, 1, id, size); item < end; ++item) fn(item, id);
    });
  } else {
#pragma omp parallel num_threads(threads)
    {
      trace::Scope share(BeginWorkerShare(omp_get_thread_num()));
#pragma omp for schedule(dynamic, chunk)
      for (int64_t item = 0; item < items; ++item) fn(item, omp_get_thread_num());
    }
  }
}

// Calls fn(begin, end) on contiguous, disjoint ranges covering [0, count), one per thread. Range
// boundaries are multiples of `align` (e.g. a SIMD width) except the last end.
template <typename Fn>
void ParallelRanges(int64_t count, int64_t work, int64_t align, Fn&& fn) {
  const int threads = ThreadsFor(work, (count + align - 1) / align);
  if (threads <= 1) {
    fn(int64_t{0}, count);
    return;
  }
  OnThreads(threads, [&](int id, int size) {
    const int64_t begin = ShareBegin(count, align, id, size), end = ShareBegin(count, align, id + 1, size);
    if (begin < end) fn(begin, end);
  });
}

}  // namespace ttt::ops::internal
