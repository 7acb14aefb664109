// The device cost model: what one decode step (every user's next token) and one user's prefill take on a
// Tenstorrent device, op by op, from the model's shapes and each op's resolved hardware config - never from
// weights, so a 70B shape is priced in milliseconds. Per op, per chip of the tensor-parallel plan
// (core/hwconfig/tensor_parallel.h):
//   matmul (decode)   weight bytes, K and N padded to 32-row tiles and N to a multiple of 32 x the DRAM banks,
//                     in the op's weight format, over DRAM bandwidth x the DRAM-sharded fraction; or its FLOPs
//                     (batch padded to a tile) over the fidelity's peak x utilisation, whichever is longer
//   matmul (prefill)  FLOPs over cores x 4096 FLOP/cycle x clock / fidelity phases x utilisation x the share
//                     of the core grid the output tiles occupy; or its weight bytes over interleaved bandwidth
//   SDPA decode       KV-cache bytes in the cache's own format over interleaved bandwidth, at least its kernel
//   RoPE, cache update, norms, eltwise, embedding, sampling: their minimum kernel times (or their bytes)
//   collectives       CollectiveSeconds (below) on each chip's share
// plus per dispatched op the gap between traced ops and the software stack's own overhead
// (core/profiler/cost_params.h, where every constant has its source).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/hwconfig/resolve.h"
#include "core/hwconfig/tensor_parallel.h"
#include "core/profiler/cost_params.h"

namespace ttt::profiler {

enum class Bound { kDram, kCompute, kFixed, kCollective };
const char* BoundName(Bound bound);

// One op of one layer (layer -1: once per model), on one chip. Seconds are kept apart so that a stack's
// overheads can be changed without pricing the op again (the fit does).
struct OpCost {
  int64_t layer = -1;
  std::string module, op;
  std::string kind;     // matmul, sdpa, rope, kv_update, norm, eltwise, embedding, sampling, collective
  int dispatches = 1;   // device ops it launches
  double weight_bytes = 0;  // read from DRAM per chip
  double flops = 0;         // per chip
  double dram_s = 0, compute_s = 0;  // compute at the family's utilisation, before the stack's prefill scale
  double floor_s = 0;                // its minimum kernel time
  double collective_s = 0;
  bool prefill = false;
};

// The op's seconds under `stack`, and what bounds it.
double OpSeconds(const OpCost& op, const FamilyCosts& family, const StackCosts& stack);
Bound OpBound(const OpCost& op, const FamilyCosts& family, const StackCosts& stack);
double TotalSeconds(const std::vector<OpCost>& ops, const FamilyCosts& family, const StackCosts& stack);

struct PredictOptions {
  int64_t batch = 1;            // users decoding together
  int64_t context = 128;        // positions in each user's KV cache when the token is decoded
  int64_t prompt_tokens = 128;  // one user's prefill, for the time to first token
};

struct Prediction {
  std::string device;
  FamilyCosts family;
  StackCosts stack;
  TensorParallelPlan plan;
  PredictOptions options;
  std::vector<OpCost> decode;   // one step, every user
  std::vector<OpCost> prefill;  // one user's prompt, up to its first token
  double decode_s() const { return TotalSeconds(decode, family, stack); }
  double ttft_s() const { return TotalSeconds(prefill, family, stack); }
  double tokens_per_s_per_user() const { return 1.0 / decode_s(); }
  double tokens_per_s() const { return options.batch / decode_s(); }
};

// Seconds of one collective: the bytes each link carries ((N-1)/N of the tensor for all-gather and
// reduce-scatter, twice that for all-reduce, halved on a ring that sends both ways; perf notes,
// tech_reports/CCLs/CCL_bandwidth.md) over the links' bandwidth, plus one hop latency per step.
double CollectiveSeconds(Collective kind, double tensor_bytes, int chips, Topology topology, const LinkCosts& links);

// One line of totals: decode time per token, tokens/s/user and at the batch, time to first token. `ttt predict`,
// `ttt profile --device` and `ttt bench --device` print it alike.
std::string DescribeTotals(const Prediction& p);

// `config` is the model's resolved hardware config on a Tenstorrent device (its formats and fidelities
// are each op's own). Errors: a CPU device, a spec no model can be built from.
absl::StatusOr<Prediction> Predict(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config,
                                   const StackCosts& stack, const PredictOptions& options);

}  // namespace ttt::profiler
