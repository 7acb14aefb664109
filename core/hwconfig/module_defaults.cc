#include "core/hwconfig/module_defaults.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/hwconfig/embedded_files.h"
#include "core/runtime/status.h"
#include "core/specs/text_format.h"

namespace ttt {
namespace {
constexpr char kDir[] = "hwconfig/modules/";
}

std::vector<std::string> ConfigurableModuleKinds() {
  std::vector<std::string> kinds;
  const std::string prefix = kDir, suffix = ".textproto";
  for (const EmbeddedFile& f : EmbeddedHwconfigFiles()) {
    std::string path(f.path);
    if (path.rfind(prefix, 0) == 0 && path.size() > prefix.size() + suffix.size()) {
      kinds.push_back(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()));
    }
  }
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

absl::StatusOr<hw::ModuleDefaults> GetModuleDefaults(const std::string& kind) {
  const std::string path = absl::StrCat(kDir, kind, ".textproto");
  const EmbeddedFile* file = FindEmbeddedHwconfigFile(path);
  if (file == nullptr) {
    return absl::NotFoundError(absl::StrCat("no default hardware configs for module kind '", kind,
                                            "': known kinds are ", absl::StrJoin(ConfigurableModuleKinds(), ", ")));
  }
  hw::ModuleDefaults defaults;
  TTT_RETURN_IF_ERROR(ParseTextProto(std::string(file->text), &defaults, path));
  return defaults;
}

absl::StatusOr<ResolvedModuleConfig> ModuleBaseConfig(const std::string& kind, const hw::DeviceProfile& device,
                                                      hw::ConfigMode mode) {
  TTT_ASSIGN_OR_RETURN(hw::ModuleDefaults defaults, GetModuleDefaults(kind));
  for (const hw::ModuleDefaultsEntry& entry : defaults.entries()) {
    if (entry.mode() != mode) continue;
    if (std::find(entry.devices().begin(), entry.devices().end(), device.name()) == entry.devices().end()) continue;
    ResolvedModuleConfig resolved(kind);
    resolved.Apply(entry.config(),
                   absl::StrCat(kDir, kind, ".textproto [", device.name(), " ", ConfigModeName(mode), "]"));
    return resolved;
  }
  return absl::NotFoundError(absl::StrCat(kDir, kind, ".textproto has no entry for device '", device.name(),
                                          "' in ", ConfigModeName(mode),
                                          " mode: add one (a new device needs an entry in every hwconfig/modules file)"));
}

bool IsTenstorrent(const hw::DeviceProfile& device) {
  return device.kind() == hw::TENSTORRENT_WORMHOLE || device.kind() == hw::TENSTORRENT_BLACKHOLE;
}

}  // namespace ttt
