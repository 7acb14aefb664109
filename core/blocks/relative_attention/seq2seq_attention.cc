#include "core/blocks/relative_attention/seq2seq_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

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
  const int64_t inner = inner_dim(), keys = kv.rows;
  const Phase phase = tokens > 1 ? Phase::kPrefill : Phase::kDecode;
  // Per-thread scratch that only grows: a decode step allocates nothing once the lengths have been seen.
  thread_local std::vector<float> q, mixed, scores;
  q.resize(tokens * inner);
  mixed.assign(tokens * inner, 0.0f);
  scores.resize(keys);
  wq_.Forward(x, tokens, q.data(), phase);
  for (int64_t h = 0; h < num_heads_; ++h) {
    for (int64_t t = 0; t < tokens; ++t) {
      const float* qh = q.data() + t * inner + h * head_dim_;
      const int64_t visible = causal ? std::min(keys, q0 + t + 1) : keys;
      float top = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < visible; ++k) {
        const float* kh = kv.keys.data() + k * inner + h * head_dim_;
        float s = 0;
        for (int64_t d = 0; d < head_dim_; ++d) s += qh[d] * kh[d];
        if (bias != nullptr) s += bias[(h * tokens + t) * keys + k];
        scores[k] = s;
        top = std::max(top, s);
      }
      float sum = 0;
      for (int64_t k = 0; k < visible; ++k) sum += scores[k] = std::exp(scores[k] - top);
      float* oh = mixed.data() + t * inner + h * head_dim_;
      for (int64_t k = 0; k < visible; ++k) {
        const float p = scores[k] / sum;
        const float* vh = kv.values.data() + k * inner + h * head_dim_;
        for (int64_t d = 0; d < head_dim_; ++d) oh[d] += p * vh[d];
      }
    }
  }
  wo_.Forward(mixed.data(), tokens, out, phase);
}

}  // namespace ttt
