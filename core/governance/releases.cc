#include "core/governance/releases.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/governance/gov_io.h"
#include "core/governance/version.h"
#include "google/protobuf/text_format.h"

namespace ttt::gov {
namespace fs = std::filesystem;

absl::StatusOr<Releases> LoadReleases(const std::string& root) {
  Releases releases;
  const std::string path = root + "/" + kReleasesPath;
  if (!fs::exists(path)) return releases;
  if (absl::Status status = ReadTextProto(path, &releases); !status.ok()) return status;
  return releases;
}

std::string HeadVersion(const std::string& root) {
  absl::StatusOr<std::string> text = ReadTextFile(root + "/CMakeLists.txt");
  return text.ok() ? ProjectVersionFromCMake(*text) : "";
}

absl::StatusOr<std::string> ResolveCommit(const std::string& root, const std::string& rev) {
  const CommandResult r =
      RunCommand(absl::StrCat("git -C ", ShellQuote(root), " rev-parse --verify --quiet ", ShellQuote(rev + "^{commit}")));
  std::string id(absl::StripAsciiWhitespace(r.output));
  if (r.exit_code != 0 || id.size() != 40) {
    return absl::NotFoundError(absl::StrCat("git in ", root, " knows no commit '", rev,
                                            "': give a commit id, tag or branch of this repository (git log)"));
  }
  return id;
}

absl::StatusOr<std::string> VersionAtCommit(const std::string& root, const std::string& commit) {
  const CommandResult r = RunCommand(absl::StrCat("git -C ", ShellQuote(root), " show ", ShellQuote(commit + ":CMakeLists.txt")));
  if (r.exit_code != 0) return absl::NotFoundError(absl::StrCat("commit ", commit, " has no CMakeLists.txt"));
  std::string version = ProjectVersionFromCMake(r.output);
  if (version.empty()) {
    return absl::NotFoundError(absl::StrCat("CMakeLists.txt at ", commit, " has no project(ttt VERSION X.Y.Z)"));
  }
  return version;
}

absl::StatusOr<Release> RecordRelease(const std::string& root, const std::string& version, const std::string& rev) {
  if (!ParseVersion(version)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", version, "' is not a release version: write MAJOR.MINOR.PATCH, e.g. 2.1.0"));
  }
  absl::StatusOr<Releases> releases = LoadReleases(root);
  if (!releases.ok()) return releases.status();
  for (const Release& r : releases->releases()) {
    if (r.version() == version) {
      return absl::AlreadyExistsError(absl::StrCat("release ", version, " is already recorded (commit ", r.commit(),
                                                   ") in ", kReleasesPath,
                                                   ": a release is immutable; bump project(VERSION) and release that"));
    }
  }
  absl::StatusOr<std::string> commit = ResolveCommit(root, rev.empty() ? "HEAD" : rev);
  if (!commit.ok()) return commit.status();
  absl::StatusOr<std::string> declared = VersionAtCommit(root, *commit);
  if (!declared.ok()) return declared.status();
  if (*declared != version) {
    return absl::FailedPreconditionError(absl::StrCat(
        "commit ", commit->substr(0, 12), " builds ttt ", *declared, " (project(VERSION) in its CMakeLists.txt), not ",
        version, ": release ", *declared, " from it, or set project(ttt VERSION ", version,
        ") in CMakeLists.txt, commit, and release that commit"));
  }
  Release record;
  record.set_version(version);
  record.set_commit(*commit);
  record.set_date(TodayUtc());
  *releases->add_releases() = record;
  std::string text;
  google::protobuf::TextFormat::PrintToString(*releases, &text);
  const std::string header =
      "# Library releases: version -> commit. Appended by `ttt-gov release VERSION [--commit C]`; never edit by hand.\n"
      "# Schema: ttt.gov.Releases in core/governance/proto/records.proto.\n";
  if (absl::Status status = WriteTextFile(root + "/" + kReleasesPath, header + text); !status.ok()) return status;
  return record;
}

absl::StatusOr<std::string> InstallRelease(const std::string& root, const std::string& version,
                                           const std::string& cache_dir, int jobs) {
  absl::StatusOr<Releases> releases = LoadReleases(root);
  if (!releases.ok()) return releases.status();
  const Release* release = nullptr;
  for (const Release& r : releases->releases()) {
    if (r.version() == version) release = &r;
  }
  if (release == nullptr) {
    return absl::NotFoundError(absl::StrCat("no release ", version, " in ", kReleasesPath,
                                            ": record it with `ttt-gov release ", version, " --commit C`"));
  }
  const std::string base = absl::StrCat(fs::absolute(cache_dir).string(), "/", version);
  const std::string prefix = base + "/prefix";
  const std::string stamp = prefix + "/.ttt-release-" + release->commit();
  if (fs::exists(stamp)) return prefix;  // cached
  const std::string src = base + "/src", build = base + "/build";
  std::error_code ec;
  fs::remove_all(src, ec);
  fs::create_directories(src, ec);
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"export", absl::StrCat("git -C ", ShellQuote(root), " archive ", release->commit(), " | tar -x -C ", ShellQuote(src))},
      {"configure", absl::StrCat("cmake -S ", ShellQuote(src), " -B ", ShellQuote(build),
                                 " -DCMAKE_BUILD_TYPE=Release -DTTT_BUILD_TESTS=OFF -DTTT_BUILD_BENCH=OFF")},
      {"build", absl::StrCat("cmake --build ", ShellQuote(build), " -j", jobs)},
      {"install", absl::StrCat("cmake --install ", ShellQuote(build), " --prefix ", ShellQuote(prefix))},
  };
  for (const auto& [what, command] : steps) {
    const CommandResult r = RunCommand(command);
    if (r.exit_code != 0) {
      const std::string tail = r.output.size() > 3000 ? r.output.substr(r.output.size() - 3000) : r.output;
      return absl::InternalError(absl::StrCat("building release ", version, " (", release->commit().substr(0, 12),
                                              "): ", what, " failed: ", command, "\n", tail));
    }
  }
  if (absl::Status s = WriteTextFile(stamp, release->commit() + "\n"); !s.ok()) return s;
  return prefix;
}

}  // namespace ttt::gov
