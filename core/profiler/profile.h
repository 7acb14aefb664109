// The profiler's analysis: recorded scopes (core/runtime/trace.h) summed per op kind, module kind and
// layer, for prefill and decode separately, and placed on the machine's roofline: achieved bandwidth and
// FLOP rate against the measured limits, and memory- or compute-bound by arithmetic intensity against the
// ridge point (peak FLOP/s / bandwidth).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/runtime/trace.h"

namespace ttt::profiler {

// The limits the measurements are judged against (CPU: measured on the spot, core/ops/machine_limits.h).
struct MachineLimits {
  std::string name = "cpu";
  double bandwidth = 0;  // bytes/s
  double peak_flops = 0; // FLOP/s of the f32 GEMM (what prompts of most weight formats run after decoding tiles)
  // The GEMM peak of prompts whose weights (ttt::DType) run a GEMM of their own (KernelTable::gemm, e.g. bf16
  // on vdpbf16ps; MeasureGemmPeak(threads, dtype)); other formats are judged against peak_flops.
  std::map<int, double> weight_peak_flops;
  double PeakFlops(int weight_dtype) const {
    const auto it = weight_peak_flops.find(weight_dtype);
    return it != weight_peak_flops.end() ? it->second : peak_flops;
  }
  // FLOP per byte at which the roofline turns from bandwidth to compute (for ops with these weights).
  double ridge(int weight_dtype = -1) const { return bandwidth > 0 ? PeakFlops(weight_dtype) / bandwidth : 0; }
};

// Sums over a set of scopes (one op kind, one module kind, one layer, ...).
struct Stats {
  std::string name;        // "ff1_3", "mlp", "layer 3", ...
  std::string module;      // module kind of an op ("attention"); empty for modules and layers
  int layer = -1;          // for per-layer rows; -1 when summed across layers
  int64_t count = 0;       // scopes
  double rows = 0;         // tokens or sequences processed, summed
  double seconds = 0;
  double bytes = 0;
  double flops = 0;
  double weight_bytes = 0;
  double weight_values = 0;  // weight values read, summed over scopes (FLOPs / (2 * rows) of each linear op)
  int weight_dtype = -1;   // ttt::DType of the weights; -1 none; -2 several

  double intensity() const { return bytes > 0 ? flops / bytes : 0; }  // FLOP/byte
  double bandwidth() const { return seconds > 0 ? bytes / seconds : 0; }
  double flop_rate() const { return seconds > 0 ? flops / seconds : 0; }
};

// Where an op sits on a roofline.
struct Roofline {
  bool memory_bound = true;
  double seconds = 0;   // the roofline's lower bound: max(bytes / bandwidth, flops / peak)
  double fraction = 0;  // of the roofline reached: roofline seconds / measured seconds
};
Roofline PlaceOnRoofline(const Stats& s, const MachineLimits& limits);

struct PhaseSummary {
  Phase phase = Phase::kDecode;
  int64_t steps = 0;   // prefill chunks or decode steps
  double tokens = 0;   // prompt tokens, or decoded tokens (sequences per step, summed)
  double seconds = 0;  // wall time of the steps
  double max_rows = 0; // largest chunk (prefill) or batch (decode) seen
  std::vector<Stats> ops;      // per op kind (module + name), across layers; largest time first
  std::vector<Stats> modules;  // per module kind, across layers; largest time first
  std::vector<Stats> layers;   // per layer (time of its scope, bytes and FLOPs of its ops), in layer order
  std::vector<Stats> layer_ops;  // per layer and op kind, in layer order
  double op_seconds() const;     // time inside op scopes; the rest of `seconds` is untraced glue
  bool empty() const { return steps == 0; }
};

struct ProfileSummary {
  MachineLimits machine;
  PhaseSummary prefill;
  PhaseSummary decode;
  int64_t dropped_events = 0;
  const PhaseSummary& phase(Phase p) const { return p == Phase::kPrefill ? prefill : decode; }
};

// Sums `events` (as returned by trace::Collect) per phase.
ProfileSummary Summarise(const std::vector<trace::Event>& events, const MachineLimits& machine);

// Bytes one weight value occupies in `dtype` (ttt::DType as int): f32 4, bf16 2, i8 1, bfp8 17/16, bfp4 9/16.
double BytesPerValue(int dtype);
std::string WeightDTypeName(int dtype);

}  // namespace ttt::profiler
