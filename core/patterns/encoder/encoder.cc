#include "core/patterns/encoder/encoder.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/blocks/attention/attention_descriptor.h"
#include "core/blocks/attention/kv_cache.h"
#include "core/blocks/mlp/mlp_descriptor.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/device_registry.h"
#include "core/specs/device_kind.h"
#include "core/ops/ops.h"
#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<std::unique_ptr<Encoder>> Encoder::Create(const Validated<spec::EncoderSpec>& spec,
                                                         const WeightMap& weights) {
  auto e = std::unique_ptr<Encoder>(new Encoder(spec));
  TTT_ASSIGN_OR_RETURN(e->token_embedding_, TokenEmbedding::Create(spec.token_embedding(), weights));
  TTT_ASSIGN_OR_RETURN(e->position_embedding_, PositionEmbedding::Create(spec.position_embedding(), weights));
  TTT_ASSIGN_OR_RETURN(e->token_types_, RequireWeight(weights, "token_type_embeddings",
                                                      {spec->type_vocab_size(), e->hidden_dim()}));
  TTT_ASSIGN_OR_RETURN(e->embedding_norm_, Norm::Create(spec.embedding_norm(), weights, "embedding_norm"));
  for (uint32_t i = 0; i < spec->num_layers(); ++i) {
    const std::string p = absl::StrCat("layers.", i, ".");
    Layer layer;
    TTT_ASSIGN_OR_RETURN(layer.attention, Attention::Create(spec.attention(), weights, p + "attn"));
    TTT_ASSIGN_OR_RETURN(layer.attention_norm, Norm::Create(spec.attention_norm(), weights, p + "attention_norm"));
    TTT_ASSIGN_OR_RETURN(layer.mlp, Mlp::Create(spec.mlp(), weights, p + "mlp"));
    TTT_ASSIGN_OR_RETURN(layer.mlp_norm, Norm::Create(spec.mlp_norm(), weights, p + "mlp_norm"));
    e->layers_.push_back(std::move(layer));
  }
  return e;
}

namespace {

// Each layer's attention and mlp configs: the same specs everywhere, so the same configs unless a model-level
// config overrides some layers.
struct EncoderConfigs {
  std::vector<ResolvedModuleConfig> attention, mlp;
};
absl::StatusOr<EncoderConfigs> ResolveEncoder(const Validated<spec::EncoderSpec>& spec, const hw::DeviceProfile& device,
                                              const DeviceOptions& options) {
  static const ModuleDescriptor kAttention = AttentionDescriptor(), kMlp = MlpDescriptor();
  const PatternModule attention{"attention", &kAttention}, mlp{"mlp", &kMlp};
  TTT_RETURN_IF_ERROR(CheckPatternHwConfig(options, {attention, mlp}, spec->num_layers()));
  EncoderConfigs c;
  for (uint32_t i = 0; i < spec->num_layers(); ++i) {
    const bool same = i > 0 && (!options.hw_config || options.hw_config->overrides_size() == 0);
    if (same) {  // one resolution serves every layer
      c.attention.push_back(c.attention.front());
      c.mlp.push_back(c.mlp.front());
      continue;
    }
    TTT_ASSIGN_OR_RETURN(c.attention.emplace_back(), ResolveModuleConfig(attention, *spec.attention(), device, options, i));
    TTT_ASSIGN_OR_RETURN(c.mlp.emplace_back(), ResolveModuleConfig(mlp, *spec.mlp(), device, options, i));
  }
  return c;
}

// The encoder's weights as `device` holds them: every layer's projections in their resolved formats, the three
// embedding tables in the device's natural format.
double EncoderWeightBytes(const Validated<spec::EncoderSpec>& spec, const EncoderConfigs& c,
                          const hw::DeviceProfile& device) {
  double bytes = 0;
  for (size_t i = 0; i < c.attention.size(); ++i) {
    bytes += ModuleWeightBytes(AttentionDescriptor(), *spec.attention(), &c.attention[i], device) +
             ModuleWeightBytes(MlpDescriptor(), *spec.mlp(), &c.mlp[i], device);
  }
  const double rows = static_cast<double>(spec->token_embedding().vocab_size()) +
                      spec->position_embedding().max_positions() + spec->type_vocab_size();
  const double natural = IsTenstorrent(device) ? 2 : 4;  // bf16 on a Tenstorrent device, f32 on the cpu
  return bytes + rows * spec->token_embedding().hidden_dim() * natural;
}

// The fit check on configs already resolved; the bfp4 alternative is resolved only for a model that does not fit.
absl::Status CheckResolvedFits(const Validated<spec::EncoderSpec>& spec, const hw::DeviceProfile& device,
                               const DeviceOptions& options, const EncoderConfigs& configs) {
  return CheckWeightsFitOneChip(absl::StrCat("encoder '", spec->name(), "'"), EncoderWeightBytes(spec, configs, device),
                                [&] {
                                  DeviceOptions bfp4 = options;
                                  bfp4.linear_weight_dtype = DType::kBFP4;
                                  auto c = ResolveEncoder(spec, device, bfp4);
                                  return c.ok() ? EncoderWeightBytes(spec, *c, device) : 0.0;
                                },
                                device);
}

}  // namespace

