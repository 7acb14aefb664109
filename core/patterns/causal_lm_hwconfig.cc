// CausalLm's hardware-config side: turning a resolved config into specialised projections (weight formats
// per op and phase, Tenstorrent numerics on emulated devices, the KV-cache format), at build time and
// again at run time (ApplyHwConfig).
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/formats/weight_cache.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/hw_dtype.h"
#include "core/hwconfig/module_defaults.h"
#include "core/patterns/causal_lm.h"
#include "core/runtime/status.h"
#include "core/specs/text_format.h"

namespace ttt {
namespace {

ops::MathFidelity ToFidelity(hw::MathFidelity f) {
  switch (f) {
    case hw::LOFI: return ops::MathFidelity::kLoFi;
    case hw::HIFI2: return ops::MathFidelity::kHiFi2;
    case hw::HIFI3: return ops::MathFidelity::kHiFi3;
    default: return ops::MathFidelity::kHiFi4;
  }
}

// One phase of one op: unset fields take the device's natural value (f32 weights; on Tenstorrent BF16
// activations and outputs, HiFi4, BF16 accumulation, as ttnn's defaults).
absl::StatusOr<LinearExecution> Execution(const hw::OpConfig& op, bool tt, const std::string& where) {
  LinearExecution exec;
  if (op.weight_dtype()) {
    auto w = ToRuntimeDType(op.weight_dtype());
    if (!w.ok()) return Annotate(w.status(), where);
    exec.weight_dtype = *w;
  }
  exec.emulate_tt = tt;
  if (tt) {
    if (op.activation_dtype()) {
      TTT_ASSIGN_OR_RETURN(exec.numerics.activation_dtype, ToRuntimeDType(op.activation_dtype()));
    }
    if (op.output_dtype()) {
      TTT_ASSIGN_OR_RETURN(exec.numerics.output_dtype, ToRuntimeDType(op.output_dtype()));
    }
    if (op.math_fidelity()) exec.numerics.fidelity = ToFidelity(op.math_fidelity());
    exec.numerics.fp32_accumulation = op.has_fp32_accumulation() && op.fp32_accumulation();
  }
  return exec;
}

}  // namespace

absl::Status CausalLm::Specialize(std::shared_ptr<const ResolvedHwConfig> config, WeightCache* cache,
                                  const std::string& weight_source) {
  const bool tt = IsTenstorrent(config->device);
  // Specialises `linear` as op `op` of `module`; `tensor` names it in cache keys and errors.
  auto specialize = [&](Linear& linear, const ResolvedModuleConfig& module, const std::string& op,
                        const std::string& tensor) -> absl::Status {
    const hw::OpConfig& prefill_op = module.op(hw::PREFILL, op);
    const hw::OpConfig& decode_op = module.op(hw::DECODE, op);
    const std::string where = absl::StrCat(tensor, " (", module.kind(), " op ", op, ")");
    TTT_ASSIGN_OR_RETURN(LinearExecution prefill, Execution(prefill_op, tt, where));
    TTT_ASSIGN_OR_RETURN(LinearExecution decode, Execution(decode_op, tt, where));
    WeightSource source;
    if (cache != nullptr) {
      source = [&, tensor](Phase phase, DType, const std::function<absl::StatusOr<ops::LinearWeight>()>& convert) {
        WeightCacheKey key;
        key.source = weight_source;
        key.tensor = tensor;
        key.config = ToTextProto(phase == Phase::kPrefill ? prefill_op : decode_op);
        return cache->GetOrConvert(key, [&] { return convert(); });
      };
    }
    absl::Status s = linear.Specialize(prefill, decode, source);
    return s.ok() ? s : Annotate(s, where);
  };
  for (auto& layer : layers_) {
    const int64_t i = layer->index();
    const std::string p = absl::StrCat("layers.", i);
    const auto& attention = config->module(i, "attention");
    const auto& mlp = config->module(i, "mlp");
    TTT_RETURN_IF_ERROR(specialize(layer->mutable_attention().mutable_qkv_projection(), attention, "wqkv",
                                   p + ".attn.wqkv"));
    TTT_RETURN_IF_ERROR(specialize(layer->mutable_attention().mutable_output_projection(), attention, "wo",
                                   p + ".attn.wo"));
    for (const auto& [phase, mode] : {std::pair{Phase::kPrefill, hw::PREFILL}, std::pair{Phase::kDecode, hw::DECODE}}) {
      TTT_ASSIGN_OR_RETURN(LinearExecution sdpa, Execution(attention.op(mode, "sdpa"), tt, p + ".attn.sdpa"));
      layer->mutable_attention().SetSdpaNumerics(phase, tt ? std::optional(sdpa.numerics) : std::nullopt);
    }
    TTT_RETURN_IF_ERROR(specialize(layer->mutable_mlp().mutable_up_projection(), mlp, "ff1_3",
                                   p + (spec_.layer().mlp().gated() ? ".mlp.w_gate_up" : ".mlp.w_up")));
    TTT_RETURN_IF_ERROR(specialize(layer->mutable_mlp().mutable_down_projection(), mlp, "ff2", p + ".mlp.w_down"));
  }
  TTT_RETURN_IF_ERROR(specialize(lm_head_.mutable_projection(), config->module(-1, "lm_head"), "lm_head",
                                 spec_.lm_head().tied() ? "token_embedding.as_lm_head" : "lm_head"));
  if (!config->layers.empty()) {
    const hw::DType kv = config->module(0, "attention").mode(hw::DECODE).kv_cache_dtype();
    DType dtype = DType::kF32;
    if (kv) {
      TTT_ASSIGN_OR_RETURN(dtype, ToRuntimeDType(kv));
    }
    if (!KvCache::IsSupportedDType(dtype)) {
      return absl::InvalidArgumentError(absl::StrCat("the KV cache cannot be stored as ", DTypeName(dtype),
                                                     ": use f32, bf16 or bfp8"));
    }
    kv_cache_dtype_ = dtype;
  }
  hw_config_ = std::move(config);
  PackDecodeWeights();
  return absl::OkStatus();
}

absl::Status CausalLm::ApplyHwConfig(const hw::ModelHwConfig& change, const std::string& source) {
  auto next = std::make_shared<ResolvedHwConfig>(*hw_config_);
  TTT_RETURN_IF_ERROR(OverlayModelHwConfig(spec_, change, source, next.get()));
  TTT_RETURN_IF_ERROR(ValidateHwConfig(spec_, *next, 1, 1));
  return Specialize(std::move(next), nullptr, "");
}

}  // namespace ttt
