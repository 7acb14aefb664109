#include "core/testing/reference_seq2seq.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/blocks/relative_attention/relative_position_bias.h"
#include "core/testing/reference_weights.h"

namespace ttt::testing {
namespace {

void AddTo(DVector& x, const DVector& branch) {
  for (size_t i = 0; i < x.size(); ++i) x[i] += branch[i];
}

DVector Rows(const DMatrix& table, const std::vector<int32_t>& ids) {
  DVector x(ids.size() * table.cols);
  for (size_t t = 0; t < ids.size(); ++t) std::copy_n(table.row(ids[t]), table.cols, x.begin() + t * table.cols);
  return x;
}

RefSeq2SeqAttention RefFrom(const Seq2SeqAttention& a) {
  return {a.num_heads(), a.head_dim(), RefFromModule(a.wq()), RefFromModule(a.wk()), RefFromModule(a.wv()),
          RefFromModule(a.wo())};
}

}  // namespace

DVector RefSeq2SeqAttention::Forward(const DVector& x, int64_t tokens, const DVector& memory, int64_t rows,
                                     const DVector& bias, bool causal) const {
  const int64_t inner = num_heads * head_dim;
  const DVector q = wq.Forward(x, tokens), k = wk.Forward(memory, rows), v = wv.Forward(memory, rows);
  DVector mixed(tokens * inner, 0.0), p(rows);
  for (int64_t h = 0; h < num_heads; ++h) {
    for (int64_t t = 0; t < tokens; ++t) {
      const int64_t visible = causal ? std::min(rows, t + 1) : rows;
      double top = -std::numeric_limits<double>::infinity(), sum = 0;
      for (int64_t j = 0; j < visible; ++j) {
        double s = bias.empty() ? 0.0 : bias[(h * tokens + t) * rows + j];
        for (int64_t d = 0; d < head_dim; ++d) s += q[t * inner + h * head_dim + d] * k[j * inner + h * head_dim + d];
        p[j] = s;
        top = std::max(top, s);
      }
      for (int64_t j = 0; j < visible; ++j) sum += p[j] = std::exp(p[j] - top);
      for (int64_t j = 0; j < visible; ++j) {
        for (int64_t d = 0; d < head_dim; ++d) {
          mixed[t * inner + h * head_dim + d] += p[j] / sum * v[j * inner + h * head_dim + d];
        }
      }
    }
  }
  return wo.Forward(mixed, tokens);
}

DVector RefSeq2Seq::Bias(const DMatrix& table, const spec::RelativePositionBiasSpec& b, int64_t queries,
                         int64_t keys) const {
  const int64_t heads = table.cols;
  DVector bias(heads * queries * keys);
  for (int64_t q = 0; q < queries; ++q) {
    for (int64_t k = 0; k < keys; ++k) {
      const int32_t bucket = RelativePositionBucketReference(k - q, b.num_buckets(), b.max_distance(), b.bidirectional());
      for (int64_t h = 0; h < heads; ++h) bias[(h * queries + q) * keys + k] = table.row(bucket)[h];
    }
  }
  return bias;
}

DVector RefSeq2Seq::Encode(const std::vector<int32_t>& source) const {
  const int64_t n = source.size();
  DVector x = Rows(embeddings, source);
  const DVector bias = Bias(encoder_bias, spec.encoder_bias(), n, n);
  for (const EncoderLayer& l : encoder) {
    const DVector h = l.attn_norm.Forward(x, n);
    AddTo(x, l.attn.Forward(h, n, h, n, bias, /*causal=*/false));
    AddTo(x, l.mlp.Forward(l.mlp_norm.Forward(x, n), n));
  }
  return encoder_norm.Forward(x, n);
}

DVector RefSeq2Seq::Logits(const std::vector<int32_t>& source, const std::vector<int32_t>& target) const {
  const int64_t rows = source.size(), n = target.size();
  const DVector memory = Encode(source);
  DVector y = Rows(embeddings, target);
  const DVector bias = Bias(decoder_bias, spec.decoder_bias(), n, n);
  for (const DecoderLayer& l : decoder) {
    const DVector h = l.self_norm.Forward(y, n);
    AddTo(y, l.self_attn.Forward(h, n, h, n, bias, /*causal=*/true));
    AddTo(y, l.cross_attn.Forward(l.cross_norm.Forward(y, n), n, memory, rows, {}, /*causal=*/false));
    AddTo(y, l.mlp.Forward(l.mlp_norm.Forward(y, n), n));
  }
  DVector out = decoder_norm.Forward(y, n);
  for (double& v : out) v *= head_scale;
  return head.Forward(out, n);
}

RefSeq2Seq RefFromModule(const Seq2SeqLm& model) {
  RefSeq2Seq r;
  r.spec = model.spec();
  r.embeddings = ToDouble(model.embeddings());
  r.head = RefFromModule(model.head());
  r.head_scale = model.spec().tied_head() ? 1.0 / std::sqrt(static_cast<double>(model.hidden_dim())) : 1.0;
  r.encoder_bias = ToDouble(model.encoder_bias().table());
  r.decoder_bias = ToDouble(model.decoder_bias().table());
  r.encoder_norm = RefFromModule(model.encoder_final_norm());
  r.decoder_norm = RefFromModule(model.decoder_final_norm());
  for (uint32_t i = 0; i < model.spec().encoder_layers(); ++i) {
    const Seq2SeqLm::EncoderLayer& l = model.encoder_layer(i);
    r.encoder.push_back({RefFromModule(l.attention_norm), RefFrom(l.attention), RefFromModule(l.mlp_norm),
                         RefFromModule(l.mlp)});
  }
  for (uint32_t i = 0; i < model.spec().decoder_layers(); ++i) {
    const Seq2SeqLm::DecoderLayer& l = model.decoder_layer(i);
    r.decoder.push_back({RefFromModule(l.self_attention_norm), RefFrom(l.self_attention),
                         RefFromModule(l.cross_attention_norm), RefFrom(l.cross_attention), RefFromModule(l.mlp_norm),
                         RefFromModule(l.mlp)});
  }
  return r;
}

}  // namespace ttt::testing
