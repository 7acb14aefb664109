#include "core/patterns/seq2seq/seq2seq_lm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/blocks/attention/attention_descriptor.h"
#include "core/blocks/lm_head/lm_head_descriptor.h"
#include "core/blocks/mlp/mlp_descriptor.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/device_registry.h"
#include "core/ops/ops.h"
#include "core/specs/device_kind.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"

namespace ttt {

absl::StatusOr<std::unique_ptr<Seq2SeqLm>> Seq2SeqLm::Create(const Validated<spec::Seq2SeqSpec>& spec,
                                                             const WeightMap& weights) {
  auto m = std::unique_ptr<Seq2SeqLm>(new Seq2SeqLm(spec));
  const int64_t hidden = spec->hidden_dim(), vocab = spec->vocab_size(), heads = spec->num_heads(),
                head_dim = spec->head_dim();
  spec::NormSpec rms;
  rms.set_kind(spec::NormSpec::RMS_NORM);
  rms.set_dim(spec->hidden_dim());
  rms.set_eps(spec->norm_eps());
  TTT_ASSIGN_OR_RETURN(Validated<spec::NormSpec> norm, ValidateNorm(rms));
  TTT_ASSIGN_OR_RETURN(Validated<spec::MlpSpec> mlp, ValidateMlp(spec->mlp()));
  TTT_ASSIGN_OR_RETURN(m->embeddings_, RequireWeight(weights, "tok_embeddings", {vocab, hidden}));
  if (spec->tied_head()) {
    if (weights.contains("lm_head")) {
      return absl::InvalidArgumentError("weights hold an 'lm_head' but the spec ties the head to the embeddings; "
                                        "set tie_word_embeddings false, or drop the lm_head");
    }
    m->head_ = Linear(m->embeddings_, Tensor());
    m->head_scale_ = 1.0f / std::sqrt(static_cast<float>(hidden));
  } else {
    TTT_ASSIGN_OR_RETURN(m->head_, Linear::Load(weights, "lm_head", vocab, hidden, false));
  }
  TTT_ASSIGN_OR_RETURN(m->encoder_bias_, RelativePositionBias::Create(spec->encoder_bias(), weights, "encoder.rel_bias"));
  TTT_ASSIGN_OR_RETURN(m->decoder_bias_, RelativePositionBias::Create(spec->decoder_bias(), weights, "decoder.rel_bias"));
  TTT_ASSIGN_OR_RETURN(m->encoder_final_norm_, Norm::Create(norm, weights, "encoder.final_norm"));
  TTT_ASSIGN_OR_RETURN(m->decoder_final_norm_, Norm::Create(norm, weights, "decoder.final_norm"));
  for (uint32_t i = 0; i < spec->encoder_layers(); ++i) {
    const std::string p = absl::StrCat("encoder.layers.", i, ".");
    EncoderLayer l;
    TTT_ASSIGN_OR_RETURN(l.attention_norm, Norm::Create(norm, weights, p + "attention_norm"));
    TTT_ASSIGN_OR_RETURN(l.attention, Seq2SeqAttention::Create(hidden, heads, head_dim, weights, p + "attn"));
    TTT_ASSIGN_OR_RETURN(l.mlp_norm, Norm::Create(norm, weights, p + "mlp_norm"));
    TTT_ASSIGN_OR_RETURN(l.mlp, Mlp::Create(mlp, weights, p + "mlp"));
    m->encoder_.push_back(std::move(l));
  }
  for (uint32_t i = 0; i < spec->decoder_layers(); ++i) {
    const std::string p = absl::StrCat("decoder.layers.", i, ".");
    DecoderLayer l;
    TTT_ASSIGN_OR_RETURN(l.self_attention_norm, Norm::Create(norm, weights, p + "self_attn_norm"));
    TTT_ASSIGN_OR_RETURN(l.self_attention, Seq2SeqAttention::Create(hidden, heads, head_dim, weights, p + "self_attn"));
    TTT_ASSIGN_OR_RETURN(l.cross_attention_norm, Norm::Create(norm, weights, p + "cross_attn_norm"));
    TTT_ASSIGN_OR_RETURN(l.cross_attention,
                         Seq2SeqAttention::Create(hidden, heads, head_dim, weights, p + "cross_attn"));
    TTT_ASSIGN_OR_RETURN(l.mlp_norm, Norm::Create(norm, weights, p + "mlp_norm"));
    TTT_ASSIGN_OR_RETURN(l.mlp, Mlp::Create(mlp, weights, p + "mlp"));
    m->decoder_.push_back(std::move(l));
  }
  return m;
}

namespace {

// The module kinds whose defaults T5's projections take, each resolved for T5's sizes.
struct Seq2SeqConfigs {
  spec::AttentionSpec attention_spec;
  spec::LmHeadSpec head_spec;
  ResolvedModuleConfig attention, mlp, head;
};
absl::StatusOr<Seq2SeqConfigs> ResolveSeq2Seq(const spec::Seq2SeqSpec& spec, const hw::DeviceProfile& device,
                                              const DeviceOptions& options) {
  static const ModuleDescriptor kAttention = AttentionDescriptor(), kMlp = MlpDescriptor(), kHead = LmHeadDescriptor();
  const PatternModule attention{"attention", &kAttention}, mlp{"mlp", &kMlp}, head{"lm_head", &kHead, false};
  TTT_RETURN_IF_ERROR(CheckPatternHwConfig(
      options, {attention, mlp, head}, 0,
      "an encoder-decoder's encoder and decoder layers are configured together"));
  Seq2SeqConfigs c;
  c.attention_spec.set_hidden_dim(spec.hidden_dim());
  c.attention_spec.set_num_heads(spec.num_heads());
  c.attention_spec.set_num_kv_heads(spec.num_heads());
  c.attention_spec.set_head_dim(spec.head_dim());
  c.head_spec.set_hidden_dim(spec.hidden_dim());
  c.head_spec.set_vocab_size(spec.vocab_size());
  c.head_spec.set_tied(spec.tied_head());
  TTT_ASSIGN_OR_RETURN(c.attention, ResolveModuleConfig(attention, c.attention_spec, device, options));
  TTT_ASSIGN_OR_RETURN(c.mlp, ResolveModuleConfig(mlp, spec.mlp(), device, options));
  TTT_ASSIGN_OR_RETURN(c.head, ResolveModuleConfig(head, c.head_spec, device, options));
  return c;
}

// The weights as `device` holds them: each encoder layer's attention and MLP, each decoder layer's two
// attentions and MLP, the head (a tied one converts the table into a copy of its own) and the embedding table
// in the device's natural format.
double Seq2SeqWeightBytes(const spec::Seq2SeqSpec& spec, const Seq2SeqConfigs& c, const hw::DeviceProfile& device) {
  const double attention = ModuleWeightBytes(AttentionDescriptor(), c.attention_spec, &c.attention, device);
  const double mlp = ModuleWeightBytes(MlpDescriptor(), spec.mlp(), &c.mlp, device);
  const double natural = IsTenstorrent(device) ? 2 : 4;  // bf16 on a Tenstorrent device, f32 on the cpu
  return spec.encoder_layers() * (attention + mlp) + spec.decoder_layers() * (2 * attention + mlp) +
         ModuleWeightBytes(LmHeadDescriptor(), c.head_spec, &c.head, device) +
         static_cast<double>(spec.vocab_size()) * spec.hidden_dim() * natural;
}

// The fit check on configs already resolved; the bfp4 alternative is resolved only for a model that does not fit.
absl::Status CheckResolvedFits(const spec::Seq2SeqSpec& spec, const hw::DeviceProfile& device,
                               const DeviceOptions& options, const Seq2SeqConfigs& configs) {
  return CheckWeightsFitOneChip(absl::StrCat("encoder-decoder '", spec.name(), "'"),
                                Seq2SeqWeightBytes(spec, configs, device),
                                [&] {
                                  DeviceOptions bfp4 = options;
                                  bfp4.linear_weight_dtype = DType::kBFP4;
                                  auto c = ResolveSeq2Seq(spec, device, bfp4);
                                  return c.ok() ? Seq2SeqWeightBytes(spec, *c, device) : 0.0;
                                },
                                device);
}

}  // namespace

absl::Status Seq2SeqLm::CheckFits(const Validated<spec::Seq2SeqSpec>& spec, const DeviceOptions& options) {
  TTT_ASSIGN_OR_RETURN(const hw::DeviceProfile device, GetDeviceProfile(options.device));
  TTT_ASSIGN_OR_RETURN(const Seq2SeqConfigs configs, ResolveSeq2Seq(*spec, device, options));
  return CheckResolvedFits(*spec, device, options, configs);
}

absl::Status Seq2SeqLm::UseDevice(const DeviceOptions& options) {
  TTT_ASSIGN_OR_RETURN(const hw::DeviceProfile device, GetDeviceProfile(options.device));
  const bool tt = IsTenstorrent(device);
  TTT_ASSIGN_OR_RETURN(const Seq2SeqConfigs configs, ResolveSeq2Seq(*spec_, device, options));
  TTT_RETURN_IF_ERROR(CheckResolvedFits(*spec_, device, options, configs));
  const ResolvedModuleConfig &attention = configs.attention, &mlp = configs.mlp, &head = configs.head;
  auto specialize_attention = [&](Seq2SeqAttention& a, const std::string& where) -> absl::Status {
    const std::array<Linear*, 4> p = a.projections();
    for (int i = 0; i < 4; ++i) {
      TTT_RETURN_IF_ERROR(SpecializeLinear(*p[i], attention, i < 3 ? "wqkv" : "wo", tt, where));
    }
    for (const Phase phase : {Phase::kPrefill, Phase::kDecode}) {  // the attention products: the "sdpa" op
      TTT_ASSIGN_OR_RETURN(const LinearExecution e, OpExecution(attention.op(phase, "sdpa"), tt, where + " sdpa"));
      a.SetSdpaNumerics(phase, tt ? std::optional(e.numerics) : std::nullopt);
    }
    return absl::OkStatus();
  };
  for (size_t i = 0; i < encoder_.size(); ++i) {
    TTT_RETURN_IF_ERROR(specialize_attention(encoder_[i].attention, absl::StrCat("encoder.layers.", i, ".attn")));
    TTT_RETURN_IF_ERROR(SpecializeBlock(encoder_[i].mlp, mlp, tt));
  }
  for (size_t i = 0; i < decoder_.size(); ++i) {
    const std::string p = absl::StrCat("decoder.layers.", i, ".");
    TTT_RETURN_IF_ERROR(specialize_attention(decoder_[i].self_attention, p + "self_attn"));
    TTT_RETURN_IF_ERROR(specialize_attention(decoder_[i].cross_attention, p + "cross_attn"));
    TTT_RETURN_IF_ERROR(SpecializeBlock(decoder_[i].mlp, mlp, tt));
  }
  TTT_RETURN_IF_ERROR(SpecializeLinear(head_, head, "lm_head", tt, "lm_head"));
  device_ = options.device;
  return absl::OkStatus();
}

absl::Status Seq2SeqLm::CheckIds(absl::Span<const int32_t> ids, const char* what) const {
  if (ids.empty()) return absl::InvalidArgumentError(absl::StrCat("seq2seq: no ", what, " tokens; pass at least one id"));
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= vocab_size()) {
      return absl::InvalidArgumentError(absl::StrCat("seq2seq: ", what, " token ", ids[i], " at position ", i,
                                                     " is outside the vocabulary [0, ", vocab_size(), ")"));
    }
  }
  return absl::OkStatus();
}

