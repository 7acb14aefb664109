// What a zoo model's device tests share: the device and mode they run on (chosen by the compatibility matrix
// through the environment), the accuracy line and the decode speed they report. The matrix (`ttt-gov matrix`)
// reads the `TTT_METRIC key=value ...` lines from the test output and judges them against the model's per-device
// targets (zoo/<model>/model.textproto), so the thresholds live in one place and the tests only measure.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/patterns/causal_lm.h"
#include "core/testing/reference_logits.h"

namespace ttt::testing {

// BuildOptions for TTT_DEVICE (default "cpu") and TTT_MODE ("performance" or "accuracy"; default accuracy, the
// BuildOptions default). An unknown mode is an error; an unknown device is reported by the model build.
absl::StatusOr<BuildOptions> BuildOptionsFromEnvironment();

// True when the options are the exact f32 CPU reference (device cpu, accuracy mode): the only case in which a
// test may assert its own tight tolerance; on emulated devices the matrix judges the metrics instead.
bool IsExactReference(const BuildOptions& options);

// "TTT_METRIC device=<d> pcc=... top1=... logit_error=..." (logit_error = max|error| / max|reference|).
std::string AccuracyMetricLine(const BuildOptions& options, const LogitsAgreement& agreement);

// Greedy decode speed: prefills `first_token`, then decodes `steps` tokens one at a time (argmax of the last
// logits); returns steps / wall seconds of the fastest of `repeats` decode loops, on one thread. Single sequence,
// as `ttt generate` runs. The fastest, because on a shared machine a run that loses the cores to another process for a
// moment is slower by orders of magnitude (measured: 4 instead of 2500 tokens/s during a parallel build).
absl::StatusOr<double> GreedyDecodeTokensPerSecond(const CausalLm& model, int32_t first_token, int64_t steps,
                                                   int repeats = 5);

// "TTT_METRIC device=<d> tokens_per_s=..."
std::string SpeedMetricLine(const BuildOptions& options, double tokens_per_s);

}  // namespace ttt::testing
