// How the ranks of a tensor-parallel model (one per emulated chip, core/patterns/tensor_parallel_lm.h) exchange
// activations: the collectives of a multi-chip device. Two transports implement it: InProcessGroup below
// (threads of one process over shared memory: the default, so `--device t3k` runs on one machine) and MPI
// (tools/ttt/mpi_transport.h: one process per chip, possibly on several machines).
//
// Every sum adds the ranks' contributions in rank order, whatever the transport, so a model gives the same
// bits in process and over MPI.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"

namespace ttt {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual const char* name() const = 0;  // "in-process", "mpi"

  // Rank r contributes counts[r] floats from `in`; every rank receives every contribution, in rank order,
  // in `out` (sum(counts) floats).
  virtual void AllGather(const float* in, absl::Span<const int64_t> counts, float* out) = 0;
  // Every rank's `n` floats at `data` are replaced by their sum over the ranks.
  virtual void AllReduceSum(float* data, int64_t n) = 0;
  // `in` holds sum(counts) floats on every rank; rank r receives in `out` the sum over the ranks of block r
  // (counts[r] floats).
  virtual void ReduceScatterSum(const float* in, absl::Span<const int64_t> counts, float* out) = 0;
  // Rank `root`'s `bytes` at `data` are copied to every other rank's `data`.
  virtual void Broadcast(void* data, int64_t bytes, int root) = 0;
};

// The contribution sizes of a value split over `ranks` as evenly as possible (the first ones one larger).
std::vector<int64_t> EvenCounts(int64_t total, int ranks);

// N ranks in one process. Each rank's collectives are called from the thread that runs that rank (Run), and
// every rank calls the same collectives in the same order, as over MPI.
class InProcessGroup {
 public:
  explicit InProcessGroup(int size);
  ~InProcessGroup();
  InProcessGroup(const InProcessGroup&) = delete;
  InProcessGroup& operator=(const InProcessGroup&) = delete;

  int size() const { return size_; }
  Transport& endpoint(int rank) { return *endpoints_[rank]; }
  // Runs fn(rank) for every rank at once, rank 0 on the calling thread and the others on the group's own
  // threads, each limited to its share of NumThreads() (at least one); returns when all have returned.
  void Run(absl::FunctionRef<void(int rank)> fn);

  // Waits until every rank has arrived (spins briefly, then sleeps: ranks often outnumber the cores).
  void Barrier();
  // What the ranks publish for the collective in progress: one pointer per rank.
  std::vector<const void*>& slots() { return slots_; }

 private:
  void Serve(int rank);

  const int size_;
  std::vector<std::unique_ptr<Transport>> endpoints_;
  std::vector<const void*> slots_;
  // The barrier: arrivals of this round, and the round (a futex word).
  alignas(64) std::atomic<int> arrived_{0};
  std::atomic<uint32_t> round_{0};
  // The job Run hands the other threads, its generation (a futex word) and how many are still running it.
  alignas(64) std::atomic<uint32_t> job_generation_{0};
  const absl::FunctionRef<void(int)>* job_ = nullptr;
  int job_threads_ = 1;
  std::atomic<int> running_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace ttt
