// Validation of encoder-decoder specs (core/specs/proto/seq2seq.proto): fills the derived values (the MLP's
// and the position biases' sizes from the model's) and rejects every invalid combination with a message naming
// the field and what to change. The result is made through ValidateModuleSpec, as every other module spec.
#pragma once

#include "absl/status/statusor.h"
#include "core/specs/proto/seq2seq.pb.h"
#include "core/specs/validated.h"

namespace ttt {

// Checks a RelativePositionBiasSpec: buckets >= 2 (>= 4 when bidirectional: two halves, each with an exact and
// a log-spaced part), max_distance above the exact range, heads > 0.
absl::Status CheckRelativePositionBias(const spec::RelativePositionBiasSpec& spec, const char* where);

// Fills mlp.hidden_dim, the biases' num_heads and bidirectional flags (encoder both ways, decoder causal), and
// checks every size.
absl::StatusOr<Validated<spec::Seq2SeqSpec>> ValidateSeq2Seq(spec::Seq2SeqSpec spec);

}  // namespace ttt
