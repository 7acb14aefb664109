#include "tools/ttt/mpi_transport.h"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/runtime/check.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"

namespace ttt::cli {
namespace {

// MPI counts are ints: a collective larger than 2^31 floats per rank is not one a model step makes.
int CountOf(int64_t n) {
  TTT_CHECK(n >= 0 && n <= std::numeric_limits<int>::max());
  return static_cast<int>(n);
}

}  // namespace

absl::StatusOr<std::shared_ptr<MpiTransport>> MpiTransport::Start() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    // Only the thread that runs the model calls MPI (its ops' worker threads never do).
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  }
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size < 2) {
    MPI_Finalize();
    return absl::FailedPreconditionError(
        "--transport mpi runs one process per chip: start it with mpirun -np <chips> (2 for n300, 8 for t3k, 32 "
        "for tg), or leave --transport at inproc to run every chip in this process");
  }
  return std::shared_ptr<MpiTransport>(new MpiTransport(rank, size));
}

MpiTransport::~MpiTransport() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void MpiTransport::AllGather(const float* in, absl::Span<const int64_t> counts, float* out) {
  counts_.assign(size_, 0);
  offsets_.assign(size_, 0);
  int64_t offset = 0;
  for (int q = 0; q < size_; ++q) {
    counts_[q] = CountOf(counts[q]);
    offsets_[q] = CountOf(offset);
    offset += counts[q];
  }
  MPI_Allgatherv(in, counts_[rank_], MPI_FLOAT, out, counts_.data(), offsets_.data(), MPI_FLOAT, MPI_COMM_WORLD);
}

void MpiTransport::AllReduceSum(float* data, int64_t n) {
  received_.resize(static_cast<size_t>(n) * size_);
  MPI_Allgather(data, CountOf(n), MPI_FLOAT, received_.data(), CountOf(n), MPI_FLOAT, MPI_COMM_WORLD);
  for (int64_t i = 0; i < n; ++i) {
    float sum = received_[i];
    for (int q = 1; q < size_; ++q) sum += received_[q * n + i];
    data[i] = sum;
  }
}

void MpiTransport::ReduceScatterSum(const float* in, absl::Span<const int64_t> counts, float* out) {
  std::vector<int> send_counts(size_), send_offsets(size_), receive_counts(size_), receive_offsets(size_);
  int64_t offset = 0;
  for (int q = 0; q < size_; ++q) {
    send_counts[q] = CountOf(counts[q]);
    send_offsets[q] = CountOf(offset);
    offset += counts[q];
    receive_counts[q] = CountOf(counts[rank_]);
    receive_offsets[q] = CountOf(counts[rank_] * q);
  }
  received_.resize(static_cast<size_t>(counts[rank_]) * size_);
  MPI_Alltoallv(in, send_counts.data(), send_offsets.data(), MPI_FLOAT, received_.data(), receive_counts.data(),
                receive_offsets.data(), MPI_FLOAT, MPI_COMM_WORLD);
  const int64_t n = counts[rank_];
  for (int64_t i = 0; i < n; ++i) {
    float sum = received_[i];
    for (int q = 1; q < size_; ++q) sum += received_[q * n + i];
    out[i] = sum;
  }
}

void MpiTransport::Broadcast(void* data, int64_t bytes, int root) {
  MPI_Bcast(data, CountOf(bytes), MPI_BYTE, root, MPI_COMM_WORLD);
}

FlagSet TransportFlag() {
  return {{"--transport", "how the chips of n300, t3k, tg talk: inproc (each chip a thread of this process) or mpi "
                          "(one process per chip: mpirun -np <chips> ttt ... --transport mpi)",
           "inproc", FlagKind::kText, "Hardware"}};
}

absl::StatusOr<std::shared_ptr<Transport>> TransportFromArgs(const Args& args) {
  const std::string name = args.Get("transport");
  if (name == "inproc") return nullptr;
  if (name != "mpi") {
    return absl::InvalidArgumentError(absl::StrCat("--transport ", name, ": use inproc or mpi"));
  }
  TTT_ASSIGN_OR_RETURN(std::shared_ptr<MpiTransport> mpi, MpiTransport::Start());
  if (!args.Has("threads")) {
    const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    const int ranks_here = local != nullptr ? std::max(1, std::atoi(local)) : mpi->size();
    SetNumThreads(std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / ranks_here));
  }
  if (mpi->rank() != 0 && std::freopen("/dev/null", "w", stdout) == nullptr) {
    return absl::InternalError("rank " + std::to_string(mpi->rank()) + ": cannot silence stdout");
  }
  return mpi;
}

}  // namespace ttt::cli
