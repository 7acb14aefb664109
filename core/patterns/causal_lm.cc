#include "core/patterns/causal_lm.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/blocks/linear/decode_arena.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/device_registry.h"
#include "core/hwconfig/hw_enums.h"
#include "core/patterns/tensor_parallel_lm.h"
#include "core/patterns/weight_budget.h"
#include "core/runtime/check.h"
#include "core/runtime/logging.h"
#include "core/runtime/progress.h"
#include "core/runtime/spin_team.h"
#include "core/runtime/status.h"
#include "core/runtime/system_memory.h"
#include "core/runtime/threading.h"
#include "core/runtime/trace.h"
#include "core/specs/validate.h"

namespace ttt {

InferenceState::InferenceState(KvCache cache, const MemoryPlan& plan, int64_t hidden)
    : plan_(plan),
      cache_(std::move(cache)),
      chunk_(plan.chunk),
      lengths_(static_cast<size_t>(cache_.max_batch()), 0),
      residual_(Tensor::Empty(DType::kF32, {plan.chunk, hidden})),
      normed_(Tensor::Empty(DType::kF32, {plan.chunk, hidden})),
      scratch_(Tensor::Empty(DType::kF32, {plan.layer_scratch_bytes / int64_t{sizeof(float)}})),
      positions_(static_cast<size_t>(plan.chunk)) {
  cache_.PlanAttentionWork(plan.attention_work_bytes / int64_t{sizeof(float)});
}

absl::StatusOr<std::unique_ptr<CausalLm>> CausalLm::Create(const spec::ModelSpec& spec, const WeightMap& weights,
                                                          const BuildOptions& options) {
  TTT_ASSIGN_OR_RETURN(const Validated<spec::ModelSpec> validated, ValidateModel(spec));
  return Create(validated, weights, options);
}

absl::StatusOr<std::unique_ptr<CausalLm>> CausalLm::Create(const Validated<spec::ModelSpec>& spec,
                                                          const WeightMap& weights, const BuildOptions& options) {
  std::shared_ptr<const ResolvedHwConfig> hw = options.resolved;
  if (hw == nullptr) {
    TTT_ASSIGN_OR_RETURN(hw::DeviceProfile device, GetDeviceProfile(options.device));
    HwShortcuts shortcuts;
    if (options.linear_weight_dtype) {
      shortcuts.weights = ToHwDType(*options.linear_weight_dtype);
      if (*shortcuts.weights == hw::DTYPE_UNSPECIFIED || *options.linear_weight_dtype == DType::kF16) {
        return absl::InvalidArgumentError(absl::StrCat("linear weights cannot be stored as ",
                                                       DTypeName(*options.linear_weight_dtype),
                                                       ": use f32, bf16, i8, bfp8 or bfp4"));
      }
    }
    if (options.kv_cache_dtype) {
      if (!KvCache::IsSupportedDType(*options.kv_cache_dtype)) {
        return absl::InvalidArgumentError(absl::StrCat("the KV cache cannot be stored as ",
                                                       DTypeName(*options.kv_cache_dtype), ": use f32, bf16 or bfp8"));
      }
      shortcuts.kv_cache = ToHwDType(*options.kv_cache_dtype);
    }
    TTT_ASSIGN_OR_RETURN(ResolvedHwConfig resolved,
                         ResolveHwConfig(spec, device, options.mode, options.hw_config ? &*options.hw_config : nullptr,
                                         options.hw_config_name, shortcuts,
                                         options.kinds ? *options.kinds : ModuleRegistry::Global()));
    hw = std::make_shared<const ResolvedHwConfig>(std::move(resolved));
  }
  // Before any block is built (and any weight converted): every problem at once.
  // Without a context to check, the KV cache is left to NewState (which knows the context it allocates).
  TTT_RETURN_IF_ERROR(ValidateHwConfig(spec, *hw, options.max_batch, options.max_context > 0 ? options.max_context : 1));
  const int64_t budget = options.memory_budget;
  if (hw->device.num_chips() > 1 && !options.one_chip) {
    TTT_ASSIGN_OR_RETURN(auto parallel, CreateTensorParallel(spec, weights, options, hw));
    if (parallel != nullptr) return parallel;
  }
  const ProcessPlacement one_chip;
  TTT_RETURN_IF_ERROR(CheckWeightBudgetEstimate(spec, *hw, one_chip, budget));
  TTT_ASSIGN_OR_RETURN(const ModelModules modules,
                       ListModelModules(spec, options.kinds ? *options.kinds : ModuleRegistry::Global()));
  const std::string device = hw->device.name();
  TTT_ASSIGN_OR_RETURN(auto model, Build(spec, modules, spec.token_embedding(), spec.lm_head(), weights, options,
                                         std::move(hw), options.weight_source));
  TTT_RETURN_IF_ERROR(CheckHeldWeights(model->ResidentWeightBytes(), 1, budget, device, one_chip));
  return model;
}

CausalLm::CausalLm(Validated<spec::ModelSpec> spec) : spec_(std::move(spec)) {}
CausalLm::~CausalLm() = default;

absl::StatusOr<std::unique_ptr<CausalLm>> CausalLm::Build(const Validated<spec::ModelSpec>& spec,
                                                         const ModelModules& modules,
                                                         const Validated<spec::TokenEmbeddingSpec>& embedding_spec,
                                                         const Validated<spec::LmHeadSpec>& head_spec,
                                                         const WeightMap& weights, const BuildOptions& options,
                                                         std::shared_ptr<const ResolvedHwConfig> hw,
                                                         const std::string& weight_source) {
  auto model = std::unique_ptr<CausalLm>(new CausalLm(spec));
  model->kinds_ = options.kinds;
  const spec::ModelSpec& s = *spec;
  TTT_ASSIGN_OR_RETURN(model->embedding_, TokenEmbedding::Create(embedding_spec, weights));
  if (auto positions = spec.position_embedding()) {
    TTT_ASSIGN_OR_RETURN(auto pos, PositionEmbedding::Create(*positions, weights));
    model->positions_.emplace(std::move(pos));
  }
  // Converting a big model's weights (or reading them from the weight cache) takes a while: on a terminal, say how far.
  Progress progress("building layers (converting weights)", s.num_layers());
  for (uint32_t i = 0; i < s.num_layers(); ++i) {
    TTT_ASSIGN_OR_RETURN(auto layer, DecoderLayer::Create(modules.layers[i], weights, i, s.hidden_dim()));
    model->layers_.push_back(std::move(layer));
    progress.Step(absl::StrCat("layer ", i));
  }
  auto final_norm = Norm::Create(spec.final_norm(), weights, "final_norm");
  if (!final_norm.ok()) return Annotate(final_norm.status(), "final norm");
  model->final_norm_ = *std::move(final_norm);
  auto head = LmHead::Create(head_spec, weights, model->embedding_.table());
  if (!head.ok()) return Annotate(head.status(), "LM head");
  model->lm_head_ = *std::move(head);
  TTT_RETURN_IF_ERROR(model->Specialize(std::move(hw), options.weight_cache, weight_source));
  ChainDecodePrefetch(model->DecodeProjections());
  return model;
}

absl::StatusOr<std::unique_ptr<InferenceState>> CausalLm::NewState(int64_t max_batch, int64_t max_seq_len,
                                                                   int64_t prefill_chunk) const {
  if (max_seq_len <= 0) max_seq_len = spec_->max_seq_len();
  if (max_seq_len > static_cast<int64_t>(spec_->max_seq_len())) {
    return absl::InvalidArgumentError(absl::StrCat("context of ", max_seq_len, " tokens exceeds the model's ",
                                                   spec_->max_seq_len(), ": use a context of at most ",
                                                   spec_->max_seq_len()));
  }
  if (max_batch <= 0 || prefill_chunk <= 0) {
    return absl::InvalidArgumentError("batch size and prefill chunk must be positive");
  }
  std::unique_ptr<InferenceState> state = NewRankState(max_batch, max_seq_len, prefill_chunk);
  if (tp_ != nullptr) {
    for (const auto& peer : tp_->peers) state->peers_.push_back(peer->NewRankState(max_batch, max_seq_len, prefill_chunk));
  }
  return state;
}

std::unique_ptr<InferenceState> CausalLm::NewRankState(int64_t max_batch, int64_t max_seq_len,
                                                       int64_t prefill_chunk) const {
  const MemoryPlan plan = PlanMemory(max_batch, max_seq_len, prefill_chunk);
  KvCache cache(num_layers(), max_batch, max_seq_len, layers_.front()->attention().kv_dim(), kv_cache_dtype_);
  TTT_CHECK(static_cast<int64_t>(cache.bytes()) == plan.kv_cache_bytes);
  auto state = std::unique_ptr<InferenceState>(new InferenceState(std::move(cache), plan, spec_->hidden_dim()));
  if (tp_ != nullptr) {
    state->head_slice_ = Tensor::Empty(DType::kF32, {plan.chunk, tp_->vocab_slice()});
    state->gathered_ = Tensor::Empty(DType::kF32, {plan.chunk * vocab_size()});
    if (tp_->layout.rank != 0 && tp_->group != nullptr) {
      state->logits_sink_ = Tensor::Empty(DType::kF32, {plan.chunk, vocab_size()});
    }
  }
  return state;
}

MemoryPlan CausalLm::PlanMemory(int64_t max_batch, int64_t max_seq_len, int64_t prefill_chunk) const {
  MemoryPlan plan;
  plan.max_batch = max_batch;
  plan.max_seq_len = max_seq_len;
  plan.chunk = std::max(std::min(prefill_chunk, max_seq_len), max_batch);
  plan.kv_cache_dtype = kv_cache_dtype_;
  const int64_t kv_dim = layers_.front()->attention().kv_dim();
  plan.kv_cache_bytes = 2 * num_layers() * max_batch * max_seq_len *
                        static_cast<int64_t>(StorageBytes(kv_cache_dtype_, kv_dim));
  plan.activation_bytes = 2 * plan.chunk * static_cast<int64_t>(spec_->hidden_dim()) * int64_t{sizeof(float)};
  int64_t scratch = 0, work = 0;
  for (const auto& layer : layers_) {
    scratch = std::max(scratch, layer->ScratchFloats(plan.chunk));
    work = std::max(work, layer->attention().AttentionWorkFloats(max_seq_len, kv_cache_dtype_));
  }
  plan.layer_scratch_bytes = scratch * int64_t{sizeof(float)};
  plan.attention_work_bytes = work * int64_t{sizeof(float)};
  plan.position_bytes = plan.chunk * int64_t{sizeof(int32_t)};
  if (tp_ != nullptr) {
    const bool sink = tp_->layout.rank != 0 && tp_->group != nullptr;
    plan.tensor_parallel_bytes =
        plan.chunk * (tp_->vocab_slice() + vocab_size() * (sink ? 2 : 1)) * int64_t{sizeof(float)};
  }
  return plan;
}

absl::Status CausalLm::CheckTokens(absl::Span<const int32_t> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] < 0 || tokens[i] >= static_cast<int32_t>(spec_->vocab_size())) {
      return absl::InvalidArgumentError(absl::StrCat("token id ", tokens[i], " at index ", i,
                                                     " is outside the vocabulary of ", spec_->vocab_size(),
                                                     ": the tokenizer and the model do not match"));
    }
  }
  return absl::OkStatus();
}

