#include "core/governance/build_verify.h"

#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/governance/gov_io.h"
#include "core/governance/source_scan.h"
#include "nlohmann/json.hpp"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

struct CompileCommand {
  std::string directory, command;
};

bool IsHeader(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  return ext == ".h" || ext == ".hpp";
}

// compile_commands.json by source path relative to the root (sources outside it are left out).
absl::StatusOr<std::map<std::string, CompileCommand>> LoadCompileCommands(const std::string& root,
                                                                          const std::string& build_dir) {
  const std::string path = build_dir + "/compile_commands.json";
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  const nlohmann::json entries = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!entries.is_array()) return absl::DataLossError(path + ": not a JSON array: configure the build again");
  std::map<std::string, CompileCommand> commands;
  const fs::path base = fs::weakly_canonical(root);
  for (const nlohmann::json& e : entries) {
    if (!e.contains("file") || !e.contains("command") || !e.contains("directory")) continue;
    const fs::path file = fs::weakly_canonical(e["file"].get<std::string>());
    const std::string rel = file.lexically_relative(base).generic_string();
    if (rel.empty() || absl::StartsWith(rel, "..")) continue;
    commands[rel] = {e["directory"].get<std::string>(), e["command"].get<std::string>()};
  }
  return commands;
}

}  // namespace

absl::StatusOr<BuildVerification> VerifyBuild(const std::string& root, const std::string& build_dir,
                                              const std::vector<std::string>& touched, int jobs) {
  const CommandResult configure = RunCommand(absl::StrCat("cmake -S ", ShellQuote(root), " -B ", ShellQuote(build_dir),
                                                          " -DCMAKE_EXPORT_COMPILE_COMMANDS=ON"));
  if (configure.exit_code != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("configuring ", build_dir, " failed: ", FirstBuildError(configure.output, root)));
  }
  const CommandResult generated = RunCommand(absl::StrCat("cmake --build ", ShellQuote(build_dir), " --target ",
                                                          kGeneratedHeadersTarget, " -j", jobs));
  if (generated.exit_code != 0) {
    return absl::FailedPreconditionError(absl::StrCat("building the generated headers (", kGeneratedHeadersTarget,
                                                      ") failed: ", FirstBuildError(generated.output, root)));
  }
  absl::StatusOr<std::map<std::string, CompileCommand>> commands = LoadCompileCommands(root, build_dir);
  if (!commands.ok()) return commands.status();
  std::set<std::string> headers, units;
  for (const std::string& f : touched) (IsHeader(f) ? headers : units).insert(f);
  BuildVerification result;
  if (!headers.empty()) {
    for (const auto& [unit, command] : *commands) {
      absl::StatusOr<std::string> text = ReadTextFile(root + "/" + unit);
      if (!text.ok()) continue;
      for (const IncludeLine& inc : ScanIncludes(*text)) {
        if (headers.count(ResolveInclude(root, unit, inc.path))) units.insert(unit);
      }
    }
  }
  for (const std::string& unit : units) {
    auto it = commands->find(unit);
    if (it == commands->end()) {
      if (!IsHeader(unit) && fs::path(unit).extension() != ".proto") result.not_configured.push_back(unit);
      continue;
    }
    const CommandResult compile =
        RunCommand(absl::StrCat("cd ", ShellQuote(it->second.directory), " && ", it->second.command, " -fsyntax-only"));
    if (compile.exit_code != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("compiling ", unit, " failed: ", FirstBuildError(compile.output, root)));
    }
    result.compiled.push_back(unit);
  }
  return result;
}

}  // namespace ttt::gov
