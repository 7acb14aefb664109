// ttt-gov: the governance tool. The logic lives in core/governance; this file only reads the command line
// (CLI11 subcommands, as `ttt`'s flags: --help anywhere, --flag=value, unknown flags named).
//   ttt-gov check   [--root DIR]    validate manifests, policy, tier rule, tests, module index (CI)
//   ttt-gov index   [--root DIR]    regenerate governance/MODULES.md
//   ttt-gov modules list [--category C] [--tier T] | search TEXT | show ID   [--root DIR]
//   ttt-gov promote ID --to TIER [--dry-run] [--coverage-build DIR] [--build DIR] [--to-dir DIR] [--reason TEXT]
//   ttt-gov promote --undo [--dry-run] [--build DIR]
//   ttt-gov new-model NAME (--from TEMPLATE | --hf DIR [--reference DIR]) [--zoo-dir DIR]
//   ttt-gov pin MODEL VERSION
//   ttt-gov release VERSION [--commit C]
//   ttt-gov install-release VERSION [--cache DIR]
//   ttt-gov matrix [--versions V,..] [--models M,..] [--devices D,..] [--build DIR] | --check [--zoo-build DIR] | --render
//   ttt-gov api-diff OLD [NEW] [--build DIR]
#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "core/governance/api_verdict.h"
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

// What the command line gave; each subcommand reads its part.
struct Args {
  std::string since;
  std::string root;
  std::vector<std::string> positional;  // the subcommand's arguments (modules: the verb first)
  std::string category, tier, to, coverage_build, build_dir, to_dir, reason, from, hf, reference, zoo_dir, commit, cache, versions, models, devices,
      build, zoo_build;
  bool dry_run = false, undo = false, check = false, render = false;
};

// A usage error inside a subcommand (a wrong verb or count of arguments): exit 2, as CLI11's own errors.
int Usage(const std::string& error) {
  std::fprintf(stderr, "ttt-gov: %s (see ttt-gov --help)\n", error.c_str());
  return 2;
}

