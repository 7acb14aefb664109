// The module instances of a decoder-only model, as the engine walks them: each names its descriptor (its
// kind), its name in the model (the key of its hardware config, the label of its profile rows) and the
// spec it is built from. This is the one place that knows which spec fields hold which modules.
#pragma once

#include <string>
#include <vector>

#include "core/blocks/module_descriptor.h"
#include "core/specs/proto/model.pb.h"

namespace ttt {

struct ModuleInstance {
  const ModuleDescriptor* descriptor = nullptr;
  std::string name;                                // "attention", "attention_norm", "lm_head", ...
  const google::protobuf::Message* spec = nullptr;  // a part of the ModelSpec it was listed from
};

struct ModelModules {
  std::vector<std::vector<ModuleInstance>> layers;  // per layer, in the order a layer runs them
  std::vector<ModuleInstance> model;                // once per model: embeddings, final norm, head
};

// `spec` must be validated (derived sizes filled in) and outlive the result.
ModelModules ListModelModules(const spec::ModelSpec& spec);

}  // namespace ttt
