// ALiBi (Press et al., "Train Short, Test Long"): instead of rotating queries and keys, each head adds
// slope_h * (key_pos - query_pos) to its attention scores. Used by BLOOM and MPT.
#pragma once

#include <cstdint>
#include <vector>

namespace ttt::contrib {

// The per-head slopes: a geometric sequence 2^(-8/n), 2^(-16/n), ... for the nearest power of two n
// at or below num_heads, then the odd steps of the sequence for 2n for the remaining heads.
std::vector<float> AlibiSlopes(int64_t num_heads);

// Adds the ALiBi bias to scores[heads, keys] of one query at `query_pos` (keys at positions 0..keys-1).
void AddAlibiBias(float* scores, int64_t num_heads, int64_t keys, int64_t query_pos,
                  const std::vector<float>& slopes);

}  // namespace ttt::contrib
