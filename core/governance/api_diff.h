// The public API of two library versions compared at header level (`ttt-gov api-diff OLD NEW`, the matrix's
// "API vs HEAD" row): which public declarations of OLD are removed or changed in NEW (api_verdict.h judges them
// by the version step). Only what a header-level diff can see: a removed or changed declaration breaks source
// compatibility; the ABI (layouts, inline bodies, vtables) is not checked, so a patch step that passes here may
// still break binary compatibility.
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

namespace ttt::gov {

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

}  // namespace ttt::gov
