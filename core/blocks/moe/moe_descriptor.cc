#include "core/blocks/moe/moe_descriptor.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "core/blocks/moe/moe.h"
#include "core/ops/ops.h"
#include "core/ops/weight_quantization.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

const spec::MoeSpec& AsMoe(const google::protobuf::Message& m) { return static_cast<const spec::MoeSpec&>(m); }

// A projection's dequantised weight [out, in] in double.
std::vector<double> Weights(const Linear& linear) {
  const std::vector<float> f = ops::DequantizeWeight(linear.weight()).Contiguous().ToF32();
  return std::vector<double>(f.begin(), f.end());
}

// y [rows, out] = x [rows, in] W^T.
std::vector<double> Project(const std::vector<double>& w, int64_t out, const std::vector<double>& x, int64_t rows) {
  const int64_t in = static_cast<int64_t>(w.size()) / out;
  std::vector<double> y(rows * out, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      double s = 0;
      for (int64_t i = 0; i < in; ++i) s += x[r * in + i] * w[o * in + i];
      y[r * out + o] = s;
    }
  }
  return y;
}

double Activate(spec::Activation a, double v) {
  if (a == spec::SILU) return v / (1.0 + std::exp(-v));
  if (a == spec::GELU) return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
  const double c = std::sqrt(2.0 / M_PI);  // GELU_TANH
  return 0.5 * v * (1.0 + std::tanh(c * (v + 0.044715 * v * v * v)));
}

// A gated expert in double, its weights dequantised once: down(act(gate(x)) * up(x)).
struct RefExpert {
  explicit RefExpert(const Mlp& mlp)
      : inter(mlp.spec().intermediate_dim()), hidden(mlp.spec().hidden_dim()),
        gate_up(Weights(mlp.up_projection())), down(Weights(mlp.down_projection())) {}

  // x [rows, hidden] -> [rows, hidden]. The MLP's ff1_3 holds [gate; up].
  std::vector<double> Forward(spec::Activation act, const std::vector<double>& x, int64_t rows) const {
    const std::vector<double> gu = Project(gate_up, 2 * inter, x, rows);
    std::vector<double> h(rows * inter);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < inter; ++i) h[r * inter + i] = Activate(act, gu[r * 2 * inter + i]) * gu[r * 2 * inter + inter + i];
    }
    return Project(down, hidden, h, rows);
  }

  int64_t inter, hidden;
  std::vector<double> gate_up, down;
};

std::vector<double> Reference(const LayerBlock& block, const std::vector<double>& x, int64_t rows) {
  const Moe& moe = static_cast<const Moe&>(block);
  const spec::MoeSpec& s = moe.spec();
  const int64_t hidden = s.hidden_dim(), n = s.num_experts(), k = s.experts_per_token();
  const std::vector<double> logits = Project(Weights(moe.router()), n, x, rows);
  std::vector<double> out(rows * hidden, 0.0);
  std::vector<int64_t> order(n);
  std::vector<std::optional<RefExpert>> experts(n);  // dequantised when first chosen
  for (int64_t r = 0; r < rows; ++r) {
    const double* l = logits.data() + r * n;
    const double mx = *std::max_element(l, l + n);
    std::vector<double> p(n);
    double z = 0;
    for (int64_t e = 0; e < n; ++e) z += (p[e] = std::exp(l[e] - mx));
    for (double& v : p) v /= z;
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return p[a] > p[b]; });
    double chosen = 0;
    for (int64_t j = 0; j < k; ++j) chosen += p[order[j]];
    const std::vector<double> xr(x.begin() + r * hidden, x.begin() + (r + 1) * hidden);
    for (int64_t j = 0; j < k; ++j) {
      const double w = s.normalize_top_k() ? p[order[j]] / chosen : p[order[j]];
      if (!moe.holds(order[j])) continue;  // another rank's whole expert
      std::optional<RefExpert>& expert = experts[order[j]];
      if (!expert) expert.emplace(moe.expert(order[j]));
      const std::vector<double> y = expert->Forward(s.activation(), xr, 1);
      for (int64_t d = 0; d < hidden; ++d) out[r * hidden + d] += w * y[d];
    }
  }
  if (const Mlp* shared = moe.shared_expert()) {
    const std::vector<double> y = RefExpert(*shared).Forward(s.activation(), x, rows);
    for (int64_t r = 0; r < rows; ++r) {
      double g = 1.0;
      if (!moe.shared_gate().empty()) {
        double dot = 0;
        for (int64_t d = 0; d < hidden; ++d) dot += x[r * hidden + d] * moe.shared_gate()[d];
        g = 1.0 / (1.0 + std::exp(-dot));
      }
      for (int64_t d = 0; d < hidden; ++d) out[r * hidden + d] += g * y[r * hidden + d];
    }
  }
  return out;
}

}  // namespace

ModuleDescriptor MoeDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/mlp/mixture_of_experts";
  d.kind = "moe";
  d.summary = "mixture-of-experts feed-forward: router, top-k gated experts, optional (gated) shared expert";
  d.spec_type = spec::MoeSpec::descriptor();
  d.footprint_group = "mlp";
  d.defaults_file = "hwconfig/modules/moe.textproto";
  d.ops = {{.name = "router", .weight = true},
           {.name = "ff1_3", .weight = true},
           {.name = "ff2", .weight = true},
           {.name = "shared_ff1_3", .weight = true},
           {.name = "shared_ff2", .weight = true}};
  // Every expert's weights count (the footprint); a shared-expert op without a shared expert has no weight.
  d.shapes = [](const google::protobuf::Message& m) {
    const spec::MoeSpec& s = AsMoe(m);
    const int64_t h = s.hidden_dim(), f = s.expert_dim(), sf = s.shared_expert_dim();
    const int64_t e = s.local_experts() > 0 ? s.local_experts() : s.num_experts();  // the experts held
    return std::vector<OpShape>{{s.num_experts(), h}, {e * 2 * f, h}, {e * h, f}, {2 * sf, h}, {h, sf}};
  };
  // Each token runs k of the experts.
  d.flops = [](const google::protobuf::Message& m, const std::string& op, int64_t tokens, int64_t) -> double {
    const spec::MoeSpec& s = AsMoe(m);
    const double h = s.hidden_dim(), k = s.experts_per_token(), f = s.expert_dim();
    if (op == "ff1_3") return 2.0 * tokens * k * 2 * f * h;
    if (op == "ff2") return 2.0 * tokens * k * f * h;
    return -1;  // the default: 2 * out * in per token
  };
  d.other_weight_values = [](const google::protobuf::Message& m) -> int64_t {
    return AsMoe(m).shared_expert_gate() ? AsMoe(m).hidden_dim() : 0;
  };
  d.validate = ValidateWith(&ValidateMoe);
  d.create = [](const Validated<google::protobuf::Message>& m, const WeightMap& weights,
                const std::string& prefix) -> absl::StatusOr<std::unique_ptr<LayerBlock>> {
    TTT_ASSIGN_OR_RETURN(Moe moe, Moe::Create(SpecAs<spec::MoeSpec>(m), weights, prefix));
    return std::make_unique<Moe>(std::move(moe));
  };
  d.reference = &Reference;
  return d;
}

}  // namespace ttt
