// Runs a model under the recorder: one prefill of the prompt (in chunks of `prefill_chunk`) and
// `decode_tokens` greedy decode steps, after one unrecorded warm-up of the same work (first touches of
// weights and buffers are not what a profile is for).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/patterns/causal_lm.h"
#include "core/runtime/trace.h"

namespace ttt::profiler {

struct RecordOptions {
  int64_t decode_tokens = 32;
  int64_t prefill_chunk = 256;
  bool warm_up = true;
};

struct Recording {
  std::vector<trace::Event> events;
  int64_t dropped = 0;
  std::vector<int32_t> generated;  // the greedy tokens decoded
};

absl::StatusOr<Recording> RecordRun(const CausalLm& model, absl::Span<const int32_t> prompt,
                                    const RecordOptions& options = {});

}  // namespace ttt::profiler
