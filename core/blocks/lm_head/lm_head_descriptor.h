// The LM head's descriptor (core/blocks/module_descriptor.h): one op, "lm_head" [vocab, hidden] (the token
// embedding when tied, converted to the head's format as a copy), defaults in
// hwconfig/modules/lm_head.textproto, no size rules beyond the engine's layout rules.
#pragma once

#include "core/blocks/module_descriptor.h"

namespace ttt {

ModuleDescriptor LmHeadDescriptor();

}  // namespace ttt
