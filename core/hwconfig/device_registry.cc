#include "core/hwconfig/device_registry.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

absl::StatusOr<hw::DeviceProfile> Submesh(const hw::DeviceProfile& device, int64_t rows, int64_t cols) {
  const hw::MeshShape& mesh = device.mesh();
  if (rows < 1 || cols < 1 || rows > mesh.rows() || cols > mesh.cols()) {
    return absl::InvalidArgumentError(absl::StrCat("submesh ", rows, "x", cols, " does not fit ", device.name(),
                                                   "'s ", mesh.rows(), "x", mesh.cols(), " mesh of chips: use at most ",
                                                   mesh.rows(), "x", mesh.cols()));
  }
  hw::DeviceProfile sub = device;
  sub.set_num_chips(static_cast<uint32_t>(rows * cols));
  sub.mutable_mesh()->set_rows(static_cast<uint32_t>(rows));
  sub.mutable_mesh()->set_cols(static_cast<uint32_t>(cols));
  sub.set_host_attached_chips(std::min<uint32_t>(sub.host_attached_chips(), sub.num_chips()));
  sub.set_description(absl::StrCat(device.description(), "; submesh ", rows, "x", cols));
  return sub;
}

absl::StatusOr<hw::DeviceProfile> GetDeviceProfile(std::string_view name) {
  if (const size_t colon = name.find(':'); colon != std::string_view::npos) {
    const std::vector<std::string> rc = absl::StrSplit(absl::string_view(name.data() + colon + 1, name.size() - colon - 1), 'x');
    int64_t rows = 0, cols = 0;
    if (rc.size() != 2 || !absl::SimpleAtoi(rc[0], &rows) || !absl::SimpleAtoi(rc[1], &cols)) {
      return absl::InvalidArgumentError(absl::StrCat("device '", std::string(name),
                                                     "': a submesh is NAME:ROWSxCOLS, e.g. t3k:1x4"));
    }
    TTT_ASSIGN_OR_RETURN(const hw::DeviceProfile whole, GetDeviceProfile(name.substr(0, colon)));
    return Submesh(whole, rows, cols);
  }
  TTT_ASSIGN_OR_RETURN(hw::DeviceProfile profile, ParseEmbeddedDeviceProfile(name));
  if (profile.kind() == hw::CPU) ProbeCpuInto(/*measure=*/false, &profile);
  absl::Status valid = ValidateDeviceProfile(profile);
  if (!valid.ok()) return Annotate(valid, DevicePath(name));
  return profile;
}

}  // namespace ttt
