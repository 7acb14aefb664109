#include "core/formats/canonical_weights.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt::formats {
namespace {

using NamedShapes = std::vector<std::pair<std::string, Shape>>;

// The weights outside the decoder layers (layer < 0) or of decoder layer `layer`.
NamedShapes WeightShapesOf(const Validated<spec::ModelSpec>& spec, int64_t layer) {
  const int64_t dim = spec->hidden_dim(), vocab = spec->vocab_size();
  // Layer `layer`'s own spec (its layer_groups entry's, or ModelSpec.layer); outside the layers, unused.
  const Validated<spec::DecoderLayerSpec> layer_spec = spec.layer(layer < 0 ? 0 : static_cast<uint32_t>(layer));
  const spec::DecoderLayerSpec& ls = *layer_spec;
  const Validated<spec::AttentionSpec> validated_attn = layer_spec.attention();
  const spec::AttentionSpec& attn = *validated_attn;
  const spec::MlpSpec& mlp = ls.mlp();
  const int64_t q_dim = validated_attn.q_dim(), kv_dim = validated_attn.kv_dim();
  const int64_t inter = mlp.intermediate_dim();

  NamedShapes out;
  auto norm = [&](const std::string& prefix, const spec::NormSpec& n) {
    out.emplace_back(prefix + ".weight", Shape{dim});
    if (n.bias()) out.emplace_back(prefix + ".bias", Shape{dim});
  };
  auto linear = [&](const std::string& name, int64_t rows, int64_t cols, bool bias) {
    out.emplace_back(name, Shape{rows, cols});
    if (bias) out.emplace_back(name + ".bias", Shape{rows});
  };
  if (layer < 0) {
    out.emplace_back("tok_embeddings", Shape{vocab, dim});
    if (spec->learned_positions()) {
      out.emplace_back("pos_embeddings", Shape{static_cast<int64_t>(spec->position_embedding().max_positions()), dim});
    }
    norm("final_norm", spec->final_norm());
    if (!spec->lm_head().tied()) linear("lm_head", vocab, dim, spec->lm_head().bias());
    return out;
  }
  std::string l = absl::StrCat("layers.", layer, ".");
  norm(l + "attn_norm", ls.attention_norm());
  linear(l + "attn.wq", q_dim, dim, attn.qkv_bias());
  linear(l + "attn.wk", kv_dim, dim, attn.qkv_bias());
  linear(l + "attn.wv", kv_dim, dim, attn.qkv_bias());
  linear(l + "attn.wo", dim, q_dim, attn.output_bias());
  if (ls.has_attention_post_norm()) norm(l + "attn_post_norm", ls.attention_post_norm());
  norm(l + "mlp_norm", ls.mlp_norm());
  if (ls.has_mlp_post_norm()) norm(l + "mlp_post_norm", ls.mlp_post_norm());
  if (ls.has_moe()) {
    // A mixture of experts (core/blocks/moe/moe.h): the router, every expert's gated MLP, the shared expert.
    const spec::MoeSpec& moe = ls.moe();
    auto gated = [&](const std::string& prefix, int64_t width) {
      linear(prefix + ".w_gate", width, dim, false);
      linear(prefix + ".w_up", width, dim, false);
      linear(prefix + ".w_down", dim, width, false);
    };
    linear(l + "mlp.router", moe.num_experts(), dim, false);
    for (uint32_t e = 0; e < moe.num_experts(); ++e) gated(absl::StrCat(l, "mlp.experts.", e), moe.expert_dim());
    if (moe.shared_expert_dim() > 0) gated(l + "mlp.shared", moe.shared_expert_dim());
    if (moe.shared_expert_gate()) linear(l + "mlp.shared_gate", 1, dim, false);
    return out;
  }
  if (mlp.gated()) linear(l + "mlp.w_gate", inter, dim, mlp.bias());
  linear(l + "mlp.w_up", inter, dim, mlp.bias());
  linear(l + "mlp.w_down", dim, inter, mlp.bias());
  return out;
}

absl::Status CheckPresent(const Validated<spec::ModelSpec>& spec, const NamedShapes& expected, const WeightMap& weights,
                          const std::string& source) {
  for (const auto& [name, shape] : expected) {
    auto it = weights.find(name);
    if (it == weights.end()) {
      return absl::NotFoundError(absl::StrCat("checkpoint '", source, "' lacks weight '", name, "' of shape ",
                                              ShapeString(shape), " that the model spec (", spec->family(),
                                              ") needs; the file is incomplete or its config does not match it"));
    }
    if (it->second.shape() != shape) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint '", source, "': weight '", name, "' has shape ", ShapeString(it->second.shape()),
          " but the model spec needs ", ShapeString(shape), "; the config does not match the weights"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::pair<std::string, Shape>> ExpectedWeightShapes(const Validated<spec::ModelSpec>& spec) {
  NamedShapes out = WeightShapesOf(spec, -1);
  for (uint32_t i = 0; i < spec->num_layers(); ++i) {
    NamedShapes layer = WeightShapesOf(spec, i);
    out.insert(out.end(), layer.begin(), layer.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status CheckWeights(const Validated<spec::ModelSpec>& spec, const WeightMap& weights, const std::string& source) {
  // Layer by layer, so that a config claiming billions of layers fails at the first missing weight
  // instead of listing them all.
  size_t expected_count = 0;
  absl::flat_hash_set<std::string> expected_names;
  for (int64_t layer = -1; layer < static_cast<int64_t>(spec->num_layers()); ++layer) {
    NamedShapes expected = WeightShapesOf(spec, layer);
    TTT_RETURN_IF_ERROR(CheckPresent(spec, expected, weights, source));
    expected_count += expected.size();
    for (auto& [name, shape] : expected) expected_names.insert(std::move(name));
  }
  if (weights.size() != expected_count) {
    for (const auto& [name, tensor] : weights) {
      if (!expected_names.contains(name)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "checkpoint '", source, "' has weight '", name, "' (shape ", ShapeString(tensor.shape()),
            ") that the model spec does not use; the config does not match the weights (layer count? biases?)"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ttt::formats
