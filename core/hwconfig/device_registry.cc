#include "core/hwconfig/device_registry.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/hwconfig/embedded_files.h"
#include "core/runtime/status.h"
#include "core/specs/text_format.h"

namespace ttt {
namespace {

constexpr std::string_view kDeviceDir = "hwconfig/devices/";
constexpr std::string_view kSuffix = ".textproto";

std::string DevicePath(std::string_view name) {
  return std::string(kDeviceDir) + std::string(name) + std::string(kSuffix);
}

}  // namespace

std::vector<std::string> DeviceNames() {
  std::vector<std::string> names;
  for (const EmbeddedFile& file : EmbeddedHwconfigFiles()) {
    std::string_view path = file.path;
    if (!path.starts_with(kDeviceDir) || !path.ends_with(kSuffix)) continue;
    path.remove_prefix(kDeviceDir.size());
    path.remove_suffix(kSuffix.size());
    if (path.find('/') == std::string_view::npos) names.emplace_back(path);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<hw::DeviceProfile> ParseEmbeddedDeviceProfile(std::string_view name) {
  const std::string path = DevicePath(name);
  const EmbeddedFile* file = FindEmbeddedHwconfigFile(path);
  if (file == nullptr || name.find('/') != std::string_view::npos) {
    return absl::NotFoundError(absl::StrCat("unknown device '", std::string(name), "': known devices are ",
                                            absl::StrJoin(DeviceNames(), ", "),
                                            " (a new device is a file hwconfig/devices/NAME.textproto)"));
  }
  hw::DeviceProfile profile;
  TTT_RETURN_IF_ERROR(ParseTextProto(absl::string_view(file->text.data(), file->text.size()), &profile, path));
  if (profile.name() != name) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": name is '", profile.name(), "' but the file is named '",
                                                   std::string(name), "'; make name match the file name"));
  }
  return profile;
}

absl::StatusOr<hw::DeviceProfile> GetDeviceProfile(std::string_view name) {
  TTT_ASSIGN_OR_RETURN(hw::DeviceProfile profile, ParseEmbeddedDeviceProfile(name));
  if (profile.kind() == hw::CPU) ProbeCpuInto(/*measure=*/false, &profile);
  absl::Status valid = ValidateDeviceProfile(profile);
  if (!valid.ok()) return Annotate(valid, DevicePath(name));
  return profile;
}

}  // namespace ttt
