// The core tier's module kinds, registered in ModuleRegistry::Global() when it is first used. Adding a
// core block means adding its descriptor here; nothing else in the engine changes.
#pragma once

#include <vector>

#include "core/blocks/module_descriptor.h"

namespace ttt {

std::vector<ModuleDescriptor> CoreModuleDescriptors();

}  // namespace ttt
