// The LM head's default hardware config for a device and mode: the base values of
// hwconfig/modules/lm_head.textproto, then the layout rules of core/hwconfig/shape_rules.h.
#pragma once

#include "absl/status/statusor.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/resolved_config.h"
#include "core/specs/proto/embedding.pb.h"

namespace ttt {

absl::StatusOr<ResolvedModuleConfig> LmHeadDefaultHwConfig(const spec::LmHeadSpec& spec,
                                                           const hw::DeviceProfile& device, hw::ConfigMode mode);

}  // namespace ttt
