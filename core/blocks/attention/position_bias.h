// Attention position biases: a per-head linear distance bias added to the attention scores, the form ALiBi
// (Press et al.) gives BLOOM and MPT their positions with. Which slopes a kind uses is not core's business:
// a kind is registered by the tier that provides it (contrib's "alibi": ttt::contrib::RegisterAlibi()), and
// an AttentionSpec names it in `position_bias`, so core attention gets the bias without depending on contrib.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/specs/proto/attention.pb.h"

namespace ttt {

// One slope per query head for `spec` (validated: kind set, max_bias > 0). The score of query head h at
// position q for the key at position k becomes scale * q.k + slope[h] * -|k - q|, i.e. slope[h] * (k - q) for
// the past keys a causal query sees (llama.cpp's form; MPT's and BLOOM's differ from it by a per-query
// constant, which the softmax removes).
using PositionBiasSlopesFn =
    std::function<absl::StatusOr<std::vector<float>>(const spec::PositionBiasSpec& spec, int64_t num_heads)>;

// Registers `kind`. AlreadyExists when it is taken (the registration is unchanged), InvalidArgument for an
// empty kind or function. Thread-safe.
absl::Status RegisterPositionBias(const std::string& kind, PositionBiasSlopesFn slopes);

// The registered kinds, sorted.
std::vector<std::string> RegisteredPositionBiases();

// The slopes of `spec` for `num_heads` heads, from its registered kind. NotFound naming the kind, the
// registered ones and how to register it; the kind's own errors are annotated with the kind; a result
// without exactly num_heads finite slopes is an Internal error naming the kind.
absl::StatusOr<std::vector<float>> PositionBiasSlopes(const spec::PositionBiasSpec& spec, int64_t num_heads);

}  // namespace ttt
