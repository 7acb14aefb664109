// Tensor parallelism of a CausalLm over the chips of a multi-chip device (n300, t3k, tg): each chip is a rank
// that holds only its shards and runs every layer on them, the ranks exchanging activations through a
// Transport (core/patterns/transport.h). What is split how is the cost model's description
// (core/hwconfig/tensor_parallel.h, PlanTensorParallel), executed here:
//   - attention: column-parallel QKV (the query heads split over the ranks; KV heads with them, or replicated
//     where there are fewer KV heads than ranks) and row-parallel WO (each rank's partial sum over its heads,
//     all-reduced); with fewer query heads than ranks each head is replicated and only its first copy adds
//     its WO partial sum;
//   - feed-forward: column-parallel gate/up and row-parallel down over the intermediate features (in every
//     expert of a mixture of experts, the router replicated), all-reduced;
//   - the head: vocabulary split, each rank's logits all-gathered;
//   - the token embedding: vocabulary split like the head (a tied head is the same slice), each rank embedding
//     the tokens in its slice and zeros for the others, all-reduced (exact: one rank contributes each value);
//   - norms and learned positions replicated.
// Each all-reduce is an op of its own ("all_reduce", timed by the profiler): partial sums leave each rank in
// the format its matmul packed them to (the op's output_dtype on a Tenstorrent device) and their sum is packed
// to it again, as the device's collective would.
//
// In process (the default), CausalLm::Create builds every rank and the model it returns (rank 0) runs the
// others on the threads of an InProcessGroup; with a transport (MPI), it builds only that transport's rank
// and every process runs its own. Either way Prefill/Decode give every rank the whole logits.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/blocks/model_modules.h"
#include "core/blocks/weights.h"
#include "core/hwconfig/tensor_parallel.h"
#include "core/patterns/transport.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class CausalLm;

// The slices rank `rank` of `ranks` holds.
struct RankLayout {
  int rank = 0, ranks = 1;
  int64_t q_begin = 0, q_heads = 0;    // query heads
  int64_t kv_begin = 0, kv_heads = 0;  // KV heads
  bool adds_attention_output = true;   // false: a replicated head's later copy (its WO partial sum is zero)
  int64_t ff_begin = 0, ff_size = 0;          // a dense MLP's intermediate features
  int64_t expert_begin = 0, expert_size = 0;  // each routed expert's
  // Whole experts (the plan's Split::kExperts, when the chips divide the experts): the rank holds experts
  // [first_expert, first_expert + local_experts) uncut; 0 local_experts: every expert, each cut as above.
  int64_t first_expert = 0, local_experts = 0;
  int64_t shared_begin = 0, shared_size = 0;  // the shared expert's
  std::vector<int64_t> vocab_counts;          // every rank's slice of the vocabulary
  int64_t vocab_begin = 0;
};

// The layout of `rank`, following `plan` (its split kinds and KV heads per chip). FailedPrecondition, saying
// why, for a model the split does not fit (heads that neither divide nor are divided by the ranks, a
// position bias whose slopes depend on the head index, fewer features than ranks).
absl::StatusOr<RankLayout> LayoutRank(const Validated<spec::ModelSpec>& spec, const TensorParallelPlan& plan,
                                      int rank);

// What rank `layout.rank` builds: the layers' module instances with their specs cut to its slices, the head's
// spec (its vocabulary slice, untied) and its weights (the sliced ones copied as f32, read from `weights`
// slice by slice; the replicated ones shared with `weights`).
struct RankShard {
  ModelModules modules;
  Validated<spec::TokenEmbeddingSpec> embedding;  // the rank's vocabulary slice of the table
  Validated<spec::LmHeadSpec> head;
  WeightMap weights;
};
absl::StatusOr<RankShard> ShardForRank(const Validated<spec::ModelSpec>& spec, const ModelModules& modules,
                                       const RankLayout& layout, const WeightMap& weights);

// A rank's part of a tensor-parallel CausalLm (CausalLm::tensor_parallel()).
struct TensorParallelRank {
  TensorParallelRank();
  ~TensorParallelRank();
  TensorParallelPlan plan;
  RankLayout layout;
  Transport* transport = nullptr;             // this rank's end
  std::shared_ptr<Transport> owned_transport;  // MPI: the caller's, kept alive
  std::shared_ptr<InProcessGroup> group;       // in process: shared by every rank
  std::vector<std::unique_ptr<CausalLm>> peers;  // in process, on rank 0: ranks 1..N-1
  int64_t vocab_slice() const { return layout.vocab_counts[layout.rank]; }
};

}  // namespace ttt
