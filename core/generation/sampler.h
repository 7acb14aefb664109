// Picks the next token from logits: greedy, or temperature sampling narrowed by top-k, top-p and min-p,
// after a repetition penalty. Seeded, so a run can be repeated exactly.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace ttt {

struct SamplingOptions {
  float temperature = 0.0f;         // 0 = greedy (argmax)
  int32_t top_k = 0;                // 0 = whole vocabulary
  float top_p = 1.0f;               // nucleus: smallest set whose probability reaches top_p
  float min_p = 0.0f;               // drop tokens below min_p * p(best)
  float repetition_penalty = 1.0f;  // > 1 discourages tokens already present (CTRL's rule)
  int32_t repetition_window = 64;   // how many recent tokens the penalty looks at; 0 = all
  uint64_t seed = 42;
};

// Checks ranges (temperature >= 0, 0 < top_p <= 1, 0 <= min_p < 1, penalty > 0, top_k >= 0).
absl::Status ValidateSamplingOptions(const SamplingOptions& options);

class Sampler {
 public:
  explicit Sampler(const SamplingOptions& options);
  // `history` is the sequence so far (prompt and generated tokens), for the repetition penalty.
  int32_t Sample(absl::Span<const float> logits, absl::Span<const int32_t> history);

 private:
  // Puts order_ in bucket order of probability (exact order where the top-p mass crosses), keeping only the
  // buckets that can hold kept tokens; linear time.
  void OrderForTopP(int32_t vocab, float top, float inv_t, double sum);

  SamplingOptions options_;
  std::mt19937_64 rng_;
  std::vector<float> work_;    // logits after the repetition penalty
  std::vector<float> weight_;  // proportional to exp((logit - best) / T), by token id
  std::vector<int32_t> order_;  // candidates
  std::vector<uint8_t> bucket_;
};

}  // namespace ttt
