// ttt coverage: merges the coverage records TestSuite runs wrote ($TTT_COVERAGE_DIR) into a report of, per
// module kind and spec field, the values tested and the values the zoo's models use that no test covered.
#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"
#include "core/testing/coverage.h"
#include "core/testing/report.h"
#include "tools/ttt/command.h"

namespace ttt::cli {
namespace {

absl::Status RunCoverage(const Args& args) {
  const std::string dir = args.Has("dir") ? args.Get("dir") : testing::CoverageDir();
  const std::string zoo = args.Get("zoo");
  const std::string json = args.Get("json");
  if (dir.empty()) {
    return absl::InvalidArgumentError(
        "no coverage directory: pass --dir D or set TTT_COVERAGE_DIR (the directory test runs wrote to)");
  }
  TTT_ASSIGN_OR_RETURN(std::vector<testing::CoverageRecord> tested, testing::ReadCoverageDir(dir));
  std::vector<testing::CoverageRecord> used;
  if (!zoo.empty()) {
    TTT_ASSIGN_OR_RETURN(used, testing::ZooCoverageRecords(zoo));
  }
  const testing::CoverageReport report = testing::MergeCoverage(tested, used);
  std::cout << "# coverage of " << tested.size() << " test records in " << dir;
  if (!zoo.empty()) std::cout << " against the " << used.size() << " module uses of the zoo in " << zoo;
  std::cout << "\n" << report.Text();
  if (!json.empty()) TTT_RETURN_IF_ERROR(testing::WriteFileAtomically(json, report.Json() + "\n"));
  return absl::OkStatus();
}

TTT_COMMAND({"coverage", "merge TestSuite coverage records: tested spec values and untested ones the zoo uses",
             {{"--dir", "the records' directory (default $TTT_COVERAGE_DIR; TestSuite runs append there)", ""},
              {"--zoo", "also list, per module kind, the spec values zoo/<model>s use that no test covered", ""},
              {"--json", "also write the report as JSON to this file", ""}},
             RunCoverage});

}  // namespace
}  // namespace ttt::cli
