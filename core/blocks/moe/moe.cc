#include "core/blocks/moe/moe.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "core/blocks/module_registry.h"
#include "core/ops/ops.h"
#include "core/runtime/status.h"
#include "core/runtime/trace.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

// The gated MLP of one expert (routed or shared) of width `dim`.
absl::StatusOr<Mlp> LoadExpert(const spec::MoeSpec& moe, uint32_t dim, const WeightMap& weights,
                               const std::string& prefix) {
  spec::MlpSpec s;
  s.set_hidden_dim(moe.hidden_dim());
  s.set_intermediate_dim(dim);
  s.set_activation(moe.activation());
  s.set_gated(true);
  TTT_ASSIGN_OR_RETURN(Validated<spec::MlpSpec> valid, ValidateMlp(std::move(s)));
  return Mlp::Create(valid, weights, prefix);
}

}  // namespace

absl::StatusOr<Moe> Moe::Create(const Validated<spec::MoeSpec>& spec, const WeightMap& weights,
                                const std::string& prefix) {
  Moe m;
  m.spec_ = *spec;
  m.prefix_ = prefix;
  const int64_t hidden = spec->hidden_dim();
  TTT_ASSIGN_OR_RETURN(m.router_, Linear::Load(weights, prefix + ".router", spec->num_experts(), hidden, false));
  m.first_expert_ = spec->first_expert();
  const uint32_t held = spec->local_experts() > 0 ? spec->local_experts() : spec->num_experts();
  m.experts_.reserve(held);
  for (uint32_t e = spec->first_expert(); e < spec->first_expert() + held; ++e) {
    TTT_ASSIGN_OR_RETURN(Mlp expert, LoadExpert(*spec, spec->expert_dim(), weights, absl::StrCat(prefix, ".experts.", e)));
    m.experts_.push_back(std::move(expert));
  }
  if (spec->shared_expert_dim() > 0) {
    TTT_ASSIGN_OR_RETURN(m.shared_, LoadExpert(*spec, spec->shared_expert_dim(), weights, prefix + ".shared"));
  }
  if (spec->shared_expert_gate()) {
    TTT_ASSIGN_OR_RETURN(Linear gate, Linear::Load(weights, prefix + ".shared_gate", 1, hidden, false));
    m.shared_gate_ = gate.weight().values.Contiguous().ToF32();
  }
  return m;
}

const ModuleDescriptor& Moe::descriptor() const { return CoreKind("moe"); }

std::vector<LinearOp> Moe::linear_ops() {
  std::vector<LinearOp> out = {{"router", &router_, prefix_ + ".router"}};
  auto add = [&](Mlp& mlp, const std::string& op_prefix) {
    for (LinearOp op : mlp.linear_ops()) {
      op.op = op_prefix + op.op;
      out.push_back(std::move(op));
    }
  };
  for (Mlp& expert : experts_) add(expert, "");
  if (shared_) add(*shared_, "shared_");
  return out;
}

int64_t Moe::DecodeReadBytes() const {
  auto mlp_bytes = [](const Mlp& m) { return m.up_projection().weight_bytes() + m.down_projection().weight_bytes(); };
  // k experts' bytes, or as many as this rank holds (the chosen experts are spread over the ranks).
  const int64_t k = std::min<int64_t>(spec_.experts_per_token(), static_cast<int64_t>(experts_.size()));
  int64_t bytes = router_.weight_bytes() + k * mlp_bytes(experts_.front());
  if (shared_) bytes += mlp_bytes(*shared_);
  return bytes;
}

int64_t Moe::ScratchFloats(int64_t rows) const {
  const int64_t k = spec_.experts_per_token(), hidden = spec_.hidden_dim();
  int64_t inner = experts_.front().ScratchFloats(rows);
  if (shared_) inner = std::max(inner, shared_->ScratchFloats(rows));
  // router logits and the expert order, chosen experts and weights, each expert's rows (ids and weights),
  // gathered rows and their outputs, the expert's own scratch: nothing is allocated per step.
  return rows * spec_.num_experts() + spec_.num_experts() + 2 * rows * k + 2 * rows + 2 * rows * hidden + inner;
}

void Moe::Route(const float* x, int64_t rows, Phase phase, int32_t* experts, float* weights, float* scratch) const {
  const int64_t n = spec_.num_experts(), k = spec_.experts_per_token();
  float* logits = scratch;
  int32_t* order = reinterpret_cast<int32_t*>(scratch + rows * n);
  TTT_TRACE_LINEAR("router", router_, rows) router_.Forward(x, rows, logits, phase);
  for (int64_t r = 0; r < rows; ++r) {
    float* p = logits + r * n;
    ops::Softmax(p, 1, n);
    std::iota(order, order + n, 0);
    // Highest probability first; ties to the lower index, as a stable sort would.
    std::partial_sort(order, order + k, order + n,
                      [p](int32_t a, int32_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    float sum = 0;
    for (int64_t j = 0; j < k; ++j) sum += p[order[j]];
    for (int64_t j = 0; j < k; ++j) {
      experts[r * k + j] = order[j];
      weights[r * k + j] = spec_.normalize_top_k() ? p[order[j]] / sum : p[order[j]];
    }
  }
}

void Moe::Forward(const float* x, int64_t rows, float* out, float* scratch, const StepContext& step) const {
  const int64_t hidden = spec_.hidden_dim(), k = spec_.experts_per_token(), n = spec_.num_experts();
  // Route's scratch (logits, then the expert order) comes first.
  int32_t* chosen = reinterpret_cast<int32_t*>(scratch + rows * n + n);
  float* weights = scratch + rows * n + n + rows * k;
  int32_t* members = reinterpret_cast<int32_t*>(weights + rows * k);
  float* row_weight = weights + rows * k + rows;
  float* gathered = row_weight + rows;
  float* expert_out = gathered + rows * hidden;
  float* inner = expert_out + rows * hidden;
  TTT_TRACE_MODULE("moe");
  Route(x, rows, step.phase, chosen, weights, scratch);
  std::fill(out, out + rows * hidden, 0.0f);
  for (int64_t e = first_expert_; e < first_expert_ + static_cast<int64_t>(experts_.size()); ++e) {
    // The rows that chose expert e, gathered so that its weights are read once for all of them.
    int64_t m = 0;
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < k; ++j) {
        if (chosen[r * k + j] != e) continue;
        row_weight[m] = weights[r * k + j];
        members[m++] = static_cast<int32_t>(r);
      }
    }
    if (m == 0) continue;
    for (int64_t i = 0; i < m; ++i) std::copy_n(x + members[i] * hidden, hidden, gathered + i * hidden);
    expert(e).Forward(gathered, m, expert_out, inner, step.phase);
    for (int64_t i = 0; i < m; ++i) {
      float* o = out + members[i] * hidden;
      const float* y = expert_out + i * hidden;
      const float w = row_weight[i];
      for (int64_t d = 0; d < hidden; ++d) o[d] += w * y[d];
    }
  }
  if (!shared_) return;
  shared_->Forward(x, rows, expert_out, inner, step.phase);
  for (int64_t r = 0; r < rows; ++r) {
    float g = 1.0f;
    if (!shared_gate_.empty()) {
      double dot = 0;
      for (int64_t d = 0; d < hidden; ++d) dot += double(x[r * hidden + d]) * shared_gate_[d];
      g = static_cast<float>(1.0 / (1.0 + std::exp(-dot)));
    }
    for (int64_t d = 0; d < hidden; ++d) out[r * hidden + d] += g * expert_out[r * hidden + d];
  }
}

}  // namespace ttt
