// The norm's descriptor (core/blocks/module_descriptor.h): RMSNorm or LayerNorm, no ops a hardware config
// sets (norms run in f32 on every device); its scale (and bias) count towards a model's footprint.
#pragma once

#include "core/blocks/module_descriptor.h"

namespace ttt {

ModuleDescriptor NormDescriptor();

}  // namespace ttt
