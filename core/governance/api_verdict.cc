#include "core/governance/api_verdict.h"

#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/governance/gov_io.h"
#include "core/governance/releases.h"
#include "core/governance/version.h"
#include "core/runtime/status.h"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

std::string ApiSymbol(const ApiVerdict* v) {
  if (v == nullptr) return "· not run";
  if (v->status() == "compatible") return "✅ compatible";
  if (v->status() == "accepted") return absl::StrCat("⚠️ ", v->accepted(), " accepted break(s)");
  if (v->status() == "major") return absl::StrCat("➖ major step: ", v->breaks() + v->accepted(), " change(s)");
  return absl::StrCat("❌ ", v->breaks(), " break(s)");
}


}  // namespace

absl::StatusOr<std::vector<AcceptedBreak>> LoadApiBaseline(const std::string& root) {
  const std::string path = root + "/" + kApiBaselinePath;
  // Names hold "::" but never ": ", so the first ": " ends the key.
  TTT_ASSIGN_OR_RETURN(const std::vector<BaselineEntry> entries, ReadBaselineEntries(path, ": "));
  std::vector<AcceptedBreak> accepted;
  for (const BaselineEntry& e : entries) {
    if (e.key.size() != 2 || !ParseVersion(e.key[0]) || e.reason.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", e.line, ": write `VERSION NAME: reason` (VERSION the release making the break)"));
    }
    accepted.push_back({e.key[0], e.key[1], e.reason});
  }
  return accepted;
}

const AcceptedBreak* FindAccepted(const std::vector<AcceptedBreak>& accepted, const std::string& old_version,
                                  const std::string& new_version, const std::string& name) {
  const std::optional<Version> from = ParseVersion(old_version), to = ParseVersion(new_version);
  if (!from || !to) return nullptr;
  for (const AcceptedBreak& a : accepted) {
    const std::optional<Version> at = ParseVersion(a.version);
    if (!at || !(*from < *at) || *to < *at) continue;
    const bool prefix = absl::EndsWith(a.name, "*");
    if (prefix ? absl::StartsWith(name, a.name.substr(0, a.name.size() - 1)) : name == a.name) return &a;
  }
  return nullptr;
}

std::string VersionStep(const std::string& old_version, const std::string& new_version) {
  const std::optional<Version> a = ParseVersion(old_version), b = ParseVersion(new_version);
  if (!a || !b) return "unknown";
  if ((*a)[0] != (*b)[0]) return "major";
  if ((*a)[1] != (*b)[1]) return "minor";
  return (*a)[2] != (*b)[2] ? "patch" : "same";
}

ApiVerdict JudgeApi(const std::string& old_version, const std::string& new_version, const ApiDiffResult& diff,
                    const std::vector<AcceptedBreak>& accepted, int max_listed) {
  ApiVerdict v;
  v.set_version(old_version);
  v.set_against_version(new_version);
  v.set_step(VersionStep(old_version, new_version));
  v.set_added(diff.added);
  v.set_declarations(diff.old_declarations);
  v.set_generated(TodayUtc());
  // Accepted breaks as examples when room is left: one per baseline line (not five of one prefix), lines naming
  // one declaration before prefix lines (those are usually whole areas that were never API).
  std::vector<std::string> exact, prefixed;
  std::set<const AcceptedBreak*> shown;
  for (const ApiBreak& b : diff.breaks) {
    if (const AcceptedBreak* a = FindAccepted(accepted, old_version, new_version, b.name); a != nullptr) {
      v.set_accepted(v.accepted() + 1);
      if (shown.insert(a).second) {
        (absl::EndsWith(a->name, "*") ? prefixed : exact)
            .push_back(absl::StrCat(b.description, " [accepted: ", a->reason, "]"));
      }
      continue;
    }
    v.set_breaks(v.breaks() + 1);
    if (v.first_breaks_size() < max_listed) v.add_first_breaks(b.description);
  }
  for (const auto* list : {&exact, &prefixed}) {
    for (const std::string& a : *list) {
      if (v.first_breaks_size() < max_listed) v.add_first_breaks(a);
    }
  }
  v.set_status(v.step() == "major" ? "major"
               : v.breaks() > 0    ? "breaks"
               : v.accepted() > 0  ? "accepted"
                                   : "compatible");
  return v;
}

absl::StatusOr<std::string> PublicHeaders(const std::string& root, const std::string& build_dir,
                                          const std::string& version, int jobs) {
  if (version == "HEAD") {
    if (!fs::exists(build_dir + "/CMakeCache.txt")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no configured build in ", build_dir, " to install HEAD's headers from: configure one or pass --build DIR"));
    }
    // A fresh tree each time: a header deleted from the source must not linger from an earlier install.
    const std::string prefix = build_dir + "/api/HEAD";
    std::error_code ec;
    fs::remove_all(prefix, ec);
    const CommandResult r = RunCommand(absl::StrCat("cmake --install ", ShellQuote(build_dir),
                                                    " --component headers --prefix ", ShellQuote(prefix)));
    if (r.exit_code != 0) return absl::InternalError("installing HEAD's headers failed: " + r.output);
    return prefix + "/include/ttt";
  }
  if (ParseVersion(version)) {
    absl::StatusOr<std::string> prefix = InstallRelease(root, version, build_dir + "/releases", jobs);
    if (!prefix.ok()) return prefix.status();
    return *prefix + "/include/ttt";
  }
  if (fs::is_directory(fs::path(version) / "include/ttt")) return version + "/include/ttt";
  if (fs::is_directory(version)) return version;
  return absl::NotFoundError(absl::StrCat("'", version, "' is neither HEAD, a MAJOR.MINOR.PATCH release nor a directory"));
}

