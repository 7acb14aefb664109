// Comparing a model's logits with another engine's: the reference files the fixtures and zoo models ship
// (reference.json naming raw float32 [tokens, vocab] logits files) and the agreement metrics used to judge
// them (max error relative to the largest reference logit, PCC, top-1 agreement).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/patterns/causal_lm.h"

namespace ttt::testing {

// A raw little-endian float32 file as the fixtures store reference outputs (logits, hidden states, embeddings).
absl::StatusOr<std::vector<float>> ReadF32File(const std::string& path);

// The cosine of the angle between two vectors of the same size (embeddings' agreement).
double Cosine(absl::Span<const float> a, absl::Span<const float> b);

struct ReferenceCase {
  std::vector<int32_t> tokens;
  std::vector<float> logits;  // [tokens, vocab]
  int64_t vocab = 0;
};

// Reads `dir`/`index` (reference.json unless named) and the logits files it names; sizes are checked against
// the stated shapes. A fixture may ship a second reference under another name (mpt-alibi-tiny's
// reference-hf.json: numpy float64 logits next to llama.cpp's).
absl::StatusOr<std::vector<ReferenceCase>> LoadReferenceCases(const std::string& dir,
                                                              const std::string& index = "reference.json");

struct LogitsAgreement {
  double max_abs_error = 0;
  double max_abs_reference = 0;
  double pcc = 0;                      // Pearson correlation over all logits
  double top1 = 0;                     // fraction of positions whose argmax agrees
  int64_t first_argmax_mismatch = -1;  // position, or -1
  int64_t worst_position = 0;          // position of the largest error
  double relative_error() const { return max_abs_reference > 0 ? max_abs_error / max_abs_reference : max_abs_error; }
};

// `actual` and `expected` are [positions, vocab] of the same size.
LogitsAgreement CompareLogits(absl::Span<const float> actual, absl::Span<const float> expected, int64_t vocab);

// The logits of every position of `tokens`, computed in one prefill on a fresh state.
absl::StatusOr<std::vector<float>> PrefillLogits(const CausalLm& model, const std::vector<int32_t>& tokens);

}  // namespace ttt::testing
