// A decoder-only language model assembled from a ModelSpec: token (and position) embeddings, the decoder
// layers, the final norm and the LM head. Every family (Llama, Mistral, Qwen2, GPT-2, ...) is this one
// class with a different spec; there is no per-architecture forward pass.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "core/blocks/embedding/embedding.h"
#include "core/blocks/lm_head/lm_head.h"
#include "core/blocks/model_modules.h"
#include "core/hwconfig/resolve.h"
#include "core/patterns/decoder_layer.h"
#include "core/patterns/memory_plan.h"
#include "core/specs/proto/model.pb.h"

namespace ttt {

// The per-session state: KV cache and activation buffers, allocated once when the state is made, so
// decoding a token allocates nothing.
class InferenceState {
 public:
  int64_t max_batch() const { return cache_.max_batch(); }
  int64_t max_seq_len() const { return cache_.max_seq_len(); }
  int64_t prefill_chunk() const { return chunk_; }
  // Tokens already in sequence `slot`.
  int64_t length(int64_t slot) const { return lengths_[slot]; }
  // Forgets sequence `slot` so it can hold a new one.
  void Reset(int64_t slot) {
    lengths_[slot] = 0;
    for (auto& peer : peers_) peer->Reset(slot);
  }
  void ResetAll() {
    std::fill(lengths_.begin(), lengths_.end(), 0);
    for (auto& peer : peers_) peer->ResetAll();
  }
  // Keeps the first `length` tokens of sequence `slot` and forgets the rest: a prefix shared with the next
  // prompt (a chat's earlier turns) is not prefilled again. The rows after it are overwritten as it grows.
  void Truncate(int64_t slot, int64_t length) {
    lengths_[slot] = std::min(lengths_[slot], length);
    for (auto& peer : peers_) peer->Truncate(slot, length);
  }
  const KvCache& cache() const { return cache_; }
  // The buffers this state was planned with (all allocated by NewState) and their total size.
  const MemoryPlan& plan() const { return plan_; }
  int64_t PlannedBytes() const { return plan_.total_bytes(); }

 private:
  friend class CausalLm;
  InferenceState(KvCache cache, const MemoryPlan& plan, int64_t hidden);
  MemoryPlan plan_;
  KvCache cache_;
  int64_t chunk_;
  std::vector<int64_t> lengths_;
  Tensor residual_;  // [chunk, hidden]
  Tensor normed_;    // [chunk, hidden]
  Tensor scratch_;   // layer scratch
  std::vector<int32_t> positions_;
  // Tensor parallelism (core/patterns/tensor_parallel_lm.h): the head's vocabulary slice [chunk, slice], every
  // rank's slices [chunk * vocab] as gathered, and the whole logits [chunk, vocab] of a rank that does not
  // return them (an in-process rank other than 0); and the states of those ranks, on rank 0.
  Tensor head_slice_;
  Tensor gathered_;
  Tensor logits_sink_;
  std::vector<std::unique_ptr<InferenceState>> peers_;
};

class WeightCache;
class Transport;
struct TensorParallelRank;
struct RankShard;

// How a model is built: for which device, in which mode, with which hardware config. BuildOptions{} is the
// exact f32 reference on the CPU (device "cpu", accuracy mode: every op f32).
//
// The per-op hardware config is resolved from the device's module defaults (hwconfig/modules), the
// modules' rules, `hw_config` (a model-level file), then the shortcuts (core/hwconfig/resolve.h); or
// `resolved` is used as is. It is checked against the device (core/hwconfig/compatibility.h) for
// `max_batch` x `max_context` before any block is built.
struct BuildOptions {
  std::string device = "cpu";
  hw::ConfigMode mode = hw::ACCURACY;
  std::optional<hw::ModelHwConfig> hw_config;  // a model-level config (--hw-config)
  std::string hw_config_name = "model file";    // its file name, for sources and errors
  // Shortcuts applied over everything above: the storage of every linear op's weight (attention and MLP
  // projections, LM head: f32, bf16, i8, bfp8 or bfp4; --weights) and of the KV cache (f32, bf16, bfp8;
  // --kv-cache).
  std::optional<DType> linear_weight_dtype;
  std::optional<DType> kv_cache_dtype;
  // A config already resolved (e.g. by `ttt config`); when set, the fields above except max_* are ignored.
  std::shared_ptr<const ResolvedHwConfig> resolved;
  // The batch and context the model will serve, for the fit check; context 0 checks the weights alone.
  int64_t max_batch = 1;
  int64_t max_context = 0;
  // Converted weights are read from / written to this cache when set (keyed by weight_source, tensor name,
  // op config and library version). Not owned.
  WeightCache* weight_cache = nullptr;
  std::string weight_source;  // identity of the checkpoint (path, size, mtime); set by LoadModel
  // The model's own module kinds over the global table (ModelBuilder::kinds()), for layer modules of kinds
  // that are not registered process-wide. Null: the global table.
  std::shared_ptr<const ModuleRegistry> kinds;
  // A device of several chips (n300, t3k, tg) runs tensor-parallel, one rank per chip holding only its shards
  // (core/patterns/tensor_parallel_lm.h): without a transport every rank in this process, on threads; with
  // one (MPI, tools/ttt/mpi_transport.h) only rank transport->rank(), whose size must be the device's chips.
  // `one_chip`: run the device as one chip with the chips' memory pooled (no split, no collective).
  std::shared_ptr<Transport> transport;
  bool one_chip = false;
  // The most weight bytes this process may hold (--memory-budget); 0: no limit. A model
  // over it is refused before its weights are read (core/patterns/weight_budget.h); over MPI each process
  // holds only its rank's shards, so a model too big for one process loads across several.
  int64_t memory_budget = 0;
};

class CausalLm {
 public:
  static absl::StatusOr<std::unique_ptr<CausalLm>> Create(const Validated<spec::ModelSpec>& spec,
                                                          const WeightMap& weights, const BuildOptions& options = {});
  // Validates `spec` (core/specs/validate.h) first.
  static absl::StatusOr<std::unique_ptr<CausalLm>> Create(const spec::ModelSpec& spec, const WeightMap& weights,
                                                          const BuildOptions& options = {});

