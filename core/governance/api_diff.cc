#include "core/governance/api_diff.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/governance/gov_io.h"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Identifiers and numbers as one token, `::` and `...` as one, any other non-space character alone.
std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < text.size() && IsWordChar(text[j])) ++j;
      out.push_back(text.substr(i, j - i));
      i = j;
    } else if (text.compare(i, 2, "::") == 0 || text.compare(i, 3, "...") == 0) {
      const size_t n = text[i] == ':' ? 2 : 3;
      out.push_back(text.substr(i, n));
      i += n;
    } else {
      out.push_back(std::string(1, c));
      ++i;
    }
  }
  return out;
}

// One spelling per token sequence: a space only between two words ("const std::string&").
std::string Join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& t : tokens) {
    if (!out.empty() && IsWordChar(out.back()) && IsWordChar(t[0])) out += ' ';
    out += t;
  }
  return out;
}

// Words that end a parameter's type, never name the parameter ("unsigned int", "const char").
bool IsTypeWord(const std::string& word) {
  static const std::set<std::string> kWords = {"int", "char", "long", "short", "double", "float", "bool", "void",
                                               "unsigned", "signed", "const", "volatile", "auto", "typename",
                                               "class", "struct", "enum"};
  return kWords.count(word) > 0 || std::isdigit(static_cast<unsigned char>(word[0])) != 0;
}