void Seq2SeqLm::Embed(absl::Span<const int32_t> ids, float* x) const {
  ops::Embedding(embeddings_, ids.data(), static_cast<int64_t>(ids.size()), x);
}

absl::StatusOr<std::vector<float>> Seq2SeqLm::Encode(absl::Span<const int32_t> source) const {
  TTT_RETURN_IF_ERROR(CheckIds(source, "source"));
  const int64_t n = source.size(), hidden = hidden_dim();
  std::vector<float> x(n * hidden), normed(n * hidden), branch(n * hidden), bias(encoder_bias_.num_heads() * n * n);
  Embed(source, x.data());
  encoder_bias_.Fill(/*q0=*/0, n, n, bias.data());
  int64_t scratch_floats = 0;
  for (const EncoderLayer& l : encoder_) scratch_floats = std::max(scratch_floats, l.mlp.ScratchFloats(n));
  std::vector<float> scratch(scratch_floats);
  for (const EncoderLayer& l : encoder_) {
    l.attention_norm.Forward(x.data(), n, normed.data());
    KeysValues kv;
    l.attention.ProjectKeysValues(normed.data(), n, kv);
    l.attention.Attend(normed.data(), n, /*q0=*/0, kv, bias.data(), /*causal=*/false, branch.data());
    ops::Add(x.data(), branch.data(), x.data(), n * hidden);
    l.mlp_norm.Forward(x.data(), n, normed.data());
    l.mlp.Forward(normed.data(), n, branch.data(), scratch.data(), Phase::kPrefill);
    ops::Add(x.data(), branch.data(), x.data(), n * hidden);
  }
  encoder_final_norm_.Forward(x.data(), n, normed.data());
  return normed;
}

