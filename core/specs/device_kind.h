// Whether a device emulates a Tenstorrent chip (its ops then run with Tenstorrent numerics). A fact of the
// device profile schema alone, so blocks' rules may ask it without depending on the hardware-config engine.
#pragma once

#include "core/hwconfig/proto/device_profile.pb.h"

namespace ttt {

inline bool IsTenstorrent(const hw::DeviceProfile& device) {
  return device.kind() == hw::TENSTORRENT_WORMHOLE || device.kind() == hw::TENSTORRENT_BLACKHOLE;
}

}  // namespace ttt
