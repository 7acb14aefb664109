// Which spec each layer of a ModelSpec is built from (ModelSpec.layer_groups, core/specs/proto/model.proto):
// the one place that reads a group's selection, for the raw proto (loaders, tests) and Validated<ModelSpec>.
#pragma once

#include <cstdint>

#include "core/specs/proto/model.pb.h"

namespace ttt {

inline bool LayerGroupSelects(const spec::LayerGroup& group, uint32_t layer) {
  for (uint32_t listed : group.layers()) {
    if (listed == layer) return true;
  }
  return group.every() > 0 && layer >= group.first() && (layer - group.first()) % group.every() == 0;
}

// Layer `layer`'s spec: the first group selecting it (validation refuses a layer selected twice), else `layer`.
inline const spec::DecoderLayerSpec& LayerSpecOf(const spec::ModelSpec& model, uint32_t layer) {
  for (const spec::LayerGroup& group : model.layer_groups()) {
    if (LayerGroupSelects(group, layer)) return group.layer();
  }
  return model.layer();
}

}  // namespace ttt