absl::StatusOr<Seq2SeqLm::DecoderState> Seq2SeqLm::StartDecoding(absl::Span<const float> memory) const {
  const int64_t hidden = hidden_dim();
  if (memory.empty() || memory.size() % hidden != 0) {
    return absl::InvalidArgumentError(absl::StrCat("seq2seq: encoder output of ", memory.size(),
                                                   " floats is not [rows, ", hidden, "]; pass Encode's result"));
  }
  const int64_t rows = memory.size() / hidden;
  DecoderState state;
  state.self.resize(decoder_.size());
  state.cross.resize(decoder_.size());
  for (size_t i = 0; i < decoder_.size(); ++i) decoder_[i].cross_attention.ProjectKeysValues(memory.data(), rows, state.cross[i]);
  return state;
}

absl::StatusOr<std::vector<float>> Seq2SeqLm::Decode(DecoderState& state, absl::Span<const int32_t> target) const {
  TTT_RETURN_IF_ERROR(CheckIds(target, "target"));
  if (state.cross.size() != decoder_.size() || state.self.size() != decoder_.size()) {
    return absl::FailedPreconditionError("seq2seq: the decoder state was not made by StartDecoding of this model");
  }
  const int64_t n = target.size(), hidden = hidden_dim(), q0 = state.length, keys = q0 + n;
  std::vector<float> &y = state.y, &normed = state.normed, &branch = state.branch, &bias = state.bias;
  y.resize(n * hidden);
  normed.resize(n * hidden);
  branch.resize(n * hidden);
  bias.resize(decoder_bias_.num_heads() * n * keys);
  Embed(target, y.data());
  decoder_bias_.Fill(q0, n, keys, bias.data());
  int64_t scratch_floats = 0;
  for (const DecoderLayer& l : decoder_) scratch_floats = std::max(scratch_floats, l.mlp.ScratchFloats(n));
  std::vector<float>& scratch = state.scratch;
  scratch.resize(scratch_floats);
  const Phase phase = n > 1 ? Phase::kPrefill : Phase::kDecode;
  for (size_t i = 0; i < decoder_.size(); ++i) {
    const DecoderLayer& l = decoder_[i];
    l.self_attention_norm.Forward(y.data(), n, normed.data());
    l.self_attention.ProjectKeysValues(normed.data(), n, state.self[i]);
    l.self_attention.Attend(normed.data(), n, q0, state.self[i], bias.data(), /*causal=*/true, branch.data());
    ops::Add(y.data(), branch.data(), y.data(), n * hidden);
    l.cross_attention_norm.Forward(y.data(), n, normed.data());
    l.cross_attention.Attend(normed.data(), n, q0, state.cross[i], /*bias=*/nullptr, /*causal=*/false, branch.data());
    ops::Add(y.data(), branch.data(), y.data(), n * hidden);
    l.mlp_norm.Forward(y.data(), n, normed.data());
    l.mlp.Forward(normed.data(), n, branch.data(), scratch.data(), phase);
    ops::Add(y.data(), branch.data(), y.data(), n * hidden);
  }
  state.length = keys;
  decoder_final_norm_.Forward(y.data(), n, normed.data());
  if (head_scale_ != 1.0f) {
    for (int64_t i = 0; i < n * hidden; ++i) normed[i] *= head_scale_;
  }
  std::vector<float> logits(n * vocab_size());
  head_.Forward(normed.data(), n, logits.data(), phase);
  return logits;
}

}  // namespace ttt
