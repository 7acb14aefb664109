// The layer rule inside core/: a library file includes only its own layer and lower ones. Tiers say which
// modules may depend on which; layers say the same of core's own directories (runtime below kernels below
// ops ...), so that each layer builds as a target linking only downward (core/CMakeLists.txt).
#include <algorithm>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/governance/checker.h"
#include "core/governance/source_scan.h"
#include "core/runtime/mapped_file.h"

namespace ttt::gov {
namespace {

namespace fs = std::filesystem;

// "core/ops/linear.cc" -> "ops"; empty for a path outside core/ or a file directly in it.
std::string CoreDirectory(const std::string& path) {
  if (path.rfind("core/", 0) != 0) return "";
  const size_t end = path.find('/', 5);
  return end == std::string::npos ? "" : path.substr(5, end - 5);
}

bool IsSchemaHeader(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".pb.h") == 0;
}

}  // namespace

void CheckLayers(const Repository& repo, Problems* problems) {
  const auto& layers = repo.policy.core_layers();
  if (!repo.policy_loaded || layers.empty()) return;  // a policy without layers states no rule
  std::map<std::string, int> rank;
  for (int i = 0; i < layers.size(); ++i) {
    if (!rank.emplace(layers[i], i).second) {
      problems->push_back({kPolicyPath, 0, absl::StrCat("layer \"", layers[i], "\" is listed twice in core_layers: keep one")});
    }
  }
  const auto& outside = repo.policy.core_outside_layers();
  const fs::path core = fs::path(repo.root) / "core";
  if (!fs::is_directory(core)) return;
  std::vector<std::string> dirs;
  for (const fs::directory_entry& entry : fs::directory_iterator(core)) {
    if (entry.is_directory()) dirs.push_back(entry.path().filename().string());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const std::string& dir : dirs) {
    const bool is_outside = std::find(outside.begin(), outside.end(), dir) != outside.end();
    if (!rank.count(dir) && !is_outside) {
      problems->push_back({absl::StrCat("core/", dir), 0,
                           absl::StrCat("core/", dir, " is not a layer: add it to core_layers in ", kPolicyPath,
                                        " at its place (lowest first: ", absl::StrJoin(layers, ", "),
                                        ") and give it a target in core/CMakeLists.txt")});
      continue;
    }
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(core / dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
      const std::string file = fs::relative(entry.path(), repo.root).generic_string();
      if (IsTestFile(file)) continue;  // tests may use whatever helps them
      absl::StatusOr<std::string> text = ReadFileToString(entry.path().string());
      if (!text.ok()) {
        problems->push_back({file, 0, absl::StrCat("cannot read: ", text.status().message())});
        continue;
      }
      for (const IncludeLine& include : ScanIncludes(*text)) {
        const std::string target = ResolveInclude(repo.root, file, include.path);
        const std::string target_dir = CoreDirectory(target);
        if (target_dir.empty() || target_dir == dir || IsSchemaHeader(target)) continue;
        if (std::find(outside.begin(), outside.end(), target_dir) != outside.end()) {
          if (!is_outside) {
            problems->push_back({file, include.line,
                                 absl::StrCat(file, " includes ", target, ": core/", target_dir,
                                              " is built apart from the library (not a layer); move what is "
                                              "needed into a layer")});
          }
          continue;
        }
        if (is_outside || !rank.count(target_dir)) continue;  // an unknown directory is reported above
        if (rank[target_dir] > rank[dir]) {
          problems->push_back(
              {file, include.line,
               absl::StrCat("layer ", dir, ": ", file, " includes ", target, " of the higher layer ", target_dir,
                            ": a layer may include only itself and the layers below it (", kPolicyPath,
                            " core_layers, lowest first: ", absl::StrJoin(layers, ", "),
                            "); move the shared code down, or pass what is needed in from above")});
        }
      }
    }
  }
}

}  // namespace ttt::gov
