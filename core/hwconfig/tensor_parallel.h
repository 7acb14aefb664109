// How a model's weights and work are split over the chips of a multi-chip device, the TT-Transformers way
// (perf notes: tech_reports/LLMs/llms.md section 3.3): column-parallel QKV and gate/up (each chip computes a
// slice of the output features, attention heads stay whole), row-parallel WO and down (each chip holds a
// slice of the input features and produces a partial sum, reduced across chips), a vocabulary-split head,
// experts placed whole on chips when they divide. One description, read by the cost model and executed by a
// tensor-parallel CausalLm (core/patterns/tensor_parallel_lm.h): which op splits how over how many chips,
// and which collective follows.
// It lives with the hardware configs, below the blocks' users, so that execution code can include it; its
// cost is the profiler's (core/profiler/cost_model.h, CollectiveSeconds).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/blocks/model_modules.h"
#include "core/hwconfig/proto/device_profile.pb.h"

namespace ttt {

enum class Split {
  kReplicated,  // every chip holds the whole weight (norms, the router)
  kColumn,      // output features split: the chip's output is a slice
  kRow,         // input features split: the chip's output is a partial sum
  kColumnRow,   // a 2-D mesh: output features over one axis, input features over the other
  kVocab,       // the head's vocabulary split (a column split whose slices are only gathered when sampled)
  kExperts,     // whole experts per chip
};
const char* SplitName(Split split);

enum class Collective { kAllGather, kReduceScatter, kAllReduce };
const char* CollectiveName(Collective kind);

enum class Topology { kLine, kRing };

// One collective: after which op it runs and over how many chips, on a tensor of `rows` x `values_per_row`
// values (each chip's contribution, in `bytes_per_value`).
struct CollectiveStep {
  std::string module;  // "attention", "mlp", "lm_head"
  std::string after;   // the op whose output it combines
  Collective kind = Collective::kAllReduce;
  int chips = 1;
  Topology topology = Topology::kLine;
  int64_t values_per_row = 0;
  double bytes_per_value = 2;  // bf16 activations
};

// One op's split: its output features over `out_ways` chips and its input features over `in_ways`.
struct OpSplit {
  std::string module, op;
  Split split = Split::kReplicated;
  int out_ways = 1, in_ways = 1;
};

struct ModelDims {
  int64_t hidden = 0;
  int64_t qkv_width = 0;    // wqkv's output features
  // The feed-forwards' first matmul's output features, per kind a layer may have (a heterogeneous stack has
  // both): the dense MLP's and one expert's; 0 where no layer has that kind.
  int64_t ff1_3_width = 0;
  int64_t expert_ff1_3_width = 0;
  int64_t num_experts = 0;
};

struct TensorParallelPlan {
  int chips = 1;        // every chip works on every layer
  int rows = 1, cols = 1;  // mesh axes used: 1 x chips for a 1-D split, the device's mesh for a 2-D one
  Topology topology = Topology::kLine;
  std::vector<OpSplit> splits;             // ops not listed are replicated
  // The token embedding table's hidden features are split over every chip (TT-Transformers shards it
  // across the mesh; each chip gathers its slice of every token).
  int embedding_ways = 1;
  std::vector<CollectiveStep> per_layer;   // in the order a layer runs them
  std::vector<CollectiveStep> per_model;   // once per step (the head)

  // The op's split; replicated (1 x 1) when not listed.
  OpSplit SplitOf(const std::string& module, const std::string& op) const;
  // KV heads one chip caches: heads follow the QKV column split, replicated when fewer than the chips.
  int64_t KvHeadsPerChip(int64_t kv_heads) const;
};

// The plan for `device`: one chip, a 1-D line (n300), a 1-D ring (t3k opened as 1x8, its 2x4 perimeter
// closing the ring) or a 2-D mesh (tg, 4x8).
TensorParallelPlan PlanTensorParallel(const hw::DeviceProfile& device, const ModelDims& dims);

// The dimensions of a model's first layer, as listed by ListModelModules.
ModelDims DimsOf(const ModelModules& modules, int64_t hidden);
// The plan of that model on `device`: what `ttt predict` prices and what a tensor-parallel CausalLm executes
// (core/patterns/tensor_parallel_lm.h).
TensorParallelPlan PlanForModel(const ModelModules& modules, int64_t hidden, const hw::DeviceProfile& device);

}  // namespace ttt
