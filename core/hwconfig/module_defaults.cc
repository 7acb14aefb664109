#include "core/hwconfig/module_defaults.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/blocks/module_registry.h"
#include "core/hwconfig/embedded_files.h"
#include "core/hwconfig/shape_rules.h"
#include "core/runtime/status.h"
#include "core/specs/text_format.h"

namespace ttt {
namespace {

// Where a kind's defaults come from, for sources and errors.
std::string DefaultsName(const ModuleDescriptor& d) {
  return d.defaults_file.empty() ? absl::StrCat(d.id, " defaults") : d.defaults_file;
}

absl::StatusOr<hw::ModuleDefaults> ParseDefaults(const ModuleDescriptor& d) {
  std::string text = d.defaults_text;
  if (text.empty()) {
    const EmbeddedFile* file = FindEmbeddedHwconfigFile(d.defaults_file);
    if (file == nullptr) {
      return absl::NotFoundError(absl::StrCat("module kind '", d.kind, "' names defaults file ", d.defaults_file,
                                              ", which is not embedded: add it under hwconfig/"));
    }
    text = std::string(file->text);
  }
  hw::ModuleDefaults defaults;
  TTT_RETURN_IF_ERROR(ParseTextProto(text, &defaults, DefaultsName(d)));
  if (defaults.module() != d.kind) {
    return absl::InvalidArgumentError(absl::StrCat(DefaultsName(d), " says module \"", defaults.module(),
                                                   "\" but belongs to kind '", d.kind, "': make them agree"));
  }
  // Every op an entry configures must be one the kind has, so a typo fails here and not at resolution.
  for (const hw::ModuleDefaultsEntry& entry : defaults.entries()) {
    for (const hw::ModuleConfig* m : {&entry.config().prefill(), &entry.config().decode()}) {
      for (const auto& [op, unused] : m->ops()) {
        if (d.FindOp(op) == nullptr) {
          return absl::InvalidArgumentError(absl::StrCat(DefaultsName(d), " configures op '", op, "', which kind '",
                                                         d.kind, "' does not have"));
        }
      }
    }
  }
  return defaults;
}

absl::StatusOr<const ModuleDescriptor*> ConfigurableKind(const std::string& kind) {
  const ModuleDescriptor* d = ModuleRegistry::Global().FindKind(kind);
  if (d == nullptr || !d->configurable()) {
    return absl::NotFoundError(absl::StrCat("no default hardware configs for module kind '", kind,
                                            "': known kinds are ", absl::StrJoin(ConfigurableModuleKinds(), ", ")));
  }
  return d;
}

absl::StatusOr<ResolvedModuleConfig> BaseConfig(const ModuleDescriptor& d, const hw::DeviceProfile& device,
                                                hw::ConfigMode mode) {
  TTT_ASSIGN_OR_RETURN(hw::ModuleDefaults defaults, ParseDefaults(d));
  for (const hw::ModuleDefaultsEntry& entry : defaults.entries()) {
    if (entry.mode() != mode) continue;
    if (std::find(entry.devices().begin(), entry.devices().end(), device.name()) == entry.devices().end()) continue;
    ResolvedModuleConfig resolved(d.kind);
    resolved.Apply(entry.config(), absl::StrCat(DefaultsName(d), " [", device.name(), " ", ConfigModeName(mode), "]"));
    return resolved;
  }
  return absl::NotFoundError(absl::StrCat(DefaultsName(d), " has no entry for device '", device.name(), "' in ",
                                          ConfigModeName(mode),
                                          " mode: add one (a new device needs an entry in every module's defaults)"));
}

}  // namespace

std::vector<std::string> ConfigurableModuleKinds() { return ModuleRegistry::Global().ConfigurableKinds(); }

absl::StatusOr<hw::ModuleDefaults> GetModuleDefaults(const std::string& kind) {
  TTT_ASSIGN_OR_RETURN(const ModuleDescriptor* d, ConfigurableKind(kind));
  return ParseDefaults(*d);
}

absl::StatusOr<ResolvedModuleConfig> ModuleBaseConfig(const std::string& kind, const hw::DeviceProfile& device,
                                                      hw::ConfigMode mode) {
  TTT_ASSIGN_OR_RETURN(const ModuleDescriptor* d, ConfigurableKind(kind));
  return BaseConfig(*d, device, mode);
}

absl::StatusOr<ResolvedModuleConfig> ModuleDefaultHwConfig(const ModuleDescriptor& d,
                                                           const google::protobuf::Message& spec,
                                                           const hw::DeviceProfile& device, hw::ConfigMode mode) {
  TTT_ASSIGN_OR_RETURN(ResolvedModuleConfig config, BaseConfig(d, device, mode));
  if (d.rules) {
    for (const RuleChange& rule : d.rules(spec, device, mode)) config.Apply(rule.change, rule.why);
  }
  for (const OpInfo& op : d.Ops(spec)) ApplyLayoutRules(config, Phase::kDecode, op.name, kTileSize, op.out, device);
  return config;
}

}  // namespace ttt
