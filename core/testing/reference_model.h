// Independent float64 implementations of every block spec (core/specs/proto): linear, RMSNorm/LayerNorm,
// plain and gated MLPs (SiLU, exact and tanh GELU, ReLU), attention with GQA, RoPE (both pair conventions,
// partial rotary, linear and Llama-3 scaling), ALiBi-style position biases, biases, score soft-capping and sliding
// windows (on every layer or a pattern of them), the pre-norm decoder layer (with post-norms) and the whole causal
// LM (with logit soft-capping). Written from the math, not from the library's float kernels, so that TestSuite can
// judge any dtype/fidelity configuration of a module against it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "core/specs/proto/model.pb.h"

namespace ttt::testing {

using DVector = std::vector<double>;

// Row-major [rows, cols].
struct DMatrix {
  int64_t rows = 0, cols = 0;
  DVector v;
  const double* row(int64_t r) const { return v.data() + r * cols; }
};

// y = x W^T + b, W [out, in] (torch nn.Linear).
struct RefLinear {
  DMatrix w;
  DVector b;  // empty: no bias
  DVector Forward(const DVector& x, int64_t rows) const;
};

struct RefNorm {
  spec::NormSpec spec;  // validated
  DVector w, b;
  DVector Forward(const DVector& x, int64_t rows) const;
};

struct RefMlp {
  spec::MlpSpec spec;
  RefLinear gate, up, down;  // gate unused unless spec.gated()
  DVector Forward(const DVector& x, int64_t rows) const;
};

struct RefAttention {
  spec::AttentionSpec spec;  // validated (num_kv_heads, head_dim, softmax_scale, rope.head_dim filled)
  RefLinear wq, wk, wv, wo;
  // One per head when the spec has a position_bias (RefPositionBiasSlopes): head h's score of key j for the
  // query at t gets -slopes[h] * |t - j| after scaling. Empty: no bias.
  DVector position_bias_slopes;
  int64_t layer = 0;  // the layer's index: a sliding_window_pattern's global layers ignore the window
  // x [tokens, hidden] at positions 0..tokens-1 of one sequence -> out [tokens, hidden].
  DVector Forward(const DVector& x, int64_t tokens) const;
};

// Gemma 2's final logit soft-cap, cap * tanh(z / cap), in place; cap <= 0 leaves the logits as they are.
void RefSoftCapLogits(double cap, DVector& logits);

// The scaled RoPE inverse frequencies of `rope` (validated), one per rotated pair.
DVector RefRopeInverseFrequencies(const spec::RopeSpec& rope, int64_t context = 0);

// The slopes of `attention`'s position bias from the kind's registered provider (the one definition of a
// kind's slopes: core/blocks/attention/position_bias.h); empty without a position_bias.
absl::StatusOr<DVector> RefPositionBiasSlopes(const spec::AttentionSpec& attention);

// What a forward pass saw: the inputs of every module, for feeding a module the activations of a real pass.
struct LayerActivations {
  DVector input;       // residual stream entering the layer = attn_norm input
  DVector attn_input;  // attn_norm output
  DVector mlp_residual;  // residual after attention = mlp_norm input
  DVector mlp_input;   // mlp_norm output
  DVector output;      // residual leaving the layer
};
struct ModelActivations {
  std::vector<int32_t> tokens;
  std::vector<LayerActivations> layers;
  DVector final_norm_input;
  DVector head_input;
  DVector logits;
};

// A module a layer spec names by kind (DecoderLayerSpec.modules): its descriptor's float64 reference.
struct RefLayerModule {
  std::optional<RefNorm> norm;
  std::function<DVector(const DVector& x, int64_t rows)> forward;
};

struct RefDecoderLayer {
  RefNorm attn_norm;
  RefAttention attn;
  RefNorm mlp_norm;
  RefMlp mlp;
  std::optional<RefNorm> attn_post_norm, mlp_post_norm;  // sandwich norms (Gemma 2): on a branch's output
  std::optional<RefLayerModule> feed_forward;  // a feed-forward of another kind (mixture of experts): replaces mlp
  std::vector<RefLayerModule> modules;  // run after the MLP, each a residual branch
  DVector Forward(const DVector& x, int64_t tokens, LayerActivations* capture = nullptr) const;
};

struct RefModel {
  spec::ModelSpec spec;  // validated
  DMatrix tok_embeddings;
  DMatrix pos_embeddings;  // learned positions only
  std::vector<RefDecoderLayer> layers;
  RefNorm final_norm;
  RefLinear lm_head;  // a tied head holds a copy of the token embedding
  // tokens at positions 0.. -> embeddings [tokens, hidden] (scaled, plus learned positions).
  DVector Embed(const std::vector<int32_t>& tokens) const;
  DVector Logits(const std::vector<int32_t>& tokens, ModelActivations* capture = nullptr) const;
};

// Token embedding alone: table rows times `scale`.
DVector RefEmbed(const DMatrix& table, double scale, const std::vector<int32_t>& ids);

}  // namespace ttt::testing
