// The public API of two library versions compared at header level (`ttt-gov api-diff OLD NEW`, the matrix's
// "API vs HEAD" row): which public declarations of OLD are removed or changed in NEW, judged against the
// versioning rule (governance/README.md): a patch step keeps binary compatibility, a minor step source
// compatibility, a major step may change anything. Only what a header-level diff can see is checked: a removed or
// changed declaration breaks source compatibility; ABI (layouts, inline bodies, vtables) is not checked, so a
// patch step that passes here may still break binary compatibility.
//
// Declarations are read with universal-ctags (Debian universal-ctags, tools/setup.sh) from an include tree as
// installed (include/ttt): every *.h and *.proto under core/ and contrib/, except the generated *.pb.h and
// core/version.h (their .proto files stand for them) and experimental/ (no guarantee). Not API either:
// private members, and anything in an `internal`/`detail` or anonymous namespace.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/governance/proto/records.pb.h"

namespace ttt::gov {

inline constexpr char kApiBaselinePath[] = "governance/api.baseline";

// One public declaration. `group` is what a user relies on: type (class, struct, union, enum, alias, proto
// message), function (C++ functions and methods, with overloads), variable (data members, constants, proto
// fields), enumerator, macro, header. `signature` is what must stay equal: a function's template parameters,
// return type, parameter types (names dropped, a default kept as `=`) and qualifiers; a variable's type; a
// template's parameters; a function-like macro's arity.
struct ApiDecl {
  std::string group;
  std::string name;  // qualified: ttt::Foo::Bar, ttt.spec.AttentionSpec.num_heads, core/x/y.h for a header
  std::string signature;
  std::string where;  // file:line
  // Functions only: the normalised parameters, and the signature with them elided ("int (...) const").
  std::vector<std::string> params;
  std::string shape;
};

// The declarations of the include tree at `include_dir` (the directory holding core/ and contrib/).
absl::StatusOr<std::vector<ApiDecl>> ReadPublicApi(const std::string& include_dir);

// A parameter or template-parameter list as compared: "(const std::string & name,int n=4) const" ->
// "(const std::string &, int =) const". Renaming a parameter or changing a default value is not a break.
std::string NormalizeSignature(const std::string& signature);
struct ParsedSignature {
  char open = 0, close = 0;  // '(' ')' or '<' '>'; 0 when the text has no list
  std::vector<std::string> params;
  std::string suffix;  // qualifiers after the list: const, noexcept, &
};
ParsedSignature ParseSignature(const std::string& signature);
std::string FormatSignature(const ParsedSignature& signature);
// A call written against `before` still compiles against the overload `after`: the same return type, template
// and qualifiers, every old parameter kept (or given a default), and only defaulted parameters added.
bool CallsStillCompile(const ApiDecl& before, const ApiDecl& after);

struct ApiBreak {
  std::string name;         // the declaration's qualified name (or the header's path)
  std::string description;  // "removed function ttt::F (int) (core/f.h:3)" / "changed ..."
};
struct ApiDiffResult {
  std::vector<ApiBreak> breaks;  // removed or changed declarations of OLD, in name order
  int added = 0;                 // declarations or overloads NEW has and OLD had not
  int old_declarations = 0, new_declarations = 0;
};
ApiDiffResult DiffApi(const std::vector<ApiDecl>& old_api, const std::vector<ApiDecl>& new_api);

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
