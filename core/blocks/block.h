// What the engine asks of a built block, whatever its kind: which descriptor it is an instance of, and
// its projections by op name, so a resolved hardware config specialises any block (weight format per op
// and phase, emulated-device numerics) without knowing its members.
#pragma once

#include <cstdint>
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

class KvCache;

// Where a layer step is: what a block running inside a layer may need besides its input rows.
struct StepContext {
  Phase phase = Phase::kDecode;
  KvCache* cache = nullptr;  // the model's KV cache
  int64_t layer = 0;         // the layer running the block
  // Prefill: `rows` tokens of one sequence, at positions pos0.. of cache slot `slot`.
  int64_t pos0 = 0, slot = 0;
  // Decode: one token of each of `rows` sequences, at positions[r] of cache slots[r].
  const int32_t* positions = nullptr;
  const int32_t* slots = nullptr;
};

// A block that is one residual branch of a layer: the layer adds Forward's output to its residual stream
// (x += block(norm(x))). Attention, the MLP and any registered or user kind a layer spec names.
class LayerBlock : public Block {
 public:
  // Floats of scratch Forward needs for up to `rows` rows.
  virtual int64_t ScratchFloats(int64_t rows) const = 0;
  // x [rows, hidden] -> out [rows, hidden].
  virtual void Forward(const float* x, int64_t rows, float* out, float* scratch, const StepContext& step) const = 0;
  // Weight bytes one decode step of one sequence reads: every projection's, unless the block reads only some of
  // them per token (a mixture of experts reads the chosen experts').
  virtual int64_t DecodeReadBytes() const;

 protected:
  LayerBlock() = default;
  LayerBlock(const LayerBlock&) = default;
  LayerBlock(LayerBlock&&) = default;
  LayerBlock& operator=(const LayerBlock&) = default;
  LayerBlock& operator=(LayerBlock&&) = default;
};

}  // namespace ttt
