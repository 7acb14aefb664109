#include "core/patterns/decoder_layer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/ops/ops.h"
#include "core/ops/tt_numerics.h"
#include "core/runtime/status.h"
#include "core/runtime/trace.h"

namespace ttt {

absl::StatusOr<std::unique_ptr<DecoderLayer>> DecoderLayer::Create(const std::vector<ModuleInstance>& modules,
                                                                    const WeightMap& weights, int64_t index,
                                                                    int64_t hidden) {
  auto layer = std::unique_ptr<DecoderLayer>(new DecoderLayer());
  const std::string prefix = absl::StrCat("layers.", index, ".");
  layer->index_ = index;
  layer->hidden_ = hidden;
  auto annotate = [&](const absl::Status& s) { return Annotate(s, absl::StrCat("layer ", index)); };
  std::optional<Norm> pending_norm;  // a branch's norm, listed before its block
  for (const ModuleInstance& m : modules) {
    if (!m.descriptor->create) {
      // The only kind without a branch of its own in a layer is a norm: the one that opens the next branch,
      // or the post-norm that closes the last.
      auto norm = Norm::Create(SpecAs<spec::NormSpec>(m.spec), weights, prefix + m.weights);
      if (!norm.ok()) return annotate(norm.status());
      if (m.post_norm) {
        if (layer->branches_.empty()) return annotate(absl::InternalError("a post-norm before any block"));
        layer->branches_.back().post_norm = *std::move(norm);
      } else {
        pending_norm = *std::move(norm);
      }
      continue;
    }
    auto block = m.descriptor->create(m.spec, weights, prefix + m.weights);
    if (!block.ok()) return annotate(block.status());
    layer->branches_.push_back(Branch{m.name, std::move(pending_norm), *std::move(block), std::nullopt});
    pending_norm.reset();
  }
  // The pre-norm pattern's first two branches are attention and the feed-forward (ListModelModules lists them
  // so).
  if (layer->branches_.size() < 2) return annotate(absl::InternalError("a layer needs attention and a feed-forward"));
  layer->attention_ = dynamic_cast<const Attention*>(layer->branches_[0].block.get());
  layer->mlp_ = dynamic_cast<const Mlp*>(layer->branches_[1].block.get());
  if (layer->attention_ == nullptr || !layer->branches_[0].norm || !layer->branches_[1].norm) {
    return annotate(absl::InternalError("a layer starts with attention_norm + attention and mlp_norm + a feed-forward"));
  }
  return layer;
}

absl::Status DecoderLayer::ConvertLinearWeights(DType dtype) {
  for (auto& [name, block] : blocks()) {
    for (const LinearOp& op : block->linear_ops()) TTT_RETURN_IF_ERROR(op.linear->ConvertWeight(dtype));
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, Block*>> DecoderLayer::blocks() {
  std::vector<std::pair<std::string, Block*>> out;
  for (Branch& b : branches_) out.emplace_back(b.name, b.block.get());
  return out;
}

int64_t DecoderLayer::ScratchFloats(int64_t tokens) const {
  int64_t inner = 0;
  for (const Branch& b : branches_) inner = std::max(inner, b.block->ScratchFloats(tokens));
  return 2 * tokens * hidden_ + inner;
}

void DecoderLayer::Run(float* x, int64_t rows, float* scratch, const StepContext& step) const {
  float* normed = scratch;
  float* branch = normed + rows * hidden_;
  float* inner = branch + rows * hidden_;
  TTT_TRACE_LAYER(index_);
  for (const Branch& b : branches_) {
    const float* in = x;
    if (b.norm) {
      b.norm->Forward(x, rows, normed);
      in = normed;
    }
    {
      // A module named by kind is profiled under its name in the model (its config key); the core blocks
      // (the first two branches) open their own scopes.
      const bool named = &b != &branches_[0] && &b != &branches_[1];
      trace::Scope scope(named ? TTT_TRACE_BEGIN(trace::Level::kModule, b.name.c_str(), 0, 0, 0, 0, -1, -1,
                                                 std::nullopt)
                               : -1);
      b.block->Forward(in, rows, branch, inner, step);
    }
    const size_t index = &b - branches_.data();
    if (transport_ != nullptr && index < 2) AllReduce(b, reduce_format_[index], branch, rows, step.phase);
    const float* out = branch;
    if (b.post_norm) {  // the branch input's copy in `normed` is no longer needed
      b.post_norm->Forward(branch, rows, normed);
      out = normed;
    }
    TTT_TRACE_OP("residual_add", rows, 12.0 * rows * hidden_, 1.0 * rows * hidden_)
    ops::Add(x, out, x, rows * hidden_);
  }
}

void DecoderLayer::SetTensorParallel(Transport* transport) {
  transport_ = transport;
  for (size_t i = 0; i < 2; ++i) {
    for (const LinearOp& op : branches_[i].block->linear_ops()) {
      if (op.op == "wo" || op.op == "ff2") reduce_format_[i] = op.linear;
    }
  }
}

void DecoderLayer::AllReduce(const Branch& branch, const Linear* format, float* values, int64_t rows,
                             Phase phase) const {
  trace::Scope module(TTT_TRACE_BEGIN(trace::Level::kModule, branch.name.c_str(), 0, 0, 0, 0, -1, -1, std::nullopt));
  const int64_t n = rows * hidden_;
  TTT_TRACE_OP("all_reduce", rows, 8.0 * n, 1.0 * n * (transport_->size() - 1)) {
    transport_->AllReduceSum(values, n);
    const LinearExecution& exec = format->execution(phase);
    if (exec.emulate_tt) ops::TtPackRows(values, rows, hidden_, exec.numerics.output_dtype);
  }
}

void DecoderLayer::Prefill(float* x, int64_t tokens, int64_t pos0, KvCache& cache, int64_t slot,
                           float* scratch) const {
  Run(x, tokens, scratch,
      StepContext{.phase = Phase::kPrefill, .cache = &cache, .layer = index_, .pos0 = pos0, .slot = slot});
}

void DecoderLayer::Decode(float* x, int64_t batch, const int32_t* positions, const int32_t* slots, KvCache& cache,
                          float* scratch) const {
  Run(x, batch, scratch,
      StepContext{.phase = Phase::kDecode, .cache = &cache, .layer = index_, .positions = positions, .slots = slots});
}

}  // namespace ttt
