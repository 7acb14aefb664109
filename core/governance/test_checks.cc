// Test labels: each names a GoogleTest suite that exists where the module's tests belong (its own
// directory, or the repository's tests/ for end-to-end tests), so `ctest -R '^Label\.'` runs them.
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/governance/checker.h"
#include "core/governance/source_scan.h"
#include "core/governance/tiers.h"
#include "core/runtime/mapped_file.h"

namespace ttt::gov {
namespace {

// Suite name -> the test files defining it.
using SuiteIndex = std::map<std::string, std::set<std::string>>;

void AddSuites(const std::string& root, const std::vector<std::string>& files, SuiteIndex* index) {
  for (const std::string& file : files) {
    absl::StatusOr<std::string> text = ReadFileToString((std::filesystem::path(root) / file).string());
    if (!text.ok()) continue;
    for (const std::string& suite : ScanTestSuites(*text)) (*index)[suite].insert(file);
  }
}

}  // namespace

void CheckTests(const Repository& repo, const Module& module, CheckReport* report) {
  const ModuleManifest& m = module.manifest;
  const TierPolicy* policy = repo.PolicyFor(m.tier());
  const bool required = policy != nullptr && policy->requires_tests();
  std::vector<std::string> own_tests;
  for (const std::string& file : ModuleSourceFiles(repo, module)) {
    if (IsTestFile(file)) own_tests.push_back(file);
  }
  if (required && m.test_labels().empty()) {
    report->problems.push_back(
        {module.manifest_path, 0,
         absl::StrCat("tier ", TierName(m.tier()), " requires tests, and the manifest has no test_labels",
                      own_tests.empty() ? absl::StrCat(" and ", module.dir, " has no *_test.cc")
                                        : absl::StrCat(" (", module.dir, " has ", absl::StrJoin(own_tests, ", "), ")"),
                      ": write tests next to the module and list their GoogleTest suite names in test_labels")});
    return;
  }
  if (m.test_labels().empty()) return;
  SuiteIndex own;
  SuiteIndex shared;
  AddSuites(repo.root, own_tests, &own);
  AddSuites(repo.root, TestFilesUnder(repo.root, "tests"), &shared);
  int found_own = 0;
  for (const std::string& label : m.test_labels()) {
    if (own.count(label)) {
      ++found_own;
    } else if (!shared.count(label)) {
      report->problems.push_back(
          {module.manifest_path, 0,
           absl::StrCat("test label \"", label, "\" names no GoogleTest suite: no TEST(", label, ", ...) in ",
                        own_tests.empty() ? absl::StrCat(module.dir, " (which has no *_test.cc)") : absl::StrJoin(own_tests, ", "),
                        " or under tests/: write the tests, or fix the label")});
    }
  }
  if (required && found_own == 0) {
    report->warnings.push_back(
        {module.manifest_path, 0,
         absl::StrCat("no unit tests in ", module.dir, ": its labels are only end-to-end suites under tests/; add a ",
                      "*_test.cc next to the module")});
  }
}

}  // namespace ttt::gov
