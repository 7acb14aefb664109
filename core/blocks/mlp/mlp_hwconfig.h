// The MLP module's default hardware config for a device and mode: the base values of
// hwconfig/modules/mlp.textproto, then the rules below (each recorded as the source of what it changes).
#pragma once

#include "absl/status/statusor.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/resolved_config.h"
#include "core/specs/proto/mlp.pb.h"

namespace ttt {

// Rules (Tenstorrent devices):
//  - hidden_dim >= 8192 (70B-class models) keep ff1_3 BFP4 at LoFi even in accuracy mode (TT-Transformers v1:
//    such models "test insensitive" to it, and BFP8 gate/up weights of a 70B model do not fit 8 chips' DRAM
//    next to a long KV cache).
//  - decode outputs: sharded only where the width divides over the core grid, L1 only where it fits.
absl::StatusOr<ResolvedModuleConfig> MlpDefaultHwConfig(const spec::MlpSpec& spec, const hw::DeviceProfile& device,
                                                        hw::ConfigMode mode);

}  // namespace ttt
