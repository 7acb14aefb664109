// ALiBi (Press et al., "Train Short, Test Long"): instead of rotating queries and keys, each head adds
// slope_h * (key_pos - query_pos) to its attention scores. Used by BLOOM and MPT.
//
// A model uses it through its spec (AttentionSpec.position_bias { kind: "alibi" max_bias: 8 }): core attention
// asks the position-bias registry (core/blocks/attention/position_bias.h) for the slopes, and this module
// registers the kind. Call RegisterAlibi() once before building such a model (the `ttt` tool does).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace ttt::contrib {

// The per-head slopes for slope base `max_bias`: with n the largest power of two at or below num_heads, heads
// h < n get 2^(-max_bias/n)^(h+1); the others take the odd steps of the sequence for 2n,
// 2^(-max_bias/(2n))^(2(h-n)+1). As llama.cpp (ggml's soft_max) and transformers' MPT/BLOOM compute them:
// 6 heads, max_bias 8 -> 1/4, 1/16, 1/64, 1/256, 1/2, 1/8.
std::vector<float> AlibiSlopes(int64_t num_heads, float max_bias = 8.0f);

// Adds the ALiBi bias to scores[heads, keys] of one query at `query_pos` (keys at positions 0..keys-1).
void AddAlibiBias(float* scores, int64_t num_heads, int64_t keys, int64_t query_pos,
                  const std::vector<float>& slopes);

// Registers position-bias kind "alibi" (slopes AlibiSlopes(num_heads, spec.max_bias)) with core attention.
// Idempotent and thread-safe; the status of the one registration (an error only if another library took the
// kind first).
absl::Status RegisterAlibi();

}  // namespace ttt::contrib
