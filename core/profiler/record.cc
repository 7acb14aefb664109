#include "core/profiler/record.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt::profiler {
namespace {

int32_t Argmax(const std::vector<float>& logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

absl::Status Run(const CausalLm& model, InferenceState& state, absl::Span<const int32_t> prompt, int64_t decode_tokens,
                 std::vector<int32_t>* generated) {
  state.Reset(0);
  std::vector<float> logits(model.vocab_size());
  TTT_RETURN_IF_ERROR(model.Prefill(state, 0, prompt, logits.data(), /*all_logits=*/false));
  const int32_t slot = 0;
  for (int64_t i = 0; i < decode_tokens; ++i) {
    const int32_t next = Argmax(logits);
    if (generated != nullptr) generated->push_back(next);
    TTT_RETURN_IF_ERROR(model.Decode(state, absl::MakeConstSpan(&slot, 1), absl::MakeConstSpan(&next, 1),
                                     logits.data()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Recording> RecordRun(const CausalLm& model, absl::Span<const int32_t> prompt,
                                    const RecordOptions& options) {
  if (prompt.empty()) return absl::InvalidArgumentError("the profile needs a prompt of at least one token");
  if (options.decode_tokens < 0) return absl::InvalidArgumentError("--tokens must be >= 0");
  const int64_t context = static_cast<int64_t>(prompt.size()) + options.decode_tokens;
  if (context > static_cast<int64_t>(model.spec().max_seq_len())) {
    return absl::InvalidArgumentError(absl::StrCat("prompt (", prompt.size(), " tokens) plus ", options.decode_tokens,
                                                   " decoded tokens exceed the model's context of ",
                                                   model.spec().max_seq_len(), ": profile fewer tokens"));
  }
  TTT_ASSIGN_OR_RETURN(auto state, model.NewState(1, context, std::max<int64_t>(1, options.prefill_chunk)));
  if (options.warm_up) TTT_RETURN_IF_ERROR(Run(model, *state, prompt, options.decode_tokens, nullptr));
  Recording out;
  // Room for every scope of the run: ~(3 + 18 per layer) per step, with margin.
  const int64_t steps = options.decode_tokens + static_cast<int64_t>(prompt.size()) / state->prefill_chunk() + 1;
  trace::StartRecording(std::max<int64_t>(4096, steps * (8 + 24 * model.num_layers())));
  absl::Status s = Run(model, *state, prompt, options.decode_tokens, &out.generated);
  trace::StopRecording();
  TTT_RETURN_IF_ERROR(s);
  out.events = trace::Collect();
  out.dropped = trace::Dropped();
  return out;
}

}  // namespace ttt::profiler
