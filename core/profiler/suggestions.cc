#include "core/profiler/suggestions.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/blocks/module_registry.h"
#include "core/hwconfig/hw_enums.h"
#include "core/runtime/dtype.h"
#include "core/runtime/dtype_traits.h"
#include "google/protobuf/text_format.h"

namespace ttt::profiler {
namespace {

constexpr int kBfp8 = static_cast<int>(DType::kBFP8);
constexpr int kBfp4 = static_cast<int>(DType::kBFP4);

// Ops that read weights and are below the ridge point: the ones a smaller weight format speeds up.
bool WeightReadBound(const Stats& op, const MachineLimits& machine) {
  return op.weight_dtype >= 0 && op.weight_bytes > 0 && PlaceOnRoofline(op, machine).memory_bound;
}

struct Estimate {
  double before = 0, after = 0;  // seconds of the ops concerned
  std::vector<const Stats*> ops;
};

// The ops of `candidates` a move to `target` shrinks, and their time before and after.
Estimate EstimateMove(const std::vector<const Stats*>& candidates, int target, const MachineLimits& machine,
                      double near_roofline) {
  Estimate e;
  for (const Stats* op : candidates) {
    if (BytesPerValue(op->weight_dtype) <= BytesPerValue(target)) continue;
    e.ops.push_back(op);
    e.before += op->seconds;
    e.after += EstimateSecondsWithWeightBytes(*op, BytesPerValue(target), machine, near_roofline);
  }
  return e;
}

double Amdahl(double phase_seconds, const Estimate& e) {
  const double after = phase_seconds - e.before + e.after;
  return after > 0 ? phase_seconds / after : 1;
}

std::string DtypeOfOps(const std::vector<const Stats*>& ops) {
  int dtype = ops.empty() ? -1 : ops.front()->weight_dtype;
  for (const Stats* op : ops) {
    if (op->weight_dtype != dtype) return "mixed";
  }
  return WeightDTypeName(dtype);
}

std::vector<std::string> Names(const std::vector<const Stats*>& ops) {
  std::vector<std::string> names;
  for (const Stats* op : ops) names.push_back(op->name);
  return names;
}

// Whether a config of module kind `module` sets op `op` (a weight op when `weight`): the suggestions name
// only what resolution accepts.
bool ConfigurableOp(const std::string& module, const std::string& op, bool weight, const SuggestOptions& options) {
  const auto kind = options.module_kinds.find(module);
  const ModuleDescriptor* d =
      options.kinds->FindKind(kind == options.module_kinds.end() ? module : kind->second);
  const OpDecl* decl = d != nullptr && d->configurable() ? d->FindOp(op) : nullptr;
  return decl != nullptr && (!weight || decl->weight);
}

// The ModelHwConfig that sets `fields` on `ops` of module `module` in `phase`.
hw::ModelHwConfig ModuleChange(const std::string& module, Phase phase, const std::vector<std::string>& ops,
                               const hw::OpConfig& fields) {
  hw::ModelHwConfig config;
  hw::ModuleHwConfig& m = (*config.mutable_defaults())[module];
  hw::ModuleConfig& c = phase == Phase::kPrefill ? *m.mutable_prefill() : *m.mutable_decode();
  for (const std::string& op : ops) (*c.mutable_ops())[op] = fields;
  return config;
}

std::string ApplyWith(const hw::ModelHwConfig& config) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  std::string text;
  printer.PrintToString(config, &text);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return absl::StrCat("--hw-config with: ", text);
}

hw::OpConfig WeightDtypeChange(int dtype) {
  hw::OpConfig c;
  c.set_weight_dtype(ToHwDType(static_cast<DType>(dtype)));
  return c;
}

std::string CliWeightsName(int dtype) { return std::string(Traits(static_cast<DType>(dtype)).flag_name); }

void WeightSuggestions(const ProfileSummary& profile, const PhaseSummary& phase, const SuggestOptions& options,
                       std::vector<Suggestion>& out) {
  const MachineLimits& m = profile.machine;
  std::map<std::string, std::vector<const Stats*>> by_module;
  std::vector<const Stats*> all;
  for (const Stats& op : phase.ops) {
    if (!WeightReadBound(op, m)) continue;
    all.push_back(&op);
    // Per-module changes only for ops a config of that module sets (every weight op of a registered kind).
    if (ConfigurableOp(op.module, op.name, true, options)) by_module[op.module].push_back(&op);
  }
  auto fill = [&](Suggestion& s, const std::vector<const Stats*>& candidates) -> bool {
    // BFP8 first (TT-Transformers' accuracy choice for FFN and attention weights); BFP4 when already BFP8.
    Estimate primary = EstimateMove(candidates, kBfp8, m, options.near_roofline);
    int target = kBfp8;
    if (primary.ops.empty()) {
      primary = EstimateMove(candidates, kBfp4, m, options.near_roofline);
      target = kBfp4;
    }
    if (primary.ops.empty() || phase.seconds <= 0 || primary.before / phase.seconds < options.min_share ||
        primary.after <= 0 || primary.before / primary.after < options.min_op_speedup) {
      return false;
    }
    s.phase = phase.phase;
    s.ops = Names(primary.ops);
    s.share = primary.before / phase.seconds;
    s.from_dtype = primary.ops.front()->weight_dtype;
    for (const Stats* op : primary.ops) s.from_dtype = op->weight_dtype == s.from_dtype ? s.from_dtype : -2;
    s.to_dtype = target;
    s.op_speedup = primary.after > 0 ? primary.before / primary.after : 1;
    s.phase_speedup = Amdahl(phase.seconds, primary);
    if (target == kBfp8) {
      const Estimate alt = EstimateMove(candidates, kBfp4, m, options.near_roofline);
      s.alt_dtype = kBfp4;
      s.alt_op_speedup = alt.after > 0 ? alt.before / alt.after : 1;
      s.alt_phase_speedup = Amdahl(phase.seconds, alt);
    }
    double bytes = 0, seconds = 0;
    for (const Stats* op : primary.ops) bytes += op->bytes, seconds += op->seconds;
    s.finding = absl::StrFormat(
        "%s is memory-bound reading %s weights of %s: %.0f%% of %s time, %.1f GB/s (%.0f%% of %.1f GB/s)",
        PhaseName(phase.phase), DtypeOfOps(primary.ops), absl::StrJoin(s.ops, ", "), 100 * s.share,
        PhaseName(phase.phase), bytes / seconds / 1e9, 100 * bytes / seconds / m.bandwidth, m.bandwidth / 1e9);
    return true;
  };

  for (auto& [module, candidates] : by_module) {
    Suggestion s;
    s.kind = Suggestion::Kind::kWeightDtype;
    s.module = module;
    if (!fill(s, candidates)) continue;
    s.config = ModuleChange(module, s.phase, s.ops, WeightDtypeChange(s.to_dtype));
    s.change = absl::StrFormat(
        "set %s weight dtype to %s -> est. %.2fx on these ops (bytes per value %.4g -> %.4g), est. %s speedup "
        "%.2fx",
        absl::StrJoin(s.ops, ", "), HwDTypeName(s.to_dtype), s.op_speedup,
        s.from_dtype >= 0 ? BytesPerValue(s.from_dtype) : 0.0, BytesPerValue(s.to_dtype), PhaseName(s.phase),
        s.phase_speedup);
    if (s.alt_dtype >= 0) {
      absl::StrAppendFormat(&s.change, "; %s: est. %.2fx on these ops, %.2fx on %s (less accurate)",
                            HwDTypeName(s.alt_dtype), s.alt_op_speedup, s.alt_phase_speedup, PhaseName(s.phase));
    }
    s.apply = ApplyWith(*s.config);
    out.push_back(std::move(s));
  }
  // Every weight at once: what `--weights` does.
  std::set<std::string> modules;
  for (const Stats* op : all) modules.insert(op->module);
  if (modules.size() > 1) {
    Suggestion s;
    s.kind = Suggestion::Kind::kAllWeightsDtype;
    if (fill(s, all)) {
      s.change = absl::StrFormat("store every linear weight as %s -> est. %.2fx on these ops, est. %s speedup %.2fx",
                                 HwDTypeName(s.to_dtype), s.op_speedup, PhaseName(s.phase), s.phase_speedup);
      if (s.alt_dtype >= 0) {
        absl::StrAppendFormat(&s.change, "; %s: est. %.2fx on %s (less accurate)", HwDTypeName(s.alt_dtype),
                              s.alt_phase_speedup, PhaseName(s.phase));
      }
      s.apply = absl::StrCat("--weights ", CliWeightsName(s.to_dtype));
      out.push_back(std::move(s));
    }
  }
}

// Ops far below their roofline: neither bytes nor FLOPs explain their time, so no format change will.
void OverheadFinding(const ProfileSummary& profile, const PhaseSummary& phase, const SuggestOptions& options,
                     std::vector<Suggestion>& out) {
  std::vector<const Stats*> slow;
  double seconds = 0, roofline = 0;
  int64_t calls = 0;
  for (const Stats& op : phase.ops) {
    const Roofline r = PlaceOnRoofline(op, profile.machine);
    if (r.fraction >= options.near_roofline) continue;
    slow.push_back(&op);
    seconds += op.seconds;
    roofline += r.seconds;
    calls += op.count;
  }
  if (slow.empty() || phase.seconds <= 0 || seconds / phase.seconds < options.min_share) return;
  Suggestion s;
  s.kind = Suggestion::Kind::kOverheadBound;
  s.phase = phase.phase;
  s.ops = Names(slow);
  s.share = seconds / phase.seconds;
  s.finding = absl::StrFormat("%s spends %.0f%% of its time in %s at %.0f%% of their roofline (%.1f us per call): "
                              "neither bandwidth nor FLOPs limit them",
                              PhaseName(phase.phase), 100 * s.share, absl::StrJoin(s.ops, ", "),
                              100 * roofline / seconds, 1e6 * seconds / static_cast<double>(calls));
  s.change = "per-call overhead dominates (thread wake-ups, tiny shapes, a busy machine): a smaller weight format "
             "saves only the bytes' time at full bandwidth; try --threads 1 for a model this small, or a quieter "
             "machine";
  out.push_back(s);
}

void ComputeSuggestions(const ProfileSummary& profile, const PhaseSummary& phase, const SuggestOptions& options,
                        std::vector<Suggestion>& out) {
  const MachineLimits& m = profile.machine;
  std::vector<const Stats*> bound;
  double seconds = 0, flops = 0, at_peak = 0;  // at_peak: the ops' time at their formats' GEMM peaks
  for (const Stats& op : phase.ops) {
    if (PlaceOnRoofline(op, m).memory_bound) continue;
    bound.push_back(&op);
    seconds += op.seconds;
    flops += op.flops;
    at_peak += op.flops / m.PeakFlops(op.weight_dtype);
  }
  if (bound.empty() || phase.seconds <= 0 || seconds / phase.seconds < options.min_share) return;
  Suggestion s;
  s.kind = Suggestion::Kind::kComputeBound;
  s.phase = phase.phase;
  s.ops = Names(bound);
  s.share = seconds / phase.seconds;
  const double rate = flops / seconds, peak = flops / at_peak;
  s.finding = absl::StrFormat("%s is compute-bound in %s: %.0f%% of %s time at %.1f GFLOP/s, %.0f%% of the %s "
                              "GEMM peak (%.1f GFLOP/s)",
                              PhaseName(phase.phase), absl::StrJoin(s.ops, ", "), 100 * s.share,
                              PhaseName(phase.phase), rate / 1e9, 100 * rate / peak, m.name, peak / 1e9);
  // Reaching the peak is the most this phase can gain without doing fewer FLOPs.
  Estimate e;
  e.before = seconds;
  e.after = std::min(seconds, at_peak);
  s.op_speedup = e.after > 0 ? e.before / e.after : 1;
  s.phase_speedup = Amdahl(phase.seconds, e);
  s.change = absl::StrFormat(
      "a smaller weight format does not speed these ops up (they are limited by FLOPs, not bytes); at most "
      "%.2fx on them by reaching the GEMM peak (%.2fx on %s)",
      s.op_speedup, s.phase_speedup, PhaseName(phase.phase));
  out.push_back(s);
}

// A prompt split into small chunks reads every weight once per chunk: larger chunks read them fewer times
// and give the GEMMs more rows. Estimated for the weight-reading ops with weight bytes scaled by the chunk
// ratio (never below their compute floor at the GEMM peak).
void ChunkSuggestion(const ProfileSummary& profile, const PhaseSummary& phase, const SuggestOptions& options,
                     std::vector<Suggestion>& out) {
  if (phase.phase != Phase::kPrefill || phase.steps < 2 || phase.max_rows <= 0 ||
      phase.max_rows >= options.small_chunk_tokens || phase.seconds <= 0) {
    return;
  }
  const double new_chunk = std::min(256.0, phase.tokens);
  if (new_chunk <= phase.max_rows) return;
  Estimate e;
  std::vector<const Stats*> ops;
  for (const Stats& op : phase.ops) {
    if (op.weight_bytes <= 0 || op.bytes <= 0) continue;
    ops.push_back(&op);
    e.before += op.seconds;
    const double bytes = op.bytes - op.weight_bytes + op.weight_bytes * phase.max_rows / new_chunk;
    e.after += std::min(op.seconds, std::max(op.seconds * bytes / op.bytes, op.flops / profile.machine.PeakFlops(op.weight_dtype)));
  }
  if (ops.empty() || e.before / phase.seconds < options.min_share) return;
  Suggestion c;
  c.kind = Suggestion::Kind::kPrefillChunk;
  c.phase = phase.phase;
  c.ops = Names(ops);
  c.share = e.before / phase.seconds;
  c.op_speedup = e.after > 0 ? e.before / e.after : 1;
  c.phase_speedup = Amdahl(phase.seconds, e);
  c.finding = absl::StrFormat("prefill runs in %d chunks of at most %.0f tokens: every weight is read once per chunk",
                              phase.steps, phase.max_rows);
  c.change = absl::StrFormat("raise the prefill chunk to %.0f tokens -> est. %.2fx on %s, est. prefill speedup %.2fx",
                             new_chunk, c.op_speedup, absl::StrJoin(c.ops, ", "), c.phase_speedup);
  c.apply = absl::StrFormat("--prefill-chunk %.0f (C++: CausalLm::NewState(batch, context, %.0f))", new_chunk,
                            new_chunk);
  out.push_back(c);
}

}  // namespace