absl::Status Encoder::CheckFits(const Validated<spec::EncoderSpec>& spec, const DeviceOptions& options) {
  TTT_ASSIGN_OR_RETURN(const hw::DeviceProfile device, GetDeviceProfile(options.device));
  TTT_ASSIGN_OR_RETURN(const EncoderConfigs configs, ResolveEncoder(spec, device, options));
  return CheckResolvedFits(spec, device, options, configs);
}

absl::Status Encoder::UseDevice(const DeviceOptions& options) {
  TTT_ASSIGN_OR_RETURN(const hw::DeviceProfile device, GetDeviceProfile(options.device));
  const bool tt = IsTenstorrent(device);
  TTT_ASSIGN_OR_RETURN(const EncoderConfigs configs, ResolveEncoder(spec_, device, options));
  TTT_RETURN_IF_ERROR(CheckResolvedFits(spec_, device, options, configs));
  for (size_t i = 0; i < layers_.size(); ++i) {
    TTT_RETURN_IF_ERROR(SpecializeBlock(*layers_[i].attention, configs.attention[i], tt));
    TTT_RETURN_IF_ERROR(SpecializeBlock(layers_[i].mlp, configs.mlp[i], tt));
  }
  device_ = options.device;
  return absl::OkStatus();
}

absl::Status Encoder::CheckInputs(absl::Span<const int32_t> ids, absl::Span<const int32_t> token_types) const {
  if (ids.empty()) return absl::InvalidArgumentError("encoder: no tokens to encode; pass at least one id");
  if (static_cast<int64_t>(ids.size()) > max_positions()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "encoder '", spec_->name(), "': ", ids.size(), " tokens exceed its ", max_positions(),
        " learned positions; shorten the text (truncate to ", max_positions(), " tokens)"));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= vocab_size()) {
      return absl::InvalidArgumentError(absl::StrCat("encoder: token ", ids[i], " at position ", i,
                                                     " is outside the vocabulary [0, ", vocab_size(), ")"));
    }
  }
  if (!token_types.empty() && token_types.size() != ids.size()) {
    return absl::InvalidArgumentError(absl::StrCat("encoder: ", token_types.size(), " token types for ", ids.size(),
                                                   " tokens; give one per token, or none for segment 0"));
  }
  for (size_t i = 0; i < token_types.size(); ++i) {
    if (token_types[i] < 0 || token_types[i] >= static_cast<int64_t>(spec_->type_vocab_size())) {
      return absl::InvalidArgumentError(absl::StrCat("encoder: token type ", token_types[i], " at position ", i,
                                                     " is outside [0, ", spec_->type_vocab_size(), ")"));
    }
  }
  return absl::OkStatus();
}

void Encoder::Embed(absl::Span<const int32_t> ids, absl::Span<const int32_t> token_types, float* x) const {
  const int64_t tokens = ids.size(), hidden = hidden_dim();
  std::vector<float> sum(tokens * hidden);
  token_embedding_.Forward(ids.data(), tokens, sum.data());
  std::vector<int32_t> positions(tokens);
  for (int64_t t = 0; t < tokens; ++t) positions[t] = static_cast<int32_t>(t);
  position_embedding_.AddTo(positions.data(), tokens, sum.data());
  const float* types = token_types_.data<float>();
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t type = token_types.empty() ? 0 : token_types[t];
    ops::Add(sum.data() + t * hidden, types + type * hidden, sum.data() + t * hidden, hidden);
  }
  embedding_norm_.Forward(sum.data(), tokens, x);
}

absl::StatusOr<std::vector<float>> Encoder::Forward(absl::Span<const int32_t> ids,
                                                    absl::Span<const int32_t> token_types) const {
  TTT_RETURN_IF_ERROR(CheckInputs(ids, token_types));
  const int64_t tokens = ids.size(), hidden = hidden_dim();
  std::vector<float> x(tokens * hidden), branch(tokens * hidden), sum(tokens * hidden);
  Embed(ids, token_types, x.data());
  if (layers_.empty()) return x;
  // The attention workspace: one layer's keys and values, rewritten by every layer.
  const Attention& first = *layers_.front().attention;
  KvCache workspace(/*num_layers=*/1, /*max_batch=*/1, tokens, first.kv_dim(), DType::kF32);
  workspace.PlanAttentionWork(first.AttentionWorkFloats(tokens, DType::kF32));
  int64_t scratch_floats = 0;
  for (const Layer& layer : layers_) {
    scratch_floats = std::max({scratch_floats, layer.attention->ScratchFloats(tokens), layer.mlp.ScratchFloats(tokens)});
  }
  std::vector<float> scratch(scratch_floats);
  for (const Layer& layer : layers_) {
    layer.attention->Prefill(x.data(), tokens, /*pos0=*/0, workspace, /*layer=*/0, /*slot=*/0, branch.data(),
                             scratch.data());
    ops::Add(x.data(), branch.data(), sum.data(), tokens * hidden);
    layer.attention_norm.Forward(sum.data(), tokens, x.data());
    layer.mlp.Forward(x.data(), tokens, branch.data(), scratch.data(), Phase::kPrefill);
    ops::Add(x.data(), branch.data(), sum.data(), tokens * hidden);
    layer.mlp_norm.Forward(sum.data(), tokens, x.data());
  }
  return x;
}

}  // namespace ttt
