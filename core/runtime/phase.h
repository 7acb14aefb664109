// The two ways a model runs, one type for the whole library: blocks choose kernels and weight copies by it,
// the trace tags steps with it, hardware configs hold one set of op settings per phase (ttt.hw.ModuleConfig
// `prefill` / `decode`), and the profiler reports per phase.
#pragma once

#include <array>
#include <cstdint>

namespace ttt {

enum class Phase : uint8_t {
  kPrefill = 0,  // many tokens at once (a prompt chunk): throughput, matrix-matrix
  kDecode = 1,   // one token per sequence against the KV cache: latency, matrix-vector
};

inline constexpr std::array<Phase, 2> kPhases = {Phase::kPrefill, Phase::kDecode};

inline const char* PhaseName(Phase phase) { return phase == Phase::kPrefill ? "prefill" : "decode"; }

}  // namespace ttt
