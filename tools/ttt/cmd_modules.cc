// `ttt modules list|search|show`: what this build of the library can compose, read from the module
// registry (core/blocks/module_registry.h) that the engine itself walks - the core blocks, and whatever
// contrib, experimental or a user's program registered - plus the registered attention position biases.
// `show` adds the module's default hardware configs per device and mode (the embedded hwconfig data) and, from
// the package's governance data (share/ttt beside the executable, or $TTT_DATA_DIR), its manifest's owners and
// status and its certification per device as the compatibility matrix shows it. No source tree is needed.
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/blocks/attention/position_bias.h"
#include "core/blocks/module_registry.h"
#include "core/governance/certification.h"
#include "core/governance/matrix.h"
#include "core/governance/repository.h"
#include "core/hwconfig/device_registry.h"
#include "core/hwconfig/module_defaults.h"
#include "core/runtime/data_dir.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "tools/ttt/command.h"

namespace ttt::cli {
namespace {

std::string Line(const ModuleDescriptor& d) {
  return absl::StrCat(d.id, "  ", d.kind, "  ", d.tier, "  ", d.spec_type ? d.spec_type->full_name() : "-", "  ", d.summary);
}

std::string Details(const ModuleDescriptor& d) {
  std::string out = absl::StrCat("id: ", d.id, "\nkind: ", d.kind, "\ntier: ", d.tier, "\nsummary: ", d.summary, "\n");
  if (d.spec_type != nullptr) {
    absl::StrAppend(&out, "spec: ", d.spec_type->full_name(), "\n");
    for (int i = 0; i < d.spec_type->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* f = d.spec_type->field(i);
      absl::StrAppend(&out, "  ", f->name(), " (", f->is_repeated() ? "repeated " : "",
                      f->message_type() ? f->message_type()->full_name()
                      : f->enum_type()  ? f->enum_type()->full_name()
                                        : f->type_name(),
                      ")\n");
    }
  }
  absl::StrAppend(&out, "ops:", d.ops.empty() ? " none" : "", "\n");
  for (const OpDecl& op : d.ops) {
    absl::StrAppend(&out, "  ", op.name, op.weight ? "  weight" : "", op.matmul ? "  matrix engine" : "", "\n");
  }
  absl::StrAppend(&out, "kv cache: ", d.has_kv_cache() ? "yes" : "no", "\n");
  absl::StrAppend(&out, "hardware config defaults: ",
                  !d.defaults_file.empty() ? d.defaults_file : d.configurable() ? "given in code" : "none (not configurable)",
                  "\n");
  absl::StrAppend(&out, "usable in a layer's modules list: ", d.create ? "yes" : "no (fixed place in the pattern)", "\n");
  return out;
}

// One phase's config as lines "  <phase> <op>: <fields>" (and "  <phase>: <fields>" for the module-wide ones).
void AppendPhase(const char* phase, const hw::ModuleConfig& config, std::string* out) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  std::map<std::string, hw::OpConfig> ops(config.ops().begin(), config.ops().end());  // sorted by op
  for (const auto& [op, op_config] : ops) {
    std::string text;
    printer.PrintToString(op_config, &text);
    absl::StrAppend(out, "    ", phase, " ", op, ": ", text, "\n");
  }
  hw::ModuleConfig rest = config;
  rest.clear_ops();
  std::string text;
  printer.PrintToString(rest, &text);
  if (!text.empty()) absl::StrAppend(out, "    ", phase, ": ", text, "\n");
}

// The base config of every device in both modes; devices whose configs are equal share one block. Size rules
// of a particular spec come on top (`ttt config` shows a model's resolved configs).
std::string DefaultsPerDevice(const ModuleDescriptor& d) {
  if (!d.configurable()) return "";
  std::string out = absl::StrCat("defaults per device and mode (", d.defaults_file.empty() ? "given in code" : d.defaults_file,
                                 "; a spec's size rules come on top: `ttt config`):\n");
  for (hw::ConfigMode mode : {hw::PERFORMANCE, hw::ACCURACY}) {
    std::vector<std::pair<std::vector<std::string>, std::string>> groups;  // devices -> their config's lines
    for (const std::string& device : DeviceNames()) {
      absl::StatusOr<hw::DeviceProfile> profile = ParseEmbeddedDeviceProfile(device);
      if (!profile.ok()) continue;
      absl::StatusOr<ResolvedModuleConfig> base = ModuleBaseConfig(d.kind, *profile, mode);
      std::string lines;
      if (base.ok()) {
        AppendPhase("prefill", base->config().prefill(), &lines);
        AppendPhase("decode", base->config().decode(), &lines);
      } else {
        lines = absl::StrCat("    none: ", base.status().message(), "\n");
      }
      auto same = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.second == lines; });
      if (same != groups.end()) {
        same->first.push_back(device);
      } else {
        groups.push_back({{device}, lines});
      }
    }
    for (const auto& [devices, lines] : groups) {
      absl::StrAppend(&out, "  ", absl::StrJoin(devices, ", "), "  ", ConfigModeName(mode), "\n", lines);
    }
  }
  return out;
}

