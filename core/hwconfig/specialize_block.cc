#include "core/hwconfig/specialize_block.h"

#include <functional>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/formats/weight_cache.h"
#include "core/hwconfig/hw_enums.h"
#include "core/hwconfig/module_defaults.h"
#include "core/hwconfig/resolve.h"
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

absl::Status CheckPatternHwConfig(const DeviceOptions& options, const std::vector<PatternModule>& modules,
                                  uint32_t num_layers, const std::string& no_overrides) {
  if (!options.hw_config) return absl::OkStatus();
  const hw::ModelHwConfig& file = *options.hw_config;
  const std::string& source = options.hw_config_name;
  if (!file.device().empty() && file.device() != options.device) {
    return absl::InvalidArgumentError(absl::StrCat(source, " is for device '", file.device(), "' but the model runs as '",
                                                   options.device, "': drop `device:` from the file or use that device"));
  }
  const hw::ConfigMode mode = options.mode == hw::CONFIG_MODE_UNSPECIFIED ? hw::ACCURACY : options.mode;
  if (file.mode() != hw::CONFIG_MODE_UNSPECIFIED && file.mode() != mode) {
    return absl::InvalidArgumentError(absl::StrCat(source, " is for ", ConfigModeName(file.mode()),
                                                   " mode but the model runs in ", ConfigModeName(mode),
                                                   " mode: drop `mode:` from the file or use that mode"));
  }
  auto find = [&](const std::string& name, bool layer) -> const PatternModule* {
    for (const PatternModule& m : modules) {
      if (m.name == name && (m.per_layer || !layer)) return &m;
    }
    return nullptr;
  };
  auto names = [&](bool layer) {
    std::vector<std::string> out;
    for (const PatternModule& m : modules) {
      if (m.per_layer || !layer) out.push_back(m.name);
    }
    return absl::StrJoin(out, ", ");
  };
  for (const auto& [name, change] : file.defaults()) {
    const PatternModule* m = find(name, false);
    if (m == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": defaults name module '", name,
                                                     "', which this model does not have: use one of ", names(false)));
    }
    TTT_RETURN_IF_ERROR(CheckModuleChange(name, *m->descriptor, change, absl::StrCat(source, " defaults")));
  }
  if (file.overrides_size() > 0 && num_layers == 0) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": layer overrides do not apply here (", no_overrides,
                                                   "): set the modules in `defaults`"));
  }
  for (int i = 0; i < file.overrides_size(); ++i) {
    uint32_t first = 0, last = 0;
    TTT_ASSIGN_OR_RETURN(const std::string where, OverrideLayers(file.overrides(i), i, num_layers, source, &first, &last));
    for (const auto& [name, change] : file.overrides(i).modules()) {
      const PatternModule* m = find(name, true);
      if (m == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": module '", name, "' is not in those layers: use one of ",
                                                       names(true), " (model-level modules go in `defaults`)"));
      }
      TTT_RETURN_IF_ERROR(CheckModuleChange(name, *m->descriptor, change, where));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolvedModuleConfig> ResolveModuleConfig(const PatternModule& module,
                                                         const google::protobuf::Message& spec,
                                                         const hw::DeviceProfile& device, const DeviceOptions& options,
                                                         int64_t layer) {
  const hw::ConfigMode mode = options.mode == hw::CONFIG_MODE_UNSPECIFIED ? hw::ACCURACY : options.mode;
  TTT_ASSIGN_OR_RETURN(ResolvedModuleConfig config, ModuleDefaultHwConfig(*module.descriptor, spec, device, mode));
  if (options.hw_config) {
    const hw::ModelHwConfig& file = *options.hw_config;
    const std::string source = absl::StrCat("model file ", options.hw_config_name);
    if (auto it = file.defaults().find(module.name); it != file.defaults().end()) config.Apply(it->second, source);
    for (int i = 0; layer >= 0 && i < file.overrides_size(); ++i) {
      uint32_t first = 0, last = 0;
      // The layer count was checked by CheckPatternHwConfig; here only the range matters.
      TTT_ASSIGN_OR_RETURN(const std::string where, OverrideLayers(file.overrides(i), i,
                                                                    std::numeric_limits<uint32_t>::max(), source,
                                                                    &first, &last));
      if (layer < first || layer > last) continue;
      if (auto it = file.overrides(i).modules().find(module.name); it != file.overrides(i).modules().end()) {
        config.Apply(it->second, where);
      }
    }
  }
  if (const std::optional<DType> weights = options.linear_weight_dtype) {
    const hw::DType w = ToHwDType(*weights);
    if (w == hw::DTYPE_UNSPECIFIED || *weights == DType::kF16) {
      return absl::InvalidArgumentError(
          absl::StrCat("linear weights cannot be stored as ", DTypeName(*weights), ": use f32, bf16, i8, bfp8 or bfp4"));
    }
    hw::OpConfig change;
    change.set_weight_dtype(w);
    const std::string source = absl::StrCat("--weights ", absl::AsciiStrToLower(hw::DType_Name(w)));
    for (const std::string& op : module.descriptor->WeightOps()) {
      config.ApplyOp(Phase::kPrefill, op, change, source);
      config.ApplyOp(Phase::kDecode, op, change, source);
    }
  }
  return config;
}

}  // namespace ttt
