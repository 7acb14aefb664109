#include "core/governance/module_query.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/governance/module_index.h"
#include "core/governance/spec_lookup.h"
#include "core/governance/tiers.h"

namespace ttt::gov {
namespace {

std::vector<const Module*> SortedById(std::vector<const Module*> modules) {
  std::sort(modules.begin(), modules.end(),
            [](const Module* a, const Module* b) { return a->manifest.id() < b->manifest.id(); });
  return modules;
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return items.empty() ? "-" : absl::StrJoin(items, ", ");
}

}  // namespace

std::vector<const Module*> ListModules(const Repository& repo, const std::string& category,
                                       std::optional<Tier> tier) {
  std::vector<const Module*> out;
  for (const Module& module : repo.modules) {
    if (!category.empty() && !absl::EqualsIgnoreCase(module.manifest.category(), category)) continue;
    if (tier && module.manifest.tier() != *tier) continue;
    out.push_back(&module);
  }
  return SortedById(std::move(out));
}

std::vector<const Module*> SearchModules(const Repository& repo, const std::string& text) {
  std::vector<std::string> words = absl::StrSplit(absl::AsciiStrToLower(text), absl::ByAnyChar(" \t"), absl::SkipEmpty());
  std::vector<const Module*> out;
  for (const Module& module : repo.modules) {
    const std::string haystack = absl::AsciiStrToLower(
        absl::StrCat(module.manifest.id(), "\n", module.manifest.category(), "\n", module.manifest.summary()));
    if (std::all_of(words.begin(), words.end(),
                    [&](const std::string& word) { return absl::StrContains(haystack, word); })) {
      out.push_back(&module);
    }
  }
  return SortedById(std::move(out));
}

std::string FormatModuleLine(const Module& module) {
  const ModuleManifest& m = module.manifest;
  return absl::StrCat(m.id(), "  [", TierName(m.tier()), ", ", m.category(),
                      m.status() == DEPRECATED ? ", deprecated" : "", "]  ", m.summary());
}

std::string FormatModuleDetails(const Module& module) {
  const ModuleManifest& m = module.manifest;
  std::string out;
  absl::StrAppend(&out, "id:             ", m.id(), "\n", "summary:        ", m.summary(), "\n",
                  "category:       ", m.category(), "\n", "tier:           ", TierName(m.tier()), "\n",
                  "status:         ", StatusCell(m), "\n", "since:          ", m.since_version(), "\n",
                  "owners:         ", Joined(m.owners()), "\n", "manifest:       ", module.manifest_path, "\n",
                  "public headers: ", Joined(m.public_headers()), "\n", "dependencies:   ", Joined(m.dependencies()),
                  "\n", "docs:           ", m.docs().empty() ? "-" : m.docs(), "\n", "devices:        ",
                  DevicesCell(m), "\n", "test labels:    ", Joined(m.test_labels()), "\n");
  if (!m.test_labels().empty()) {
    absl::StrAppend(&out, "run the tests:  ctest -R '(^|/)(", absl::StrJoin(m.test_labels(), "|"), ")\\.'\n");
  }
  if (m.spec_message().empty()) {
    absl::StrAppend(&out, "spec:           - (the module has no spec message)\n");
    return out;
  }
  const google::protobuf::Descriptor* spec = FindSpecMessage(m.spec_message());
  if (spec == nullptr) {
    absl::StrAppend(&out, "spec:           ", m.spec_message(), " (not found among the library's messages)\n");
    return out;
  }
  absl::StrAppend(&out, "spec:           ", m.spec_message(), " (", spec->file()->name(), ")\n");
  for (const std::string& line : DescribeFields(*spec)) absl::StrAppend(&out, "  ", line, "\n");
  return out;
}

}  // namespace ttt::gov
