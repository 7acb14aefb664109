// The float64 reference of the encoder pattern (core/patterns/encoder): the embedding sum and its LayerNorm,
// then per layer x = LayerNorm(x + attention(x)), x = LayerNorm(x + mlp(x)), from the float64 block references
// of reference_model.h (bidirectional attention: the spec's causal is false). Filled from a built Encoder's own
// (dequantised) weights, so any weight dtype is judged against the math of what it stores.
#pragma once

#include <vector>

#include "core/patterns/encoder/encoder.h"
#include "core/testing/reference_model.h"

namespace ttt::testing {

struct RefEncoderLayer {
  RefAttention attn;
  RefNorm attn_norm;
  RefMlp mlp;
  RefNorm mlp_norm;
  DVector Forward(const DVector& x, int64_t tokens) const;
};

struct RefEncoder {
  DMatrix tok_embeddings, pos_embeddings, type_embeddings;
  RefNorm embedding_norm;
  std::vector<RefEncoderLayer> layers;
  // The last hidden states [tokens, hidden] of `ids` at positions 0.., all of token type 0 unless `types`.
  DVector Forward(const std::vector<int32_t>& ids, const std::vector<int32_t>& types = {}) const;
};

RefEncoder RefFromModule(const Encoder& encoder);

}  // namespace ttt::testing
