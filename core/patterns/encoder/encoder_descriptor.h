// The encoder pattern's module descriptor, so `ttt modules list|show` and anything else walking the module
// registry know it. It has no configurable ops of its own: its attention, MLP and norms are the core blocks,
// whose descriptors already say what a hardware config may set.
#pragma once

#include "absl/status/status.h"
#include "core/blocks/module_descriptor.h"

namespace ttt {

ModuleDescriptor EncoderDescriptor();

// Adds EncoderDescriptor() to ModuleRegistry::Global() once; later calls do nothing. The blocks layer, which
// registers the core kinds, cannot see patterns, so the encoder registers itself: LoadEncoder calls this, and
// so does `ttt` at start-up.
absl::Status RegisterEncoder();

}  // namespace ttt
