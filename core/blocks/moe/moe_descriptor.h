// The mixture-of-experts block's descriptor (core/blocks/module_descriptor.h): ops "router", "ff1_3" and "ff2"
// (every routed expert's projections, one config for all of them), "shared_ff1_3" and "shared_ff2" (the shared
// expert's, when there is one); defaults in hwconfig/modules/moe.textproto. Its FLOPs count the k experts a
// token runs, its footprint every expert; its float64 reference routes in double.
#pragma once

#include "core/blocks/module_descriptor.h"

namespace ttt {

ModuleDescriptor MoeDescriptor();

}  // namespace ttt
