// An encoder-decoder language model (T5, T5 v1.1, flan-t5) assembled from the library's blocks per a
// Seq2SeqSpec:
//   encoder:  x = embed(source);  per layer  x += SelfAttention(RMS(x), bias_enc);  x += Mlp(RMS(x));
//             memory = RMS(x)
//   decoder:  y = embed(target);  per layer  y += SelfAttention(RMS(y), bias_dec, causal);
//             y += CrossAttention(RMS(y), memory);  y += Mlp(RMS(y));
//             logits = head(RMS(y))      (tied head: the embedding, applied to RMS(y) * hidden^-0.5)
// The norms are T5's: RMS without mean subtraction, no bias. The position biases come from the first layer of
// each stack and are shared by its layers. A source is encoded once; its cross-attention keys and values are
// projected once (StartDecoding) and kept in the DecoderState with the decoder's own KV cache, so each decoding
// step costs one token.
//
// The model is const after Create; a DecoderState belongs to one sequence, so concurrent callers each hold
// their own.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/blocks/relative_attention/relative_position_bias.h"
#include "core/blocks/relative_attention/seq2seq_attention.h"
#include "core/blocks/linear/linear.h"
#include "core/blocks/mlp/mlp.h"
#include "core/blocks/norm/norm.h"
#include "core/hwconfig/specialize_block.h"
#include "core/specs/proto/seq2seq.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class Seq2SeqLm {
 public:
  struct EncoderLayer {
    Norm attention_norm;
    Seq2SeqAttention attention;
    Norm mlp_norm;
    Mlp mlp;
  };
  struct DecoderLayer {
    Norm self_attention_norm;
    Seq2SeqAttention self_attention;
    Norm cross_attention_norm;
    Seq2SeqAttention cross_attention;
    Norm mlp_norm;
    Mlp mlp;
  };
  // One target sequence being decoded against one encoded source.
  struct DecoderState {
    std::vector<KeysValues> self;   // per decoder layer, the target tokens so far
    std::vector<KeysValues> cross;  // per decoder layer, the source (projected once)
    int64_t length = 0;             // target tokens decoded so far
    // Decode's buffers, kept between its calls so a step reuses them (they only grow).
    std::vector<float> y, normed, branch, bias, scratch;
  };

  // Loads the canonical weights (core/formats/t5): "tok_embeddings", "lm_head" (untied only),
  // "encoder.rel_bias", "encoder.final_norm", "encoder.layers.<i>.{attention_norm,attn,mlp_norm,mlp}",
  // "decoder.rel_bias", "decoder.final_norm", "decoder.layers.<i>.{self_attn_norm,self_attn,cross_attn_norm,
  // cross_attn,mlp_norm,mlp}". Errors name the missing or misshapen weight.
  static absl::StatusOr<std::unique_ptr<Seq2SeqLm>> Create(const Validated<spec::Seq2SeqSpec>& spec,
                                                           const WeightMap& weights);

  // The encoder's output [source.size(), hidden] (after its final norm). InvalidArgument for an empty source
  // or an id outside the vocabulary.
  absl::StatusOr<std::vector<float>> Encode(absl::Span<const int32_t> source) const;
  // A decoder state over `memory` [rows, hidden] (Encode's output): the cross-attention keys and values of every
  // decoder layer, projected once.
  absl::StatusOr<DecoderState> StartDecoding(absl::Span<const float> memory) const;
  // Runs `target` (the next tokens; the first call starts with decoder_start_token_id) through the decoder,
  // appending them to `state`; returns their logits [target.size(), vocab].
  absl::StatusOr<std::vector<float>> Decode(DecoderState& state, absl::Span<const int32_t> target) const;

  // x [ids.size(), hidden]: the ids' embedding rows, the input of either stack's first layer (ids checked by
  // the caller, as Encode and Decode do).
  void Embed(absl::Span<const int32_t> ids, float* x) const;

  // Runs every projection (attention, MLP, head) as `options.device` does in `options.mode`: the attention,
  // mlp and lm_head module defaults of hwconfig/modules (weight formats, and on a Tenstorrent device its
  // matrix-engine numerics, the attention products' included: the attention module's sdpa op), with every
  // projection stored in `options.linear_weight_dtype` when set. Create builds the exact f32 cpu model.
  // A model whose weights in those formats exceed one chip's DRAM is refused (CheckFits) before any is converted.
  absl::Status UseDevice(const DeviceOptions& options);
  // OK when `spec`'s weights, in the formats `options` resolves, fit one chip of its device (the model runs on
  // one chip); else FailedPrecondition with the bytes and what to try. No weights needed.
  static absl::Status CheckFits(const Validated<spec::Seq2SeqSpec>& spec, const DeviceOptions& options);
  const std::string& device() const { return device_; }

  const spec::Seq2SeqSpec& spec() const { return *spec_; }
  int64_t hidden_dim() const { return spec_->hidden_dim(); }
  int64_t vocab_size() const { return spec_->vocab_size(); }
  int32_t decoder_start_token_id() const { return spec_->decoder_start_token_id(); }
  int32_t eos_token_id() const { return spec_->eos_token_id(); }
  const RelativePositionBias& encoder_bias() const { return encoder_bias_; }
  const RelativePositionBias& decoder_bias() const { return decoder_bias_; }
  const EncoderLayer& encoder_layer(int64_t i) const { return encoder_[i]; }
  const DecoderLayer& decoder_layer(int64_t i) const { return decoder_[i]; }
  const Tensor& embeddings() const { return embeddings_; }
  const Linear& head() const { return head_; }
  float head_scale() const { return head_scale_; }  // hidden^-0.5 when tied, else 1
  const Norm& encoder_final_norm() const { return encoder_final_norm_; }
  const Norm& decoder_final_norm() const { return decoder_final_norm_; }

 private:
  explicit Seq2SeqLm(Validated<spec::Seq2SeqSpec> spec) : spec_(std::move(spec)) {}
  absl::Status CheckIds(absl::Span<const int32_t> ids, const char* what) const;

  Validated<spec::Seq2SeqSpec> spec_;
  Tensor embeddings_;  // [vocab, hidden]
  Linear head_;        // [vocab, hidden]: lm_head, or the embeddings when tied
  float head_scale_ = 1;
  RelativePositionBias encoder_bias_, decoder_bias_;
  Norm encoder_final_norm_, decoder_final_norm_;
  std::vector<EncoderLayer> encoder_;
  std::vector<DecoderLayer> decoder_;
  std::string device_ = "cpu";
};

}  // namespace ttt
