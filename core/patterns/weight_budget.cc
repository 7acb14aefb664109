#include "core/patterns/weight_budget.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/blocks/model_modules.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/tensor_parallel.h"

namespace ttt {
namespace {

std::string Mib(double bytes) { return absl::StrFormat("%.2f MiB", bytes / (1024.0 * 1024.0)); }

std::string Placed(const std::string& device, const ProcessPlacement& p) {
  if (p.chips == 1) return device == "cpu" ? "on the cpu" : absl::StrCat("as one chip of ", device);
  if (p.ranks_here == 1) return absl::StrCat("one rank of ", device, "'s ", p.chips);
  return absl::StrCat("all ", p.ranks_here, " ranks of ", device, ", in process");
}

// What to try when this process is over its budget.
std::string Options(const std::string& device, const ProcessPlacement& p, double per_rank, int64_t budget) {
  std::string options;
  if (p.chips > 1 && p.ranks_here > 1) {
    absl::StrAppend(&options, "run one process per chip (mpirun -np ", p.chips, " ... --device ", device,
                    " --transport mpi, on several machines if one cannot hold them all), where each holds about ",
                    Mib(per_rank), per_rank <= budget ? " (within the budget)" : " (still over)", "; ");
  } else if (p.chips == 1) {
    absl::StrAppend(&options, "a device of several chips over MPI (--device n300, t3k or tg with --transport mpi, "
                              "one process per chip) so that each process holds a shard; ");
  }
  absl::StrAppend(&options, "smaller weight formats (--weights bfp8 or bfp4); or a larger --memory-budget");
  return options;
}

}  // namespace

absl::Status CheckWeightBudgetEstimate(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config,
                                       const ProcessPlacement& placement, int64_t budget) {
  if (budget <= 0) return absl::OkStatus();
  double per_rank = 0;
  if (placement.chips > 1) {
    auto modules = ListModelModules(spec, *config.kinds);
    if (!modules.ok()) return absl::OkStatus();  // the build reports the spec's problem
    const TensorParallelPlan plan = PlanForModel(*modules, spec->hidden_dim(), config.device);
    per_rank = EstimateFootprint(spec, config, 1, 1, &plan).weights();
  } else {
    per_rank = EstimateFootprint(spec, config, 1, 1).weights();
  }
  const double here = per_rank * placement.ranks_here;
  if (here <= static_cast<double>(budget)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the weights would take about ", Mib(here), " in this process (", Placed(config.device.name(), placement),
      "), over its memory budget of ", Mib(static_cast<double>(budget)),
      " (--memory-budget). Try: ",
      Options(config.device.name(), placement, per_rank, budget)));
}

absl::Status CheckHeldWeights(int64_t held, int ranks_built, int64_t budget, const std::string& device,
                              const ProcessPlacement& placement) {
  if (budget <= 0 || ranks_built <= 0) return absl::OkStatus();
  // The ranks are alike to within a vocabulary row or a feature: the first ones built tell what all will hold.
  const double per_rank = static_cast<double>(held) / ranks_built;
  const double projected = per_rank * placement.ranks_here;
  if (projected <= static_cast<double>(budget)) return absl::OkStatus();
  const std::string built =
      ranks_built < placement.ranks_here
          ? absl::StrCat(" after ", ranks_built, " of its ", placement.ranks_here, " ranks, about ", Mib(projected),
                         " for all")
          : "";
  return absl::FailedPreconditionError(absl::StrCat(
      "the weights built in this process (", Placed(device, placement), ") hold ", Mib(static_cast<double>(held)),
      built, ", over its memory budget of ", Mib(static_cast<double>(budget)),
      " (--memory-budget). Try: ", Options(device, placement, per_rank, budget)));
}

}  // namespace ttt
