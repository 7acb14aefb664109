// The attention module's default hardware config for a device and mode: the base values of
// hwconfig/modules/attention.textproto, then the rules below (each recorded as the source of what it changes).
#pragma once

#include "absl/status/statusor.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/resolved_config.h"
#include "core/specs/proto/attention.pb.h"

namespace ttt {

// Rules (Tenstorrent devices):
//  - hidden_dim >= 8192 (70B-class models) in accuracy mode: wqkv, wo and the KV cache back to BFP8 at HiFi2
//    with sdpa decode at HiFi2, as TT-Transformers v1 does ("70B+ models still use ... BFP8 attention": large
//    models are insensitive to it, and BF16 weights would not fit the devices they run on).
//  - decode outputs: sharded only where the width divides over the core grid, L1 only where it fits
//    (core/hwconfig/shape_rules.h).
absl::StatusOr<ResolvedModuleConfig> AttentionDefaultHwConfig(const spec::AttentionSpec& spec,
                                                              const hw::DeviceProfile& device, hw::ConfigMode mode);

}  // namespace ttt