  // max_seq_len 0 means the spec's; prompts are processed `prefill_chunk` tokens at a time.
  absl::StatusOr<std::unique_ptr<InferenceState>> NewState(int64_t max_batch = 1, int64_t max_seq_len = 0,
                                                           int64_t prefill_chunk = 256) const;
  // The buffers NewState(max_batch, max_seq_len, prefill_chunk) would allocate (arguments as NewState's,
  // already validated), without allocating them.
  MemoryPlan PlanMemory(int64_t max_batch, int64_t max_seq_len, int64_t prefill_chunk) const;
  DType kv_cache_dtype() const { return kv_cache_dtype_; }
  // The hardware config every op runs with, and where each value came from.
  const ResolvedHwConfig& hw_config() const { return *hw_config_; }
  // Step 6 of the resolution order: overlays `change` (defaults per module kind, layer overrides) on the
  // current config, checks it against the device and re-specialises every projection (weights
  // re-converted, numerics switched). The KV-cache format applies to states made after the call.
  absl::Status ApplyHwConfig(const hw::ModelHwConfig& change, const std::string& source = "ApplyHwConfig");

  // Appends `tokens` to sequence `slot`. Writes the logits of every new position to `logits`
  // [tokens, vocab] when `all_logits`, else only those of the last position [vocab].
  absl::Status Prefill(InferenceState& state, int64_t slot, absl::Span<const int32_t> tokens, float* logits,
                       bool all_logits) const;
  // Appends one token to each sequence in `slots`; logits [slots.size(), vocab].
  absl::Status Decode(InferenceState& state, absl::Span<const int32_t> slots, absl::Span<const int32_t> tokens,
                      float* logits) const;

  // KV-cache compaction (core/patterns/kv_compaction.cc), for policies that let a sequence run past its
  // context with bounded memory (core/generation/kv_policy.h). Positions are cache rows: after compaction
  // the kept tokens sit at positions 0..n-1 and the next token at n, as in StreamingLLM and llama.cpp's
  // context shift.
  //
  // OK when this model's cached keys can move to other positions: RoPE keys are re-rotated, ALiBi and models
  // without positions depend only on what is cached. Learned absolute positions (GPT-2) are added to the
  // hidden state every key and value is computed from, and cannot be shifted: FailedPrecondition.
  absl::Status CheckKvCompaction() const;
  // Keeps cache rows `keep` (strictly increasing, below the sequence's length) of sequence `slot`, moved to
  // rows 0..n-1 in every layer with their keys re-rotated to their new positions; the sequence's length
  // becomes n. Memory is unchanged: the rows freed are reused by the next tokens.
  absl::Status CompactKvCache(InferenceState& state, int64_t slot, absl::Span<const int64_t> keep) const;

