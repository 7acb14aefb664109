#include "core/patterns/tensor_parallel_lm.h"

#include <cstring>
#include <optional>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "core/blocks/module_registry.h"
#include "core/hwconfig/resolve.h"
#include "core/patterns/causal_lm.h"
#include "core/patterns/weight_budget.h"
#include "core/runtime/dtype_traits.h"
#include "core/runtime/status.h"
#include "core/runtime/trace.h"
#include "core/runtime/trace_mute.h"
#include "spdlog/spdlog.h"
#include "core/specs/proto/attention.pb.h"
#include "core/specs/proto/mlp.pb.h"
#include "core/specs/proto/moe.pb.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

absl::Status DoesNotFit(const std::string& why) {
  return absl::FailedPreconditionError(absl::StrCat("the tensor-parallel split does not fit this model: ", why));
}

// Rank `rank`'s [begin, begin + size) of `total` features split as evenly as possible; an error when a rank
// would get none.
absl::Status EvenSlice(int64_t total, int rank, int ranks, const char* what, int64_t* begin, int64_t* size) {
  if (total < ranks) {
    return DoesNotFit(absl::StrCat(what, " (", total, ") are fewer than the ", ranks, " chips"));
  }
  const std::vector<int64_t> counts = EvenCounts(total, ranks);
  *begin = 0;
  for (int r = 0; r < rank; ++r) *begin += counts[r];
  *size = counts[rank];
  return absl::OkStatus();
}

// A checkpoint's plain float formats are kept as they are: the block converts them as it converts an unsplit
// checkpoint's, and the rank holds its slices at their stored size, not as f32 (a bf16 model's shard would
// double while the rank builds). Quantised formats (GGUF blocks) are copied as f32.
bool KeptAsStored(DType dtype) { return dtype == DType::kF32 || dtype == DType::kBF16 || dtype == DType::kF16; }

// Copies rows [begin, begin + count) of a 2-D weight (only those rows are read), or of a 1-D one.
Tensor Rows(const Tensor& t, int64_t begin, int64_t count) {
  const Tensor slice = t.Slice(0, begin, count);
  return KeptAsStored(slice.dtype()) ? slice.Contiguous() : slice.To(DType::kF32);
}

// Copies columns [begin, begin + count) of a 2-D weight, row by row.
Tensor Columns(const Tensor& t, int64_t begin, int64_t count) {
  const DType dtype = KeptAsStored(t.dtype()) ? t.dtype() : DType::kF32;
  const size_t size = static_cast<size_t>(Traits(dtype).bytes_per_value);
  Tensor out = Tensor::Empty(dtype, {t.dim(0), count});
  char* const base = static_cast<char*>(out.raw_data());
  for (int64_t i = 0; i < t.dim(0); ++i) {
    const Tensor row = t.Row(i);
    char* dst = base + static_cast<size_t>(i * count) * size;
    if (row.dtype() == dtype) {
      const Tensor dense = row.is_contiguous() ? row : row.Contiguous();
      std::memcpy(dst, static_cast<const char*>(dense.raw_data()) + static_cast<size_t>(begin) * size, count * size);
    } else {  // a quantised row, to f32
      const std::vector<float> values = row.ToF32();
      std::memcpy(dst, values.data() + begin, count * sizeof(float));
    }
  }
  return out;
}

Tensor ZerosLike(const Shape& shape) { return Tensor::Empty(DType::kF32, shape); }

// Replaces `name` in `out` by f(its tensor) when `weights` has it (a missing one is reported by the block
// that needs it, with the checkpoint's names).
template <typename F>
void Cut(const WeightMap& weights, const std::string& name, WeightMap& out, F f) {
  auto it = weights.find(name);
  if (it != weights.end()) out[name] = f(it->second);
}

// A column-parallel projection (output features [begin, begin + count)) and its bias.
void CutOutputs(const WeightMap& weights, const std::string& name, int64_t begin, int64_t count, WeightMap& out) {
  Cut(weights, name, out, [&](const Tensor& t) { return Rows(t, begin, count); });
  Cut(weights, name + ".bias", out, [&](const Tensor& t) { return Rows(t, begin, count); });
}

