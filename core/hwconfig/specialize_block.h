// Turning one module's resolved hardware config into what its block runs: each weight op's projection (its
// formats per phase, Tenstorrent numerics on emulated devices) and each weightless matrix-engine op's numerics.
// The hardware-config engine's last step, shared by every pattern that runs on a device (CausalLm, Encoder,
// Seq2SeqLm), so a block behaves the same wherever it is used.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/blocks/block.h"
#include "core/blocks/linear/linear.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/proto/op_config.pb.h"
#include "core/hwconfig/resolved_config.h"

namespace ttt {

class WeightCache;

// What an encoder or a seq2seq model runs as: the device and mode whose module defaults its blocks take (cpu in
// accuracy mode: the exact f32 model), and the --weights shortcut over them.
struct DeviceOptions {
  std::string device = "cpu";
  hw::ConfigMode mode = hw::ACCURACY;
  std::optional<DType> linear_weight_dtype;
  // A model-level config (--hw-config): its defaults per module ("attention", "mlp", "lm_head") and, where the
  // pattern takes them, its layer overrides, over the device's module defaults and under --weights.
  std::optional<hw::ModelHwConfig> hw_config;
  std::string hw_config_name = "model file";  // its file name, for sources and errors
};

// One phase of one op: unset fields take the device's natural value (f32 weights; on Tenstorrent (`tt`) BF16
// activations and outputs, HiFi4, BF16 accumulation, as ttnn's defaults). Errors name `where`.
absl::StatusOr<LinearExecution> OpExecution(const hw::OpConfig& op, bool tt, const std::string& where);

// Specialises `projection` for op `op` of `module` (both phases).
absl::Status SpecializeLinear(Linear& projection, const ResolvedModuleConfig& module, const std::string& op, bool tt,
                              const std::string& where);

// Specialises every op of `block` from `module`: weight ops through the weight cache when `cache` is set
// (entries keyed by `weight_source`, the tensor and the op's config), matmul ops' numerics.
absl::Status SpecializeBlock(Block& block, const ResolvedModuleConfig& module, bool tt, WeightCache* cache = nullptr,
                             const std::string& weight_source = "");

// A module of a pattern outside a ModelSpec (an encoder's, a seq2seq model's), by the name a model-level
// config gives it.
struct PatternModule {
  std::string name;  // "attention", "mlp", "lm_head"
  const ModuleDescriptor* descriptor = nullptr;
  bool per_layer = true;  // false: a model-level module (the head), set in `defaults` only
};

// Checks `options.hw_config` against a pattern before anything is resolved: the device and mode it names (if
// any) are `options`', its defaults name only `modules`, its overrides only per-layer ones within
// `num_layers`, with ops they have. A pattern that takes no overrides passes `num_layers` 0 and says why in
// `no_overrides`.
absl::Status CheckPatternHwConfig(const DeviceOptions& options, const std::vector<PatternModule>& modules,
                                  uint32_t num_layers, const std::string& no_overrides = "");

// Steps 1-5 of the resolution order (core/hwconfig/resolve.h) for `module` of a pattern with `spec` at `layer`
// (-1: a model-level module): the kind's defaults for the device and mode with its rules, then
// `options.hw_config`'s defaults for the module and its overrides that name `layer`, then --weights on every
// weight op when set. The config is assumed checked (CheckPatternHwConfig).
absl::StatusOr<ResolvedModuleConfig> ResolveModuleConfig(const PatternModule& module,
                                                         const google::protobuf::Message& spec,
                                                         const hw::DeviceProfile& device, const DeviceOptions& options,
                                                         int64_t layer = -1);

}  // namespace ttt
