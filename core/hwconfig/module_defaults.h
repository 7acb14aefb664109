// The base hardware configs each module kind owns, read from the embedded hwconfig/modules/<kind>.textproto.
// A block's DefaultHwConfig (core/blocks/<block>/<block>_hwconfig.h) starts from these and applies its rules.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/proto/module_defaults.pb.h"
#include "core/hwconfig/resolved_config.h"

namespace ttt {

// The module kinds that have default configs: "attention", "lm_head", "mlp" (sorted).
std::vector<std::string> ConfigurableModuleKinds();

// The parsed hwconfig/modules/<kind>.textproto. NotFound names the known kinds.
absl::StatusOr<hw::ModuleDefaults> GetModuleDefaults(const std::string& kind);

// The base config of `kind` for `device` in `mode`, every value's source being
// "hwconfig/modules/<kind>.textproto [<device> <mode>]". NotFound when the file has no entry for them.
absl::StatusOr<ResolvedModuleConfig> ModuleBaseConfig(const std::string& kind, const hw::DeviceProfile& device,
                                                      hw::ConfigMode mode);

// Whether a device emulates a Tenstorrent chip (its ops then run with Tenstorrent numerics).
bool IsTenstorrent(const hw::DeviceProfile& device);

}  // namespace ttt