// Splits at `sep` outside (), <>, [] and {}.
std::vector<std::string> SplitTopLevel(const std::string& text, char sep) {
  std::vector<std::string> parts(1);
  int depth = 0;
  for (const char c : text) {
    if (c == '(' || c == '<' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == '>' || c == ']' || c == '}') --depth;
    if (c == sep && depth == 0) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

// A parameter without its name, its default reduced to "=": "int n=4" -> "int =".
std::string NormalizeParameter(const std::string& param) {
  const std::vector<std::string> halves = SplitTopLevel(param, '=');
  std::vector<std::string> tokens = Tokens(halves[0]);
  if (tokens.size() >= 2 && IsWordChar(tokens.back()[0]) && !IsTypeWord(tokens.back()) &&
      tokens[tokens.size() - 2] != "::") {
    tokens.pop_back();
  }
  std::string out = Join(tokens);
  if (halves.size() > 1) out += out.empty() ? "=" : " =";
  return out;
}

// A function template's own parameter names, numbered by position: renaming T to U in
// `template <typename T> T Twice(T)` changes nothing for a caller. "<typename T,int N=3>" -> {T: _T0, N: _T1}.
std::map<std::string, std::string> TemplateNames(const std::string& templ) {
  std::map<std::string, std::string> names;
  if (templ.size() < 2) return names;
  for (const std::string& p : SplitTopLevel(templ.substr(1, templ.size() - 2), ',')) {
    const std::vector<std::string> tokens = Tokens(SplitTopLevel(p, '=')[0]);
    if (tokens.size() >= 2 && IsWordChar(tokens.back()[0])) {
      names.emplace(tokens.back(), absl::StrCat("_T", names.size()));
    }
  }
  return names;
}

std::string Rename(const std::string& text, const std::map<std::string, std::string>& names) {
  if (names.empty()) return text;
  std::vector<std::string> tokens = Tokens(text);
  for (std::string& t : tokens) {
    const auto it = names.find(t);
    if (it != names.end()) t = it->second;
  }
  return Join(tokens);
}

std::string Group(const std::string& kind) {
  static const std::map<std::string, std::string> kGroups = {
      {"class", "type"},      {"struct", "type"},     {"union", "type"},       {"enum", "type"},
      {"typedef", "type"},    {"name", "type"},       {"alias", "type"},       {"message", "type"},
      {"oneof", "type"},      {"service", "type"},    {"function", "function"}, {"prototype", "function"},
      {"rpc", "function"},    {"member", "variable"}, {"variable", "variable"}, {"field", "variable"},
      {"enumerator", "enumerator"}, {"macro", "macro"}};
  const auto it = kGroups.find(kind);
  return it == kGroups.end() ? "" : it->second;
}

bool IsPublicFile(const std::string& path) {
  if (!absl::StartsWith(path, "core/") && !absl::StartsWith(path, "contrib/")) return false;
  if (absl::EndsWith(path, ".pb.h") || path == "core/version.h") return false;
  if (absl::StrContains(path, "/internal/") || absl::StrContains(path, "/detail/")) return false;
  return absl::EndsWith(path, ".h") || absl::EndsWith(path, ".proto");
}

// A scope no user can name from outside: internal/detail namespaces, anonymous ones, a function's body.
bool HiddenScope(const std::string& scope, const std::string& scope_kind) {
  if (scope_kind == "function" || scope_kind == "prototype") return true;
  for (absl::string_view part : absl::StrSplit(scope, absl::ByAnyChar(":."), absl::SkipEmpty())) {
    if (part == "internal" || part == "detail" || absl::StartsWith(part, "__anon")) return true;
  }
  return false;
}

// One line of ctags' u-ctags output with --excmd=number: name, file, `N;"`, kind, then key:value fields.
std::optional<ApiDecl> ParseTagLine(absl::string_view line) {
  const std::vector<std::string> cols = absl::StrSplit(line, '\t');
  if (cols.size() < 4 || line.empty() || line[0] == '!') return std::nullopt;
  std::map<std::string, std::string> f;
  for (size_t i = 4; i < cols.size(); ++i) {
    const size_t colon = cols[i].find(':');
    if (colon != std::string::npos) f[cols[i].substr(0, colon)] = cols[i].substr(colon + 1);
  }
  const std::string& name = cols[0];
  const std::string& file = cols[1];
  const std::string group = Group(cols[3]);
  if (group.empty() || !IsPublicFile(file) || f["access"] == "private" || absl::StartsWith(name, "__anon")) {
    return std::nullopt;
  }
  std::string scope_kind, scope;
  if (const size_t colon = f["scope"].find(':'); colon != std::string::npos) {
    scope_kind = f["scope"].substr(0, colon);
    scope = f["scope"].substr(colon + 1);
  }
  if (HiddenScope(scope, scope_kind)) return std::nullopt;
  const bool proto = absl::EndsWith(file, ".proto");
  ApiDecl decl{.group = group,
               .name = scope.empty() ? name : absl::StrCat(scope, proto ? "." : "::", name),
               .signature = {},
               .where = absl::StrCat(file, ":", f["line"]),
               .params = {},
               .shape = {}};
  std::string type = f["typeref"];
  if (absl::StartsWith(type, "typename:")) type = type.substr(9);
  const std::map<std::string, std::string> tparams = group == "function" ? TemplateNames(f["template"])
                                                                         : std::map<std::string, std::string>{};
  type = Rename(Join(Tokens(type)), tparams);
  const std::string templ = f.count("template") ? NormalizeSignature(f["template"]) : "";
  if (group == "function") {
    ParsedSignature sig = ParseSignature(Rename(f["signature"], tparams));
    decl.signature = std::string(absl::StripAsciiWhitespace(absl::StrJoin({templ, type, FormatSignature(sig)}, " ")));
    decl.params = sig.params;
    sig.params = {"..."};
    decl.shape = absl::StrJoin({templ, type, FormatSignature(sig)}, " ");
  } else if (group == "variable") {
    decl.signature = type;
  } else if (group == "type") {
    decl.signature = templ;
  } else if (group == "macro" && !f["signature"].empty()) {
    decl.signature = absl::StrCat("(", SplitTopLevel(f["signature"].substr(1, f["signature"].size() - 2), ',').size(),
                                  " parameter(s))");
  }
  return decl;
}

std::string Describe(const std::string& verb, const ApiDecl& d) {
  return absl::StrCat(verb, " ", d.group, " ", d.name, d.signature.empty() ? "" : " " + d.signature,
                      d.where == d.name ? "" : " (" + d.where + ")");
}

// group + name -> signature -> the declaration (one per overload).
using ApiIndex = std::map<std::pair<std::string, std::string>, std::map<std::string, ApiDecl>>;
ApiIndex Index(const std::vector<ApiDecl>& api) {
  ApiIndex index;
  for (const ApiDecl& d : api) index[{d.group, d.name}].emplace(d.signature, d);
  return index;
}

// True when `name` lies inside the type `outer` (ttt::Foo::Bar in ttt::Foo; ttt.spec.A.x in ttt.spec.A).
bool Inside(const std::string& name, const std::string& outer) {
  return name.size() > outer.size() && absl::StartsWith(name, outer) &&
         (name.compare(outer.size(), 2, "::") == 0 || name[outer.size()] == '.');
}

}  // namespace

ParsedSignature ParseSignature(const std::string& raw) {
  ParsedSignature parsed;
  const std::string sig(absl::StripAsciiWhitespace(raw));
  if (sig.empty() || (sig[0] != '(' && sig[0] != '<')) {
    parsed.suffix = Join(Tokens(sig));
    return parsed;
  }
  parsed.open = sig[0];
  parsed.close = parsed.open == '(' ? ')' : '>';
  int depth = 0;
  size_t end = sig.size();
  for (size_t i = 0; i < sig.size(); ++i) {
    if (sig[i] == '(' || sig[i] == '<') ++depth;
    if ((sig[i] == ')' || sig[i] == '>') && --depth == 0 && sig[i] == parsed.close) {
      end = i;
      break;
    }
  }
  const std::string inside = sig.substr(1, end == sig.size() ? std::string::npos : end - 1);
  for (const std::string& p : SplitTopLevel(inside, ',')) {
    const std::string n = NormalizeParameter(p);
    if (!n.empty()) parsed.params.push_back(n);
  }
  if (parsed.params.size() == 1 && parsed.params[0] == "void") parsed.params.clear();
  parsed.suffix = end < sig.size() ? Join(Tokens(sig.substr(end + 1))) : "";
  return parsed;
}

std::string FormatSignature(const ParsedSignature& s) {
  if (s.open == 0) return s.suffix;
  return absl::StrCat(std::string(1, s.open), absl::StrJoin(s.params, ", "), std::string(1, s.close),
                      s.suffix.empty() ? "" : " " + s.suffix);
}

std::string NormalizeSignature(const std::string& raw) { return FormatSignature(ParseSignature(raw)); }

bool CallsStillCompile(const ApiDecl& before, const ApiDecl& after) {
  if (before.group != "function" || before.shape != after.shape || after.params.size() < before.params.size()) {
    return false;
  }
  for (size_t i = 0; i < after.params.size(); ++i) {
    const std::string& p = after.params[i];
    if (i < before.params.size() ? p != before.params[i] && p != before.params[i] + " =" : !absl::EndsWith(p, "=")) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::vector<ApiDecl>> ReadPublicApi(const std::string& include_dir) {
  std::vector<std::string> trees;
  for (const char* tree : {"core", "contrib"}) {
    if (fs::is_directory(fs::path(include_dir) / tree)) trees.push_back(tree);
  }
  if (trees.empty()) {
    return absl::NotFoundError(absl::StrCat(include_dir, " holds no core/ or contrib/ headers: not an include tree"));
  }
  // u-ctags format, one tag per line; prototypes (p) and using-declarations (N) on, #include lines (h) off.
  const CommandResult r = RunCommand(absl::StrCat(
      "cd ", ShellQuote(include_dir),
      " && ctags --languages=C++,Protobuf --langmap=C++:+.h --kinds-C++=+pN-h --kinds-Protobuf=-D",
      " --fields=+KSaZtsn --fields-C++=+{template} --excmd=number --sort=no -R -f - ", absl::StrJoin(trees, " "),
      " 2>/dev/null"));
  if (r.exit_code != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "ctags failed (exit ", r.exit_code, ") on ", include_dir,
        ": api-diff needs universal-ctags (Debian package universal-ctags, installed by tools/setup.sh)"));
  }
  std::vector<ApiDecl> api;
  std::set<std::string> headers;
  for (absl::string_view line : absl::StrSplit(r.output, '\n', absl::SkipEmpty())) {
    if (std::optional<ApiDecl> d = ParseTagLine(line)) api.push_back(*std::move(d));
  }
  std::error_code ec;
  for (const std::string& tree : trees) {
    for (auto it = fs::recursive_directory_iterator(fs::path(include_dir) / tree, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string rel = fs::relative(it->path(), include_dir, ec).generic_string();
      if (it->is_regular_file() && IsPublicFile(rel)) headers.insert(rel);
    }
  }
  for (const std::string& h : headers) api.push_back({.group = "header", .name = h, .signature = {}, .where = h, .params = {}, .shape = {}});
  return api;
}

ApiDiffResult DiffApi(const std::vector<ApiDecl>& old_api, const std::vector<ApiDecl>& new_api) {
  ApiDiffResult result;
  const ApiIndex before = Index(old_api), after = Index(new_api);
  for (const auto& [key, sigs] : before) result.old_declarations += static_cast<int>(sigs.size());
  for (const auto& [key, sigs] : after) result.new_declarations += static_cast<int>(sigs.size());
  // Types removed as a whole: their members are not listed again.
  std::vector<std::string> removed_types;
  for (const auto& [key, sigs] : before) {
    if (key.first == "type" && after.count(key) == 0) removed_types.push_back(key.second);
  }
  for (const auto& [key, sigs] : before) {
    const auto now = after.find(key);
    if (now == after.end()) {
      const std::string& name = key.second;  // lambdas may not capture structured bindings (clang 14)
      const bool inside_removed = std::any_of(removed_types.begin(), removed_types.end(),
                                              [&name](const std::string& t) { return Inside(name, t); });
      if (!inside_removed) result.breaks.push_back({key.second, Describe("removed", sigs.begin()->second)});
      continue;
    }
    for (const auto& [sig, declared] : sigs) {
      if (now->second.count(sig) > 0) continue;
      const auto& decl = declared;  // a reference the lambda can capture (not a structured binding)
      if (std::any_of(now->second.begin(), now->second.end(),
                      [&decl](const auto& entry) { return CallsStillCompile(decl, entry.second); })) {
        continue;
      }
      std::vector<std::string> current;
      for (const auto& [s, d] : now->second) current.push_back(absl::StrCat(s.empty() ? "(no signature)" : s, " (", d.where, ")"));
      result.breaks.push_back({key.second, absl::StrCat(Describe("changed", decl), ", now ", absl::StrJoin(current, " | "))});
    }
  }
  for (const auto& [key, sigs] : after) {
    const auto was = before.find(key);
    for (const auto& [sig, decl] : sigs) result.added += was == before.end() || was->second.count(sig) == 0;
  }
  std::stable_sort(result.breaks.begin(), result.breaks.end(),
                   [](const ApiBreak& a, const ApiBreak& b) { return a.name < b.name; });
  return result;
}

}  // namespace ttt::gov