int Check(const std::string& root, const std::string& since) {
  const ttt::gov::CheckReport report = ttt::gov::RunChecks({.root = root, .since = since});
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
  if (args.positional.empty()) return Usage("modules needs list, search TEXT or show ID");
  const std::string& verb = args.positional[0];
  const ttt::gov::Repository repo = ttt::gov::LoadRepository(root);
  for (const ttt::gov::Problem& problem : repo.load_problems) {
    std::fprintf(stderr, "%s (skipped)\n", ttt::gov::FormatProblem(problem).c_str());
  }
  std::vector<const ttt::gov::Module*> found;
  if (verb == "list") {
    std::optional<ttt::gov::Tier> tier;
    if (!args.tier.empty()) {
      tier = ttt::gov::ParseTier(args.tier);
      if (!tier) return Usage("unknown tier '" + args.tier + "': use core, contrib, community or experimental");
    }
    found = ttt::gov::ListModules(repo, args.category, tier);
  } else if (verb == "search") {
    if (args.positional.size() < 2) return Usage("modules search needs TEXT");
    std::string text;
    for (size_t i = 1; i < args.positional.size(); ++i) text += args.positional[i] + " ";
    found = ttt::gov::SearchModules(repo, text);
  } else if (verb == "show") {
    if (args.positional.size() != 2) return Usage("modules show needs one ID");
    const ttt::gov::Module* module = repo.FindById(args.positional[1]);
    if (module == nullptr) {
      std::fprintf(stderr, "ttt-gov: no module with id '%s': see `ttt-gov modules list` or `modules search`\n",
                   args.positional[1].c_str());
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

std::vector<std::string> List(const std::string& value) {
  if (value.empty()) return {};
  return absl::StrSplit(value, ',', absl::SkipEmpty());
}

int Fail(const std::string& command, const absl::Status& status) {
  std::fprintf(stderr, "ttt-gov %s: %s\n", command.c_str(), std::string(status.message()).c_str());
  return 1;
}

int Promote(const std::string& root, const Args& args) {
  ttt::gov::PromoteOptions options{.root = root};
  // The moved tree is verified in a configured build: --build, else the repository's build/.
  options.build_dir = args.build_dir.empty() ? root + "/build" : args.build_dir;
  if (!std::filesystem::exists(options.build_dir + "/CMakeCache.txt")) {
    return Fail("promote", absl::FailedPreconditionError(
                               "no configured build in " + options.build_dir +
                               " to verify the move in: configure one (cmake -S . -B build) or pass --build DIR"));
  }
  absl::StatusOr<ttt::gov::PromotePlan> plan;
  if (args.undo) {
    if (!args.positional.empty() || !args.to.empty()) return Usage("promote --undo takes no ID or --to: it reverses the last move");
    plan = ttt::gov::PlanUndo(options);
  } else {
    if (args.positional.size() != 1) return Usage("promote needs one module ID (or --undo)");
    options.id = args.positional[0];
    const std::optional<ttt::gov::Tier> tier = ttt::gov::ParseTier(args.to);
    if (!tier) return Usage("promote needs --to core, contrib, community or experimental");
    options.to = *tier;
    options.to_dir = args.to_dir;
    options.reason = args.reason;
    options.coverage_build = args.coverage_build;
    plan = ttt::gov::PlanPromotion(options);
  }
  if (!plan.ok()) return Fail("promote", plan.status());
  std::fputs(ttt::gov::FormatPlan(*plan).c_str(), stdout);
  if (!plan->failures.empty()) {
    std::fprintf(stderr, "ttt-gov promote: refused: %zu criterion(s) not met (FAILED above); nothing was changed\n",
                 plan->failures.size());
    return 1;
  }
  if (args.dry_run) {
    std::printf("dry run: nothing changed\n");
    return 0;
  }
  absl::StatusOr<std::string> verified = ttt::gov::ApplyPromotion(options, *plan);
  if (!verified.ok()) return Fail("promote", verified.status());
  std::printf("verified: %s\n", verified->c_str());
  std::printf("done: run the module's tests (ctest --test-dir %s -R '^(%s)\\.'); undo with `ttt-gov promote --undo`\n",
              options.build_dir.c_str(),
              absl::StrJoin(ttt::gov::LoadRepository(root).FindById(plan->record.id())->manifest.test_labels(), "|").c_str());
  return 0;
}

int NewModel(const std::string& root, const Args& args) {
  if (args.positional.size() != 1) return Usage("new-model needs one NAME");
  if (args.from.empty() == args.hf.empty()) {
    return Usage("new-model needs either --from TEMPLATE (llama, gpt2, llama2c) or --hf DIR (a Hugging Face folder)");
  }
  if (!args.reference.empty() && args.hf.empty()) return Usage("new-model --reference goes with --hf");
  absl::StatusOr<std::vector<std::string>> files =
      args.hf.empty() ? ttt::gov::NewModel(root, args.positional[0], args.from, args.zoo_dir)
                      : ttt::gov::NewModelFromHf(root, args.positional[0], args.hf, args.reference, args.zoo_dir);
  if (!files.ok()) return Fail("new-model", files.status());
  for (const std::string& f : *files) std::printf("wrote %s\n", f.c_str());
  const std::string& name = args.positional[0];
  const std::string dir = (args.zoo_dir.empty() ? "zoo" : args.zoo_dir) + "/" + name;
  std::printf("next: set owners and summary in model.textproto; build it like the zoo test does:\n"
              "  cmake -S %s -B build/zoo/%s -DCMAKE_PREFIX_PATH=$PWD/build/zoo-prefix && cmake --build build/zoo/%s"
              " && ctest --test-dir build/zoo/%s\n",
              dir.c_str(), name.c_str(), name.c_str(), name.c_str());
  return 0;
}

int Pin(const std::string& root, const Args& args) {
  if (args.positional.size() != 2) return Usage("pin needs MODEL VERSION");
  absl::StatusOr<std::string> previous = ttt::gov::PinModel(root, args.positional[0], args.positional[1]);
  if (!previous.ok()) return Fail("pin", previous.status());
  std::printf("zoo/%s: library_version %s -> %s\n", args.positional[0].c_str(), previous->c_str(),
              args.positional[1].c_str());
  return 0;
}

int Release(const std::string& root, const Args& args) {
  if (args.positional.size() != 1) return Usage("release needs VERSION");
  absl::StatusOr<ttt::gov::Release> r = ttt::gov::RecordRelease(root, args.positional[0], args.commit);
  if (!r.ok()) return Fail("release", r.status());
  std::printf("recorded release %s = %s in %s\n", r->version().c_str(), r->commit().c_str(), ttt::gov::kReleasesPath);
  return 0;
}

int InstallRelease(const std::string& root, const Args& args) {
  if (args.positional.size() != 1) return Usage("install-release needs VERSION");
  absl::StatusOr<std::string> prefix =
      ttt::gov::InstallRelease(root, args.positional[0], args.cache.empty() ? root + "/build/releases" : args.cache, 2);
  if (!prefix.ok()) return Fail("install-release", prefix.status());
  std::printf("%s\n", prefix->c_str());
  return 0;
}

int Matrix(const std::string& root, const Args& args) {
  if (args.check) {
    const ttt::gov::Problems problems = ttt::gov::CheckMatrix(root, args.zoo_build);
    for (const ttt::gov::Problem& p : problems) std::printf("%s\n", ttt::gov::FormatProblem(p).c_str());
    std::printf("ttt-gov matrix --check: %zu problem(s)\n", problems.size());
    return problems.empty() ? 0 : 1;
  }
  if (args.render) {
    absl::StatusOr<ttt::gov::Matrix> matrix = ttt::gov::LoadMatrix(root);
    if (!matrix.ok()) return Fail("matrix", matrix.status());
    if (absl::Status s = ttt::gov::WriteMatrix(root, *matrix); !s.ok()) return Fail("matrix", s);
    std::printf("wrote %s/%s\n", root.c_str(), ttt::gov::kCompatibilityPath);
    return 0;
  }
  ttt::gov::MatrixOptions options{.root = root,
                                  .build_dir = args.build.empty() ? root + "/build" : args.build,
                                  .versions = List(args.versions),
                                  .models = List(args.models),
                                  .devices = List(args.devices)};
  std::string log;
  absl::StatusOr<ttt::gov::Matrix> matrix = ttt::gov::RunMatrix(options, &log);
  std::fputs(log.c_str(), stdout);
  if (!matrix.ok()) return Fail("matrix", matrix.status());
  if (absl::Status s = ttt::gov::WriteMatrix(root, *matrix); !s.ok()) return Fail("matrix", s);
  int failing = 0;
  for (const ttt::gov::MatrixCell& c : matrix->cells()) failing += ttt::gov::IsFailingStatus(c.status());
  for (const ttt::gov::ApiVerdict& v : matrix->api()) failing += v.status() == "breaks";
  std::printf("wrote %s and %s: %d failing cell(s) or API verdict(s)\n", ttt::gov::kMatrixJsonPath, ttt::gov::kCompatibilityPath, failing);
  return failing == 0 ? 0 : 1;
}

int ApiDiff(const std::string& root, const Args& args) {
  if (args.positional.empty() || args.positional.size() > 2) return Usage("api-diff needs OLD [NEW]");
  const std::string newer = args.positional.size() == 2 ? args.positional[1] : "HEAD";
  std::string report;
  absl::StatusOr<ttt::gov::ApiVerdict> verdict = ttt::gov::RunApiDiff(
      root, args.build.empty() ? root + "/build" : args.build, args.positional[0], newer, 2, &report);
  if (!verdict.ok()) return Fail("api-diff", verdict.status());
  std::fputs(report.c_str(), stdout);
  return verdict->status() == "breaks" ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  CLI::App app("ttt-gov: governance of the module tiers, the zoo and releases", "ttt-gov");
  app.get_formatter()->column_width(40);
  app.require_subcommand(1);
  app.fallthrough();  // --root is accepted after the subcommand's arguments too
  app.add_option("--root", args.root,
                 "the repository (default: the nearest directory, from the current one upwards, holding "
                 "governance/policy.textproto)");
  // Each subcommand's positional arguments fill args.positional; `needs` is what its help names them.
  auto command = [&](const std::string& name, const std::string& help, const std::string& needs) {
    CLI::App* sub = app.add_subcommand(name, help);
    if (!needs.empty()) sub->add_option("args", args.positional, needs);
    return sub;
  };
  CLI::App* check = command("check", "validate every module.textproto against the schema and "
                            "governance/policy.textproto; exit 1 on any problem", "");
  check->add_option("--since", args.since, "also the tiers' review rules: the modules changed after this git revision "
                    "need the approvals (Approved-by: trailers) their tier's rule names, e.g. --since origin/main");
  command("index", "regenerate governance/MODULES.md from the manifests", "");
  CLI::App* modules = command("modules", "list [--category C] [--tier T] | search TEXT | show ID: registered modules "
                              "(tier: core, contrib, community, experimental)", "list | search TEXT | show ID");
  modules->add_option("--category", args.category, "list: only this category");
  modules->add_option("--tier", args.tier, "list: only this tier");
  CLI::App* promote = command("promote", "move a module to a stronger tier (promotion) or a weaker one (demotion) "
                              "after checking governance/policy.textproto, as a transaction: the moved tree must pass "
                              "`ttt-gov check`, configure and compile what it touched, or nothing changes; recorded in "
                              "governance/promotions.textproto", "ID");
  promote->add_option("--to", args.to, "the tier: core, contrib, community or experimental");
  promote->add_flag("--dry-run", args.dry_run, "print the plan only");
  promote->add_flag("--undo", args.undo, "reverse the last recorded move (always allowed; its record is dropped)");
  promote->add_option("--coverage-build", args.coverage_build, "a --coverage build where the module's labelled tests "
                      "run and gcovr measures its line coverage (tiers with min_test_coverage)");
  promote->add_option("--build", args.build_dir, "the configured build the moved tree is verified in (default: build/)");
  promote->add_option("--to-dir", args.to_dir, "where the module moves (default: the tier's directory)");
  promote->add_option("--reason", args.reason, "recorded with the promotion");
  CLI::App* new_model = command("new-model", "scaffold zoo/NAME from a template, or from a Hugging Face folder alone "
                                "(its tests read the folder and llama.cpp's logits made by tools/zoo-reference.sh)",
                                "NAME");
  new_model->add_option("--from", args.from, "the template: llama, gpt2, llama2c");
  new_model->add_option("--hf", args.hf, "a Hugging Face folder (config.json, *.safetensors, tokenizer); its "
                        "model_type picks the family: gemma2, gpt2, llama, mistral, mixtral, phi3, qwen2, qwen2_moe");
  new_model->add_option("--reference", args.reference, "--hf: where reference.json and logits-N.f32 are (default: "
                        "the folder itself); make them with tools/zoo-reference.sh HF_DIR REFERENCE_DIR");
  new_model->add_option("--zoo-dir", args.zoo_dir, "default: the repository's zoo/");
  command("pin", "pin zoo/MODEL to a library version (a release or HEAD's)", "MODEL VERSION");
  CLI::App* release = command("release", "record a library release", "VERSION");
  release->add_option("--commit", args.commit, "default: HEAD");
  CLI::App* install = command("install-release", "build and install a recorded release once; prints the prefix",
                              "VERSION");
  install->add_option("--cache", args.cache, "default: build/releases");
  CLI::App* matrix = command("matrix", "run the compatibility matrix, write governance/compat/matrix.json and "
                             "COMPATIBILITY.md", "");
  matrix->add_option("--versions", args.versions, "comma list of library versions");
  matrix->add_option("--models", args.models, "comma list of zoo models");
  matrix->add_option("--devices", args.devices, "comma list of devices");
  matrix->add_option("--build", args.build, "cache of the builds (default: build/)");
  matrix->add_flag("--check", args.check, "CI: the committed matrix agrees with HEAD");
  matrix->add_option("--zoo-build", args.zoo_build, "--check: the zoo's build directory");
  matrix->add_flag("--render", args.render, "rewrite COMPATIBILITY.md from matrix.json");
  CLI::App* api_diff = command("api-diff", "compare the public API (installed headers and .proto files) of OLD "
                               "and NEW (default HEAD): list removed or changed declarations and judge them by the "
                               "version step (minor: source compatible, patch: binary) and governance/api.baseline; "
                               "exit 1 on an unaccepted break. OLD/NEW: a release, HEAD or an include directory",
                               "OLD [NEW]");
  api_diff->add_option("--build", args.build, "the configured build HEAD's headers are installed from and releases "
                       "are cached in (default: build/)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help
  } catch (const CLI::ParseError& e) {
    return Usage(e.what());
  }
  const std::string command_name = app.get_subcommands().front()->get_name();
  std::string root = args.root;
  if (root.empty()) {
    // Reading the registry needs no source tree: the installed governance data serves too.
    absl::StatusOr<std::string> found =
        command_name == "modules" ? ttt::gov::FindGovernanceData(".") : ttt::gov::FindRepositoryRoot(".");
    if (!found.ok()) {
      std::fprintf(stderr, "ttt-gov: %s\n", std::string(found.status().message()).c_str());
      return 2;
    }
    root = *found;
  }
  if (command_name == "check") return Check(root, args.since);
  if (command_name == "index") return Index(root);
  if (command_name == "modules") return Modules(root, args);
  if (command_name == "promote") return Promote(root, args);
  if (command_name == "new-model") return NewModel(root, args);
  if (command_name == "pin") return Pin(root, args);
  if (command_name == "release") return Release(root, args);
  if (command_name == "install-release") return InstallRelease(root, args);
  if (command_name == "api-diff") return ApiDiff(root, args);
  return Matrix(root, args);
}
