#include "core/generation/seq2seq_generate.h"

#include <algorithm>

#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<std::vector<int32_t>> GreedySeq2Seq(const Seq2SeqLm& model, absl::Span<const int32_t> source,
                                                   int64_t max_new_tokens) {
  TTT_ASSIGN_OR_RETURN(std::vector<float> memory, model.Encode(source));
  TTT_ASSIGN_OR_RETURN(Seq2SeqLm::DecoderState state, model.StartDecoding(memory));
  std::vector<int32_t> out;
  int32_t next = model.decoder_start_token_id();
  for (int64_t step = 0; step < max_new_tokens; ++step) {
    TTT_ASSIGN_OR_RETURN(std::vector<float> logits, model.Decode(state, {&next, 1}));
    next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    out.push_back(next);
    if (next == model.eos_token_id()) break;
  }
  return out;
}

}  // namespace ttt