// A row-parallel projection (input features [begin, begin + count)); its bias is added by one rank only, and
// a rank that does not `contribute` holds zeros.
void CutInputs(const WeightMap& weights, const std::string& name, int64_t begin, int64_t count, bool first,
               bool contribute, WeightMap& out) {
  Cut(weights, name, out, [&](const Tensor& t) {
    return contribute ? Columns(t, begin, count) : ZerosLike({t.dim(0), count});
  });
  Cut(weights, name + ".bias", out, [&](const Tensor& t) { return first ? Rows(t, 0, t.dim(0)) : ZerosLike(t.shape()); });
}

void CutMlp(const WeightMap& weights, const std::string& prefix, int64_t begin, int64_t count, bool first,
            WeightMap& out) {
  CutOutputs(weights, prefix + ".w_gate", begin, count, out);
  CutOutputs(weights, prefix + ".w_up", begin, count, out);
  CutInputs(weights, prefix + ".w_down", begin, count, first, /*contribute=*/true, out);
}

}  // namespace

TensorParallelRank::TensorParallelRank() = default;
TensorParallelRank::~TensorParallelRank() = default;

absl::StatusOr<RankLayout> LayoutRank(const Validated<spec::ModelSpec>& spec, const TensorParallelPlan& plan,
                                      int rank) {
  RankLayout l;
  l.rank = rank;
  l.ranks = plan.chips;
  const int n = plan.chips;
  const Validated<spec::AttentionSpec> attention = spec.attention();
  if (attention->has_position_bias()) {
    return DoesNotFit(absl::StrCat("its position bias (", attention->position_bias().kind(),
                                   ") gives each head a slope from the head's index among all heads"));
  }
  const int64_t heads = attention.num_heads(), kv_heads = attention.num_kv_heads();
  const int64_t group = heads / kv_heads;  // query heads per KV head
  if (heads % n == 0) {
    l.q_heads = heads / n;
    l.q_begin = rank * l.q_heads;
  } else if (n % heads == 0) {  // each head on n / heads chips, the first copy adding its output
    l.q_heads = 1;
    l.q_begin = rank / (n / heads);
    l.adds_attention_output = rank % (n / heads) == 0;
  } else {
    return DoesNotFit(absl::StrCat(heads, " query heads neither divide nor are divided by ", n, " chips"));
  }
  if (l.q_heads % group != 0 && group % l.q_heads != 0) {
    return DoesNotFit(absl::StrCat(l.q_heads, " query heads per chip split the groups of ", group,
                                   " that share a KV head"));
  }
  l.kv_begin = l.q_begin / group;
  l.kv_heads = std::max<int64_t>(1, l.q_heads / group);
  // The cost model's count: heads follow QKV's output split, replicated when fewer than the chips.
  if (l.kv_heads != plan.KvHeadsPerChip(kv_heads) && heads % n == 0) {
    return absl::InternalError(absl::StrCat("KV heads per chip: ", l.kv_heads, " here, ",
                                            plan.KvHeadsPerChip(kv_heads), " in the plan"));
  }
  // The feed-forward of every layer: a heterogeneous stack may have dense and mixture-of-experts layers, each
  // kind split the same way wherever it appears (one slice per kind in the layout).
  std::optional<int64_t> ff_dim, expert_dim, shared_dim, num_experts;
  auto same = [](std::optional<int64_t>& seen, int64_t dim, const char* what) -> absl::Status {
    if (seen && *seen != dim) return DoesNotFit(absl::StrCat("its layers' ", what, " differ (", *seen, " and ", dim, ")"));
    seen = dim;
    return absl::OkStatus();
  };
  for (uint32_t i = 0; i < spec->num_layers(); ++i) {
    const Validated<spec::DecoderLayerSpec> layer = spec.layer(i);
    if (auto moe = layer.moe()) {
      TTT_RETURN_IF_ERROR(same(expert_dim, (*moe)->expert_dim(), "expert widths"));
      TTT_RETURN_IF_ERROR(same(num_experts, (*moe)->num_experts(), "expert counts"));
      TTT_RETURN_IF_ERROR(same(shared_dim, (*moe)->shared_expert_dim(), "shared expert widths"));
    } else {
      TTT_RETURN_IF_ERROR(same(ff_dim, layer.mlp()->intermediate_dim(), "MLP widths"));
    }
  }
  if (expert_dim && plan.SplitOf("moe", "ff1_3").split == Split::kExperts) {
    // Whole experts per chip (TT-Transformers' Mixtral on t3k): the router is replicated, each chip runs the
    // chosen experts it holds, and the feed-forward's all-reduce sums them.
    if (*num_experts % n != 0) return absl::InternalError("the plan places whole experts the chips do not divide");
    l.local_experts = *num_experts / n;
    l.first_expert = rank * l.local_experts;
    l.expert_begin = 0;
    l.expert_size = *expert_dim;
  } else if (expert_dim) {
    TTT_RETURN_IF_ERROR(EvenSlice(*expert_dim, rank, n, "each expert's intermediate features", &l.expert_begin,
                                  &l.expert_size));
  }
  if (shared_dim && *shared_dim > 0) {
    TTT_RETURN_IF_ERROR(EvenSlice(*shared_dim, rank, n, "the shared expert's intermediate features", &l.shared_begin,
                                  &l.shared_size));
  }
  if (ff_dim) {
    TTT_RETURN_IF_ERROR(EvenSlice(*ff_dim, rank, n, "the MLP's intermediate features", &l.ff_begin, &l.ff_size));
  }
  int64_t vocab_size = 0;
  TTT_RETURN_IF_ERROR(EvenSlice(spec->vocab_size(), rank, n, "the vocabulary's tokens", &l.vocab_begin, &vocab_size));
  l.vocab_counts = EvenCounts(spec->vocab_size(), n);
  return l;
}

