// The module instances of a decoder-only model, as the engine walks them: each names its descriptor (its
// kind), its name in the model (the key of its hardware config), where its weights are, and the spec it
// is built from. This is the one place that knows which spec fields hold which modules; a layer is a list
// of residual branches, each an optional norm instance followed by a block instance.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/blocks/module_descriptor.h"
#include "core/specs/proto/model.pb.h"

namespace ttt {

struct ModuleInstance {
  const ModuleDescriptor* descriptor = nullptr;
  std::string name;     // "attention", "attention_norm", "lm_head", a layer module's own name
  std::string weights;  // its weights' prefix below the layer's ("attn" -> "layers.3.attn.wq") or the model's
  const google::protobuf::Message* spec = nullptr;  // validated; a part of the ModelSpec, or unpacked from it
};

struct ModelModules {
  std::vector<std::vector<ModuleInstance>> layers;  // per layer, in the order a layer runs them
  std::vector<ModuleInstance> model;                // once per model: embeddings, final norm, head
  // The specs of modules named by kind (DecoderLayerSpec.modules), unpacked from their Any.
  std::vector<std::shared_ptr<const google::protobuf::Message>> owned_specs;
};

// `spec` must be validated (derived sizes filled in) and outlive the result. Errors name the layer module
// and the fix: an unregistered kind, a spec of the wrong type or an invalid one, a name used twice.
absl::StatusOr<ModelModules> ListModelModules(const spec::ModelSpec& spec);

// Each instance's name -> its kind, where they differ (a layer module named apart from its kind).
std::map<std::string, std::string> ModuleKinds(const ModelModules& modules);

}  // namespace ttt
