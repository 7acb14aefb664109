// Spec validation: fills derived values (head_dim, defaults) and rejects every invalid combination with a
// message naming the field and what to change. A validated spec is what blocks are built from.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/specs/proto/model.pb.h"

namespace ttt {

absl::StatusOr<spec::NormSpec> ValidateNorm(spec::NormSpec spec);
absl::StatusOr<spec::RopeSpec> ValidateRope(spec::RopeSpec spec);
absl::StatusOr<spec::AttentionSpec> ValidateAttention(spec::AttentionSpec spec);
absl::StatusOr<spec::MlpSpec> ValidateMlp(spec::MlpSpec spec);
absl::StatusOr<spec::TokenEmbeddingSpec> ValidateTokenEmbedding(spec::TokenEmbeddingSpec spec);
absl::StatusOr<spec::PositionEmbeddingSpec> ValidatePositionEmbedding(spec::PositionEmbeddingSpec spec);
absl::StatusOr<spec::LmHeadSpec> ValidateLmHead(spec::LmHeadSpec spec);
absl::StatusOr<spec::DecoderLayerSpec> ValidateDecoderLayer(spec::DecoderLayerSpec spec);
// Also fills the sub-specs' sizes from the model's (hidden_dim, vocab_size, max_seq_len) where unset,
// and checks they agree where set.
absl::StatusOr<spec::ModelSpec> ValidateModel(spec::ModelSpec spec);

}  // namespace ttt
