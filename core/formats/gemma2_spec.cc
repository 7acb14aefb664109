#include "core/formats/gemma2_spec.h"

#include <cmath>

namespace ttt::formats {

void ApplyGemma2(const Gemma2Settings& settings, spec::ModelSpec* s) {
  spec::DecoderLayerSpec* layer = s->mutable_layer();
  spec::AttentionSpec* attn = layer->mutable_attention();
  attn->set_logit_softcap(static_cast<float>(settings.attn_softcap));
  attn->set_sliding_window(settings.sliding_window);
  attn->set_sliding_window_pattern(settings.sliding_window > 0 ? 2 : 0);
  attn->set_softmax_scale(static_cast<float>(1.0 / std::sqrt(settings.query_scalar)));
  *layer->mutable_attention_post_norm() = layer->attention_norm();
  *layer->mutable_mlp_post_norm() = layer->attention_norm();
  layer->mutable_mlp()->set_activation(spec::GELU_TANH);
  s->mutable_token_embedding()->set_scale(static_cast<float>(std::sqrt(static_cast<double>(s->hidden_dim()))));
  s->mutable_lm_head()->set_logit_softcap(static_cast<float>(settings.final_softcap));
}

}  // namespace ttt::formats