// Owners, status and certification per device from the package's governance data; a note when there is none.
std::string Governance(const ModuleDescriptor& d) {
  const std::string root = PackageDataDir();
  if (root.empty()) {
    return "manifest: no package data beside this executable (share/ttt): set TTT_DATA_DIR=<prefix>/share/ttt\n";
  }
  const gov::Repository repo = gov::LoadRepository(root);
  const gov::Module* module = repo.FindById(d.id);
  if (module == nullptr) return absl::StrCat("manifest: none for ", d.id, " in ", root, "\n");
  const gov::ModuleManifest& m = module->manifest;
  std::string out = absl::StrCat("manifest: ", root, "/", module->manifest_path, "\nowners: ", absl::StrJoin(m.owners(), ", "),
                                 "\nstatus: ", gov::Status_Name(m.status()), "\n");
  absl::StatusOr<gov::Matrix> matrix = gov::LoadMatrix(root);
  if (!matrix.ok()) return absl::StrCat(out, "certification: no compatibility matrix (", matrix.status().message(), ")\n");
  auto emulated = [](const std::string& device) {
    absl::StatusOr<hw::DeviceProfile> p = ParseEmbeddedDeviceProfile(device);
    return !p.ok() || p->kind() != hw::CPU;
  };
  absl::StrAppend(&out, "certification per device (compatibility matrix, HEAD column of ", root, "/",
                  gov::kMatrixJsonPath, "):\n");
  for (const gov::DeviceCertification& c : gov::CertifyFromMatrix(m, *matrix, emulated)) {
    absl::StrAppend(&out, "  ", c.device, " ", gov::CertificationLabel(c.level), "  [", c.evidence, "]",
                    c.claimed != c.level ? absl::StrCat(" (the manifest says ", gov::CertificationLabel(c.claimed), ")") : "",
                    "\n");
  }
  return out;
}

// Every word of `text` (case-insensitive) occurs in the module's id, kind or summary.
bool Matches(const ModuleDescriptor& d, const std::string& text) {
  const std::string haystack = absl::AsciiStrToLower(absl::StrCat(d.id, " ", d.kind, " ", d.summary));
  for (absl::string_view word : absl::StrSplit(absl::AsciiStrToLower(text), ' ', absl::SkipEmpty())) {
    if (haystack.find(std::string(word)) == std::string::npos) return false;
  }
  return true;
}

absl::Status RunModules(const Args& args) {
  const std::vector<std::string>& argv = args.positional();
  if (argv.empty()) return absl::InvalidArgumentError("modules needs list, search TEXT or show ID|KIND");
  const ModuleRegistry& registry = ModuleRegistry::Global();
  const std::string& verb = argv[0];
  if (verb == "show" && argv.size() == 2) {
    std::vector<const ModuleDescriptor*> found = registry.WithId(argv[1]);
    if (const ModuleDescriptor* by_kind = registry.FindKind(argv[1]); found.empty() && by_kind) found = {by_kind};
    if (found.empty()) {
      return absl::NotFoundError(absl::StrCat("no registered module with id or kind '", argv[1],
                                              "': see `ttt modules list`"));
    }
    for (const ModuleDescriptor* d : found) {
      std::cout << Details(*d) << DefaultsPerDevice(*d) << Governance(*d) << (d == found.back() ? "" : "\n");
    }
    return absl::OkStatus();
  }
  std::vector<const ModuleDescriptor*> found;
  if (verb == "list" && argv.size() == 1) {
    found = registry.All();
  } else if (verb == "search" && argv.size() >= 2) {
    const std::string text = absl::StrJoin(argv.begin() + 1, argv.end(), " ");
    for (const ModuleDescriptor* d : registry.All()) {
      if (Matches(*d, text)) found.push_back(d);
    }
  } else {
    return absl::InvalidArgumentError("modules needs list, search TEXT or show ID|KIND");
  }
  for (const ModuleDescriptor* d : found) std::cout << Line(*d) << "\n";
  if (verb == "list") {
    std::cout << "attention position biases (AttentionSpec.position_bias): "
              << absl::StrJoin(RegisteredPositionBiases(), ", ") << "\n";
  }
  if (found.empty()) return absl::NotFoundError("no registered module matches");
  return absl::OkStatus();
}

TTT_COMMAND({"modules", "list, search and show the module kinds this build can compose",
             {}, RunModules,
             "list (every registered module kind: id, kind, tier, spec, summary) | search TEXT (kinds whose id, "
             "kind or summary hold every word) | show ID|KIND (spec fields, ops, KV cache, default configs per device "
             "and mode, owners, certification per device from the compatibility matrix)"});

}  // namespace
}  // namespace ttt::cli