  const spec::ModelSpec& spec() const { return *spec_; }
  const Validated<spec::ModelSpec>& validated_spec() const { return spec_; }
  // The module kinds its layer modules were found in.
  const ModuleRegistry& kinds() const { return kinds_ ? *kinds_ : ModuleRegistry::Global(); }
  // Its module instances, as the engine walks them (core/blocks/model_modules.h).
  absl::StatusOr<ModelModules> Modules() const { return ListModelModules(spec_, kinds()); }
  int64_t vocab_size() const { return spec_->vocab_size(); }
  const TokenEmbedding& token_embedding() const { return embedding_; }
  // Learned positions (GPT-2), or null.
  const PositionEmbedding* position_embedding() const { return positions_ ? &*positions_ : nullptr; }
  const DecoderLayer& layer(int64_t i) const { return *layers_[i]; }
  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }
  const Norm& final_norm() const { return final_norm_; }
  const LmHead& lm_head() const { return lm_head_; }
  // Bytes of weights read to decode one token (every layer's projections - a mixture of experts' chosen ones -,
  // the head, one embedding row).
  int64_t DecodeWeightBytes() const;
  // Tensor parallelism: this rank's part (its plan, slices and transport); null on one chip.
  const TensorParallelRank* tensor_parallel() const { return tp_.get(); }
  // Bytes of every weight this rank holds (projections, embeddings, norms), as resident in memory.
  int64_t ResidentWeightBytes() const;

  ~CausalLm();

 private:
  absl::Status CheckTokens(absl::Span<const int32_t> tokens) const;
  void Embed(const int32_t* ids, const int32_t* positions, int64_t n, float* x) const;

  explicit CausalLm(Validated<spec::ModelSpec> spec);
  // Builds the blocks of `modules` (the embedding from `embedding`, the head from `head`: a tensor-parallel
  // rank's slices, or the spec's own) and specialises them with `hw`.
  static absl::StatusOr<std::unique_ptr<CausalLm>> Build(const Validated<spec::ModelSpec>& spec,
                                                         const ModelModules& modules,
                                                         const Validated<spec::TokenEmbeddingSpec>& embedding,
                                                         const Validated<spec::LmHeadSpec>& head,
                                                         const WeightMap& weights, const BuildOptions& options,
                                                         std::shared_ptr<const ResolvedHwConfig> hw,
                                                         const std::string& weight_source);
  // tensor_parallel_lm.cc: every rank in process (returning rank 0), or the transport's rank; nullptr when
  // the model runs as one chip (with the reason logged). The ranks built here hold at most
  // options.memory_budget bytes.
  static absl::StatusOr<std::unique_ptr<CausalLm>> CreateTensorParallel(const Validated<spec::ModelSpec>& spec,
                                                                        const WeightMap& weights,
                                                                        const BuildOptions& options,
                                                                        std::shared_ptr<const ResolvedHwConfig> hw);
  // Runs fn(model, state, returns_logits) for every rank this process runs: this one, and on rank 0 of an
  // in-process model the others, at once on the group's threads.
  void ForEachRank(InferenceState& state,
                   absl::FunctionRef<void(const CausalLm&, InferenceState&, bool returns_logits)> fn) const;
  // One rank's prefill and decode (arguments checked); `logits` null: the rank's own sink.
  void PrefillRank(InferenceState& state, int64_t slot, absl::Span<const int32_t> tokens, float* logits,
                   bool all_logits) const;
  void DecodeRank(InferenceState& state, absl::Span<const int32_t> slots, absl::Span<const int32_t> tokens,
                  float* logits) const;
  // The head over `rows` normed rows -> logits [rows, vocab] (a tensor-parallel rank gathers the slices).
  void Head(const float* normed, int64_t rows, float* logits, Phase phase, InferenceState& state) const;
  std::unique_ptr<InferenceState> NewRankState(int64_t max_batch, int64_t max_seq_len, int64_t prefill_chunk) const;

  Validated<spec::ModelSpec> spec_;
  std::shared_ptr<const ModuleRegistry> kinds_;
  TokenEmbedding embedding_;
  std::optional<PositionEmbedding> positions_;
  std::vector<std::unique_ptr<DecoderLayer>> layers_;
  Norm final_norm_;
  LmHead lm_head_;
  DType kv_cache_dtype_ = DType::kF32;
  // Every projection, in the order a decode step runs them (per layer wqkv, wo, up, down; then the head):
  // what core/blocks/linear/decode_arena.h chains prefetches along and packs into huge-page arenas.
  std::vector<Linear*> DecodeProjections();
  void PackTiedHead();
  // Specialises every projection and the KV-cache format from `config`.
  absl::Status Specialize(std::shared_ptr<const ResolvedHwConfig> config, WeightCache* cache,
                          const std::string& weight_source);
  std::shared_ptr<const ResolvedHwConfig> hw_config_;
  std::unique_ptr<TensorParallelRank> tp_;
};

}  // namespace ttt