double EstimateSecondsWithWeightBytes(const Stats& op, double bytes_per_value, const MachineLimits& machine,
                                      double near_roofline) {
  if (op.bytes <= 0 || op.seconds <= 0) return op.seconds;
  const double new_bytes = op.bytes - op.weight_bytes + op.weight_values * bytes_per_value;
  double estimate = op.seconds * new_bytes / op.bytes;
  if (PlaceOnRoofline(op, machine).fraction < near_roofline && machine.bandwidth > 0) {
    estimate = op.seconds - (op.bytes - new_bytes) / machine.bandwidth;
  }
  const double compute_floor = machine.peak_flops > 0 ? op.flops / machine.peak_flops : 0;
  return std::min(op.seconds, std::max(estimate, compute_floor));  // fewer bytes never make an op slower
}

std::string HwDTypeName(int dtype) {
  return hw::DType_Name(dtype >= 0 ? ToHwDType(static_cast<DType>(dtype)) : hw::DTYPE_UNSPECIFIED);
}

// Weight-reading ops bandwidth-bound on the device: the device time with the weights in BFP8 (or BFP4 when
// already BFP8), from the same op model.
void DeviceWeightSuggestions(const PhaseSummary& phase, const DeviceModel& device, double total,
                             const SuggestOptions& options, std::vector<Suggestion>& out) {
  std::map<std::string, std::vector<const Stats*>> by_module;
  for (const Stats& op : phase.ops) {
    if (op.weight_dtype >= 0 && op.weight_bytes > 0 && EstimateOnDevice(op, device).memory_bound &&
        ConfigurableOp(op.module, op.name, true, options)) {
      by_module[op.module].push_back(&op);
    }
  }
  for (auto& [module, ops] : by_module) {
    for (int target : {kBfp8, kBfp4}) {
      Estimate e;
      for (const Stats* op : ops) {
        if (BytesPerValue(op->weight_dtype) <= BytesPerValue(target)) continue;
        Stats moved = *op;
        moved.weight_bytes = op->weight_values * BytesPerValue(target);
        moved.bytes = op->bytes - op->weight_bytes + moved.weight_bytes;
        e.ops.push_back(op);
        e.before += EstimateOnDevice(*op, device).seconds;
        e.after += EstimateOnDevice(moved, device).seconds;
      }
      if (e.ops.empty()) continue;  // already this small: try the next format
      if (e.before / total < options.min_share || e.after <= 0 || e.before / e.after < options.min_op_speedup) break;
      Suggestion s;
      s.kind = Suggestion::Kind::kDeviceWeightDtype;
      s.phase = phase.phase;
      s.module = module;
      s.ops = Names(e.ops);
      s.share = e.before / total;
      s.from_dtype = e.ops.front()->weight_dtype;
      s.to_dtype = target;
      s.op_speedup = e.before / e.after;
      s.phase_speedup = Amdahl(total, e);
      s.finding = absl::StrFormat("on %s (estimate), %s is bandwidth-bound reading %s weights of %s: %.0f%% of the "
                                  "estimated %s time",
                                  device.name, PhaseName(phase.phase), DtypeOfOps(e.ops), absl::StrJoin(s.ops, ", "),
                                  100 * s.share, PhaseName(phase.phase));
      s.change = absl::StrFormat("set %s weight dtype to %s -> est. %.2fx on these ops, %.2fx on %s on %s",
                                 absl::StrJoin(s.ops, ", "), HwDTypeName(target), s.op_speedup, s.phase_speedup,
                                 PhaseName(phase.phase), device.name);
      s.config = ModuleChange(module, s.phase, s.ops, WeightDtypeChange(target));
      s.apply = ApplyWith(*s.config);
      out.push_back(std::move(s));
      break;  // one format per module: BFP8 first
    }
  }
}

