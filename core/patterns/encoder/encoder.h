// An encoder-only transformer (BERT) assembled from the library's blocks per an EncoderSpec:
//   x = LayerNorm(token + position + token-type embeddings)
//   per layer:  x = LayerNorm(x + Attention(x));  x = LayerNorm(x + Mlp(x))     (post-norm)
// Attention is the decoder's block with causal false: every token sees every other. There is no KV cache to
// keep between calls; each Forward writes the sequence's keys and values into a one-layer workspace that
// every layer reuses (a layer writes all its rows before it reads any).
//
// Forward is const and allocates its own buffers, so one Encoder serves concurrent callers (a server's
// /v1/embeddings requests) without locking.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/blocks/attention/attention.h"
#include "core/blocks/embedding/embedding.h"
#include "core/blocks/mlp/mlp.h"
#include "core/blocks/norm/norm.h"
#include "core/hwconfig/specialize_block.h"
#include "core/specs/proto/encoder.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class Encoder {
 public:
  // The blocks of one layer, in the order they run.
  struct Layer {
    std::unique_ptr<Attention> attention;
    Norm attention_norm;
    Mlp mlp;
    Norm mlp_norm;
  };

  // Loads the canonical weights (core/formats/bert): "tok_embeddings", "pos_embeddings",
  // "token_type_embeddings", "embedding_norm", and per layer "layers.<i>.attn", ".attention_norm", ".mlp",
  // ".mlp_norm". Errors name the missing or misshapen weight.
  static absl::StatusOr<std::unique_ptr<Encoder>> Create(const Validated<spec::EncoderSpec>& spec,
                                                         const WeightMap& weights);

  // The last hidden states [ids.size(), hidden] of one sequence. `token_types` empty: segment 0 for every
  // token (one text, as embedding models are run); else one type per id. InvalidArgument for an empty
  // sequence, one longer than the position table, or an id or type outside its table.
  absl::StatusOr<std::vector<float>> Forward(absl::Span<const int32_t> ids,
                                             absl::Span<const int32_t> token_types = {}) const;

  // x [ids.size(), hidden] = LayerNorm(sum of the three embeddings): the input of the first layer, for ids and
  // types as Forward checks them (callers outside Forward check them first).
  void Embed(absl::Span<const int32_t> ids, absl::Span<const int32_t> token_types, float* x) const;

  // Runs every attention and MLP op as `options.device` does in `options.mode` (the module defaults of
  // hwconfig/modules: weight formats, and on a Tenstorrent device its matrix-engine numerics), with every
  // projection stored in `options.linear_weight_dtype` when set. Create builds the exact f32 cpu encoder.
  // A model whose weights in those formats exceed one chip's DRAM is refused (CheckFits) before any is converted.
  absl::Status UseDevice(const DeviceOptions& options);
  // OK when `spec`'s weights, in the formats `options` resolves, fit one chip of its device (an encoder runs on
  // one chip); else FailedPrecondition with the bytes and what to try. No weights needed.
  static absl::Status CheckFits(const Validated<spec::EncoderSpec>& spec, const DeviceOptions& options);
  const std::string& device() const { return device_; }

  const spec::EncoderSpec& spec() const { return *spec_; }
  int64_t hidden_dim() const { return spec_->token_embedding().hidden_dim(); }
  int64_t vocab_size() const { return spec_->token_embedding().vocab_size(); }
  int64_t max_positions() const { return spec_->position_embedding().max_positions(); }
  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }
  const TokenEmbedding& token_embedding() const { return token_embedding_; }
  const PositionEmbedding& position_embedding() const { return position_embedding_; }
  const Tensor& token_type_table() const { return token_types_; }  // [type_vocab_size, hidden]
  const Norm& embedding_norm() const { return embedding_norm_; }
  const Layer& layer(int64_t i) const { return layers_[i]; }

 private:
  explicit Encoder(Validated<spec::EncoderSpec> spec) : spec_(std::move(spec)) {}
  absl::Status CheckInputs(absl::Span<const int32_t> ids, absl::Span<const int32_t> token_types) const;

  Validated<spec::EncoderSpec> spec_;
  TokenEmbedding token_embedding_;
  PositionEmbedding position_embedding_;
  Tensor token_types_;
  Norm embedding_norm_;
  std::vector<Layer> layers_;
  std::string device_ = "cpu";
};

}  // namespace ttt
