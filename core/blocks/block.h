// What the engine asks of a built block, whatever its kind: which descriptor it is an instance of, and
// its projections by op name, so a resolved hardware config specialises any block (weight format per op
// and phase, emulated-device numerics) without knowing its members.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/blocks/linear/linear.h"
#include "core/blocks/module_descriptor.h"

namespace ttt {

// One weight op of a built block.
struct LinearOp {
  std::string op;      // the descriptor's op name ("wqkv")
  Linear* linear;      // its projection
  std::string tensor;  // the weight's name in the model ("layers.3.attn.wqkv"): weight-cache keys, errors
};

class Block {
 public:
  virtual ~Block() = default;
  virtual const ModuleDescriptor& descriptor() const = 0;
  // Every op of the descriptor that holds a weight, with its projection.
  virtual std::vector<LinearOp> linear_ops() = 0;
  // Sets the emulated-device numerics of a matrix-engine op without a weight (attention's "sdpa") for one
  // phase; nullopt runs it on the CPU kernels in f32. Blocks without such ops have nothing to set.
  virtual absl::Status SetMatmulNumerics(const std::string& op, Phase phase,
                                         std::optional<ops::TtMatmulNumerics> numerics);

 protected:
  Block() = default;
  Block(const Block&) = default;
  Block(Block&&) = default;
  Block& operator=(const Block&) = default;
  Block& operator=(Block&&) = default;
};

}  // namespace ttt