std::vector<Suggestion> SuggestForDevice(const ProfileSummary& profile, const DeviceModel& device,
                                         const SuggestOptions& options) {
  std::vector<Suggestion> out;
  for (const PhaseSummary* phase : {&profile.decode, &profile.prefill}) {
    double total = 0;
    for (const Stats& op : phase->ops) total += EstimateOnDevice(op, device).seconds;
    if (total <= 0) continue;
    DeviceWeightSuggestions(*phase, device, total, options, out);
    if (device.fidelity_phases <= 1 || device.peak(1) <= 0) continue;
    std::map<std::string, std::vector<const Stats*>> by_module;
    for (const Stats& op : phase->ops) {
      if (!EstimateOnDevice(op, device).memory_bound && ConfigurableOp(op.module, op.name, false, options)) {
        by_module[op.module].push_back(&op);
      }
    }
    for (auto& [module, ops] : by_module) {
      Estimate e;
      for (const Stats* op : ops) {
        e.before += EstimateOnDevice(*op, device).seconds;
        e.after += EstimateOnDevice(*op, device, 1).seconds;
      }
      if (e.before / total < options.min_share || e.after >= e.before) continue;
      Suggestion s;
      s.kind = Suggestion::Kind::kDeviceFidelity;
      s.phase = phase->phase;
      s.module = module;
      s.ops = Names(ops);
      hw::OpConfig lofi;
      lofi.set_math_fidelity(hw::LOFI);
      s.config = ModuleChange(module, s.phase, s.ops, lofi);
      s.share = e.before / total;
      s.op_speedup = e.before / e.after;
      s.phase_speedup = Amdahl(total, e);
      s.finding = absl::StrFormat("on %s (estimate), %s %s is compute-bound at HiFi%d: %.0f%% of the estimated %s time",
                                  device.name, PhaseName(phase->phase), absl::StrJoin(s.ops, ", "),
                                  device.fidelity_phases, 100 * s.share, PhaseName(phase->phase));
      s.change = absl::StrFormat("set math_fidelity LOFI for %s -> est. %.2fx on these ops, %.2fx on %s on %s "
                                 "(fewer multiplier bits: check accuracy, notes §2.3)",
                                 absl::StrJoin(s.ops, ", "), s.op_speedup, s.phase_speedup, PhaseName(phase->phase),
                                 device.name);
      s.apply = ApplyWith(*s.config);
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::vector<Suggestion> Suggest(const ProfileSummary& profile, const SuggestOptions& options) {
  std::vector<Suggestion> out;
  for (const PhaseSummary* phase : {&profile.decode, &profile.prefill}) {
    if (phase->empty()) continue;
    std::vector<Suggestion> found;
    WeightSuggestions(profile, *phase, options, found);
    ComputeSuggestions(profile, *phase, options, found);
    ChunkSuggestion(profile, *phase, options, found);
    OverheadFinding(profile, *phase, options, found);
    // Within a phase, the largest estimated gain first.
    std::stable_sort(found.begin(), found.end(),
                     [](const Suggestion& a, const Suggestion& b) { return a.phase_speedup > b.phase_speedup; });
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace ttt::profiler
