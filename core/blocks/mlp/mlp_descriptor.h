// The MLP block's descriptor (core/blocks/module_descriptor.h): ops "ff1_3" (the up projection, fused with
// the gate projection when gated) and "ff2" (the down projection), defaults in hwconfig/modules/mlp.textproto,
// and one size rule:
//  - hidden_dim >= 8192 (70B-class models) keep ff1_3 BFP4 at LoFi even in accuracy mode on Tenstorrent
//    devices (TT-Transformers v1: such models "test insensitive" to it, and BFP8 gate/up weights of a 70B
//    model do not fit 8 chips' DRAM next to a long KV cache).
#pragma once

#include "core/blocks/module_descriptor.h"

namespace ttt {

ModuleDescriptor MlpDescriptor();

}  // namespace ttt
