#include "core/patterns/model_builder.h"

#include "absl/strings/str_cat.h"
#include "core/blocks/model_modules.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"

namespace ttt {

spec::NormSpec RmsNorm(std::optional<float> eps) {
  spec::NormSpec n;
  n.set_kind(spec::NormSpec::RMS_NORM);
  if (eps) n.set_eps(*eps);
  return n;
}

spec::NormSpec LayerNorm(std::optional<float> eps, bool bias) {
  spec::NormSpec n;
  n.set_kind(spec::NormSpec::LAYER_NORM);
  if (eps) n.set_eps(*eps);
  n.set_bias(bias);
  return n;
}

ModelBuilder::ModelBuilder(std::string name, std::string family) {
  spec_.set_name(std::move(name));
  spec_.set_family(std::move(family));
}

ModelBuilder& ModelBuilder::Embedding(uint32_t vocab_size, uint32_t hidden_dim, std::optional<float> scale) {
  spec_.set_vocab_size(vocab_size);
  spec_.set_hidden_dim(hidden_dim);
  if (scale) spec_.mutable_token_embedding()->set_scale(*scale);
  return *this;
}

ModelBuilder& ModelBuilder::Context(uint32_t max_seq_len) {
  spec_.set_max_seq_len(max_seq_len);
  return *this;
}

ModelBuilder& ModelBuilder::Layers(uint32_t count) {
  spec_.set_num_layers(count);
  return *this;
}

ModelBuilder& ModelBuilder::AttentionNorm(const spec::NormSpec& norm) {
  *spec_.mutable_layer()->mutable_attention_norm() = norm;
  return *this;
}

ModelBuilder& ModelBuilder::Attention(const spec::AttentionSpec& attention) {
  *spec_.mutable_layer()->mutable_attention() = attention;
  return *this;
}

ModelBuilder& ModelBuilder::MlpNorm(const spec::NormSpec& norm) {
  *spec_.mutable_layer()->mutable_mlp_norm() = norm;
  return *this;
}

ModelBuilder& ModelBuilder::FeedForward(const spec::MlpSpec& mlp) {
  spec_.mutable_layer()->clear_moe();
  *spec_.mutable_layer()->mutable_mlp() = mlp;
  return *this;
}

ModelBuilder& ModelBuilder::FeedForward(const spec::MoeSpec& moe) {
  spec_.mutable_layer()->clear_mlp();
  *spec_.mutable_layer()->mutable_moe() = moe;
  return *this;
}

ModelBuilder& ModelBuilder::Module(const std::string& kind, const google::protobuf::Message& spec,
                                   ModuleOptions options) {
  spec::ModuleSpec* m = spec_.mutable_layer()->add_modules();
  m->set_kind(kind);
  m->set_name(std::move(options.name));
  if (options.norm) {
    *m->mutable_norm() = *options.norm;
    if (m->norm().dim() == 0) m->mutable_norm()->set_dim(spec_.hidden_dim());  // Embedding() comes first
  }
  m->mutable_spec()->PackFrom(spec);
  return *this;
}

ModelBuilder& ModelBuilder::Module(ModuleDescriptor own_kind, const google::protobuf::Message& spec,
                                   ModuleOptions options) {
  const std::string kind = own_kind.kind;
  // The same descriptor given for several branches is one kind.
  if (const ModuleDescriptor* known = kinds_->FindKind(kind); known == nullptr || known->id != own_kind.id) {
    absl::Status s = kinds_->Register(std::move(own_kind));
    if (!s.ok() && own_kind_error_.ok()) own_kind_error_ = s;
  }
  return Module(kind, spec, std::move(options));
}

ModelBuilder& ModelBuilder::FinalNorm(const spec::NormSpec& norm) {
  *spec_.mutable_final_norm() = norm;
  return *this;
}

ModelBuilder& ModelBuilder::Head(HeadOptions options) {
  spec_.mutable_lm_head()->set_tied(options.tied);
  spec_.mutable_lm_head()->set_bias(options.bias);
  has_head_ = true;
  return *this;
}

absl::StatusOr<Validated<spec::ModelSpec>> ModelBuilder::Build() const {
  const std::string where = absl::StrCat("ModelBuilder('", spec_.name(), "')");
  if (spec_.vocab_size() == 0 || spec_.hidden_dim() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": no embedding: call .Embedding(vocab, hidden)"));
  }
  if (!spec_.layer().has_attention() || !(spec_.layer().has_mlp() || spec_.layer().has_moe())) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": layers need .Attention(...) and .FeedForward(...)"));
  }
  if (!has_head_) return absl::InvalidArgumentError(absl::StrCat(where, ": no head: call .Head({.tied = ...})"));
  if (!own_kind_error_.ok()) return Annotate(own_kind_error_, where);
  absl::StatusOr<Validated<spec::ModelSpec>> validated = ValidateModel(spec_);
  if (!validated.ok()) return Annotate(validated.status(), where);
  // The layer modules: known kinds with specs of their types.
  absl::Status modules = ListModelModules(*validated, *kinds_).status();
  if (!modules.ok()) return Annotate(modules, where);
  return validated;
}

}  // namespace ttt
