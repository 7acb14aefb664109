// Types shared by test_suite.cc (building and naming cases) and test_suite_run.cc (running them).
#pragma once

#include <string>

#include "core/testing/reference_model.h"

namespace ttt::testing {

// Where the expected values come from: the modules' own weights on seeded inputs, or a source checkpoint's
// float64 forward pass whose activations are the inputs.
struct ReferenceSource {
  const RefModel* source = nullptr;  // null: own weights
  const ModelActivations* activations = nullptr;
  std::string format, family;
};

struct ModuleLocation {
  std::string path;  // "layers.1.mlp", "embedding", "final_norm", "lm_head", "layers.1", "model"
  int64_t layer = -1;
  std::string part;  // attn_norm, attn, mlp_norm, mlp, layer, module (for layer modules)
  int64_t branch = -1;  // a module's branch in its layer (DecoderLayer::branches)
};

}  // namespace ttt::testing
