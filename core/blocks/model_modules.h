// The module instances of a decoder-only model, as the engine walks them: each names its descriptor (its
// kind), its name in the model (the key of its hardware config), where its weights are, and the spec it
// is built from. This is the one place that knows which spec fields hold which modules; a layer is a list
// of residual branches, each an optional norm instance, a block instance and an optional post-norm instance.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/blocks/module_descriptor.h"
#include "core/blocks/module_registry.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"

namespace ttt {

struct ModuleInstance {
  const ModuleDescriptor* descriptor = nullptr;
  std::string name;     // "attention", "attention_norm", "lm_head", a layer module's own name
  std::string weights;  // its weights' prefix below the layer's ("attn" -> "layers.3.attn.wq") or the model's
  Validated<google::protobuf::Message> spec;  // a part of the ModelSpec, or a layer module's unpacked from it
  // A norm listed after a block normalises that block's output before the residual add (a post-norm); any
  // other norm opens the branch that follows it.
  bool post_norm = false;
};

struct ModelModules {
  std::vector<std::vector<ModuleInstance>> layers;  // per layer, in the order a layer runs them
  std::vector<ModuleInstance> model;                // once per model: embeddings, final norm, head
};

// The instances share `spec`'s memory (and keep it alive). Errors name the layer module and the fix: an
// unregistered kind, a spec of the wrong type or an invalid one (its norm's too), a name used twice.
// Layer modules' kinds are looked up in `kinds` (a model's own table over the global one, or the global).
absl::StatusOr<ModelModules> ListModelModules(const Validated<spec::ModelSpec>& spec,
                                              const ModuleRegistry& kinds = ModuleRegistry::Global());

// FLOPs (2 per multiply-add) of a prefill of `tokens` tokens that computes the logits of the last one, from
// the descriptors' formulas: every layer's ops for every token (attention over the causal prefix), the
// model's once-per-model ops (the head) for the last one.
double PrefillFlops(const ModelModules& modules, int64_t tokens);

// Each instance's name -> its kind, where they differ (a layer module named apart from its kind).
std::map<std::string, std::string> ModuleKinds(const ModelModules& modules);

}  // namespace ttt
