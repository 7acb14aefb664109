#include "core/profiler/chrome_trace.h"

#include <algorithm>
#include <limits>
#include <set>

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
    case trace::Level::kWorker: return "worker";
    default: return "op";
  }
}

}  // namespace

std::string ChromeTraceJson(const std::vector<trace::Event>& events, const std::string& process_name) {
  int64_t origin = std::numeric_limits<int64_t>::max();
  std::set<int32_t> threads;
  for (const trace::Event& e : events) {
    origin = std::min(origin, e.start_ns);
    threads.insert(e.thread);
  }
  nlohmann::json list = nlohmann::json::array();
  list.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 0}, {"args", {{"name", process_name}}}});
  for (const int32_t t : threads) {
    // The recorder numbers threads in order of first use: 0 is the one that ran the first step.
    list.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", t + 1},
                    {"args", {{"name", t == 0 ? std::string("steps (thread 0)") : absl::StrCat("thread ", t)}}}});
    list.push_back({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 1}, {"tid", t + 1}, {"args", {{"sort_index", t}}}});
  }
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

absl::Status WriteChromeTrace(const std::string& path, const std::vector<trace::Event>& events,
                              const std::string& process_name) {
  absl::Status s = WriteFileAtomically(path, ChromeTraceJson(events, process_name));
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("writing the trace to ", path, ": ", s.message()));
  return s;
}

}  // namespace ttt::profiler
