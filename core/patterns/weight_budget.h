// The memory budget of a process for the weights it holds (BuildOptions::memory_budget, `--memory-budget`).
// A model bigger than one process's memory cannot be built there, but a multi-chip device over MPI builds in
// each process only that rank's shards (core/patterns/tensor_parallel_lm.h), so the model loads across ranks,
// on several machines if need be. CausalLm::Create checks the budget twice:
//   - before any weight is read, against the estimate of the device check (EstimateFootprint: one chip's
//     share of the weights times the chips this process builds), so a model that cannot fit is refused at
//     once, with the process count that would fit;
//   - after each rank is built, against the bytes the ranks built so far hold (CausalLm::ResidentWeightBytes),
//     since the estimate costs embedding tables and norms in the device's format, not the host's.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/hwconfig/resolve.h"
#include "core/specs/validated.h"

namespace ttt {

// How a model is placed on processes: `ranks_here` of the device's `chips` ranks are built in this process
// (all of them in process, one under MPI, 1 of 1 for a single chip or a device run as one chip).
struct ProcessPlacement {
  int chips = 1;
  int ranks_here = 1;
};

// A `budget` of 0 or less is no limit.
// Before building: OK, or FailedPrecondition naming the estimated bytes, the budget and what would fit (one
// process per chip over MPI, with the bytes each would hold; smaller weight formats).
absl::Status CheckWeightBudgetEstimate(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config,
                                       const ProcessPlacement& placement, int64_t budget);

// While building: OK while `held`, the bytes of the `ranks_built` ranks built in this process so far, scaled to
// all of `placement.ranks_here`, is within `budget`; so an in-process build stops after its first rank when
// the others would not fit.
absl::Status CheckHeldWeights(int64_t held, int ranks_built, int64_t budget, const std::string& device,
                              const ProcessPlacement& placement);

}  // namespace ttt
