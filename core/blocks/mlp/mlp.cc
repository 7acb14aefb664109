#include "core/blocks/mlp/mlp.h"

#include "core/blocks/module_registry.h"
#include "core/ops/ops.h"
#include "core/runtime/status.h"
#include "core/runtime/trace.h"

namespace ttt {

absl::StatusOr<Mlp> Mlp::Create(const Validated<spec::MlpSpec>& spec, const WeightMap& weights, const std::string& prefix) {
  Mlp m;
  m.spec_ = *spec;
  m.prefix_ = prefix;
  const int64_t hidden = m.spec_.hidden_dim(), inter = m.spec_.intermediate_dim();
  const bool bias = m.spec_.bias();
  TTT_ASSIGN_OR_RETURN(Linear up, Linear::Load(weights, prefix + ".w_up", inter, hidden, bias));
  if (m.spec_.gated()) {
    TTT_ASSIGN_OR_RETURN(Linear gate, Linear::Load(weights, prefix + ".w_gate", inter, hidden, bias));
    Tensor fused_bias;
    if (bias) {
      fused_bias = *ConcatRows({*gate.bias().Reshape({inter, 1}), *up.bias().Reshape({inter, 1})}).Reshape({2 * inter});
    }
    m.up_ = Linear(ops::StackRows({gate.weight().values, up.weight().values}), std::move(fused_bias));
  } else {
    m.up_ = std::move(up);
  }
  TTT_ASSIGN_OR_RETURN(m.down_, Linear::Load(weights, prefix + ".w_down", hidden, inter, bias));
  return m;
}

const ModuleDescriptor& Mlp::descriptor() const { return CoreKind("mlp"); }

std::vector<LinearOp> Mlp::linear_ops() {
  return {{"ff1_3", &up_, prefix_ + (spec_.gated() ? ".w_gate_up" : ".w_up")}, {"ff2", &down_, prefix_ + ".w_down"}};
}

absl::Status Mlp::ConvertWeights(DType dtype) {
  TTT_RETURN_IF_ERROR(up_.ConvertWeight(dtype));
  return down_.ConvertWeight(dtype);
}

int64_t Mlp::ScratchFloats(int64_t tokens) const {
  return tokens * spec_.intermediate_dim() * (spec_.gated() ? 3 : 2);
}

void Mlp::Forward(const float* x, int64_t rows, float* out, float* scratch, Phase phase) const {
  const int64_t inter = spec_.intermediate_dim();
  const bool tanh_gelu = spec_.activation() == spec::GELU_TANH;
  float* up = scratch;
  float* act = scratch + rows * up_.out_features();
  TTT_TRACE_MODULE("mlp");
  TTT_TRACE_LINEAR("ff1_3", up_, rows) up_.Forward(x, rows, up, phase);
  TTT_TRACE_OP("activation", rows, 4.0 * rows * inter * (spec_.gated() ? 3 : 2), 4.0 * rows * inter)
  if (spec_.gated()) {
    for (int64_t r = 0; r < rows; ++r) {
      const float* gate_row = up + r * 2 * inter;
      const float* up_row = gate_row + inter;
      if (spec_.activation() == spec::SILU) {
        ops::SiluMul(gate_row, up_row, act + r * inter, inter);
      } else {
        ops::GeluMul(gate_row, up_row, act + r * inter, inter, tanh_gelu);
      }
    }
  } else {
    const int64_t n = rows * inter;
    switch (spec_.activation()) {
      case spec::SILU: ops::Silu(up, act, n); break;
      case spec::RELU: ops::Relu(up, act, n); break;
      default: ops::Gelu(up, act, n, tanh_gelu); break;
    }
  }
  TTT_TRACE_LINEAR("ff2", down_, rows) down_.Forward(act, rows, out, phase);
}

}  // namespace ttt
