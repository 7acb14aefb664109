#include "core/blocks/attention/attention.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"

namespace ttt {

absl::StatusOr<std::unique_ptr<Attention>> Attention::Create(const spec::AttentionSpec& spec,
                                                             const WeightMap& weights, const std::string& prefix) {
  auto a = std::unique_ptr<Attention>(new Attention());
  TTT_ASSIGN_OR_RETURN(a->spec_, ValidateAttention(spec));
  const spec::AttentionSpec& s = a->spec_;
  const int64_t hidden = s.hidden_dim(), qd = a->q_dim(), kvd = a->kv_dim();
  TTT_ASSIGN_OR_RETURN(Linear wq, Linear::Load(weights, prefix + ".wq", qd, hidden, s.qkv_bias()));
  TTT_ASSIGN_OR_RETURN(Linear wk, Linear::Load(weights, prefix + ".wk", kvd, hidden, s.qkv_bias()));
  TTT_ASSIGN_OR_RETURN(Linear wv, Linear::Load(weights, prefix + ".wv", kvd, hidden, s.qkv_bias()));
  // One fused projection reads x once and runs one GEMV/GEMM instead of three.
  Tensor bias;
  if (s.qkv_bias()) {
    bias = ConcatRows({*wq.bias().Reshape({qd, 1}), *wk.bias().Reshape({kvd, 1}), *wv.bias().Reshape({kvd, 1})});
    bias = *bias.Reshape({qd + 2 * kvd});
  }
  a->qkv_ = Linear(ConcatRows({wq.weight().values, wk.weight().values, wv.weight().values}), std::move(bias));
  TTT_ASSIGN_OR_RETURN(a->wo_, Linear::Load(weights, prefix + ".wo", hidden, qd, s.output_bias()));
  a->params_ = ops::AttentionParams{.num_heads = s.num_heads(),
                                    .num_kv_heads = s.num_kv_heads(),
                                    .head_dim = s.head_dim(),
                                    .scale = s.softmax_scale(),
                                    .causal = s.causal(),
                                    .sliding_window = s.sliding_window()};
  if (s.use_rope()) a->rope_.emplace(s.rope(), s.max_seq_len());
  return a;
}

absl::Status Attention::ConvertWeights(DType dtype) {
  TTT_RETURN_IF_ERROR(qkv_.ConvertWeight(dtype));
  return wo_.ConvertWeight(dtype);
}

int64_t Attention::ScratchFloats(int64_t tokens) const {
  // fused qkv rows, queries, attention output, and the positions (as int32) of a prefill.
  return tokens * (q_dim() + 2 * kv_dim()) + 2 * tokens * q_dim() + tokens;
}

void Attention::SplitQkv(const float* qkv_row, const int32_t* position, float* q, float* k, float* v) const {
  const int64_t qd = q_dim(), kvd = kv_dim();
  std::memcpy(q, qkv_row, qd * sizeof(float));
  std::memcpy(k, qkv_row + qd, kvd * sizeof(float));
  std::memcpy(v, qkv_row + qd + kvd, kvd * sizeof(float));
  if (rope_) {
    rope_->Apply(q, 1, spec_.num_heads(), position);
    rope_->Apply(k, 1, spec_.num_kv_heads(), position);
  }
}

void Attention::Prefill(const float* x, int64_t tokens, int64_t pos0, KvCache& cache, int64_t layer, int64_t slot,
                        float* out, float* scratch) const {
  const int64_t qd = q_dim(), kvd = kv_dim(), row = qd + 2 * kvd;
  float* qkv = scratch;
  float* q = qkv + tokens * row;
  float* attn = q + tokens * qd;
  int32_t* positions = reinterpret_cast<int32_t*>(attn + tokens * qd);
  float* keys = cache.keys(layer, slot);
  float* values = cache.values(layer, slot);
  qkv_.Forward(x, tokens, qkv);
  for (int64_t t = 0; t < tokens; ++t) {
    positions[t] = static_cast<int32_t>(pos0 + t);
    SplitQkv(qkv + t * row, positions + t, q + t * qd, keys + (pos0 + t) * kvd, values + (pos0 + t) * kvd);
  }
  ops::Attention(q, tokens, pos0, keys, values, pos0 + tokens, kvd, attn, params_);
  wo_.Forward(attn, tokens, out);
}

void Attention::Decode(const float* x, int64_t batch, const int32_t* positions, const int32_t* slots,
                       KvCache& cache, int64_t layer, float* out, float* scratch) const {
  const int64_t qd = q_dim(), kvd = kv_dim(), row = qd + 2 * kvd;
  float* qkv = scratch;
  float* q = qkv + batch * row;
  float* attn = q + batch * qd;
  qkv_.Forward(x, batch, qkv);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t p = positions[b];
    float* keys = cache.keys(layer, slots[b]);
    float* values = cache.values(layer, slots[b]);
    SplitQkv(qkv + b * row, positions + b, q + b * qd, keys + p * kvd, values + p * kvd);
    ops::Attention(q + b * qd, 1, p, keys, values, p + 1, kvd, attn + b * qd, params_);
  }
  wo_.Forward(attn, batch, out);
}

}  // namespace ttt
