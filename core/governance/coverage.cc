#include "core/governance/coverage.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/governance/gov_io.h"
#include "nlohmann/json.hpp"

namespace ttt::gov {
namespace fs = std::filesystem;

absl::StatusOr<Coverage> MeasureLineCoverage(const std::string& root, const std::string& build_dir,
                                             const std::string& module_dir, const std::vector<std::string>& labels,
                                             int jobs) {
  const std::string how = absl::StrCat(
      ": configure one with `cmake -S ", root, " -B ", build_dir,
      " -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=--coverage -DCMAKE_EXE_LINKER_FLAGS=--coverage`");
  absl::StatusOr<std::string> cache = ReadTextFile(build_dir + "/CMakeCache.txt");
  if (!cache.ok()) return absl::FailedPreconditionError(absl::StrCat("no configured build in ", build_dir, how));
  if (!absl::StrContains(*cache, "--coverage") && !absl::StrContains(*cache, "-fprofile-arcs")) {
    return absl::FailedPreconditionError(absl::StrCat(build_dir, " is not a coverage build (no --coverage flag)", how));
  }
  if (labels.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(module_dir, ": the manifest names no test_labels to measure"));
  }
  const CommandResult build = RunCommand(absl::StrCat("cmake --build ", ShellQuote(build_dir), " -j", jobs));
  if (build.exit_code != 0) {
    return absl::FailedPreconditionError(absl::StrCat("building ", build_dir, " failed: ", FirstBuildError(build.output, root)));
  }
  // Counters accumulate over runs: only this run of the module's tests may count.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(build_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".gcda") fs::remove(it->path(), ec);
  }
  const std::string regex = absl::StrCat("^(", absl::StrJoin(labels, "|"), ")\\.");
  const CommandResult tests = RunCommand(absl::StrCat("ctest --test-dir ", ShellQuote(build_dir), " -R ",
                                                      ShellQuote(regex), " --no-tests=error -j", jobs));
  if (tests.exit_code != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the module's tests (ctest -R '", regex, "') did not all pass in ", build_dir,
        ": fix them first; a failing run measures nothing:\n", tests.output.substr(tests.output.size() > 1500 ? tests.output.size() - 1500 : 0)));
  }
  const std::string summary = build_dir + "/ttt-gov-coverage.json";
  const CommandResult gcovr = RunCommand(absl::StrCat(
      "cd ", ShellQuote(root), " && gcovr --root . --filter ", ShellQuote(module_dir + "/"), " --exclude ",
      ShellQuote(".*_test\\.cc$"), " --json-summary ", ShellQuote(summary), " ", ShellQuote(build_dir)));
  if (gcovr.exit_code != 0) {
    return absl::FailedPreconditionError(absl::StrCat("gcovr failed (install it: apt-get install gcovr): ",
                                                      gcovr.output.substr(0, 500)));
  }
  absl::StatusOr<std::string> text = ReadTextFile(summary);
  if (!text.ok()) return text.status();
  const nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("line_total") || !json.contains("line_covered")) {
    return absl::DataLossError(summary + ": gcovr's summary has no line_total/line_covered");
  }
  Coverage coverage{.lines_covered = json["line_covered"].get<int>(), .lines_total = json["line_total"].get<int>()};
  if (coverage.lines_total == 0) {
    return absl::FailedPreconditionError(absl::StrCat("gcovr found no executable line under ", module_dir, " in ",
                                                      build_dir, ": is the module built there?"));
  }
  return coverage;
}

}  // namespace ttt::gov
