#include "core/patterns/model_modules.h"


#include "absl/strings/str_cat.h"
#include "core/blocks/module_registry.h"
#include "core/runtime/status.h"
#include "google/protobuf/message.h"

namespace ttt {
namespace {

ModuleInstance Instance(const std::string& kind, std::string name, std::string weights,
                        const google::protobuf::Message& spec) {
  return ModuleInstance{&CoreKind(kind), std::move(name), std::move(weights), &spec};
}

// The instances of one `modules` entry: its norm (when it has one) and the module itself.
absl::Status AddLayerModule(const spec::ModuleSpec& m, int index, std::vector<ModuleInstance>& layer,
                            ModelModules& out) {
  const std::string name = m.name().empty() ? m.kind() : m.name();
  const std::string where = absl::StrCat("layer module #", index + 1, " ('", name, "')");
  TTT_ASSIGN_OR_RETURN(const ModuleDescriptor* d, ModuleRegistry::Global().GetKind(m.kind()));
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
  std::shared_ptr<google::protobuf::Message> spec(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(d->spec_type)->New());
  if (!m.spec().UnpackTo(spec.get())) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": its spec is a '", m.spec().type_url(), "' but kind '",
                                                   d->kind, "' takes a ", d->spec_type->full_name(), ": write spec { [",
                                                   "type.googleapis.com/", d->spec_type->full_name(), "] { ... } }"));
  }
  if (d->validate) {
    absl::Status s = d->validate(*spec);
    if (!s.ok()) return Annotate(s, where);
  }
  if (m.has_norm()) {
    if (m.norm().kind() == spec::NormSpec::KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": its norm has no kind: set RMS_NORM or LAYER_NORM"));
    }
    layer.push_back(Instance("norm", name + "_norm", name + "_norm", m.norm()));
  }
  layer.push_back(ModuleInstance{d, name, name, spec.get()});
  out.owned_specs.push_back(std::move(spec));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModelModules> ListModelModules(const spec::ModelSpec& spec) {
  ModelModules m;
  const spec::DecoderLayerSpec& l = spec.layer();
  std::vector<ModuleInstance> layer = {Instance("norm", "attention_norm", "attn_norm", l.attention_norm()),
                                       Instance("attention", "attention", "attn", l.attention()),
                                       Instance("norm", "mlp_norm", "mlp_norm", l.mlp_norm()),
                                       Instance("mlp", "mlp", "mlp", l.mlp())};
  for (int i = 0; i < l.modules_size(); ++i) TTT_RETURN_IF_ERROR(AddLayerModule(l.modules(i), i, layer, m));
  m.layers.assign(spec.num_layers(), layer);
  m.model.push_back(Instance("token_embedding", "token_embedding", "tok_embeddings", spec.token_embedding()));
  if (spec.learned_positions()) {
    m.model.push_back(Instance("position_embedding", "position_embedding", "pos_embeddings", spec.position_embedding()));
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

}  // namespace ttt
