// The line coverage of a module, measured for its promotion (`ttt-gov promote --coverage-build DIR`): in a build
// directory compiled with --coverage, the build is brought up to date, the counters of earlier runs are removed,
// the module's labelled tests run (ctest -R '^(LABEL|...)\.'), and gcovr (Debian's gcovr, over gcov) sums the
// lines of the module's own sources (its tests excluded) that those tests executed.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ttt::gov {

struct Coverage {
  int lines_covered = 0;
  int lines_total = 0;
  double fraction() const { return lines_total > 0 ? static_cast<double>(lines_covered) / lines_total : 0; }
};

// `module_dir` relative to `root`. FailedPrecondition when the build is not a coverage build (with the command
// that configures one), when it does not build, when no test matches the labels or a test fails (a failing
// test measures nothing), or when gcovr is missing or finds no line of the module.
absl::StatusOr<Coverage> MeasureLineCoverage(const std::string& root, const std::string& build_dir,
                                             const std::string& module_dir, const std::vector<std::string>& labels,
                                             int jobs);

}  // namespace ttt::gov
