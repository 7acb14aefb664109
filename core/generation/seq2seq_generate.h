// Greedy sequence-to-sequence generation: encode the source once, then decode from the model's
// decoder_start_token_id, one token per step against the decoder's KV cache and the cross-attention keys and
// values projected once, until the model's EOS or `max_new_tokens`.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/patterns/seq2seq/seq2seq_lm.h"

namespace ttt {

// The generated ids (without the start token; with the EOS when the model produced one).
absl::StatusOr<std::vector<int32_t>> GreedySeq2Seq(const Seq2SeqLm& model, absl::Span<const int32_t> source,
                                                   int64_t max_new_tokens);

}  // namespace ttt
