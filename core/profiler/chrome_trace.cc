#include "core/profiler/chrome_trace.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/profiler/profile.h"
#include "core/runtime/mapped_file.h"
#include "nlohmann/json.hpp"

namespace ttt::profiler {
namespace {

const char* Category(trace::Level level) {
  switch (level) {
    case trace::Level::kStep: return "step";
    case trace::Level::kLayer: return "layer";
    case trace::Level::kModule: return "module";
    default: return "op";
  }
}

}  // namespace

std::string ChromeTraceJson(const std::vector<trace::Event>& events) {
  int64_t origin = std::numeric_limits<int64_t>::max();
  for (const trace::Event& e : events) origin = std::min(origin, e.start_ns);
  nlohmann::json list = nlohmann::json::array();
  for (const trace::Event& e : events) {
    if (e.end_ns == 0) continue;  // still open when recording stopped
    std::string name = e.name;
    if (e.level == trace::Level::kLayer) name = absl::StrCat("layer ", e.layer);
    nlohmann::json args = {{"phase", e.phase ? PhaseName(*e.phase) : "none"}, {"layer", e.layer}, {"rows", e.rows}};
    if (e.level == trace::Level::kOp) {
      args["bytes"] = e.bytes;
      args["flops"] = e.flops;
      if (e.weight_dtype >= 0) {
        args["weight_dtype"] = WeightDTypeName(e.weight_dtype);
        args["weight_bytes"] = e.weight_bytes;
      }
    }
    list.push_back({{"name", name},
                    {"cat", Category(e.level)},
                    {"ph", "X"},
                    {"ts", (e.start_ns - origin) / 1e3},
                    {"dur", (e.end_ns - e.start_ns) / 1e3},
                    {"pid", 1},
                    {"tid", e.thread + 1},
                    {"args", args}});
  }
  nlohmann::json doc = {{"traceEvents", list}, {"displayTimeUnit", "ns"}};
  return doc.dump();
}

absl::Status WriteChromeTrace(const std::string& path, const std::vector<trace::Event>& events) {
  absl::Status s = WriteFileAtomically(path, ChromeTraceJson(events));
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("writing the trace to ", path, ": ", s.message()));
  return s;
}

}  // namespace ttt::profiler
