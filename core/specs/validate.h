// Spec validation: fills derived values (head_dim, num_kv_heads, defaults, the sub-specs' sizes from the
// model's) and rejects every invalid combination with a message naming the field and what to change. The
// result is a Validated<S> (core/specs/validated.h), which only these functions make: blocks, patterns,
// hardware-config resolution and the checkpoint loaders take it, so a spec is validated once per load.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"
#include "google/protobuf/message.h"

namespace ttt {

absl::StatusOr<Validated<spec::NormSpec>> ValidateNorm(spec::NormSpec spec);
absl::StatusOr<Validated<spec::RopeSpec>> ValidateRope(spec::RopeSpec spec);
absl::StatusOr<Validated<spec::AttentionSpec>> ValidateAttention(spec::AttentionSpec spec);
absl::StatusOr<Validated<spec::MlpSpec>> ValidateMlp(spec::MlpSpec spec);
absl::StatusOr<Validated<spec::MoeSpec>> ValidateMoe(spec::MoeSpec spec);
absl::StatusOr<Validated<spec::TokenEmbeddingSpec>> ValidateTokenEmbedding(spec::TokenEmbeddingSpec spec);
absl::StatusOr<Validated<spec::PositionEmbeddingSpec>> ValidatePositionEmbedding(spec::PositionEmbeddingSpec spec);
absl::StatusOr<Validated<spec::LmHeadSpec>> ValidateLmHead(spec::LmHeadSpec spec);
absl::StatusOr<Validated<spec::DecoderLayerSpec>> ValidateDecoderLayer(spec::DecoderLayerSpec spec);
// Also fills the sub-specs' sizes from the model's (hidden_dim, vocab_size, max_seq_len) where unset,
// and checks they agree where set.
absl::StatusOr<Validated<spec::ModelSpec>> ValidateModel(spec::ModelSpec spec);
// Sizes the parts from token_embedding.hidden_dim, makes attention bidirectional (RoPE, windows and biases are
// refused), and defaults the pooling to MEAN.
absl::StatusOr<Validated<spec::EncoderSpec>> ValidateEncoder(spec::EncoderSpec spec);

// One name for all of the above, for code generic over the spec type.
inline auto Validate(spec::NormSpec s) { return ValidateNorm(std::move(s)); }
inline auto Validate(spec::RopeSpec s) { return ValidateRope(std::move(s)); }
inline auto Validate(spec::AttentionSpec s) { return ValidateAttention(std::move(s)); }
inline auto Validate(spec::MlpSpec s) { return ValidateMlp(std::move(s)); }
inline auto Validate(spec::MoeSpec s) { return ValidateMoe(std::move(s)); }
inline auto Validate(spec::TokenEmbeddingSpec s) { return ValidateTokenEmbedding(std::move(s)); }
inline auto Validate(spec::PositionEmbeddingSpec s) { return ValidatePositionEmbedding(std::move(s)); }
inline auto Validate(spec::LmHeadSpec s) { return ValidateLmHead(std::move(s)); }
inline auto Validate(spec::DecoderLayerSpec s) { return ValidateDecoderLayer(std::move(s)); }
inline auto Validate(spec::ModelSpec s) { return ValidateModel(std::move(s)); }
inline auto Validate(spec::EncoderSpec s) { return ValidateEncoder(std::move(s)); }

// A module spec of any registered kind (a layer module's, unpacked from its Any), checked and completed in
// place by its descriptor's `validate` (null: every spec of the type is valid as it is).
absl::StatusOr<Validated<google::protobuf::Message>> ValidateModuleSpec(
    std::unique_ptr<google::protobuf::Message> spec,
    const std::function<absl::Status(google::protobuf::Message&)>& validate);

}  // namespace ttt
