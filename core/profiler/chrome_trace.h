// Recorded scopes as Chrome trace-event JSON (opens in Perfetto and chrome://tracing): one "X" (complete)
// event per scope, ts and dur in microseconds from the first scope, nested step > layer > module > op by
// time on each recording thread (its own tid), with bytes, FLOPs, rows and the weight format in args.
// A worker thread's share of a parallel op (trace::Level::kWorker) is a "worker" slice on that worker's
// track. Metadata ("M") events name the process (`process_name`) and each thread, so viewers label tracks.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/runtime/trace.h"

namespace ttt::profiler {

std::string ChromeTraceJson(const std::vector<trace::Event>& events, const std::string& process_name = "ttt");
// Writes ChromeTraceJson to `path` atomically (a temporary file, then rename), so a reader never sees half.
absl::Status WriteChromeTrace(const std::string& path, const std::vector<trace::Event>& events,
                              const std::string& process_name = "ttt");

}  // namespace ttt::profiler
