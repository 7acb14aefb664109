// The embeddings' descriptors (core/blocks/module_descriptor.h): tables gathered row by row, no ops a
// hardware config sets; their values count towards a model's footprint.
#pragma once

#include "core/blocks/module_descriptor.h"

namespace ttt {

ModuleDescriptor TokenEmbeddingDescriptor();
ModuleDescriptor PositionEmbeddingDescriptor();

}  // namespace ttt
