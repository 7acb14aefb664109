#include "core/blocks/model_modules.h"


#include "absl/strings/str_cat.h"
#include "core/blocks/module_registry.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"
#include "google/protobuf/message.h"

namespace ttt {
namespace {

ModuleInstance Instance(const std::string& kind, std::string name, std::string weights,
                        Validated<google::protobuf::Message> spec) {
  return ModuleInstance{&CoreKind(kind), std::move(name), std::move(weights), std::move(spec)};
}

// The instances of one `modules` entry: its norm (when it has one) and the module itself.
absl::Status AddLayerModule(const spec::ModuleSpec& m, int index, int64_t hidden_dim, const ModuleRegistry& kinds,
                            std::vector<ModuleInstance>& layer) {
  const std::string name = m.name().empty() ? m.kind() : m.name();
  const std::string where = absl::StrCat("layer module #", index + 1, " ('", name, "')");
  TTT_ASSIGN_OR_RETURN(const ModuleDescriptor* d, kinds.GetKind(m.kind()));
  // A kind with a KV cache owns the layer's slab of the cache: one per layer, in its fixed place.
  if (!d->create || d->has_kv_cache()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": kind '", d->kind, "' has a fixed place in the layer (",
                                                   d->id, "): it cannot be added as a module"));
  }
  if (!d->reference) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": kind '", d->kind, "' has no float64 reference ",
                                                   "(ModuleDescriptor::reference), so no test could judge it: add one"));
  }
  for (const std::string& taken : {name, name + "_norm"}) {
    for (const ModuleInstance& known : layer) {
      if (known.name == taken && (taken == name || m.has_norm())) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": the layer already has a module '", known.name,
                                                       "': give this one another `name`"));
      }
    }
  }
  std::unique_ptr<google::protobuf::Message> spec(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(d->spec_type)->New());
  if (!m.spec().UnpackTo(spec.get())) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": its spec is a '", m.spec().type_url(), "' but kind '",
                                                   d->kind, "' takes a ", d->spec_type->full_name(), ": write spec { [",
                                                   "type.googleapis.com/", d->spec_type->full_name(), "] { ... } }"));
  }
  absl::StatusOr<Validated<google::protobuf::Message>> validated = ValidateModuleSpec(std::move(spec), d->validate);
  if (!validated.ok()) return Annotate(validated.status(), where);
  if (m.has_norm()) {
    spec::NormSpec norm = m.norm();
    if (norm.dim() == 0) norm.set_dim(hidden_dim);  // a branch's norm normalises the residual stream
    if (norm.dim() != hidden_dim) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": its norm.dim (", norm.dim(), ") is not the model's ",
                                                     "hidden_dim (", hidden_dim, "): leave it unset"));
    }
    absl::StatusOr<Validated<spec::NormSpec>> valid_norm = ValidateNorm(std::move(norm));
    if (!valid_norm.ok()) return Annotate(valid_norm.status(), absl::StrCat(where, ", its norm"));
    layer.push_back(Instance("norm", name + "_norm", name + "_norm", *valid_norm));
  }
  layer.push_back(ModuleInstance{d, name, name, *std::move(validated)});
  return absl::OkStatus();
}

// The instances of one layer built from `spec`, in the order it runs them.
absl::StatusOr<std::vector<ModuleInstance>> LayerInstances(const Validated<spec::DecoderLayerSpec>& spec,
                                                           int64_t hidden_dim, const ModuleRegistry& kinds) {
  auto post_norm = [](std::string name, std::string weights, const Validated<spec::NormSpec>& norm) {
    ModuleInstance m = Instance("norm", std::move(name), std::move(weights), norm);
    m.post_norm = true;
    return m;
  };
  std::vector<ModuleInstance> layer = {Instance("norm", "attention_norm", "attn_norm", spec.attention_norm()),
                                       Instance("attention", "attention", "attn", spec.attention())};
  if (auto norm = spec.attention_post_norm()) layer.push_back(post_norm("attention_post_norm", "attn_post_norm", *norm));
  layer.push_back(Instance("norm", "mlp_norm", "mlp_norm", spec.mlp_norm()));
  // The feed-forward is named "mlp" whatever its kind.
  layer.push_back(spec.moe() ? Instance("moe", "mlp", "mlp", *spec.moe()) : Instance("mlp", "mlp", "mlp", spec.mlp()));
  if (auto norm = spec.mlp_post_norm()) layer.push_back(post_norm("mlp_post_norm", "mlp_post_norm", *norm));
  for (int i = 0; i < spec->modules_size(); ++i) {
    TTT_RETURN_IF_ERROR(AddLayerModule(spec->modules(i), i, hidden_dim, kinds, layer));
  }
  return layer;
}

}  // namespace

absl::StatusOr<ModelModules> ListModelModules(const Validated<spec::ModelSpec>& spec, const ModuleRegistry& kinds) {
  ModelModules m;
  // Layers built from the same spec (ModelSpec.layer, or one of its layer_groups) share one list of instances.
  std::map<const spec::DecoderLayerSpec*, std::vector<ModuleInstance>> built;
  for (uint32_t i = 0; i < spec->num_layers(); ++i) {
    const Validated<spec::DecoderLayerSpec> layer = spec.layer(i);
    auto it = built.find(&*layer);
    if (it == built.end()) {
      absl::StatusOr<std::vector<ModuleInstance>> instances = LayerInstances(layer, spec->hidden_dim(), kinds);
      if (!instances.ok()) {
        return &*layer == &spec->layer() ? instances.status()
                                          : Annotate(instances.status(), absl::StrCat("layer ", i, " (its layer_groups spec)"));
      }
      it = built.emplace(&*layer, *std::move(instances)).first;
    }
    m.layers.push_back(it->second);
  }
  m.model.push_back(Instance("token_embedding", "token_embedding", "tok_embeddings", spec.token_embedding()));
  if (auto positions = spec.position_embedding()) {
    m.model.push_back(Instance("position_embedding", "position_embedding", "pos_embeddings", *positions));
  }
  m.model.push_back(Instance("norm", "final_norm", "final_norm", spec.final_norm()));
  m.model.push_back(Instance("lm_head", "lm_head", "lm_head", spec.lm_head()));
  return m;
}

std::map<std::string, std::string> ModuleKinds(const ModelModules& modules) {
  std::map<std::string, std::string> out;
  auto add = [&](const ModuleInstance& m) {
    if (m.name != m.descriptor->kind) out[m.name] = m.descriptor->kind;
  };
  for (const auto& layer : modules.layers) {
    for (const ModuleInstance& m : layer) add(m);
  }
  for (const ModuleInstance& m : modules.model) add(m);
  return out;
}

double PrefillFlops(const ModelModules& modules, int64_t tokens) {
  double flops = 0;
  for (const auto& layer : modules.layers) {
    for (const ModuleInstance& m : layer) {
      for (const OpInfo& op : m.descriptor->Ops(*m.spec)) flops += m.descriptor->Flops(*m.spec, op, tokens, tokens);
    }
  }
  for (const ModuleInstance& m : modules.model) {
    for (const OpInfo& op : m.descriptor->Ops(*m.spec)) flops += m.descriptor->Flops(*m.spec, op, 1, tokens);
  }
  return flops;
}

}  // namespace ttt