void CausalLm::Embed(const int32_t* ids, const int32_t* positions, int64_t n, float* x) const {
  TTT_TRACE_MODULE("embedding");
  embedding_.Forward(ids, n, x);
  if (tp_ != nullptr) {  // each rank embedded the tokens of its vocabulary slice, zeros for the rest
    const int64_t values = n * spec_->hidden_dim();
    TTT_TRACE_OP("all_reduce", n, 8.0 * values, 1.0 * values * (tp_->transport->size() - 1))
    tp_->transport->AllReduceSum(x, values);
  }
  if (positions_) positions_->AddTo(positions, n, x);
}

absl::Status CausalLm::Prefill(InferenceState& state, int64_t slot, absl::Span<const int32_t> tokens, float* logits,
                               bool all_logits) const {
  if (slot < 0 || slot >= state.max_batch()) {
    return absl::OutOfRangeError(absl::StrCat("sequence slot ", slot, " is outside the state's batch of ",
                                              state.max_batch()));
  }
  if (tokens.empty()) return absl::InvalidArgumentError("prefill needs at least one token");
  TTT_RETURN_IF_ERROR(CheckTokens(tokens));
  const int64_t start = state.lengths_[slot];
  if (start + static_cast<int64_t>(tokens.size()) > state.max_seq_len()) {
    return absl::OutOfRangeError(absl::StrCat("sequence ", slot, " would hold ", start + tokens.size(),
                                              " tokens, past the context of ", state.max_seq_len(),
                                              ": shorten the prompt or use a longer context"));
  }
  ForEachRank(state, [&](const CausalLm& model, InferenceState& rank_state, bool returns_logits) {
    model.PrefillRank(rank_state, slot, tokens, returns_logits ? logits : nullptr, all_logits);
  });
  return absl::OkStatus();
}

