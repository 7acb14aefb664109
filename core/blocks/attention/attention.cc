#include "core/blocks/attention/attention.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/blocks/attention/position_bias.h"
#include "core/blocks/module_registry.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"
#include "core/runtime/trace.h"

namespace ttt {

absl::StatusOr<std::unique_ptr<Attention>> Attention::Create(const Validated<spec::AttentionSpec>& spec,
                                                             const WeightMap& weights, const std::string& prefix) {
  auto a = std::unique_ptr<Attention>(new Attention(spec));
  const spec::AttentionSpec& s = *spec;
  a->prefix_ = prefix;
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
  a->qkv_ = Linear(ops::StackRows({wq.weight().values, wk.weight().values, wv.weight().values}), std::move(bias));
  TTT_ASSIGN_OR_RETURN(a->wo_, Linear::Load(weights, prefix + ".wo", hidden, qd, s.output_bias()));
  a->params_ = ops::AttentionParams{.num_heads = s.num_heads(),
                                    .num_kv_heads = s.num_kv_heads(),
                                    .head_dim = s.head_dim(),
                                    .scale = s.softmax_scale(),
                                    .causal = s.causal(),
                                    .sliding_window = s.sliding_window(),
                                    .softcap = s.logit_softcap()};
  a->global_params_ = a->params_;
  a->global_params_.sliding_window = 0;
  if (s.use_rope()) a->rope_.emplace(s.rope(), s.max_seq_len());
  if (s.has_position_bias()) {
    // Resolved once here: the kernels read one slope per head and the decode path stays allocation-free.
    absl::StatusOr<std::vector<float>> slopes = PositionBiasSlopes(s.position_bias(), s.num_heads());
    if (!slopes.ok()) return Annotate(slopes.status(), absl::StrCat("attention '", prefix, "'"));
    a->slopes_ = std::make_shared<const std::vector<float>>(*std::move(slopes));
    a->params_.slopes = a->slopes_->data();
  }
  return a;
}

const ops::AttentionParams& Attention::ParamsOf(int64_t layer) const {
  const int64_t pattern = spec_->sliding_window_pattern();
  return pattern > 1 && layer % pattern == pattern - 1 ? global_params_ : params_;
}

const ModuleDescriptor& Attention::descriptor() const { return CoreKind("attention"); }

void Attention::Forward(const float* x, int64_t rows, float* out, float* scratch, const StepContext& step) const {
  if (step.phase == Phase::kPrefill) {
    Prefill(x, rows, step.pos0, *step.cache, step.layer, step.slot, out, scratch);
  } else {
    Decode(x, rows, step.positions, step.slots, *step.cache, step.layer, out, scratch);
  }
}

std::vector<LinearOp> Attention::linear_ops() {
  return {{"wqkv", &qkv_, prefix_ + ".wqkv"}, {"wo", &wo_, prefix_ + ".wo"}};
}

absl::Status Attention::SetMatmulNumerics(const std::string& op, Phase phase,
                                          std::optional<ops::TtMatmulNumerics> numerics) {
  if (op != "sdpa") return Block::SetMatmulNumerics(op, phase, numerics);
  sdpa_[static_cast<int>(phase)] = numerics;
  return absl::OkStatus();
}

absl::Status Attention::ConvertWeights(DType dtype) {
  TTT_RETURN_IF_ERROR(qkv_.ConvertWeight(dtype));
  return wo_.ConvertWeight(dtype);
}

int64_t Attention::ScratchFloats(int64_t tokens) const {
  // fused qkv rows, queries, attention output, and the positions (as int32) of a prefill.
  return tokens * (q_dim() + 2 * kv_dim()) + 2 * tokens * q_dim() + tokens;
}

int64_t Attention::AttentionWorkFloats(int64_t max_kv_len, DType kv_dtype) const {
  return ops::AttentionWorkFloats(params_, max_kv_len, kv_dtype, NumThreads());
}

void Attention::SplitQkv(float* qkv_row, const int32_t* position, float* q, KvCache& cache, int64_t layer,
                         int64_t slot) const {
  const int64_t qd = q_dim(), kvd = kv_dim();
  float* k = qkv_row + qd;  // rotated in place, then stored in the cache's dtype
  std::memcpy(q, qkv_row, qd * sizeof(float));
  if (rope_) {
    rope_->Apply(q, 1, spec_->num_heads(), position);
    rope_->Apply(k, 1, spec_->num_kv_heads(), position);
  }
  cache.Write(layer, slot, *position, k, k + kvd);
}

void Attention::Prefill(const float* x, int64_t tokens, int64_t pos0, KvCache& cache, int64_t layer, int64_t slot,
                        float* out, float* scratch) const {
  const int64_t qd = q_dim(), kvd = kv_dim(), row = qd + 2 * kvd;
  const ops::AttentionParams& params = ParamsOf(layer);
  float* qkv = scratch;
  float* q = qkv + tokens * row;
  float* attn = q + tokens * qd;
  int32_t* positions = reinterpret_cast<int32_t*>(attn + tokens * qd);
  TTT_TRACE_MODULE("attention");
  TTT_TRACE_LINEAR("wqkv", qkv_, tokens) qkv_.Forward(x, tokens, qkv, Phase::kPrefill);
  TTT_TRACE_OP(rope_ ? "rope" : "kv_write", tokens, 8.0 * tokens * row, 3.0 * tokens * (qd + kvd))
  for (int64_t t = 0; t < tokens; ++t) {
    positions[t] = static_cast<int32_t>(pos0 + t);
    SplitQkv(qkv + t * row, positions + t, q + t * qd, cache, layer, slot);
  }
  TTT_TRACE_OP("sdpa", tokens, trace::AttentionBytes(tokens, pos0 + tokens, qd, cache.row_bytes()),
               trace::AttentionFlops(tokens, pos0, spec_->num_heads(), spec_->head_dim()))
  if (const auto& tt = sdpa_[static_cast<int>(Phase::kPrefill)]) {
    ops::TtAttention(q, tokens, pos0, cache.key_rows(layer, slot), cache.value_rows(layer, slot), pos0 + tokens,
                     attn, params, *tt);
  } else {
    ops::Attention(q, tokens, pos0, cache.key_rows(layer, slot), cache.value_rows(layer, slot), pos0 + tokens,
                   attn, params, cache.attention_work());
  }
  TTT_TRACE_LINEAR("wo", wo_, tokens) wo_.Forward(attn, tokens, out, Phase::kPrefill);
}

void Attention::Decode(const float* x, int64_t batch, const int32_t* positions, const int32_t* slots,
                       KvCache& cache, int64_t layer, float* out, float* scratch) const {
  const int64_t qd = q_dim(), kvd = kv_dim(), row = qd + 2 * kvd;
  const ops::AttentionParams& params = ParamsOf(layer);
  float* qkv = scratch;
  float* q = qkv + batch * row;
  float* attn = q + batch * qd;
  TTT_TRACE_MODULE("attention");
  for (int64_t b = 0; b < batch; ++b) cache.Prefetch(layer, slots[b], positions[b]);
  TTT_TRACE_LINEAR("wqkv", qkv_, batch) qkv_.Forward(x, batch, qkv);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t p = positions[b];
    TTT_TRACE_OP(rope_ ? "rope" : "kv_write", 1, 8.0 * row, 3.0 * (qd + kvd))
    SplitQkv(qkv + b * row, positions + b, q + b * qd, cache, layer, slots[b]);
    TTT_TRACE_OP("sdpa", 1, trace::AttentionBytes(1, p + 1, qd, cache.row_bytes()),
                 trace::AttentionFlops(1, p, spec_->num_heads(), spec_->head_dim()))
    if (const auto& tt = sdpa_[static_cast<int>(Phase::kDecode)]) {
      ops::TtAttention(q + b * qd, 1, p, cache.key_rows(layer, slots[b]), cache.value_rows(layer, slots[b]), p + 1,
                       attn + b * qd, params, *tt);
    } else {
      ops::Attention(q + b * qd, 1, p, cache.key_rows(layer, slots[b]), cache.value_rows(layer, slots[b]), p + 1,
                     attn + b * qd, params, cache.attention_work());
    }
  }
  TTT_TRACE_LINEAR("wo", wo_, batch) wo_.Forward(attn, batch, out);
}

}  // namespace ttt
