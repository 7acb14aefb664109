#include "core/generation/seq2seq_generate.h"

#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<std::vector<int32_t>> GenerateSeq2Seq(const Seq2SeqLm& model, absl::Span<const int32_t> source,
                                                     int64_t max_new_tokens, const SamplingOptions& sampling) {
  TTT_RETURN_IF_ERROR(ValidateSamplingOptions(sampling));
  TTT_ASSIGN_OR_RETURN(std::vector<float> memory, model.Encode(source));
  TTT_ASSIGN_OR_RETURN(Seq2SeqLm::DecoderState state, model.StartDecoding(memory));
  Sampler sampler(sampling);
  // The decoder's tokens so far (start token first): what the repetition penalty looks at.
  std::vector<int32_t> decoded = {model.decoder_start_token_id()};
  for (int64_t step = 0; step < max_new_tokens; ++step) {
    TTT_ASSIGN_OR_RETURN(std::vector<float> logits, model.Decode(state, {&decoded.back(), 1}));
    decoded.push_back(sampler.Sample(logits, decoded));
    if (decoded.back() == model.eos_token_id()) break;
  }
  return std::vector<int32_t>(decoded.begin() + 1, decoded.end());
}

absl::StatusOr<std::vector<int32_t>> GreedySeq2Seq(const Seq2SeqLm& model, absl::Span<const int32_t> source,
                                                   int64_t max_new_tokens) {
  return GenerateSeq2Seq(model, source, max_new_tokens, SamplingOptions{});
}

}  // namespace ttt
