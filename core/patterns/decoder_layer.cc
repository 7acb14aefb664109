#include "core/patterns/decoder_layer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/ops/ops.h"
#include "core/runtime/status.h"
#include "core/runtime/trace.h"

namespace ttt {

absl::StatusOr<std::unique_ptr<DecoderLayer>> DecoderLayer::Create(const spec::DecoderLayerSpec& spec,
                                                                    const WeightMap& weights, int64_t index) {
  auto layer = std::unique_ptr<DecoderLayer>(new DecoderLayer());
  const std::string prefix = absl::StrCat("layers.", index);
  layer->index_ = index;
  layer->hidden_ = spec.attention().hidden_dim();
  auto annotate = [&](const absl::Status& s) { return Annotate(s, absl::StrCat("layer ", index)); };
  auto attn_norm = Norm::Create(spec.attention_norm(), weights, prefix + ".attn_norm");
  if (!attn_norm.ok()) return annotate(attn_norm.status());
  layer->attention_norm_ = *std::move(attn_norm);
  auto attention = Attention::Create(spec.attention(), weights, prefix + ".attn");
  if (!attention.ok()) return annotate(attention.status());
  layer->attention_ = *std::move(attention);
  auto mlp_norm = Norm::Create(spec.mlp_norm(), weights, prefix + ".mlp_norm");
  if (!mlp_norm.ok()) return annotate(mlp_norm.status());
  layer->mlp_norm_ = *std::move(mlp_norm);
  auto mlp = Mlp::Create(spec.mlp(), weights, prefix + ".mlp");
  if (!mlp.ok()) return annotate(mlp.status());
  layer->mlp_ = *std::move(mlp);
  return layer;
}

absl::Status DecoderLayer::ConvertLinearWeights(DType dtype) {
  TTT_RETURN_IF_ERROR(attention_->ConvertWeights(dtype));
  return mlp_.ConvertWeights(dtype);
}

int64_t DecoderLayer::ScratchFloats(int64_t tokens) const {
  return 2 * tokens * hidden_ + std::max(attention_->ScratchFloats(tokens), mlp_.ScratchFloats(tokens));
}

template <typename AttentionCall>
void DecoderLayer::Run(float* x, int64_t rows, float* scratch, Phase phase, AttentionCall&& attend) const {
  float* normed = scratch;
  float* branch = normed + rows * hidden_;
  float* inner = branch + rows * hidden_;
  TTT_TRACE_LAYER(index_);
  attention_norm_.Forward(x, rows, normed);
  attend(normed, branch, inner);
  TTT_TRACE_OP("residual_add", rows, 12.0 * rows * hidden_, 1.0 * rows * hidden_)
  ops::Add(x, branch, x, rows * hidden_);
  mlp_norm_.Forward(x, rows, normed);
  mlp_.Forward(normed, rows, branch, inner, phase);
  TTT_TRACE_OP("residual_add", rows, 12.0 * rows * hidden_, 1.0 * rows * hidden_)
  ops::Add(x, branch, x, rows * hidden_);
}

void DecoderLayer::Prefill(float* x, int64_t tokens, int64_t pos0, KvCache& cache, int64_t slot,
                           float* scratch) const {
  Run(x, tokens, scratch, Phase::kPrefill, [&](const float* in, float* out, float* inner) {
    attention_->Prefill(in, tokens, pos0, cache, index_, slot, out, inner);
  });
}

void DecoderLayer::Decode(float* x, int64_t batch, const int32_t* positions, const int32_t* slots, KvCache& cache,
                          float* scratch) const {
  Run(x, batch, scratch, Phase::kDecode, [&](const float* in, float* out, float* inner) {
    attention_->Decode(in, batch, positions, slots, cache, index_, out, inner);
  });
}

}  // namespace ttt
