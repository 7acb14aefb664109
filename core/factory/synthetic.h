// Models with random weights for a named architecture shape, so an architecture can be benchmarked
// (and tested) without downloading it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/blocks/module_registry.h"
#include "core/blocks/weights.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"

namespace ttt {

// Known shapes: "smollm-135m", "llama-gqa-tiny", "stories260k", "tinyllama-1.1b", "gpt2-124m", and, for
// hardware-config checks (core/hwconfig/compatibility.h), "llama-8b" and "llama-70b".
absl::StatusOr<spec::ModelSpec> NamedShape(const std::string& name);
std::vector<std::string> NamedShapes();

// Random weights (seeded, N(0, 0.02) for matrices, 1 for norm scales, 0 for biases) under the canonical
// names for a validated spec.
WeightMap SyntheticWeights(const Validated<spec::ModelSpec>& spec, uint64_t seed,
                           const ModuleRegistry& kinds = ModuleRegistry::Global());

}  // namespace ttt
