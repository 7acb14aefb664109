#include "core/testing/reference_encoder.h"

#include "core/testing/reference_weights.h"

namespace ttt::testing {
namespace {

DVector Plus(const DVector& a, const DVector& b) {
  DVector out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] + b[i];
  return out;
}

}  // namespace

DVector RefEncoderLayer::Forward(const DVector& x, int64_t tokens) const {
  const DVector h = attn_norm.Forward(Plus(x, attn.Forward(x, tokens)), tokens);
  return mlp_norm.Forward(Plus(h, mlp.Forward(h, tokens)), tokens);
}

DVector RefEncoder::Forward(const std::vector<int32_t>& ids, const std::vector<int32_t>& types) const {
  const int64_t tokens = ids.size(), hidden = tok_embeddings.cols;
  DVector x(tokens * hidden);
  for (int64_t t = 0; t < tokens; ++t) {
    const double* tok = tok_embeddings.row(ids[t]);
    const double* pos = pos_embeddings.row(t);
    const double* type = type_embeddings.row(types.empty() ? 0 : types[t]);
    for (int64_t i = 0; i < hidden; ++i) x[t * hidden + i] = tok[i] + pos[i] + type[i];
  }
  x = embedding_norm.Forward(x, tokens);
  for (const RefEncoderLayer& layer : layers) x = layer.Forward(x, tokens);
  return x;
}

RefEncoder RefFromModule(const Encoder& encoder) {
  RefEncoder r;
  r.tok_embeddings = ToDouble(encoder.token_embedding().table());
  r.pos_embeddings = ToDouble(encoder.position_embedding().table());
  r.type_embeddings = ToDouble(encoder.token_type_table());
  r.embedding_norm = RefFromModule(encoder.embedding_norm());
  for (int64_t i = 0; i < encoder.num_layers(); ++i) {
    const Encoder::Layer& layer = encoder.layer(i);
    r.layers.push_back({RefFromModule(*layer.attention), RefFromModule(layer.attention_norm),
                        RefFromModule(layer.mlp), RefFromModule(layer.mlp_norm)});
  }
  return r;
}

}  // namespace ttt::testing
