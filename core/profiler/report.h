// The profile as text: per phase, the op kinds, module kinds and layers with time, bytes, FLOPs, achieved
// GB/s and GFLOP/s, arithmetic intensity and bound against the machine's roofline; then the suggestions.
#pragma once

#include <string>
#include <vector>

#include "core/profiler/device_roofline.h"
#include "core/profiler/profile.h"
#include "core/profiler/suggestions.h"

namespace ttt::profiler {

struct ReportOptions {
  bool per_layer = true;  // the per-layer table (one row per layer, one column per op kind)
  // When set, each op also gets its estimated time on this Tenstorrent device (DeviceRoofline).
  const DeviceModel* device = nullptr;
};

std::string FormatReport(const ProfileSummary& profile, const std::vector<Suggestion>& suggestions,
                         const ReportOptions& options = {});

}  // namespace ttt::profiler