absl::StatusOr<RankShard> ShardForRank(const Validated<spec::ModelSpec>& spec, const ModelModules& modules,
                                       const RankLayout& l, const WeightMap& weights) {
  const bool first = l.rank == 0;
  WeightMap out = weights;  // the replicated weights are shared, the split ones replaced below
  ModelModules cut = modules;
  for (size_t i = 0; i < cut.layers.size(); ++i) {
    const std::string layer = absl::StrCat("layers.", i, ".");
    int block = 0;  // the first two blocks of a layer (attention, feed-forward) are split; others replicated
    for (ModuleInstance& m : cut.layers[i]) {
      if (!m.descriptor->create || block++ >= 2) continue;
      const std::string prefix = layer + m.weights;
      if (auto a = m.spec.As<spec::AttentionSpec>()) {
        spec::AttentionSpec s = **a;
        const int64_t head_dim = a->head_dim();
        s.set_num_heads(l.q_heads);
        s.set_num_kv_heads(l.kv_heads);
        s.set_head_dim(head_dim);
        TTT_ASSIGN_OR_RETURN(Validated<spec::AttentionSpec> v, ValidateAttention(std::move(s)));
        m.spec = v;
        CutOutputs(weights, prefix + ".wq", l.q_begin * head_dim, l.q_heads * head_dim, out);
        CutOutputs(weights, prefix + ".wk", l.kv_begin * head_dim, l.kv_heads * head_dim, out);
        CutOutputs(weights, prefix + ".wv", l.kv_begin * head_dim, l.kv_heads * head_dim, out);
        CutInputs(weights, prefix + ".wo", l.q_begin * head_dim, l.q_heads * head_dim, first,
                  l.adds_attention_output, out);
      } else if (auto mlp = m.spec.As<spec::MlpSpec>()) {
        spec::MlpSpec s = **mlp;
        s.set_intermediate_dim(l.ff_size);
        TTT_ASSIGN_OR_RETURN(Validated<spec::MlpSpec> v, ValidateMlp(std::move(s)));
        m.spec = v;
        CutMlp(weights, prefix, l.ff_begin, l.ff_size, first, out);
      } else if (auto moe = m.spec.As<spec::MoeSpec>()) {
        spec::MoeSpec s = **moe;
        s.set_expert_dim(l.expert_size);
        s.set_first_expert(l.first_expert);
        s.set_local_experts(l.local_experts);
        if (s.shared_expert_dim() > 0) s.set_shared_expert_dim(l.shared_size);
        TTT_ASSIGN_OR_RETURN(Validated<spec::MoeSpec> v, ValidateMoe(std::move(s)));
        m.spec = v;
        if (l.local_experts == 0) {
          for (uint32_t e = 0; e < (*moe)->num_experts(); ++e) {
            CutMlp(weights, absl::StrCat(prefix, ".experts.", e), l.expert_begin, l.expert_size, first, out);
          }
        } else {  // whole experts: the held ones stay shared with `weights`, the others are not the rank's
          for (uint32_t e = 0; e < (*moe)->num_experts(); ++e) {
            if (e >= l.first_expert && e < l.first_expert + l.local_experts) continue;
            for (const char* w : {".w_gate", ".w_up", ".w_down"}) out.erase(absl::StrCat(prefix, ".experts.", e, w));
          }
        }
        if ((*moe)->shared_expert_dim() > 0) CutMlp(weights, prefix + ".shared", l.shared_begin, l.shared_size, first, out);
      } else {
        return absl::InternalError(absl::StrCat("layer ", i, ": no tensor-parallel split for module '", m.name, "'"));
      }
    }
  }
  // The embedding table and the head: the rank's vocabulary slice of each (TT-Transformers splits both). A
  // token outside the slice embeds as zeros, so the ranks' sum (CausalLm::Embed) is the token's row. A tied
  // head is the same slice.
  const int64_t vocab = l.vocab_counts[l.rank];
  spec::TokenEmbeddingSpec embedding = *spec.token_embedding();
  embedding.set_vocab_size(static_cast<uint32_t>(vocab));
  embedding.set_first_token(static_cast<uint32_t>(l.vocab_begin));
  TTT_ASSIGN_OR_RETURN(Validated<spec::TokenEmbeddingSpec> embedding_spec, ValidateTokenEmbedding(std::move(embedding)));
  Cut(weights, "tok_embeddings", out, [&](const Tensor& t) { return Rows(t, l.vocab_begin, vocab); });
  spec::LmHeadSpec head = *spec.lm_head();
  head.set_vocab_size(static_cast<uint32_t>(vocab));
  if (head.tied()) {
    head.set_tied(false);
    auto table = out.find("tok_embeddings");
    if (table != out.end()) out["lm_head"] = table->second;
  } else {
    Cut(weights, "lm_head", out, [&](const Tensor& t) { return Rows(t, l.vocab_begin, vocab); });
  }
  Cut(weights, "lm_head.bias", out, [&](const Tensor& t) { return Rows(t, l.vocab_begin, vocab); });
  TTT_ASSIGN_OR_RETURN(Validated<spec::LmHeadSpec> head_spec, ValidateLmHead(std::move(head)));
  return RankShard{std::move(cut), std::move(embedding_spec), std::move(head_spec), std::move(out)};
}

}  // namespace ttt

