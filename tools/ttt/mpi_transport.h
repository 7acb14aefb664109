// The MPI transport of a tensor-parallel model (core/patterns/transport.h): one process per chip, started by
// mpirun (Debian's OpenMPI), possibly on several machines. `ttt generate --transport mpi` under
// `mpirun -np <chips>` makes each process one rank, building only its own shards.
//
// Sums are computed here, in rank order, from every rank's contribution (gathered with MPI_Allgather or
// exchanged with MPI_Alltoallv) rather than by MPI_Allreduce, whose order is the MPI library's: so the logits
// are the same bits as with the in-process transport.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "core/patterns/transport.h"
#include "tools/ttt/command.h"

namespace ttt::cli {

class MpiTransport : public Transport {
 public:
  // Initialises MPI (once per process; finalised when the last MpiTransport is gone). An error when this
  // process was not started by mpirun with more than one rank.
  static absl::StatusOr<std::shared_ptr<MpiTransport>> Start();
  ~MpiTransport() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  const char* name() const override { return "mpi"; }
  void AllGather(const float* in, absl::Span<const int64_t> counts, float* out) override;
  void AllReduceSum(float* data, int64_t n) override;
  void ReduceScatterSum(const float* in, absl::Span<const int64_t> counts, float* out) override;
  void Broadcast(void* data, int64_t bytes, int root) override;

 private:
  MpiTransport(int rank, int size) : rank_(rank), size_(size) {}
  const int rank_, size_;
  std::vector<float> received_;  // every rank's contribution, grown once to the largest collective
  std::vector<int> counts_, offsets_;
};

// --transport inproc|mpi, of the commands that run a model on a multi-chip device.
FlagSet TransportFlag();
// Reads it: null for inproc, the started MPI transport for mpi. Under mpirun, a process whose --threads is
// not given takes its share of the machine's cores (the cores over the ranks on this machine), and only rank
// 0 prints to stdout (every rank runs the same command and computes the same tokens).
absl::StatusOr<std::shared_ptr<Transport>> TransportFromArgs(const Args& args);

}  // namespace ttt::cli
