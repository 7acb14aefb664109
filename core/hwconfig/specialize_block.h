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
#include "core/hwconfig/resolved_config.h"

namespace ttt {

class WeightCache;

// What an encoder or a seq2seq model runs as: the device and mode whose module defaults its blocks take (cpu in
// accuracy mode: the exact f32 model), and the --weights shortcut over them.
struct DeviceOptions {
  std::string device = "cpu";
  hw::ConfigMode mode = hw::ACCURACY;
  std::optional<DType> linear_weight_dtype;
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

// Steps 1-2 and 5 of the resolution order (core/hwconfig/resolve.h) for a module outside a ModelSpec (an
// encoder's or a seq2seq model's): the kind's defaults for `device` and `mode` with its rules for `spec`, then
// `weights` (the --weights shortcut) on every weight op when set.
absl::StatusOr<ResolvedModuleConfig> ResolveModuleConfig(const ModuleDescriptor& descriptor,
                                                         const google::protobuf::Message& spec,
                                                         const hw::DeviceProfile& device, hw::ConfigMode mode,
                                                         std::optional<DType> weights);

}  // namespace ttt
