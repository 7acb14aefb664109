// What the checker reads from C++ sources: the quoted #include lines (the real dependency graph, whatever
// the manifests claim) and the GoogleTest suites a test file defines (what test labels refer to).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/governance/repository.h"

namespace ttt::gov {

struct IncludeLine {
  int line = 0;      // 1-based
  std::string path;  // as written between the quotes
};

// Every `#include "..."` line (angle-bracket includes are system or third-party headers).
std::vector<IncludeLine> ScanIncludes(std::string_view source);

// The suite names of TEST, TEST_F, TEST_P, TYPED_TEST and TYPED_TEST_P definitions, in order, repeated
// as often as they occur.
std::vector<std::string> ScanTestSuites(std::string_view source);

// The .h and .cc files `module` owns, relative to the root and sorted: those under its directory that
// are not under the directory of a module nested inside it.
std::vector<std::string> ModuleSourceFiles(const Repository& repo, const Module& module);

// Every *_test.cc under root/`dir` (relative to the root), sorted; empty when the directory is missing.
std::vector<std::string> TestFilesUnder(const std::string& root, const std::string& dir);

bool IsTestFile(const std::string& path);

// Resolves an include written in `including_file` to a path relative to the root: paths starting with a
// tier directory are already root-relative (the project's convention); otherwise a file next to the
// includer; otherwise empty (a third-party header such as "absl/..." or "nlohmann/json.hpp").
std::string ResolveInclude(const std::string& root, const std::string& including_file,
                           const std::string& included);

}  // namespace ttt::gov
