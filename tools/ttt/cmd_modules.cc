// `ttt modules list|search|show`: what this build of the library can compose, read from the module
// registry (core/blocks/module_registry.h) that the engine itself walks - the core blocks, and whatever
// contrib, experimental or a user's program registered - plus the registered attention position biases.
// No source tree is needed. Manifests (owners, tiers, certification) are governance: `ttt-gov modules`.
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/blocks/attention/position_bias.h"
#include "core/blocks/module_registry.h"
#include "google/protobuf/descriptor.h"
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
    for (const ModuleDescriptor* d : found) std::cout << Details(*d) << (d == found.back() ? "" : "\n");
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
             "kind or summary hold every word) | show ID|KIND (spec fields, ops, KV cache, defaults). Owners, tiers "
             "and certification are in the manifests: `ttt-gov modules list|search|show`"});

}  // namespace
}  // namespace ttt::cli
