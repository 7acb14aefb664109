// The verdict on a header-level API diff (api_diff.h) between two library versions: the versioning rule
// (patch = binary compatible, minor = source compatible, major = anything) applied to the breaks, less those
// accepted by review in governance/api.baseline; `ttt-gov api-diff OLD NEW` and the matrix's "API vs HEAD" row.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/governance/api_diff.h"
#include "core/governance/proto/records.pb.h"

namespace ttt::gov {

inline constexpr char kApiBaselinePath[] = "governance/api.baseline";

// governance/api.baseline: breaks of the versioning rule accepted by review, one per line
//   VERSION NAME: reason
// VERSION is the release that makes the break (HEAD's project(VERSION) until it is released); NAME a qualified
// name as api-diff prints it, a header path, or a prefix ending in `*` (ttt::Foo::* accepts every member).
struct AcceptedBreak {
  std::string version, name, reason;
};
absl::StatusOr<std::vector<AcceptedBreak>> LoadApiBaseline(const std::string& root);
// The line accepting `name` for a step from `old_version` to `new_version` (old < VERSION <= new); null if none.
const AcceptedBreak* FindAccepted(const std::vector<AcceptedBreak>& accepted, const std::string& old_version,
                                  const std::string& new_version, const std::string& name);

// "major", "minor", "patch", or "same" (equal versions: the rule of a patch step applies).
std::string VersionStep(const std::string& old_version, const std::string& new_version);

// The verdict of a diff for the step old -> new: status "compatible" (no break), "accepted" (every break is
// listed in governance/api.baseline), "breaks" (some are not, on a minor, patch or same step: fails the matrix)
// or "major" (a major step allows them; counted, not judged). Lists up to `max_listed` breaks: unaccepted ones
// first, then one per accepting line. against/against_commit are left to the caller.
ApiVerdict JudgeApi(const std::string& old_version, const std::string& new_version, const ApiDiffResult& diff,
                    const std::vector<AcceptedBreak>& accepted, int max_listed);

// Where a version's public headers are: a recorded release's install prefix (built once, InstallRelease under
// build_dir/releases) + include/ttt; HEAD's from `build_dir` (configured) installed with
// `cmake --install build_dir --component headers` into build_dir/api/HEAD (no build needed); anything else
// naming an existing directory is taken as an include tree.
absl::StatusOr<std::string> PublicHeaders(const std::string& root, const std::string& build_dir,
                                          const std::string& version, int jobs);

// `ttt-gov api-diff OLD NEW`: reads both sides, diffs and judges them (HEAD's version is its project(VERSION));
// `report` receives every break (accepted ones marked with their reason) and the verdict line.
absl::StatusOr<ApiVerdict> RunApiDiff(const std::string& root, const std::string& build_dir,
                                      const std::string& old_version, const std::string& new_version, int jobs,
                                      std::string* report);

// COMPATIBILITY.md's "Public API vs HEAD" section: the verdict of each release column in a row under the version
// columns (HEAD is the reference), then per release the step, the counts and the first breaks.
std::string RenderApiSection(const Matrix& matrix);

}  // namespace ttt::gov
