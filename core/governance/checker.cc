#include "core/governance/checker.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/governance/module_index.h"
#include "core/governance/review.h"
#include "core/governance/version.h"
#include "core/runtime/mapped_file.h"

namespace ttt::gov {

void CheckModuleIndex(const Repository& repo, Problems* problems) {
  absl::StatusOr<std::string> current =
      ReadFileToString((std::filesystem::path(repo.root) / kModuleIndexPath).string());
  if (!current.ok()) {
    problems->push_back({kModuleIndexPath, 0, "the module index is missing: run `ttt-gov index` and commit it"});
  } else if (*current != RenderModuleIndex(repo)) {
    problems->push_back({kModuleIndexPath, 0,
                         "the module index is out of date with the manifests: run `ttt-gov index` and commit it"});
  }
}

CheckReport RunChecks(const CheckOptions& options) {
  CheckReport report;
  const Repository repo = LoadRepository(options.root);
  report.problems = repo.load_problems;
  if (!ParseVersion(options.library_version)) {
    report.problems.push_back({"", 0, absl::StrCat("library version \"", options.library_version,
                                                   "\" is not MAJOR.MINOR.PATCH: check the project() VERSION in CMakeLists.txt")});
  }
  CheckPolicy(repo, &report.problems);
  CheckUniqueIds(repo, &report.problems);
  CheckLayers(repo, &report.problems);
  for (const Module& module : repo.modules) {
    CheckManifestFields(repo, module, options, &report);
    CheckDependencies(repo, module, &report);
    CheckTests(repo, module, &report);
  }
  // An index rendered from a partly unparsable tree would be wrong either way; the parse errors come first.
  if (repo.load_problems.empty()) CheckModuleIndex(repo, &report.problems);
  if (!options.since.empty()) CheckReviews(repo, options.since, &report.problems);
  report.modules_checked = static_cast<int>(repo.modules.size());
  std::stable_sort(report.problems.begin(), report.problems.end(),
                   [](const Problem& a, const Problem& b) { return std::tie(a.file, a.line) < std::tie(b.file, b.line); });
  return report;
}

}  // namespace ttt::gov
