#include "core/hwconfig/specialize_block.h"

#include <functional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/formats/weight_cache.h"
#include "core/hwconfig/hw_enums.h"
#include "core/hwconfig/module_defaults.h"
#include "core/runtime/status.h"
#include "core/specs/text_format.h"

namespace ttt {

absl::StatusOr<LinearExecution> OpExecution(const hw::OpConfig& op, bool tt, const std::string& where) {
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
    if (op.math_fidelity()) exec.numerics.fidelity = ToRuntimeFidelity(op.math_fidelity());
    exec.numerics.fp32_accumulation = op.has_fp32_accumulation() && op.fp32_accumulation();
  }
  return exec;
}

absl::Status SpecializeLinear(Linear& projection, const ResolvedModuleConfig& module, const std::string& op, bool tt,
                              const std::string& where) {
  TTT_ASSIGN_OR_RETURN(LinearExecution prefill, OpExecution(module.op(Phase::kPrefill, op), tt, where));
  TTT_ASSIGN_OR_RETURN(LinearExecution decode, OpExecution(module.op(Phase::kDecode, op), tt, where));
  absl::Status s = projection.Specialize(prefill, decode, nullptr);
  return s.ok() ? s : Annotate(s, where);
}

absl::Status SpecializeBlock(Block& block, const ResolvedModuleConfig& module, bool tt, WeightCache* cache,
                             const std::string& weight_source) {
  for (const LinearOp& op : block.linear_ops()) {
    const hw::OpConfig& prefill_op = module.op(Phase::kPrefill, op.op);
    const hw::OpConfig& decode_op = module.op(Phase::kDecode, op.op);
    const std::string where = absl::StrCat(op.tensor, " (", module.kind(), " op ", op.op, ")");
    TTT_ASSIGN_OR_RETURN(LinearExecution prefill, OpExecution(prefill_op, tt, where));
    TTT_ASSIGN_OR_RETURN(LinearExecution decode, OpExecution(decode_op, tt, where));
    WeightSource source;
    if (cache != nullptr) {
      source = [&, tensor = op.tensor](Phase phase, DType,
                                       const std::function<absl::StatusOr<ops::LinearWeight>()>& convert) {
        WeightCacheKey key;
        key.source = weight_source;
        key.tensor = tensor;
        key.config = ToTextProto(phase == Phase::kPrefill ? prefill_op : decode_op);
        return cache->GetOrConvert(key, [&] { return convert(); });
      };
    }
    absl::Status s = op.linear->Specialize(prefill, decode, source);
    if (!s.ok()) return Annotate(s, where);
  }
  for (const OpDecl& op : block.descriptor().ops) {
    if (!op.matmul) continue;
    for (const Phase phase : {Phase::kPrefill, Phase::kDecode}) {
      TTT_ASSIGN_OR_RETURN(LinearExecution e, OpExecution(module.op(phase, op.name), tt, module.kind() + " op " + op.name));
      TTT_RETURN_IF_ERROR(block.SetMatmulNumerics(op.name, phase, tt ? std::optional(e.numerics) : std::nullopt));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolvedModuleConfig> ResolveModuleConfig(const ModuleDescriptor& descriptor,
                                                         const google::protobuf::Message& spec,
                                                         const hw::DeviceProfile& device, hw::ConfigMode mode,
                                                         std::optional<DType> weights) {
  TTT_ASSIGN_OR_RETURN(ResolvedModuleConfig config,
                       ModuleDefaultHwConfig(descriptor, spec, device, mode == hw::CONFIG_MODE_UNSPECIFIED ? hw::ACCURACY : mode));
  if (weights) {
    const hw::DType w = ToHwDType(*weights);
    if (w == hw::DTYPE_UNSPECIFIED || *weights == DType::kF16) {
      return absl::InvalidArgumentError(
          absl::StrCat("linear weights cannot be stored as ", DTypeName(*weights), ": use f32, bf16, i8, bfp8 or bfp4"));
    }
    hw::OpConfig change;
    change.set_weight_dtype(w);
    const std::string source = absl::StrCat("--weights ", absl::AsciiStrToLower(hw::DType_Name(w)));
    for (const std::string& op : descriptor.WeightOps()) {
      config.ApplyOp(Phase::kPrefill, op, change, source);
      config.ApplyOp(Phase::kDecode, op, change, source);
    }
  }
  return config;
}

}  // namespace ttt
