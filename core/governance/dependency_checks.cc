// The tier rule (a module depends only on equal or stronger tiers), checked twice: on the dependencies a
// manifest declares, and on the #include lines its sources actually contain.
#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/governance/checker.h"
#include "core/governance/source_scan.h"
#include "core/governance/tiers.h"
#include "core/runtime/mapped_file.h"

namespace ttt::gov {
namespace {

std::string Upper(Tier tier) { return absl::AsciiStrToUpper(TierName(tier)); }

void CheckDeclaredDependencies(const Repository& repo, const Module& module, CheckReport* report) {
  const ModuleManifest& m = module.manifest;
  std::set<std::string> seen;
  for (const std::string& id : m.dependencies()) {
    if (!seen.insert(id).second) {
      report->problems.push_back({module.manifest_path, 0,
                                  absl::StrCat("dependency \"", id, "\" is listed twice: keep one")});
      continue;
    }
    if (id == m.id()) {
      report->problems.push_back({module.manifest_path, 0, "the module lists itself as a dependency: remove it"});
      continue;
    }
    const Module* dep = repo.FindById(id);
    if (dep == nullptr) {
      report->problems.push_back({module.manifest_path, 0,
                                  absl::StrCat("dependency \"", id, "\" is not the id of any module: fix it "
                                               "(see `ttt-gov modules list`) or remove it")});
      continue;
    }
    if (m.tier() != TIER_UNSPECIFIED && !MayDependOn(m.tier(), dep->manifest.tier())) {
      report->problems.push_back(
          {module.manifest_path, 0,
           absl::StrCat(Upper(m.tier()), " module ", m.id(), " depends on ", Upper(dep->manifest.tier()),
                        " module ", id, " (", dep->manifest_path, "): a tier may depend only on equal or stronger "
                        "tiers; promote ", id, " first, or drop the dependency")});
    }
    if (dep->manifest.status() == DEPRECATED) {
      report->warnings.push_back(
          {module.manifest_path, 0,
           absl::StrCat("depends on deprecated module ", id, ": move to ", dep->manifest.deprecation().replacement(),
                        " before ", dep->manifest.deprecation().removal_version())});
    }
  }
}

void CheckIncludes(const Repository& repo, const Module& module, CheckReport* report) {
  const ModuleManifest& m = module.manifest;
  if (m.tier() == TIER_UNSPECIFIED) return;  // reported by the field checks; no rank to compare
  const auto& deps = m.dependencies();
  std::set<std::string> missing_reported;
  for (const std::string& file : ModuleSourceFiles(repo, module)) {
    absl::StatusOr<std::string> text = ReadFileToString((std::filesystem::path(repo.root) / file).string());
    if (!text.ok()) {
      report->problems.push_back({file, 0, absl::StrCat("cannot read: ", text.status().message())});
      continue;
    }
    for (const IncludeLine& include : ScanIncludes(*text)) {
      const std::string target = ResolveInclude(repo.root, file, include.path);
      if (target.empty()) continue;  // third-party or system header
      const Module* owner = repo.ModuleForPath(target);
      if (owner == &module) continue;
      const std::optional<Tier> tier = owner ? std::optional<Tier>(owner->manifest.tier()) : DefaultTierForPath(target);
      if (!tier) continue;
      if (!MayDependOn(m.tier(), *tier)) {
        report->problems.push_back(
            {file, include.line,
             absl::StrCat(Upper(m.tier()), " module ", m.id(), ": ", file, " includes ", target, ", which is tier ",
                          Upper(*tier), owner ? absl::StrCat(" (module ", owner->manifest.id(), ")") : std::string(),
                          ": a tier may depend only on equal or stronger tiers; remove the include, or promote "
                          "the included code first")});
        continue;
      }
      // Tests may use whatever helps them; the library code's includes are the module's dependencies.
      if (owner != nullptr && !IsTestFile(file) &&
          std::find(deps.begin(), deps.end(), owner->manifest.id()) == deps.end() &&
          missing_reported.insert(owner->manifest.id()).second) {
        report->problems.push_back(
            {file, include.line,
             absl::StrCat(file, " includes ", target, " of module ", owner->manifest.id(), ", which ",
                          module.manifest_path, " does not list: add dependencies: \"", owner->manifest.id(), "\"")});
      }
    }
  }
}

}  // namespace

void CheckDependencies(const Repository& repo, const Module& module, CheckReport* report) {
  CheckDeclaredDependencies(repo, module, report);
  CheckIncludes(repo, module, report);
}

}  // namespace ttt::gov
