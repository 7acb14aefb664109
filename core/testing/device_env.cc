#include "core/testing/device_env.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"

namespace ttt::testing {

absl::StatusOr<BuildOptions> BuildOptionsFromEnvironment() {
  BuildOptions options;
  if (const char* device = std::getenv("TTT_DEVICE"); device != nullptr && *device != '\0') options.device = device;
  if (const char* mode = std::getenv("TTT_MODE"); mode != nullptr && *mode != '\0') {
    const std::string m = mode;
    if (m == "performance") {
      options.mode = hw::PERFORMANCE;
    } else if (m == "accuracy") {
      options.mode = hw::ACCURACY;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("TTT_MODE='", m, "': use performance or accuracy"));
    }
  }
  return options;
}

bool IsExactReference(const BuildOptions& options) { return options.device == "cpu" && options.mode == hw::ACCURACY; }

std::string AccuracyMetricLine(const BuildOptions& options, const LogitsAgreement& a) {
  return absl::StrFormat("TTT_METRIC device=%s pcc=%.6f top1=%.4f logit_error=%.3g", options.device, a.pcc, a.top1,
                         a.relative_error());
}

absl::StatusOr<double> GreedyDecodeTokensPerSecond(const CausalLm& model, int32_t first_token, int64_t steps,
                                                   int repeats) {
  if (steps <= 0 || repeats <= 0) return absl::InvalidArgumentError("decode steps and repeats must be positive");
  TTT_ASSIGN_OR_RETURN(auto state, model.NewState(1, steps + 1));
  std::vector<float> logits(model.vocab_size());
  // One thread: a tiny model's single-sequence decode gains nothing from a second one, and an OpenMP team on
  // shared cores collapses whenever a neighbour holds a core (measured: 6 instead of 2500 tokens/s during another
  // build), so the number would measure the neighbour instead of the decode path. Restored on every return.
  struct SingleThread {
    int saved = NumThreads();
    SingleThread() { SetNumThreads(1); }
    ~SingleThread() { SetNumThreads(saved); }
  } single_thread;
  const int32_t slot = 0;
  const int32_t token = first_token;
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    state->ResetAll();
    TTT_RETURN_IF_ERROR(model.Prefill(*state, 0, absl::MakeConstSpan(&token, 1), logits.data(), /*all_logits=*/false));
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < steps; ++i) {  // nothing allocated in the timed loop
      const int32_t next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
      TTT_RETURN_IF_ERROR(
          model.Decode(*state, absl::MakeConstSpan(&slot, 1), absl::MakeConstSpan(&next, 1), logits.data()));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, static_cast<double>(steps) / std::max(seconds, 1e-9));
  }
  return best;
}

std::string SpeedMetricLine(const BuildOptions& options, double tokens_per_s) {
  return absl::StrFormat("TTT_METRIC device=%s tokens_per_s=%.1f", options.device, tokens_per_s);
}

}  // namespace ttt::testing
