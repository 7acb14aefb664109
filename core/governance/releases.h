// Library releases (governance/releases.textproto: version -> commit) and the cached installs of them that
// zoo models pinned to an older version build against.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/governance/proto/records.pb.h"

namespace ttt::gov {

inline constexpr char kReleasesPath[] = "governance/releases.textproto";

// The recorded releases; an absent file is no release.
absl::StatusOr<Releases> LoadReleases(const std::string& root);
// project(ttt VERSION ...) of root/CMakeLists.txt: the version HEAD (the working tree) builds.
std::string HeadVersion(const std::string& root);
// The full commit id `rev` names in root's git repository; NotFound when git does not know it.
absl::StatusOr<std::string> ResolveCommit(const std::string& root, const std::string& rev);
// The library version CMakeLists.txt declares at `commit`.
absl::StatusOr<std::string> VersionAtCommit(const std::string& root, const std::string& commit);

// `ttt-gov release VERSION [--commit C]`: appends {version, commit (default HEAD), today} to releases.textproto.
// Refuses a version that is not MAJOR.MINOR.PATCH, one already recorded, an unknown commit, and a commit whose
// CMakeLists.txt declares another version. Returns the record written.
absl::StatusOr<Release> RecordRelease(const std::string& root, const std::string& version, const std::string& rev);

// The install prefix of `version` under `cache_dir` (cache_dir/<version>/prefix), building it once: the release's
// commit is exported with `git archive` into cache_dir/<version>/src, configured without tests, built and
// installed; a stamp file naming the commit makes later calls return at once. `jobs` is the build parallelism.
absl::StatusOr<std::string> InstallRelease(const std::string& root, const std::string& version,
                                           const std::string& cache_dir, int jobs);

}  // namespace ttt::gov
