// ttt-gov: the governance tool. The logic lives in core/governance; this file only reads the command line.
//   ttt-gov check   [--root DIR]    validate manifests, policy, tier rule, tests, module index (CI)
//   ttt-gov index   [--root DIR]    regenerate governance/MODULES.md
//   ttt-gov modules list [--category C] [--tier T] | search TEXT | show ID   [--root DIR]
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/governance/checker.h"
#include "core/governance/module_index.h"
#include "core/governance/module_query.h"
#include "core/governance/tiers.h"

namespace {

constexpr char kUsage[] =
    "usage: ttt-gov <command> [--root DIR]\n"
    "  check                                   validate every module.textproto against the schema and\n"
    "                                          governance/policy.textproto; exit 1 on any problem\n"
    "  index                                   regenerate governance/MODULES.md from the manifests\n"
    "  modules list [--category C] [--tier T]  list registered modules (tier: core, contrib, community,\n"
    "                                          experimental)\n"
    "  modules search TEXT                     modules whose id, category or summary contain every word\n"
    "  modules show ID                         a module's manifest, devices and spec fields\n"
    "--root defaults to the nearest directory, from the current one upwards, holding\n"
    "governance/policy.textproto.\n";

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  // "--root" -> "DIR"
};

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "ttt-gov: %s\n", error.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

// Accepts "--flag VALUE" and "--flag=VALUE" for the known flags; false on an unknown or valueless flag.
bool ParseArgs(int argc, char** argv, Args* args, std::string* error) {
  static const std::vector<std::string> kFlags = {"--root", "--category", "--tier"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      *error = "";
      return false;
    }
    if (arg.rfind("--", 0) != 0) {
      args->positional.push_back(arg);
      continue;
    }
    std::string value;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      *error = arg + " needs a value";
      return false;
    }
    if (std::find(kFlags.begin(), kFlags.end(), arg) == kFlags.end()) {
      *error = "unknown option " + arg;
      return false;
    }
    args->flags[arg] = value;
  }
  return true;
}

int Check(const std::string& root) {
  const ttt::gov::CheckReport report = ttt::gov::RunChecks({.root = root});
  for (const ttt::gov::Problem& warning : report.warnings) {
    std::printf("%s (warning)\n", ttt::gov::FormatProblem(warning).c_str());
  }
  for (const ttt::gov::Problem& problem : report.problems) {
    std::printf("%s\n", ttt::gov::FormatProblem(problem).c_str());
  }
  std::printf("ttt-gov check: %d modules in %s: %zu problem(s), %zu warning(s)\n", report.modules_checked,
              root.c_str(), report.problems.size(), report.warnings.size());
  return report.ok() ? 0 : 1;
}

int Index(const std::string& root) {
  const ttt::gov::Repository repo = ttt::gov::LoadRepository(root);
  if (!repo.load_problems.empty()) {
    for (const ttt::gov::Problem& problem : repo.load_problems) {
      std::fprintf(stderr, "%s\n", ttt::gov::FormatProblem(problem).c_str());
    }
    std::fprintf(stderr, "ttt-gov index: fix the files above first; the index was not written\n");
    return 1;
  }
  if (absl::Status status = ttt::gov::WriteModuleIndex(repo); !status.ok()) {
    std::fprintf(stderr, "ttt-gov index: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::printf("wrote %s/%s (%zu modules)\n", root.c_str(), ttt::gov::kModuleIndexPath, repo.modules.size());
  return 0;
}

int Modules(const std::string& root, const Args& args) {
  if (args.positional.size() < 2) return Usage("modules needs list, search TEXT or show ID");
  const std::string& verb = args.positional[1];
  const ttt::gov::Repository repo = ttt::gov::LoadRepository(root);
  for (const ttt::gov::Problem& problem : repo.load_problems) {
    std::fprintf(stderr, "%s (skipped)\n", ttt::gov::FormatProblem(problem).c_str());
  }
  std::vector<const ttt::gov::Module*> found;
  if (verb == "list") {
    std::optional<ttt::gov::Tier> tier;
    if (auto it = args.flags.find("--tier"); it != args.flags.end()) {
      tier = ttt::gov::ParseTier(it->second);
      if (!tier) return Usage("unknown tier '" + it->second + "': use core, contrib, community or experimental");
    }
    auto category = args.flags.find("--category");
    found = ttt::gov::ListModules(repo, category == args.flags.end() ? "" : category->second, tier);
  } else if (verb == "search") {
    if (args.positional.size() < 3) return Usage("modules search needs TEXT");
    std::string text;
    for (size_t i = 2; i < args.positional.size(); ++i) text += args.positional[i] + " ";
    found = ttt::gov::SearchModules(repo, text);
  } else if (verb == "show") {
    if (args.positional.size() != 3) return Usage("modules show needs one ID");
    const ttt::gov::Module* module = repo.FindById(args.positional[2]);
    if (module == nullptr) {
      std::fprintf(stderr, "ttt-gov: no module with id '%s': see `ttt-gov modules list` or `modules search`\n",
                   args.positional[2].c_str());
      return 1;
    }
    std::fputs(ttt::gov::FormatModuleDetails(*module).c_str(), stdout);
    return 0;
  } else {
    return Usage("unknown modules command '" + verb + "'");
  }
  for (const ttt::gov::Module* module : found) std::printf("%s\n", ttt::gov::FormatModuleLine(*module).c_str());
  if (found.empty()) std::fprintf(stderr, "no module matches\n");
  return found.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  std::string error;
  if (!ParseArgs(argc, argv, &args, &error)) return Usage(error);
  if (args.positional.empty()) return Usage("");
  std::string root;
  if (auto it = args.flags.find("--root"); it != args.flags.end()) {
    root = it->second;
  } else {
    absl::StatusOr<std::string> found = ttt::gov::FindRepositoryRoot(".");
    if (!found.ok()) {
      std::fprintf(stderr, "ttt-gov: %s\n", std::string(found.status().message()).c_str());
      return 2;
    }
    root = *found;
  }
  const std::string& command = args.positional[0];
  if (command == "check") return args.positional.size() == 1 ? Check(root) : Usage("check takes no arguments");
  if (command == "index") return args.positional.size() == 1 ? Index(root) : Usage("index takes no arguments");
  if (command == "modules") return Modules(root, args);
  return Usage("unknown command '" + command + "'");
}
