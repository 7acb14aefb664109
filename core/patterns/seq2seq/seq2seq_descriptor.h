// The encoder-decoder pattern's module descriptor and the relative position bias's, so `ttt modules
// list|show` and anything else walking the module registry know them. Their projections and MLPs are the core
// blocks' (Linear, Mlp, Norm); the bias has no op a hardware config sets.
#pragma once

#include "absl/status/status.h"
#include "core/blocks/module_descriptor.h"

namespace ttt {

ModuleDescriptor Seq2SeqDescriptor();

// Adds Seq2SeqDescriptor() and RelativePositionBiasDescriptor() to ModuleRegistry::Global() once; later calls do
// nothing. The blocks layer registers only the decoder's core kinds, so LoadSeq2Seq calls this.
absl::Status RegisterSeq2Seq();

}  // namespace ttt
