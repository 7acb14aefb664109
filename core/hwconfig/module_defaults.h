// The default hardware configs each module kind owns: the base values of its ttt.hw.ModuleDefaults (an
// embedded hwconfig/modules/<kind>.textproto for the library's blocks, text a descriptor carries for
// others), then the module's own size rules, then the layout rules every Tenstorrent op gets.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/blocks/module_descriptor.h"
#include "core/specs/device_kind.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/proto/module_defaults.pb.h"
#include "core/hwconfig/resolved_config.h"

namespace ttt {

// The registered module kinds that have default configs, sorted ("attention", "lm_head", "mlp", ...).
std::vector<std::string> ConfigurableModuleKinds();

// The parsed defaults of a registered kind. NotFound names the configurable kinds.
absl::StatusOr<hw::ModuleDefaults> GetModuleDefaults(const std::string& kind);

// The base config of `kind` for `device` in `mode`, every value's source being
// "<defaults file> [<device> <mode>]". NotFound when the defaults have no entry for them.
absl::StatusOr<ResolvedModuleConfig> ModuleBaseConfig(const std::string& kind, const hw::DeviceProfile& device,
                                                      hw::ConfigMode mode);

// Steps 1-2 of the resolution order for one module instance: the base config, the descriptor's rules for
// `spec` (each recorded with its reason), then the layout rules for every decode op from its output width.
absl::StatusOr<ResolvedModuleConfig> ModuleDefaultHwConfig(const ModuleDescriptor& descriptor,
                                                           const google::protobuf::Message& spec,
                                                           const hw::DeviceProfile& device, hw::ConfigMode mode);

}  // namespace ttt
