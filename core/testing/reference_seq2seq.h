// The float64 reference of the encoder-decoder pattern (core/patterns/seq2seq): T5's relative position bias (the
// bucket from RelativePositionBucketReference), attention without score scaling over self, causal or encoder
// keys, RMS norms and MLPs from reference_model.h. Filled from a built Seq2SeqLm's own (dequantised) weights,
// so any weight dtype is judged against the math of what it stores; written from the math, not from the
// pattern's float kernels.
#pragma once

#include <vector>

#include "core/patterns/seq2seq/seq2seq_lm.h"
#include "core/testing/reference_model.h"

namespace ttt::testing {

struct RefSeq2SeqAttention {
  int64_t num_heads = 0, head_dim = 0;
  RefLinear wq, wk, wv, wo;
  // Queries of x [tokens, hidden] at positions 0.. over memory [rows, hidden]; bias [heads, tokens, rows] or
  // empty; causal: query t sees rows 0..t.
  DVector Forward(const DVector& x, int64_t tokens, const DVector& memory, int64_t rows, const DVector& bias,
                  bool causal) const;
};

struct RefSeq2Seq {
  spec::Seq2SeqSpec spec;  // validated
  DMatrix embeddings;
  RefLinear head;
  double head_scale = 1;
  DMatrix encoder_bias, decoder_bias;  // [buckets, heads]
  struct EncoderLayer {
    RefNorm attn_norm;
    RefSeq2SeqAttention attn;
    RefNorm mlp_norm;
    RefMlp mlp;
  };
  struct DecoderLayer {
    RefNorm self_norm;
    RefSeq2SeqAttention self_attn;
    RefNorm cross_norm;
    RefSeq2SeqAttention cross_attn;
    RefNorm mlp_norm;
    RefMlp mlp;
  };
  std::vector<EncoderLayer> encoder;
  std::vector<DecoderLayer> decoder;
  RefNorm encoder_norm, decoder_norm;

  // The bias [heads, queries, keys] of `table` for positions 0.. of both.
  DVector Bias(const DMatrix& table, const spec::RelativePositionBiasSpec& bias, int64_t queries, int64_t keys) const;
  DVector Encode(const std::vector<int32_t>& source) const;  // [source, hidden]
  // Decoder logits [target, vocab] for `target` at positions 0.. over `source`.
  DVector Logits(const std::vector<int32_t>& source, const std::vector<int32_t>& target) const;
};

RefSeq2Seq RefFromModule(const Seq2SeqLm& model);

}  // namespace ttt::testing