void CausalLm::PrefillRank(InferenceState& state, int64_t slot, absl::Span<const int32_t> tokens, float* logits,
                           bool all_logits) const {
  const int64_t start = state.lengths_[slot];
  const int64_t hidden = spec_->hidden_dim(), vocab = spec_->vocab_size();
  float* x = state.residual_.data<float>();
  float* normed = state.normed_.data<float>();
  for (int64_t done = 0; done < static_cast<int64_t>(tokens.size());) {
    const int64_t n = std::min<int64_t>(state.chunk_, tokens.size() - done);
    const int64_t pos0 = start + done;
    TTT_TRACE_STEP(Phase::kPrefill, n);
    for (int64_t i = 0; i < n; ++i) state.positions_[i] = static_cast<int32_t>(pos0 + i);
    Embed(tokens.data() + done, state.positions_.data(), n, x);
    for (const auto& layer : layers_) layer->Prefill(x, n, pos0, state.cache_, slot, state.scratch_.data<float>());
    const bool last_chunk = done + n == static_cast<int64_t>(tokens.size());
    float* sink = state.logits_sink_.defined() ? state.logits_sink_.data<float>() : nullptr;
    if (all_logits) {
      final_norm_.Forward(x, n, normed);
      Head(normed, n, logits != nullptr ? logits + done * vocab : sink, Phase::kPrefill, state);
    } else if (last_chunk) {
      final_norm_.Forward(x + (n - 1) * hidden, 1, normed);
      Head(normed, 1, logits != nullptr ? logits : sink, Phase::kPrefill, state);
    }
    done += n;
  }
  state.lengths_[slot] = start + tokens.size();
}