absl::StatusOr<ApiVerdict> RunApiDiff(const std::string& root, const std::string& build_dir,
                                      const std::string& old_version, const std::string& new_version, int jobs,
                                      std::string* report) {
  absl::StatusOr<std::vector<AcceptedBreak>> accepted = LoadApiBaseline(root);
  if (!accepted.ok()) return accepted.status();
  std::vector<ApiDecl> sides[2];
  std::string versions[2];
  const std::string names[2] = {old_version, new_version};
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<std::string> dir = PublicHeaders(root, build_dir, names[i], jobs);
    if (!dir.ok()) return dir.status();
    absl::StatusOr<std::vector<ApiDecl>> api = ReadPublicApi(*dir);
    if (!api.ok()) return api.status();
    sides[i] = *std::move(api);
    // A directory has no version (step "unknown"): judged as strictly as a patch step, with nothing accepted.
    versions[i] = names[i] == "HEAD" ? HeadVersion(root) : names[i];
  }
  std::string against_commit;
  if (new_version == "HEAD") {
    if (absl::StatusOr<std::string> commit = ResolveCommit(root, "HEAD"); commit.ok()) against_commit = *commit;
  } else if (absl::StatusOr<Releases> releases = LoadReleases(root); releases.ok()) {
    for (const Release& r : releases->releases()) {
      if (r.version() == new_version) against_commit = r.commit();
    }
  }
  const ApiDiffResult diff = DiffApi(sides[0], sides[1]);
  ApiVerdict verdict = JudgeApi(versions[0], versions[1], diff, *accepted, 8);
  verdict.set_version(old_version);
  verdict.set_against(new_version);
  verdict.set_against_commit(against_commit);
  for (const ApiBreak& b : diff.breaks) {
    const AcceptedBreak* a = FindAccepted(*accepted, versions[0], versions[1], b.name);
    absl::StrAppend(report, b.description, a == nullptr ? "" : absl::StrCat(" [accepted in ", kApiBaselinePath, " for ",
                                                                             a->version, ": ", a->reason, "]"), "\n");
  }
  absl::StrAppend(report, "api-diff ", old_version, " (", versions[0], ") -> ", new_version, " (", versions[1],
                  "): ", verdict.step(), " step, ", verdict.status(), ": ", diff.breaks.size(),
                  " removed or changed declaration(s) of ", diff.old_declarations, ", ", verdict.accepted(),
                  " accepted in ", kApiBaselinePath, ", ", verdict.breaks(), " not; ", diff.added, " added\n");
  return verdict;
}

// The "API vs HEAD" row: one verdict per release column (HEAD is the reference), then the step, the counts and
// the first breaks of each.
std::string RenderApiSection(const Matrix& matrix) {
  std::string text;
  std::string* out = &text;
  std::map<std::string, const ApiVerdict*> verdicts;
  for (const ApiVerdict& v : matrix.api()) verdicts[v.version()] = &v;
  absl::StrAppend(out, "\n## Public API vs HEAD\n\n"
                       "Each release's installed public headers and .proto files against HEAD's (`ttt-gov api-diff "
                       "VERSION`): a public declaration removed or changed is a break, judged by the version step "
                       "(minor: source compatible, patch: binary compatible, major: anything). Breaks accepted by "
                       "review are listed in governance/api.baseline. Header level only: the ABI is not checked.\n\n|  |");
  for (const std::string& v : matrix.versions()) absl::StrAppend(out, " ", v, " |");
  absl::StrAppend(out, "\n|---|");
  for (int i = 0; i < matrix.versions_size(); ++i) absl::StrAppend(out, "---|");
  absl::StrAppend(out, "\n| API vs HEAD |");
  for (const std::string& v : matrix.versions()) {
    const auto it = verdicts.find(v);
    absl::StrAppend(out, " ", v == "HEAD" ? "(reference)" : ApiSymbol(it == verdicts.end() ? nullptr : it->second), " |");
  }
  absl::StrAppend(out, "\n");
  std::string details;
  for (const ApiVerdict& v : matrix.api()) {
    absl::StrAppend(&details, "- ", v.version(), " -> ", v.against(), " (", v.against_version(), ", `",
                    v.against_commit().substr(0, 12), "`, ", v.generated(), "): ", v.step(), " step, ", v.status(),
                    ": ", v.breaks() + v.accepted(), " of ", v.declarations(), " declarations removed or changed, ",
                    v.accepted(), " accepted, ", v.breaks(), " not; ", v.added(), " added.",
                    v.first_breaks().empty() ? "" : " Examples:", "\n");
    for (const std::string& b : v.first_breaks()) absl::StrAppend(&details, "  - `", b, "`\n");
  }
  if (!details.empty()) absl::StrAppend(out, "\n", details);
  return text;
}

}  // namespace ttt::gov
