// The attention block's descriptor (core/blocks/module_descriptor.h): ops "wqkv" (the fused Q/K/V
// projection), "wo" (the output projection) and "sdpa" (scores and weighted sum, a matrix-engine op
// without a weight), defaults in hwconfig/modules/attention.textproto, and one size rule:
//  - hidden_dim >= 8192 (70B-class models) in accuracy mode on Tenstorrent devices: wqkv, wo and the KV cache
//    back to BFP8 at HiFi2 with sdpa decode at HiFi2, as TT-Transformers v1 does ("70B+ models still use ...
//    BFP8 attention": large models are insensitive to it, and BF16 weights would not fit the devices they run
//    on).
#pragma once

#include "core/blocks/module_descriptor.h"

namespace ttt {

ModuleDescriptor AttentionDescriptor();

}  // namespace ttt
