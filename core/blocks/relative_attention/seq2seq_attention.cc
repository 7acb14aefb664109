#include "core/blocks/relative_attention/seq2seq_attention.h"

#include <vector>

#include "core/ops/ops.h"
#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<Seq2SeqAttention> Seq2SeqAttention::Create(int64_t hidden, int64_t num_heads, int64_t head_dim,
                                                          const WeightMap& weights, const std::string& prefix) {
  Seq2SeqAttention a;
  a.hidden_ = hidden;
  a.num_heads_ = num_heads;
  a.head_dim_ = head_dim;
  const int64_t inner = num_heads * head_dim;
  TTT_ASSIGN_OR_RETURN(a.wq_, Linear::Load(weights, prefix + ".wq", inner, hidden, false));
  TTT_ASSIGN_OR_RETURN(a.wk_, Linear::Load(weights, prefix + ".wk", inner, hidden, false));
  TTT_ASSIGN_OR_RETURN(a.wv_, Linear::Load(weights, prefix + ".wv", inner, hidden, false));
  TTT_ASSIGN_OR_RETURN(a.wo_, Linear::Load(weights, prefix + ".wo", hidden, inner, false));
  return a;
}

void Seq2SeqAttention::ProjectKeysValues(const float* x, int64_t rows, KeysValues& kv) const {
  const int64_t inner = inner_dim();
  kv.keys.resize((kv.rows + rows) * inner);
  kv.values.resize((kv.rows + rows) * inner);
  const Phase phase = rows > 1 ? Phase::kPrefill : Phase::kDecode;
  wk_.Forward(x, rows, kv.keys.data() + kv.rows * inner, phase);
  wv_.Forward(x, rows, kv.values.data() + kv.rows * inner, phase);
  kv.rows += rows;
}

void Seq2SeqAttention::Attend(const float* x, int64_t tokens, int64_t q0, const KeysValues& kv, const float* bias,
                              bool causal, float* out) const {
  const int64_t inner = inner_dim();
  const Phase phase = tokens > 1 ? Phase::kPrefill : Phase::kDecode;
  // Per-thread scratch that only grows: a decode step allocates nothing once the lengths have been seen.
  thread_local std::vector<float> q, mixed;
  q.resize(tokens * inner);
  mixed.resize(tokens * inner);
  wq_.Forward(x, tokens, q.data(), phase);
  // The decoder's attention kernels (SIMD per ISA, GEMM for prompts, threads), or the emulated device's, with
  // T5's bias added to the scores and no score scaling: T5 folds 1/sqrt(head_dim) into the query weights.
  ops::AttentionParams params;
  params.num_heads = params.num_kv_heads = num_heads_;
  params.head_dim = head_dim_;
  params.scale = 1.0f;
  params.causal = causal;
  params.bias = bias;
  if (const auto& tt = sdpa_[static_cast<int>(phase)]) {
    const int64_t row_bytes = inner * static_cast<int64_t>(sizeof(float));
    ops::TtAttention(q.data(), tokens, q0, {kv.keys.data(), DType::kF32, row_bytes},
                     {kv.values.data(), DType::kF32, row_bytes}, kv.rows, mixed.data(), params, *tt);
  } else {
    ops::Attention(q.data(), tokens, q0, kv.keys.data(), kv.values.data(), kv.rows, inner, mixed.data(), params);
  }
  wo_.Forward(mixed.data(), tokens, out, phase);
}

}  // namespace ttt
