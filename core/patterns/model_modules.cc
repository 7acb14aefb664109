#include "core/patterns/model_modules.h"

#include "core/blocks/module_registry.h"

namespace ttt {
namespace {

ModuleInstance Instance(const std::string& kind, std::string name, const google::protobuf::Message& spec) {
  return ModuleInstance{&CoreKind(kind), std::move(name), &spec};
}

}  // namespace

ModelModules ListModelModules(const spec::ModelSpec& spec) {
  ModelModules m;
  const spec::DecoderLayerSpec& l = spec.layer();
  const std::vector<ModuleInstance> layer = {
      Instance("norm", "attention_norm", l.attention_norm()), Instance("attention", "attention", l.attention()),
      Instance("norm", "mlp_norm", l.mlp_norm()), Instance("mlp", "mlp", l.mlp())};
  m.layers.assign(spec.num_layers(), layer);
  m.model.push_back(Instance("token_embedding", "token_embedding", spec.token_embedding()));
  if (spec.learned_positions()) {
    m.model.push_back(Instance("position_embedding", "position_embedding", spec.position_embedding()));
  }
  m.model.push_back(Instance("norm", "final_norm", spec.final_norm()));
  m.model.push_back(Instance("lm_head", "lm_head", spec.lm_head()));
  return m;
}

}  // namespace ttt
