// Suggestions computed from a profile: for each bottleneck, the config change that addresses it and the
// gain the roofline predicts. A pure function of the summary, so it is tested on synthetic profiles whose
// right answer is known.
//
// Memory-bound ops that read weights get a smaller weight format; the estimate scales each op's measured
// time by its bytes after the change (weights at the new bytes per value, activations unchanged), never
// below its compute floor, and the phase's gain follows Amdahl's law. Compute-bound ops get no weight-format
// suggestion (fewer bytes do not make a GEMM faster); they get what is true of them instead: how close to
// the GEMM peak they run, and whether the prefill chunk is too small to reach it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/blocks/module_registry.h"
#include "core/hwconfig/proto/op_config.pb.h"
#include "core/profiler/device_roofline.h"
#include "core/profiler/profile.h"

namespace ttt::profiler {

struct SuggestOptions {
  // Bottlenecks below this share of their phase's time are not worth a config change.
  double min_share = 0.05;
  // Prefill chunks below this many tokens keep GEMMs well under peak (core/ops/linear.cc: ~230 GFLOP/s at
  // 128 rows vs 88 at 16).
  double small_chunk_tokens = 64;
  // An op below this fraction of its roofline is not limited by bytes or FLOPs but by something else
  // (per-call overhead: waking threads, tiny shapes); fewer bytes then save only their time at full bandwidth.
  double near_roofline = 0.25;
  // Changes estimated to gain less than this on their ops are not worth suggesting.
  double min_op_speedup = 1.05;
  // Module name in the profile (a model's name for an instance, its config key) -> registered kind, for
  // modules a layer names by kind (ModuleKinds, core/blocks/model_modules.h). Absent names are kinds.
  std::map<std::string, std::string> module_kinds;
  // Where those kinds are registered: the profiled model's table (CausalLm::kinds()) for its own kinds.
  const ModuleRegistry* kinds = &ModuleRegistry::Global();
};

struct Suggestion {
  enum class Kind { kWeightDtype, kAllWeightsDtype, kComputeBound, kPrefillChunk, kDeviceFidelity, kDeviceWeightDtype,
                    kOverheadBound };
  Kind kind = Kind::kWeightDtype;
  Phase phase = Phase::kDecode;
  std::string module;             // module kind whose config changes ("mlp"); empty for model-wide
  std::vector<std::string> ops;   // op names concerned ("ff1_3", "ff2")
  double share = 0;               // of the phase's measured time spent in those ops
  int from_dtype = -1, to_dtype = -1;  // ttt::DType as int, for weight-format suggestions
  double op_speedup = 1;          // estimated on those ops
  double phase_speedup = 1;       // estimated on the whole phase (Amdahl)
  // The same for the next smaller format (BFP4 after BFP8), -1 when there is none.
  int alt_dtype = -1;
  double alt_op_speedup = 1, alt_phase_speedup = 1;
  std::string finding;  // what was measured
  std::string change;   // the exact config change and its estimated gain
  std::string apply;    // one line that applies it
  // For config changes of one module: the change itself (what `apply` prints in text format), naming only
  // module kinds and ops that resolution accepts (their descriptors').
  std::optional<hw::ModelHwConfig> config;
};

std::vector<Suggestion> Suggest(const ProfileSummary& profile, const SuggestOptions& options = {});

// On a Tenstorrent device (from the roofline estimate of each measured op, DeviceRoofline): weight-reading
// ops bandwidth-bound there get a smaller weight format; matmuls compute-bound there at the assumed fidelity
// get LoFi, with the gain the fidelity peaks predict (nothing when the estimate already assumes LoFi).
std::vector<Suggestion> SuggestForDevice(const ProfileSummary& profile, const DeviceModel& device,
                                         const SuggestOptions& options = {});

// Estimated time of `op` with its weights stored at `bytes_per_value`: near its roofline (at least
// `near_roofline` of it), its measured time scaled by the bytes it would move; far from it, its time less the
// saved bytes at the machine's full bandwidth. Never below its compute floor. Memory-bound ops only.
double EstimateSecondsWithWeightBytes(const Stats& op, double bytes_per_value, const MachineLimits& machine,
                                      double near_roofline = 0.25);

// The proto enum name (core/hwconfig/proto/numerics.proto) of a ttt::DType, e.g. "BFP8".
std::string HwDTypeName(int dtype);

}  // namespace ttt::profiler