absl::Status CausalLm::Decode(InferenceState& state, absl::Span<const int32_t> slots,
                              absl::Span<const int32_t> tokens, float* logits) const {
  const int64_t batch = slots.size();
  if (batch == 0 || tokens.size() != slots.size() || batch > state.max_batch()) {
    return absl::InvalidArgumentError(absl::StrCat("decode needs one token per slot and at most ", state.max_batch(),
                                                   " slots; got ", tokens.size(), " tokens for ", batch, " slots"));
  }
  TTT_RETURN_IF_ERROR(CheckTokens(tokens));
  for (int64_t b = 0; b < batch; ++b) {
    const int32_t slot = slots[b];
    if (slot < 0 || slot >= state.max_batch()) {
      return absl::OutOfRangeError(absl::StrCat("slot ", slot, " is outside the state's batch of ", state.max_batch()));
    }
    if (state.lengths_[slot] >= state.max_seq_len()) {
      return absl::OutOfRangeError(absl::StrCat("sequence ", slot, " is full (", state.max_seq_len(),
                                                " tokens): stop generating or use a longer context"));
    }
  }
  ForEachRank(state, [&](const CausalLm& model, InferenceState& rank_state, bool returns_logits) {
    model.DecodeRank(rank_state, slots, tokens, returns_logits ? logits : rank_state.logits_sink_.data<float>());
  });
  return absl::OkStatus();
}

void CausalLm::DecodeRank(InferenceState& state, absl::Span<const int32_t> slots, absl::Span<const int32_t> tokens,
                          float* logits) const {
  const int64_t batch = slots.size();
  for (int64_t b = 0; b < batch; ++b) state.positions_[b] = static_cast<int32_t>(state.lengths_[slots[b]]);
  float* x = state.residual_.data<float>();
  float* normed = state.normed_.data<float>();
  TTT_TRACE_STEP(Phase::kDecode, batch);
  // One team for the whole step: its ~120 GEMVs and attentions hand work to spinning threads instead of
  // opening an OpenMP region each (core/runtime/spin_team.h).
  SpinTeam::Hold(NumThreads(), [&] {
    Embed(tokens.data(), state.positions_.data(), batch, x);
    for (const auto& layer : layers_) {
      layer->Decode(x, batch, state.positions_.data(), slots.data(), state.cache_, state.scratch_.data<float>());
    }
    final_norm_.Forward(x, batch, normed);
    Head(normed, batch, logits, Phase::kDecode, state);
  });
  for (int32_t slot : slots) ++state.lengths_[slot];
}

std::vector<Linear*> CausalLm::DecodeProjections() {
  std::vector<Linear*> order;
  auto add = [&](Block* block) {
    for (const LinearOp& op : block->linear_ops()) order.push_back(op.linear);
  };
  for (auto& layer : layers_) {
    for (auto& [name, block] : layer->blocks()) add(block);
  }
  add(&lm_head_);
  return order;
}

int64_t CausalLm::ResidentWeightBytes() const {
  int64_t bytes = lm_head_.projection().resident_weight_bytes();
  // A tied head that reads the table itself (f32, or both in panels) holds no bytes of its own.
  if (lm_head_.projection().weight().values.raw_data() != embedding_.table().raw_data()) {
    bytes += static_cast<int64_t>(embedding_.table().nbytes());
  }
  if (positions_) bytes += static_cast<int64_t>(positions_->table().nbytes());
  for (const auto& layer : layers_) {
    for (const DecoderLayer::Branch& branch : layer->branches()) {
      for (const LinearOp& op : branch.block->linear_ops()) bytes += op.linear->resident_weight_bytes();
    }
  }
  return bytes;
}

int64_t CausalLm::DecodeWeightBytes() const {
  int64_t bytes = 0;
  for (const auto& layer : layers_) {
    for (const DecoderLayer::Branch& branch : layer->branches()) bytes += branch.block->DecodeReadBytes();
  }
  bytes += lm_head_.projection().weight_bytes();
  bytes += spec_->hidden_dim() * sizeof(float);
  return bytes;
}

}  // namespace ttt
