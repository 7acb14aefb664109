#include "core/patterns/transport.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "core/runtime/check.h"
#include "core/runtime/threading.h"

namespace ttt {
namespace {

// A wait that spins for a few microseconds (ranks of a decode step arrive within microseconds of each other
// when each has a core) and then sleeps on the futex (when the ranks outnumber the cores, a spinning rank
// would hold the core the last one needs).
template <typename T, typename Done>
void SpinThenWait(const std::atomic<T>& word, Done done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return;
    _mm_pause();
  }
  for (T seen = word.load(); !done(); seen = word.load()) word.wait(seen);
}

std::vector<int64_t> Offsets(absl::Span<const int64_t> counts) {
  std::vector<int64_t> offsets(counts.size() + 1, 0);
  for (size_t i = 0; i < counts.size(); ++i) offsets[i + 1] = offsets[i] + counts[i];
  return offsets;
}

class InProcessEndpoint : public Transport {
 public:
  InProcessEndpoint(InProcessGroup& group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return group_.size(); }
  const char* name() const override { return "in-process"; }

  void AllGather(const float* in, absl::Span<const int64_t> counts, float* out) override {
    Publish(in);
    const std::vector<int64_t> offsets = Offsets(counts);
    for (int q = 0; q < size(); ++q) {
      std::memcpy(out + offsets[q], Slot(q), counts[q] * sizeof(float));
    }
    group_.Barrier();  // every rank has read every contribution: they may be overwritten
  }

  void AllReduceSum(float* data, int64_t n) override {
    Publish(data);
    // Reduce-scatter then all-gather: this rank sums its part of every rank's buffer into its own (no other
    // rank reads that part of it in between), then copies the others' sums.
    const std::vector<int64_t> offsets = Offsets(EvenCounts(n, size()));
    SumInRankOrder(offsets[rank_], offsets[rank_ + 1], data);
    group_.Barrier();
    for (int q = 0; q < size(); ++q) {
      if (q != rank_) std::memcpy(data + offsets[q], Slot(q) + offsets[q], (offsets[q + 1] - offsets[q]) * sizeof(float));
    }
    group_.Barrier();
  }

  void ReduceScatterSum(const float* in, absl::Span<const int64_t> counts, float* out) override {
    Publish(in);
    const std::vector<int64_t> offsets = Offsets(counts);
    SumInRankOrder(offsets[rank_], offsets[rank_ + 1], out - offsets[rank_]);
    group_.Barrier();
  }

  void Broadcast(void* data, int64_t bytes, int root) override {
    Publish(data);
    if (rank_ != root) std::memcpy(data, group_.slots()[root], bytes);
    group_.Barrier();
  }

 private:
  void Publish(const void* data) {
    group_.slots()[rank_] = data;
    group_.Barrier();
  }
  const float* Slot(int q) const { return static_cast<const float*>(group_.slots()[q]); }
  // out[i] = slot 0 [i] + slot 1 [i] + ... for i in [begin, end), left to right.
  void SumInRankOrder(int64_t begin, int64_t end, float* out) const {
    for (int64_t i = begin; i < end; ++i) {
      float sum = Slot(0)[i];
      for (int q = 1; q < size(); ++q) sum += Slot(q)[i];
      out[i] = sum;
    }
  }

  InProcessGroup& group_;
  const int rank_;
};

}  // namespace

std::vector<int64_t> EvenCounts(int64_t total, int ranks) {
  std::vector<int64_t> counts(ranks, total / ranks);
  for (int r = 0; r < total % ranks; ++r) ++counts[r];
  return counts;
}

InProcessGroup::InProcessGroup(int size) : size_(std::max(1, size)), slots_(size_, nullptr) {
  for (int r = 0; r < size_; ++r) endpoints_.push_back(std::make_unique<InProcessEndpoint>(*this, r));
  for (int r = 1; r < size_; ++r) threads_.emplace_back([this, r] { Serve(r); });
}

InProcessGroup::~InProcessGroup() {
  stop_.store(true);
  job_generation_.fetch_add(1);
  job_generation_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void InProcessGroup::Barrier() {
  const uint32_t round = round_.load();
  if (arrived_.fetch_add(1) + 1 == size_) {
    arrived_.store(0);
    round_.fetch_add(1);
    round_.notify_all();
    return;
  }
  SpinThenWait(round_, [&] { return round_.load() != round; });
}

void InProcessGroup::Run(absl::FunctionRef<void(int rank)> fn) {
  job_threads_ = std::max(1, NumThreads() / size_);
  if (size_ > 1) {
    job_ = &fn;
    running_.store(size_ - 1);
    job_generation_.fetch_add(1);
    job_generation_.notify_all();
  }
  {
    ScopedThreadLimit limit(job_threads_);
    fn(0);
  }
  SpinThenWait(running_, [&] { return running_.load() == 0; });
}

void InProcessGroup::Serve(int rank) {
  uint32_t seen = 0;
  while (true) {
    SpinThenWait(job_generation_, [&] { return job_generation_.load() != seen; });
    seen = job_generation_.load();
    if (stop_.load()) return;
    {
      ScopedThreadLimit limit(job_threads_);
      (*job_)(rank);
    }
    if (running_.fetch_sub(1) == 1) running_.notify_all();
  }
}

}  // namespace ttt
