#include "core/profiler/profile.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/runtime/dtype.h"
#include "core/runtime/dtype_traits.h"

namespace ttt::profiler {
namespace {

double Seconds(const trace::Event& e) { return e.end_ns > e.start_ns ? (e.end_ns - e.start_ns) * 1e-9 : 0; }

void Add(Stats& s, const trace::Event& e) {
  s.count += 1;
  s.rows += static_cast<double>(e.rows);
  s.seconds += Seconds(e);
  s.bytes += e.bytes;
  s.flops += e.flops;
  s.weight_bytes += e.weight_bytes;
  if (e.weight_bytes > 0 && e.rows > 0) s.weight_values += e.flops / (2.0 * static_cast<double>(e.rows));
  if (s.count == 1) {
    s.weight_dtype = e.weight_dtype;
  } else if (s.weight_dtype != e.weight_dtype) {
    s.weight_dtype = -2;
  }
}

// The module kind enclosing event `i` ("" when none).
std::string ModuleOf(const std::vector<trace::Event>& events, int32_t i) {
  for (int32_t p = events[i].parent; p >= 0; p = events[p].parent) {
    if (events[p].level == trace::Level::kModule) return events[p].name;
  }
  return "";
}

std::vector<Stats> ByTimeDescending(std::map<std::string, Stats>& m) {
  std::vector<Stats> v;
  for (auto& [key, s] : m) v.push_back(s);
  std::stable_sort(v.begin(), v.end(), [](const Stats& a, const Stats& b) { return a.seconds > b.seconds; });
  return v;
}

PhaseSummary SummarisePhase(const std::vector<trace::Event>& events, Phase phase) {
  PhaseSummary out;
  out.phase = phase;
  std::map<std::string, Stats> ops, modules;
  std::map<int, Stats> layers;
  std::map<std::tuple<int, std::string>, Stats> layer_ops;
  for (int32_t i = 0; i < static_cast<int32_t>(events.size()); ++i) {
    const trace::Event& e = events[i];
    if (e.phase != phase || e.end_ns == 0) continue;
    switch (e.level) {
      case trace::Level::kStep:
        out.steps += 1;
        out.tokens += static_cast<double>(e.rows);
        out.seconds += Seconds(e);
        out.max_rows = std::max(out.max_rows, static_cast<double>(e.rows));
        break;
      case trace::Level::kLayer: {
        Stats& s = layers[e.layer];
        s.name = absl::StrCat("layer ", e.layer);
        s.layer = e.layer;
        s.count += 1;
        s.seconds += Seconds(e);
        break;
      }
      case trace::Level::kModule: {
        Stats& s = modules[e.name];
        s.name = e.name;
        const double bytes = s.bytes, flops = s.flops, wbytes = s.weight_bytes;  // filled from its ops below
        Add(s, e);
        s.bytes = bytes, s.flops = flops, s.weight_bytes = wbytes;
        break;
      }
      case trace::Level::kOp: {
        const std::string module = ModuleOf(events, i);
        const std::string key = absl::StrCat(module, "/", e.name);
        Stats& s = ops[key];
        s.name = e.name;
        s.module = module;
        Add(s, e);
        Stats& lo = layer_ops[{e.layer, key}];
        lo.name = e.name;
        lo.module = module;
        lo.layer = e.layer;
        Add(lo, e);
        if (!module.empty()) {
          Stats& m = modules[module];
          m.name = module;
          m.bytes += e.bytes;
          m.flops += e.flops;
          m.weight_bytes += e.weight_bytes;
        }
        if (e.layer >= 0) {
          Stats& l = layers[e.layer];
          l.bytes += e.bytes;
          l.flops += e.flops;
          l.weight_bytes += e.weight_bytes;
        }
        break;
      }
      case trace::Level::kWorker:
        break;  // a worker's share of an op: the op's own scope holds its time, bytes and FLOPs
    }
  }
  out.ops = ByTimeDescending(ops);
  out.modules = ByTimeDescending(modules);
  for (auto& [layer, s] : layers) out.layers.push_back(s);
  for (auto& [key, s] : layer_ops) out.layer_ops.push_back(s);
  return out;
}

}  // namespace

double PhaseSummary::op_seconds() const {
  double total = 0;
  for (const Stats& s : ops) total += s.seconds;
  return total;
}

Roofline PlaceOnRoofline(const Stats& s, const MachineLimits& limits) {
  Roofline r;
  const double memory_s = limits.bandwidth > 0 ? s.bytes / limits.bandwidth : 0;
  const double peak = limits.PeakFlops(s.weight_dtype);
  const double compute_s = peak > 0 ? s.flops / peak : 0;
  r.memory_bound = s.intensity() < limits.ridge(s.weight_dtype);
  r.seconds = std::max(memory_s, compute_s);
  r.fraction = s.seconds > 0 ? r.seconds / s.seconds : 0;
  return r;
}

ProfileSummary Summarise(const std::vector<trace::Event>& events, const MachineLimits& machine) {
  ProfileSummary out;
  out.machine = machine;
  out.prefill = SummarisePhase(events, Phase::kPrefill);
  out.decode = SummarisePhase(events, Phase::kDecode);
  return out;
}

double BytesPerValue(int dtype) {
  // Ops without a weight (-1) and mixed groups (-2) are costed as f32.
  return dtype >= 0 ? Traits(static_cast<DType>(dtype)).bytes_per_value : 4;
}

std::string WeightDTypeName(int dtype) {
  if (dtype == -1) return "-";
  if (dtype == -2) return "mixed";
  return std::string(DTypeName(static_cast<DType>(dtype)));
}

}  // namespace ttt::profiler
