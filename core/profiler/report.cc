#include "core/profiler/report.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/runtime/dtype.h"

namespace ttt::profiler {
namespace {

std::string OpLabel(const Stats& s) { return s.module.empty() ? s.name : absl::StrCat(s.module, ".", s.name); }

// Time per step in microseconds: comparable between runs of different lengths.
double UsPerStep(double seconds, const PhaseSummary& p) { return p.steps > 0 ? 1e6 * seconds / p.steps : 0; }

void OpsTable(const ProfileSummary& profile, const PhaseSummary& p, const ReportOptions& options, std::string& out) {
  const MachineLimits& m = profile.machine;
  absl::StrAppend(&out, "\nops (summed over layers; time per ", p.phase == Phase::kPrefill ? "chunk" : "step",
                  ")\n");
  absl::StrAppend(&out, "| op | weights | us/step | share | MB/step | MFLOP/step | GB/s | GFLOP/s | FLOP/B | bound "
                        "| of roofline |");
  if (options.device != nullptr) absl::StrAppend(&out, " ", options.device->name, " est. us | ", options.device->name, " bound |");
  absl::StrAppend(&out, "\n|---|---|---|---|---|---|---|---|---|---|---|");
  if (options.device != nullptr) absl::StrAppend(&out, "---|---|");
  absl::StrAppend(&out, "\n");
  for (const Stats& s : p.ops) {
    const Roofline r = PlaceOnRoofline(s, m);
    absl::StrAppendFormat(&out, "| %s | %s | %.1f | %.1f%% | %.2f | %.2f | %.1f | %.1f | %.2f | %s | %.0f%% |",
                          OpLabel(s), WeightDTypeName(s.weight_dtype), UsPerStep(s.seconds, p),
                          100 * s.seconds / p.seconds, s.bytes / p.steps / 1e6, s.flops / p.steps / 1e6,
                          s.bandwidth() / 1e9, s.flop_rate() / 1e9, s.intensity(),
                          r.memory_bound ? "memory" : "compute", 100 * r.fraction);
    if (options.device != nullptr) {
      const DeviceEstimate d = EstimateOnDevice(s, *options.device);
      absl::StrAppendFormat(&out, " %.2f | %s |", UsPerStep(d.seconds, p), d.memory_bound ? "memory" : "compute");
    }
    absl::StrAppend(&out, "\n");
  }
  const double untraced = p.seconds - p.op_seconds();
  absl::StrAppendFormat(&out, "| (between ops) | | %.1f | %.1f%% | | | | | | | |%s\n", UsPerStep(untraced, p),
                        100 * untraced / p.seconds, options.device != nullptr ? " | |" : "");
}

void ModulesTable(const PhaseSummary& p, std::string& out) {
  absl::StrAppend(&out, "\nmodules (summed over layers)\n| module | us/step | share | MB/step | GB/s | GFLOP/s |\n"
                        "|---|---|---|---|---|---|\n");
  for (const Stats& s : p.modules) {
    absl::StrAppendFormat(&out, "| %s | %.1f | %.1f%% | %.2f | %.1f | %.1f |\n", s.name, UsPerStep(s.seconds, p),
                          100 * s.seconds / p.seconds, s.bytes / p.steps / 1e6, s.bandwidth() / 1e9,
                          s.flop_rate() / 1e9);
  }
}

void LayersTable(const PhaseSummary& p, std::string& out) {
  if (p.layers.empty()) return;
  // Columns: the op kinds inside layers, in the order of the ops table (largest first).
  std::vector<std::string> columns;
  std::set<std::string> seen;
  std::map<std::pair<int, std::string>, double> seconds;
  for (const Stats& s : p.layer_ops) {
    if (s.layer < 0) continue;
    seconds[{s.layer, OpLabel(s)}] += s.seconds;
    seen.insert(OpLabel(s));
  }
  for (const Stats& s : p.ops) {
    if (seen.count(OpLabel(s)) != 0) columns.push_back(OpLabel(s));
  }
  absl::StrAppend(&out, "\nlayers (us per step)\n| layer | total | GB/s | GFLOP/s |");
  for (const std::string& c : columns) absl::StrAppend(&out, " ", c, " |");
  absl::StrAppend(&out, "\n|---|---|---|---|");
  for (size_t i = 0; i < columns.size(); ++i) absl::StrAppend(&out, "---|");
  absl::StrAppend(&out, "\n");
  for (const Stats& l : p.layers) {
    absl::StrAppendFormat(&out, "| %d | %.1f | %.1f | %.1f |", l.layer, UsPerStep(l.seconds, p), l.bandwidth() / 1e9,
                          l.flop_rate() / 1e9);
    for (const std::string& c : columns) {
      auto it = seconds.find({l.layer, c});
      absl::StrAppendFormat(&out, " %.1f |", it == seconds.end() ? 0.0 : UsPerStep(it->second, p));
    }
    absl::StrAppend(&out, "\n");
  }
}

}  // namespace

std::string FormatReport(const ProfileSummary& profile, const std::vector<Suggestion>& suggestions,
                         const ReportOptions& options) {
  const MachineLimits& m = profile.machine;
  std::string out = absl::StrFormat("machine (%s): memory read %.1f GB/s, f32 GEMM peak %.1f GFLOP/s", m.name,
                                    m.bandwidth / 1e9, m.peak_flops / 1e9);
  for (const auto& [dtype, peak] : m.weight_peak_flops) {
    absl::StrAppendFormat(&out, ", %s GEMM peak %.1f GFLOP/s", DTypeName(static_cast<DType>(dtype)), peak / 1e9);
  }
  absl::StrAppendFormat(&out, ", ridge point %.1f FLOP/byte\n", m.ridge());
  if (options.device != nullptr) {
    absl::StrAppendFormat(&out,
                          "device estimate (%s, one chip): DRAM %.0f GB/s achievable, matmul %.1f TFLOP/s at %s; "
                          "activations bf16, tt-metal's op model (notes §5.1)\n",
                          options.device->name, options.device->dram_bandwidth / 1e9,
                          options.device->peak(options.device->fidelity_phases) / 1e12,
                          options.device->fidelity_phases == 1   ? "LoFi"
                          : options.device->fidelity_phases == 2 ? "HiFi2"
                          : options.device->fidelity_phases == 3 ? "HiFi3"
                                                                 : "HiFi4");
  }
  if (profile.dropped_events > 0) {
    absl::StrAppendFormat(&out, "warning: %d scopes did not fit the trace buffer and are missing\n",
                          profile.dropped_events);
  }
  for (const PhaseSummary* p : {&profile.prefill, &profile.decode}) {
    if (p->empty()) continue;
    const bool prefill = p->phase == Phase::kPrefill;
    absl::StrAppendFormat(&out, "\n== %s: %d %s, %.0f tokens, %.2f ms, %.1f tokens/s\n", PhaseName(p->phase),
                          p->steps, prefill ? "chunk(s)" : "step(s)", p->tokens, 1e3 * p->seconds,
                          p->tokens / p->seconds);
    OpsTable(profile, *p, options, out);
    ModulesTable(*p, out);
    if (options.per_layer) LayersTable(*p, out);
  }
  bool above = false;
  for (const PhaseSummary* p : {&profile.prefill, &profile.decode}) {
    for (const Stats& s : p->ops) above = above || PlaceOnRoofline(s, m).fraction > 1.0;
  }
  if (above) {
    absl::StrAppend(&out, "\nnote: ops above 100% of the roofline read data the caches hold (the measured bandwidth is "
                          "DRAM's); estimates below assume their time still scales with their bytes.\n");
  }
  absl::StrAppend(&out, "\n== suggestions (gains are roofline estimates: each op's time scaled by the bytes it "
                        "would move, so they assume the new format's kernel streams as fast as the current one)\n");
  if (suggestions.empty()) absl::StrAppend(&out, "none: no bottleneck above the threshold has a known fix\n");
  int i = 0;
  for (const Suggestion& s : suggestions) {
    absl::StrAppendFormat(&out, "%d. %s\n   -> %s\n", ++i, s.finding, s.change);
    if (!s.apply.empty()) absl::StrAppendFormat(&out, "   apply: %s\n", s.apply);
  }
  return out;
}

}  // namespace ttt::profiler
