// The devices TTTv2 runs on (cpu) or emulates (n150, n300, t3k, tg, p150): their profiles, read from
// the data files under hwconfig/devices/ that are embedded into the library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/hwconfig/cpu_probe.h"          // ProbeCpu
#include "core/hwconfig/device_validation.h"  // ValidateDeviceProfile
#include "core/hwconfig/proto/device_profile.pb.h"

namespace ttt {

// Names of the embedded device profiles (the file stems of hwconfig/devices/*.textproto), sorted.
std::vector<std::string> DeviceNames();

// The named profile, parsed from its embedded text and validated. "cpu" is completed by
// ProbeCpu(/*measure=*/false), since only the machine knows its capacities. An unknown name is a
// NotFound error that lists the known devices.
//
// "NAME:RxC" is a submesh of a multi-chip device, as ttnn opens one (`open_mesh_device(MeshShape(R, C))` on a
// T3K uses R x C of its chips): "t3k:1x4" is four of t3k's eight chips, "tg:4x4" half a Galaxy. The profile
// keeps the device's name (its module defaults apply) with num_chips R*C and that mesh.
absl::StatusOr<hw::DeviceProfile> GetDeviceProfile(std::string_view name);

// `device` restricted to a `rows` x `cols` submesh; an error when it does not fit inside the device's mesh.
absl::StatusOr<hw::DeviceProfile> Submesh(const hw::DeviceProfile& device, int64_t rows, int64_t cols);

// The embedded profile text of `name` parsed as is (no probing, no validation); for tools and tests.
absl::StatusOr<hw::DeviceProfile> ParseEmbeddedDeviceProfile(std::string_view name);

}  // namespace ttt
