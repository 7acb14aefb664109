// Whether a source tree still builds after a change that moved or rewrote some of its files (a tier move):
// the build directory is configured again (a tier left without sources, a target linking a weaker tier or a
// glob that lost its files fails here), the generated headers are brought up to date, and every translation
// unit the change touched is compiled with its own command from compile_commands.json (syntax only: nothing
// of the build directory's objects changes). Linking is not redone: a move changes no symbol.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ttt::gov {

// The target every translation unit's generated headers come from (the *.pb.h of core/CMakeLists.txt).
inline constexpr char kGeneratedHeadersTarget[] = "ttt_proto";

struct BuildVerification {
  std::vector<std::string> compiled;        // translation units compiled, relative to the root
  std::vector<std::string> not_configured;  // touched sources this configuration does not build (a gated tier)
};

// `touched`: files relative to `root` that were moved (at their new path) or rewritten. A header counts
// through every translation unit that includes it. FailedPrecondition with the first error on any failure.
absl::StatusOr<BuildVerification> VerifyBuild(const std::string& root, const std::string& build_dir,
                                              const std::vector<std::string>& touched, int jobs);

}  // namespace ttt::gov
