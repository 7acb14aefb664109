// ttt-gov: the governance tool. The logic lives in core/governance; this file only reads the command line.
//   ttt-gov check   [--root DIR]    validate manifests, policy, tier rule, tests, module index (CI)
//   ttt-gov index   [--root DIR]    regenerate governance/MODULES.md
//   ttt-gov modules list [--category C] [--tier T] | search TEXT | show ID   [--root DIR]
//   ttt-gov promote ID --to TIER [--dry-run] [--coverage F] [--to-dir DIR] [--reason TEXT]
//   ttt-gov new-model NAME --from TEMPLATE [--zoo-dir DIR]
//   ttt-gov pin MODEL VERSION
//   ttt-gov release VERSION [--commit C]
//   ttt-gov install-release VERSION [--cache DIR]
//   ttt-gov matrix [--versions V,..] [--models M,..] [--devices D,..] [--build DIR] | --check [--zoo-build DIR] | --render
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/governance/checker.h"
#include "core/governance/matrix.h"
#include "core/governance/promote.h"
#include "core/governance/releases.h"
#include "core/governance/zoo.h"
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
    "  promote ID --to TIER [--dry-run]        move a module to a stronger tier (promotion) or a weaker one\n"
    "     [--coverage F] [--to-dir D]           (demotion) after checking governance/policy.textproto; records it\n"
    "     [--reason TEXT]                       in governance/promotions.textproto; --dry-run prints the plan\n"
    "  new-model NAME --from TEMPLATE          scaffold zoo/NAME from a template (llama, gpt2, llama2c)\n"
    "     [--zoo-dir DIR]                       (default: the repository's zoo/)\n"
    "  pin MODEL VERSION                       pin zoo/MODEL to a library version (a release or HEAD's)\n"
    "  release VERSION [--commit C]            record a library release (default commit: HEAD)\n"
    "  install-release VERSION [--cache DIR]   build and install a recorded release once (default cache:\n"
    "                                          build/releases); prints the prefix\n"
    "  matrix [--versions V,..] [--models M,..] run the compatibility matrix (cached under --build, default\n"
    "     [--devices D,..] [--build DIR]        build/), write governance/compat/matrix.json and COMPATIBILITY.md\n"
    "  matrix --check [--zoo-build DIR]        CI: the committed matrix agrees with HEAD\n"
    "  matrix --render                         rewrite COMPATIBILITY.md from matrix.json\n"
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
  static const std::vector<std::string> kFlags = {"--root",     "--category", "--tier",     "--to",
                                                  "--coverage", "--to-dir",   "--reason",   "--from",
                                                  "--zoo-dir",  "--commit",   "--cache",    "--versions",
                                                  "--models",   "--devices",  "--build",    "--zoo-build"};
  static const std::vector<std::string> kSwitches = {"--dry-run", "--check", "--render"};
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
    if (std::find(kSwitches.begin(), kSwitches.end(), arg) != kSwitches.end()) {
      args->flags[arg] = "1";
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

std::string Flag(const Args& args, const std::string& name, const std::string& fallback = "") {
  auto it = args.flags.find(name);
  return it == args.flags.end() ? fallback : it->second;
}

std::vector<std::string> ListFlag(const Args& args, const std::string& name) {
  const std::string value = Flag(args, name);
  if (value.empty()) return {};
  return absl::StrSplit(value, ',', absl::SkipEmpty());
}

int Fail(const std::string& command, const absl::Status& status) {
  std::fprintf(stderr, "ttt-gov %s: %s\n", command.c_str(), std::string(status.message()).c_str());
  return 1;
}

int Promote(const std::string& root, const Args& args) {
  if (args.positional.size() != 2) return Usage("promote needs one module ID");
  ttt::gov::PromoteOptions options{.root = root, .id = args.positional[1]};
  const std::optional<ttt::gov::Tier> tier = ttt::gov::ParseTier(Flag(args, "--to"));
  if (!tier) return Usage("promote needs --to core, contrib, community or experimental");
  options.to = *tier;
  options.to_dir = Flag(args, "--to-dir");
  options.reason = Flag(args, "--reason");
  if (const std::string c = Flag(args, "--coverage"); !c.empty()) {
    char* end = nullptr;
    options.coverage = std::strtod(c.c_str(), &end);
    if (*end != '\0' || options.coverage < 0 || options.coverage > 1) return Usage("--coverage takes a fraction in [0, 1]");
  }
  absl::StatusOr<ttt::gov::PromotePlan> plan = ttt::gov::PlanPromotion(options);
  if (!plan.ok()) return Fail("promote", plan.status());
  std::fputs(ttt::gov::FormatPlan(*plan).c_str(), stdout);
  if (!plan->failures.empty()) {
    std::fprintf(stderr, "ttt-gov promote: refused: %zu criterion(s) not met (FAILED above); nothing was changed\n",
                 plan->failures.size());
    return 1;
  }
  if (args.flags.count("--dry-run")) {
    std::printf("dry run: nothing changed\n");
    return 0;
  }
  if (absl::Status s = ttt::gov::ApplyPromotion(options, *plan); !s.ok()) return Fail("promote", s);
  std::printf("done: rebuild (cmake --build build) and run the module's tests (ctest -R '^(%s)\\.')\n",
              absl::StrJoin(ttt::gov::LoadRepository(root).FindById(options.id)->manifest.test_labels(), "|").c_str());
  return 0;
}

int NewModel(const std::string& root, const Args& args) {
  if (args.positional.size() != 2) return Usage("new-model needs one NAME");
  if (Flag(args, "--from").empty()) return Usage("new-model needs --from TEMPLATE (llama, gpt2, llama2c)");
  absl::StatusOr<std::vector<std::string>> files =
      ttt::gov::NewModel(root, args.positional[1], Flag(args, "--from"), Flag(args, "--zoo-dir"));
  if (!files.ok()) return Fail("new-model", files.status());
  for (const std::string& f : *files) std::printf("wrote %s\n", f.c_str());
  std::printf("next: set owners and summary in model.textproto; build it like the zoo test does:\n"
              "  cmake -S zoo/%s -B build/zoo/%s -DCMAKE_PREFIX_PATH=$PWD/build/zoo-prefix && cmake --build build/zoo/%s"
              " && ctest --test-dir build/zoo/%s\n",
              args.positional[1].c_str(), args.positional[1].c_str(), args.positional[1].c_str(),
              args.positional[1].c_str());
  return 0;
}

int Pin(const std::string& root, const Args& args) {
  if (args.positional.size() != 3) return Usage("pin needs MODEL VERSION");
  absl::StatusOr<std::string> previous = ttt::gov::PinModel(root, args.positional[1], args.positional[2]);
  if (!previous.ok()) return Fail("pin", previous.status());
  std::printf("zoo/%s: library_version %s -> %s\n", args.positional[1].c_str(), previous->c_str(),
              args.positional[2].c_str());
  return 0;
}

int Release(const std::string& root, const Args& args) {
  if (args.positional.size() != 2) return Usage("release needs VERSION");
  absl::StatusOr<ttt::gov::Release> r = ttt::gov::RecordRelease(root, args.positional[1], Flag(args, "--commit"));
  if (!r.ok()) return Fail("release", r.status());
  std::printf("recorded release %s = %s in %s\n", r->version().c_str(), r->commit().c_str(), ttt::gov::kReleasesPath);
  return 0;
}

int InstallRelease(const std::string& root, const Args& args) {
  if (args.positional.size() != 2) return Usage("install-release needs VERSION");
  absl::StatusOr<std::string> prefix =
      ttt::gov::InstallRelease(root, args.positional[1], Flag(args, "--cache", root + "/build/releases"), 2);
  if (!prefix.ok()) return Fail("install-release", prefix.status());
  std::printf("%s\n", prefix->c_str());
  return 0;
}

int Matrix(const std::string& root, const Args& args) {
  if (args.positional.size() != 1) return Usage("matrix takes only options");
  if (args.flags.count("--check")) {
    const ttt::gov::Problems problems = ttt::gov::CheckMatrix(root, Flag(args, "--zoo-build"));
    for (const ttt::gov::Problem& p : problems) std::printf("%s\n", ttt::gov::FormatProblem(p).c_str());
    std::printf("ttt-gov matrix --check: %zu problem(s)\n", problems.size());
    return problems.empty() ? 0 : 1;
  }
  if (args.flags.count("--render")) {
    absl::StatusOr<ttt::gov::Matrix> matrix = ttt::gov::LoadMatrix(root);
    if (!matrix.ok()) return Fail("matrix", matrix.status());
    if (absl::Status s = ttt::gov::WriteMatrix(root, *matrix); !s.ok()) return Fail("matrix", s);
    std::printf("wrote %s/%s\n", root.c_str(), ttt::gov::kCompatibilityPath);
    return 0;
  }
  ttt::gov::MatrixOptions options{.root = root,
                                  .build_dir = Flag(args, "--build", root + "/build"),
                                  .versions = ListFlag(args, "--versions"),
                                  .models = ListFlag(args, "--models"),
                                  .devices = ListFlag(args, "--devices")};
  std::string log;
  absl::StatusOr<ttt::gov::Matrix> matrix = ttt::gov::RunMatrix(options, &log);
  std::fputs(log.c_str(), stdout);
  if (!matrix.ok()) return Fail("matrix", matrix.status());
  if (absl::Status s = ttt::gov::WriteMatrix(root, *matrix); !s.ok()) return Fail("matrix", s);
  int failing = 0;
  for (const ttt::gov::MatrixCell& c : matrix->cells()) failing += ttt::gov::IsFailingStatus(c.status());
  std::printf("wrote %s and %s: %d failing cell(s)\n", ttt::gov::kMatrixJsonPath, ttt::gov::kCompatibilityPath, failing);
  return failing == 0 ? 0 : 1;
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
  if (command == "promote") return Promote(root, args);
  if (command == "new-model") return NewModel(root, args);
  if (command == "pin") return Pin(root, args);
  if (command == "release") return Release(root, args);
  if (command == "install-release") return InstallRelease(root, args);
  if (command == "matrix") return Matrix(root, args);
  return Usage("unknown command '" + command + "'");
}
