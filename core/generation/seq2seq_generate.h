// Sequence-to-sequence generation: encode the source once, then decode from the model's decoder_start_token_id,
// one token per step against the decoder's KV cache and the cross-attention keys and values projected once,
// until the model's EOS or `max_new_tokens`; each token picked by the sampler (greedy by default).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/generation/sampler.h"
#include "core/patterns/seq2seq/seq2seq_lm.h"

namespace ttt {

// The generated ids (without the start token; with the EOS when the model produced one). `sampling` as a decoder's
// (temperature, top-k/p, min-p, repetition penalty over the decoder's tokens, seed); invalid options are an error.
absl::StatusOr<std::vector<int32_t>> GenerateSeq2Seq(const Seq2SeqLm& model, absl::Span<const int32_t> source,
                                                     int64_t max_new_tokens, const SamplingOptions& sampling = {});
// GenerateSeq2Seq with greedy picks.
absl::StatusOr<std::vector<int32_t>> GreedySeq2Seq(const Seq2SeqLm& model, absl::Span<const int32_t> source,
                                                   int64_t max_new_tokens);

}  // namespace ttt
