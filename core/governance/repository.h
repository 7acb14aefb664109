// The governed view of a source tree: the policy and every module manifest found under core/, contrib/
// and experimental/, each with the directory it governs. Loading never stops at the first bad file:
// unreadable or malformed files become Problems and the rest still load.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/governance/problem.h"
#include "core/governance/proto/manifest.pb.h"
#include "core/governance/proto/policy.pb.h"

namespace google::protobuf {
class Message;
}

namespace ttt::gov {

inline constexpr char kManifestFileName[] = "module.textproto";
inline constexpr char kPolicyPath[] = "governance/policy.textproto";
inline constexpr char kModuleIndexPath[] = "governance/MODULES.md";

struct Module {
  std::string manifest_path;  // relative to the root: "core/blocks/mlp/module.textproto"
  std::string dir;            // the directory it governs: "core/blocks/mlp"
  ModuleManifest manifest;
};

struct Repository {
  std::string root;
  Policy policy;
  bool policy_loaded = false;
  std::vector<Module> modules;  // sorted by manifest path
  Problems load_problems;       // unreadable or unparsable files

  // The module whose directory is the deepest one containing `repo_relative_path`; nullptr when none.
  const Module* ModuleForPath(const std::string& repo_relative_path) const;
  const Module* FindById(const std::string& id) const;
  // The policy of `tier`; nullptr when the policy file does not define it.
  const TierPolicy* PolicyFor(Tier tier) const;
};

// Parses text-format `text` into `message`; a syntax error or unknown field becomes a Problem on
// `display_path` at the line the parser reports, with what to change.
bool ParseTextProtoWithProblems(const std::string& text, const std::string& display_path,
                                google::protobuf::Message* message, Problems* problems);

// Every module.textproto under root/{core,contrib,experimental}, as paths relative to root, sorted.
std::vector<std::string> FindManifestPaths(const std::string& root);

Repository LoadRepository(const std::string& root);

// The repository root for a tool run without --root: `start` or its nearest ancestor holding
// governance/policy.textproto.
absl::StatusOr<std::string> FindRepositoryRoot(const std::string& start);

// For commands that only read the registry (`ttt-gov modules`): the repository holding `start`
// (FindRepositoryRoot), else the package's installed copy of the governance data (PackageDataDir(), share/ttt
// beside the executable, laid out as a repository), so they work from any directory.
absl::StatusOr<std::string> FindGovernanceData(const std::string& start);

}  // namespace ttt::gov