// CausalLm's tensor-parallel side.
namespace ttt {

absl::StatusOr<std::unique_ptr<CausalLm>> CausalLm::CreateTensorParallel(const Validated<spec::ModelSpec>& spec,
                                                                        const WeightMap& weights,
                                                                        const BuildOptions& options,
                                                                        std::shared_ptr<const ResolvedHwConfig> hw) {
  TTT_ASSIGN_OR_RETURN(const ModelModules modules,
                       ListModelModules(spec, options.kinds ? *options.kinds : ModuleRegistry::Global()));
  const TensorParallelPlan plan = PlanForModel(modules, spec->hidden_dim(), hw->device);
  Transport* const mpi = options.transport.get();
  if (mpi != nullptr && mpi->size() != plan.chips) {
    return absl::InvalidArgumentError(absl::StrCat(hw->device.name(), " has ", plan.chips, " chips but the ",
                                                   mpi->name(), " transport has ", mpi->size(),
                                                   " ranks: start one process per chip (mpirun -np ", plan.chips, ")"));
  }
  // Every rank's slices first: a model the split does not fit runs as one chip in process; over MPI, where
  // the ranks are already running, it is an error.
  std::vector<RankLayout> layouts;
  for (int r = 0; r < plan.chips; ++r) {
    if (mpi != nullptr && r != mpi->rank()) continue;
    auto layout = LayoutRank(spec, plan, r);
    if (!layout.ok()) {
      if (mpi != nullptr) return layout.status();
      spdlog::warn("{}: running {} as one chip with pooled memory", std::string(layout.status().message()),
                   hw->device.name());
      return nullptr;
    }
    layouts.push_back(*std::move(layout));
  }
  // This process's share of the weights, before any is read: over MPI one rank's, in process every rank's.
  const ProcessPlacement placement{plan.chips, static_cast<int>(layouts.size())};
  const int64_t budget = options.memory_budget;
  TTT_RETURN_IF_ERROR(CheckWeightBudgetEstimate(spec, *hw, placement, budget));
  int64_t held = 0;
  int built = 0;
  auto build = [&](const RankLayout& layout, Transport& transport) -> absl::StatusOr<std::unique_ptr<CausalLm>> {
    TTT_ASSIGN_OR_RETURN(RankShard shard, ShardForRank(spec, modules, layout, weights));
    auto model = Build(spec, shard.modules, shard.embedding, shard.head, shard.weights, options, hw,
                       absl::StrCat(options.weight_source, " (rank ", layout.rank, " of ", layout.ranks, ")"));
    if (!model.ok()) return Annotate(model.status(), absl::StrCat("tensor-parallel rank ", layout.rank));
    (*model)->tp_ = std::make_unique<TensorParallelRank>();
    TensorParallelRank& tp = *(*model)->tp_;
    tp.plan = plan;
    tp.layout = layout;
    tp.transport = &transport;
    for (auto& layer : (*model)->layers_) layer->SetTensorParallel(&transport);
    held += (*model)->ResidentWeightBytes();
    TTT_RETURN_IF_ERROR(CheckHeldWeights(held, ++built, budget, hw->device.name(), placement));
    return model;
  };
  if (mpi != nullptr) {
    TTT_ASSIGN_OR_RETURN(auto model, build(layouts.front(), *mpi));
    model->tp_->owned_transport = options.transport;
    return model;
  }
  auto group = std::make_shared<InProcessGroup>(plan.chips);
  TTT_ASSIGN_OR_RETURN(auto first, build(layouts[0], group->endpoint(0)));
  first->tp_->group = group;
  for (int r = 1; r < plan.chips; ++r) {
    TTT_ASSIGN_OR_RETURN(auto peer, build(layouts[r], group->endpoint(r)));
    peer->tp_->group = group;
    first->tp_->peers.push_back(std::move(peer));
  }
  return first;
}

void CausalLm::ForEachRank(InferenceState& state,
                           absl::FunctionRef<void(const CausalLm&, InferenceState&, bool)> fn) const {
  if (tp_ == nullptr || tp_->peers.empty()) {
    fn(*this, state, true);
    return;
  }
  tp_->group->Run([&](int rank) {
    if (rank == 0) {
      fn(*this, state, true);
    } else {
      trace::ScopedMute mute;  // the profile is rank 0's: every rank runs the same ops
      fn(*tp_->peers[rank - 1], *state.peers_[rank - 1], false);
    }
  });
}

void CausalLm::Head(const float* normed, int64_t rows, float* logits, Phase phase, InferenceState& state) const {
  if (tp_ == nullptr) {
    lm_head_.Forward(normed, rows, logits, phase);
    return;
  }
  float* slice = state.head_slice_.data<float>();
  float* gathered = state.gathered_.data<float>();
  lm_head_.Forward(normed, rows, slice, phase);
  const std::vector<int64_t>& counts = tp_->layout.vocab_counts;
  absl::InlinedVector<int64_t, 32> sizes;
  for (int64_t count : counts) sizes.push_back(count * rows);
  const int64_t vocab = vocab_size();
  TTT_TRACE_MODULE("lm_head");
  TTT_TRACE_OP("all_gather", rows, 8.0 * rows * vocab, 0) tp_->transport->AllGather(slice, sizes, gathered);
  // Rank-major slices -> rows of the whole vocabulary.
  int64_t offset = 0, first_token = 0;
  for (int64_t count : counts) {
    for (int64_t i = 0; i < rows; ++i) {
      std::memcpy(logits + i * vocab + first_token, gathered + offset + i * count, count * sizeof(float));
    }
    offset += rows * count;
    first_token += count;
  }
}

}  // namespace ttt
