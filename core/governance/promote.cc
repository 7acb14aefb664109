#include "core/governance/promote.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/governance/build_verify.h"
#include "core/governance/checker.h"
#include "core/governance/coverage.h"
#include "core/governance/gov_io.h"
#include "core/governance/module_index.h"
#include "core/governance/releases.h"
#include "core/governance/repository.h"
#include "core/governance/source_scan.h"
#include "core/governance/tiers.h"
#include "core/governance/tree_transaction.h"
#include "google/protobuf/text_format.h"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

// The directory a tier's modules live in (COMMUNITY shares contrib/).
std::string TierDir(Tier tier) {
  switch (tier) {
    case CORE: return "core";
    case CONTRIB:
    case COMMUNITY: return "contrib";
    default: return "experimental";
  }
}

// Every file of the tree that may reference a module's path the way the build follows it: C++ sources, .proto
// files and CMakeLists.txt, outside build and VCS directories. (CMake scripts, *.cmake, are not among them: a test
// script that names a module's path means that path, and the build does not read them for sources.)
std::vector<std::string> TreeFiles(const std::string& root) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec) && (name.rfind("build", 0) == 0 || name[0] == '.' || name == "third_party")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const std::string ext = it->path().extension().string();
    if (ext == ".h" || ext == ".cc" || ext == ".cpp" || ext == ".proto" || name == "CMakeLists.txt") {
      files.push_back(it->path().lexically_relative(root).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// `text` of `file` with `from` replaced by `to` in the lines the build follows: `#include` lines of C++,
// `import` lines of .proto files, every line of a CMakeLists.txt but its comments. A comment or string that
// merely mentions the path is left alone.
std::string RewriteReferences(const std::string& file, const std::string& text, const std::string& from,
                              const std::string& to) {
  const bool cmake = fs::path(file).filename() == "CMakeLists.txt";
  const bool proto = fs::path(file).extension() == ".proto";
  std::string out;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!first) out += '\n';
    first = false;
    const absl::string_view code = absl::StripLeadingAsciiWhitespace(line);
    const bool reference = cmake   ? !absl::StartsWith(code, "#")
                           : proto ? absl::StartsWith(code, "import")
                                   : absl::StartsWith(code, "#include") || absl::StartsWith(code, "# include");
    absl::StrAppend(&out, reference ? absl::StrReplaceAll(line, {{from, to}}) : std::string(line));
  }
  return out;
}

// The files of the module's directory moved under `to_dir`, and the tree's files whose references change.
void PlanMove(const std::string& root, const std::string& dir, const std::string& to_dir, PromotePlan* plan) {
  if (to_dir == dir) return;
  std::error_code ec;
  const fs::path base = fs::path(root) / dir;
  for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    const std::string rel = it->path().lexically_relative(root).generic_string();
    plan->moves.emplace_back(rel, to_dir + rel.substr(dir.size()));
  }
  std::sort(plan->moves.begin(), plan->moves.end());
  for (const std::string& file : TreeFiles(root)) {
    absl::StatusOr<std::string> text = ReadTextFile(root + "/" + file);
    if (text.ok() && RewriteReferences(file, *text, dir + "/", to_dir + "/") != *text) plan->rewrites.push_back(file);
  }
  if (fs::exists(fs::path(root) / to_dir)) {
    plan->failures.push_back(absl::StrCat("destination: ", to_dir, " already exists: move it away or pass --to-dir"));
  }
}

// The tier of the code at `path`: its module's, else its directory's; nullopt outside the tier directories.
std::optional<Tier> TierOfPath(const Repository& repo, const std::string& path) {
  if (const Module* m = repo.ModuleForPath(path)) return m->manifest.tier();
  return DefaultTierForPath(path);
}

// Where a module moves by default: the same path under the other tier's directory, except that core/ is
// divided into layers (governance/policy.textproto core_layers): a module entering core goes into the blocks
// layer unless its path already names a layer, and one leaving core drops its layer from the path. So
// contrib/positional/alibi <-> core/blocks/positional/alibi.
std::string DefaultDestination(const Repository& repo, const std::string& dir, Tier to) {
  const size_t slash = dir.find('/');
  std::string rest = dir.substr(slash);  // "/positional/alibi"
  const auto& layers = repo.policy.core_layers();
  auto is_layer = [&](const std::string& path) {  // path starts with "/<name>/"
    const size_t end = path.find('/', 1);
    const std::string first = path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
    return std::find(layers.begin(), layers.end(), first) != layers.end();
  };
  const bool from_core = dir.rfind(TierDir(CORE) + "/", 0) == 0;
  if (from_core && to != CORE && is_layer(rest) && rest.find('/', 1) != std::string::npos) {
    rest = rest.substr(rest.find('/', 1));
  } else if (to == CORE && !from_core && !layers.empty() && !is_layer(rest)) {
    rest = "/blocks" + rest;
  }
  return TierDir(to) + rest;
}

// When the module entered its current tier: its last promotion record into it, else the release date of its
// since_version; "" when neither is known.
std::string EnteredTier(const std::string& root, const ModuleManifest& m, std::string* source) {
  Promotions promotions;
  if (fs::exists(root + "/" + kPromotionsPath) && ReadTextProto(root + "/" + kPromotionsPath, &promotions).ok()) {
    std::string date;
    for (const PromotionRecord& r : promotions.records()) {
      if (r.id() == m.id() && r.to_tier() == m.tier()) date = r.date();
    }
    if (!date.empty()) {
      *source = absl::StrCat("its last move in ", kPromotionsPath);
      return date;
    }
  }
  if (absl::StatusOr<Releases> releases = LoadReleases(root); releases.ok()) {
    for (const Release& r : releases->releases()) {
      if (r.version() == m.since_version()) {
        *source = absl::StrCat("the release of its since_version ", r.version());
        return r.date();
      }
    }
  }
  return "";
}

void CheckPrerequisites(const Repository& repo, const Module& module, const PromoteOptions& o, PromotePlan* plan) {
  const ModuleManifest& m = module.manifest;
  const TierPolicy* policy = repo.PolicyFor(o.to);
  const std::string to = TierName(o.to);
  if (policy == nullptr) {
    plan->failures.push_back(absl::StrCat("policy: ", kPolicyPath, " defines no tier ", to, ": add it first"));
    return;
  }
  std::set<std::string> owners(m.owners().begin(), m.owners().end());
  if (static_cast<int>(owners.size()) < policy->min_owners()) {
    plan->failures.push_back(absl::StrCat("owners: ", m.id(), " has ", owners.size(), " owner(s), tier ", to, " needs ",
                                          policy->min_owners(), ": add owners to ", module.manifest_path));
  } else {
    plan->passed.push_back(absl::StrCat("owners: ", owners.size(), " >= ", policy->min_owners()));
  }
  if (policy->requires_tests()) {
    Repository hypothetical = repo;
    for (Module& h : hypothetical.modules) {
      if (h.manifest.id() == m.id()) h.manifest.set_tier(o.to);
    }
    CheckReport report;
    CheckTests(hypothetical, *hypothetical.FindById(m.id()), &report);
    if (!report.problems.empty()) {
      for (const Problem& p : report.problems) plan->failures.push_back("tests: " + FormatProblem(p));
    } else {
      plan->passed.push_back(absl::StrCat("tests: labelled ", absl::StrJoin(m.test_labels(), ", ")));
    }
  }
  if (policy->requires_docs()) {
    if (m.docs().empty() || !fs::exists(fs::path(repo.root) / m.docs())) {
      plan->failures.push_back(absl::StrCat("docs: tier ", to, " requires a docs page and ",
                                            m.docs().empty() ? "the manifest has no docs" : "docs: \"" + m.docs() + "\" does not exist",
                                            ": write the page and set docs in ", module.manifest_path));
    } else {
      plan->passed.push_back("docs: " + m.docs());
    }
  }
  if (policy->requires_perf_baseline()) {
    bool found = false;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(fs::path(repo.root) / module.dir, ec)) {
      if (e.path().filename().string().rfind("perf_baseline.", 0) == 0) found = true;
    }
    if (!found) {
      plan->failures.push_back(absl::StrCat("perf baseline: tier ", to, " requires one and ", module.dir,
                                            " has no perf_baseline.* file: record the module's benchmark "
                                            "(e.g. `ttt bench` output as perf_baseline.json) beside its sources"));
    } else {
      plan->passed.push_back("perf baseline: present");
    }
  }
  if (policy->min_test_coverage() > 0) {
    double coverage = o.coverage;
    std::string measured;
    if (coverage < 0 && !o.coverage_build.empty()) {
      absl::StatusOr<Coverage> c =
          MeasureLineCoverage(repo.root, o.coverage_build, module.dir, {m.test_labels().begin(), m.test_labels().end()},
                              o.jobs);
      if (!c.ok()) {
        plan->failures.push_back(absl::StrCat("coverage: not measured: ", c.status().message()));
        coverage = -2;
      } else {
        coverage = c->fraction();
        measured = absl::StrCat(" (", c->lines_covered, " of ", c->lines_total, " lines, gcovr in ", o.coverage_build, ")");
      }
    }
    if (coverage == -1) {
      plan->failures.push_back(absl::StrCat(
          "coverage: tier ", to, " needs line coverage >= ", policy->min_test_coverage(),
          " and none was measured: configure a coverage build (cmake -S . -B build-coverage -DCMAKE_BUILD_TYPE=Debug "
          "-DCMAKE_CXX_FLAGS=--coverage -DCMAKE_EXE_LINKER_FLAGS=--coverage) and pass --coverage-build build-coverage: "
          "its tests (ctest -R '^(", absl::StrJoin(m.test_labels(), "|"), ")\\.') are run and ", module.dir,
          " measured with gcovr"));
    } else if (coverage >= 0 && coverage < policy->min_test_coverage()) {
      plan->failures.push_back(absl::StrCat("coverage: ", coverage, measured, " < ", policy->min_test_coverage(),
                                            " for tier ", to, ": add tests for the uncovered lines"));
    } else if (coverage >= 0) {
      plan->passed.push_back(absl::StrCat("coverage: ", coverage, measured, " >= ", policy->min_test_coverage()));
    }
  }
  if (policy->min_days_in_tier() > 0) {
    std::string source;
    const std::string entered = EnteredTier(repo.root, m, &source);
    const int days = entered.empty() ? -1 : DaysBetween(entered, o.today);
    if (days < 0) {
      plan->failures.push_back(absl::StrCat(
          "time in tier: tier ", to, " needs ", policy->min_days_in_tier(), " days in ", TierName(m.tier()),
          " and there is no record of when ", m.id(), " entered it (no move in ", kPromotionsPath,
          ", no release of its since_version ", m.since_version(), " in ", kReleasesPath,
          "): record the release (`ttt-gov release`) or wait for the next one"));
    } else if (days < policy->min_days_in_tier()) {
      plan->failures.push_back(absl::StrCat("time in tier: ", days, " day(s) in ", TierName(m.tier()), " since ",
                                            entered, " (", source, "), tier ", to, " needs ",
                                            policy->min_days_in_tier(), ": promote it on or after that many days"));
    } else {
      plan->passed.push_back(absl::StrCat("time in tier: ", days, " days >= ", policy->min_days_in_tier()));
    }
  }
}

// Promotion: what the module uses must be allowed from the target tier.
void CheckOwnDependencies(const Repository& repo, const Module& module, Tier to, PromotePlan* plan) {
  size_t before = plan->failures.size();
  for (const std::string& dep : module.manifest.dependencies()) {
    const Module* d = repo.FindById(dep);
    if (d != nullptr && !MayDependOn(to, d->manifest.tier())) {
      plan->failures.push_back(absl::StrCat("dependencies: ", module.manifest.id(), " depends on ", dep, " (tier ",
                                            TierName(d->manifest.tier()), "), which tier ", TierName(to),
                                            " may not use: promote ", dep, " first or drop the dependency"));
    }
  }
  for (const std::string& file : ModuleSourceFiles(repo, module)) {
    absl::StatusOr<std::string> text = ReadTextFile(repo.root + "/" + file);
    if (!text.ok()) continue;
    for (const IncludeLine& inc : ScanIncludes(*text)) {
      const std::string target = ResolveInclude(repo.root, file, inc.path);
      if (target.empty() || absl::StartsWith(target, module.dir + "/")) continue;
      std::optional<Tier> tier = TierOfPath(repo, target);
      if (tier && !MayDependOn(to, *tier)) {
        plan->failures.push_back(absl::StrCat("dependencies: ", file, ":", inc.line, " includes ", target, " (tier ",
                                              TierName(*tier), "), which tier ", TierName(to),
                                              " may not use: promote that first or remove the include"));
      }
    }
  }
  if (plan->failures.size() == before) plan->passed.push_back("dependencies: all of an equal or stronger tier");
}

// Demotion: nothing of a tier stronger than the target may use the module.
void CheckDependents(const Repository& repo, const Module& module, Tier to, PromotePlan* plan) {
  size_t before = plan->failures.size();
  for (const Module& other : repo.modules) {
    if (&other == &module) continue;
    for (const std::string& dep : other.manifest.dependencies()) {
      if (dep == module.manifest.id() && !MayDependOn(other.manifest.tier(), to)) {
        plan->failures.push_back(absl::StrCat("dependents: ", other.manifest.id(), " (tier ",
                                              TierName(other.manifest.tier()), ") depends on ", module.manifest.id(),
                                              ", which would be ", TierName(to), ": demote ", other.manifest.id(),
                                              " first or drop its dependency"));
      }
    }
  }
  for (const std::string& file : TreeFiles(repo.root)) {
    if (absl::StartsWith(file, module.dir + "/")) continue;
    std::optional<Tier> user = TierOfPath(repo, file);
    // The tools, tests and benchmarks outside the tier directories are built in every configuration, which
    // links core and contrib but the experimental tier only behind TTT_ENABLE_EXPERIMENTAL: as users they
    // count as contrib.
    if (!user && !absl::StartsWith(file, "zoo/")) user = CONTRIB;
    if (!user || MayDependOn(*user, to)) continue;
    absl::StatusOr<std::string> text = ReadTextFile(repo.root + "/" + file);
    if (!text.ok()) continue;
    for (const IncludeLine& inc : ScanIncludes(*text)) {
      if (absl::StartsWith(ResolveInclude(repo.root, file, inc.path), module.dir + "/")) {
        plan->failures.push_back(absl::StrCat("dependents: ", file, ":", inc.line, " (tier ", TierName(*user),
                                              ") includes ", inc.path, ", which would be ", TierName(to),
                                              ": remove that use first"));
      }
    }
  }
  if (plan->failures.size() == before) plan->passed.push_back("dependents: none of a stronger tier");
}

}  // namespace

absl::StatusOr<PromotePlan> PlanPromotion(const PromoteOptions& o) {
  const Repository repo = LoadRepository(o.root);
  if (!repo.load_problems.empty()) {
    std::string all;
    for (const Problem& p : repo.load_problems) absl::StrAppend(&all, "\n  ", FormatProblem(p));
    return absl::FailedPreconditionError("fix these files first (ttt-gov check):" + all);
  }
  const Module* module = repo.FindById(o.id);
  if (module == nullptr) {
    return absl::NotFoundError(absl::StrCat("no module with id '", o.id, "': see `ttt-gov modules list`"));
  }
  const Tier from = module->manifest.tier();
  if (o.to == TIER_UNSPECIFIED) return absl::InvalidArgumentError("--to needs a tier: core, contrib, community or experimental");
  if (o.to == from) {
    return absl::FailedPreconditionError(absl::StrCat(o.id, " is already in tier ", TierName(from), ": nothing to do"));
  }
  PromotePlan plan;
  plan.promotion = TierRank(o.to) < TierRank(from);
  PromoteOptions opts = o;
  if (opts.today.empty()) opts.today = TodayUtc();
  std::string to_dir = o.to_dir.empty() ? DefaultDestination(repo, module->dir, o.to) : o.to_dir;
  const std::vector<Tier> allowed = TiersForDirectory(to_dir);
  if (std::find(allowed.begin(), allowed.end(), o.to) == allowed.end()) {
    return absl::InvalidArgumentError(absl::StrCat("--to-dir ", to_dir, " is not where tier ", TierName(o.to),
                                                   " lives: use a directory under ", TierDir(o.to), "/"));
  }
  if (plan.promotion) {
    CheckPrerequisites(repo, *module, opts, &plan);
    CheckOwnDependencies(repo, *module, o.to, &plan);
  } else {
    CheckDependents(repo, *module, o.to, &plan);
  }
  PlanMove(o.root, module->dir, to_dir, &plan);
  PromotionRecord& r = plan.record;
  r.set_id(o.id);
  r.set_from_tier(from);
  r.set_to_tier(o.to);
  r.set_from_dir(module->dir);
  r.set_to_dir(to_dir);
  r.set_date(opts.today);
  r.set_library_version(HeadVersion(o.root));
  r.set_reason(o.reason);
  return plan;
}

absl::StatusOr<PromotePlan> PlanUndo(const PromoteOptions& o) {
  const Repository repo = LoadRepository(o.root);
  if (!repo.load_problems.empty()) {
    std::string all;
    for (const Problem& p : repo.load_problems) absl::StrAppend(&all, "\n  ", FormatProblem(p));
    return absl::FailedPreconditionError("fix these files first (ttt-gov check):" + all);
  }
  Promotions promotions;
  const std::string path = o.root + "/" + kPromotionsPath;
  if (fs::exists(path)) {
    if (absl::Status s = ReadTextProto(path, &promotions); !s.ok()) return s;
  }
  if (promotions.records().empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no move is recorded in ", kPromotionsPath, ": nothing to undo"));
  }
  const PromotionRecord& last = promotions.records(promotions.records_size() - 1);
  const Module* module = repo.FindById(last.id());
  if (module == nullptr || module->dir != last.to_dir() || module->manifest.tier() != last.to_tier()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the last recorded move put ", last.id(), " in tier ", TierName(last.to_tier()), " at ", last.to_dir(),
        ", but it is ", module == nullptr ? "not in the tree" : absl::StrCat("in tier ", TierName(module->manifest.tier()),
                                                                          " at ", module->dir),
        " now: it was changed since by hand; move it with `ttt-gov promote ", last.id(), " --to TIER` instead"));
  }
  PromotePlan plan;
  plan.undo = true;
  plan.promotion = TierRank(last.from_tier()) < TierRank(last.to_tier());
  plan.record = last;
  plan.passed.push_back(absl::StrCat("undo: no criterion applies; the record of ", last.date(), " is dropped"));
  PlanMove(o.root, last.to_dir(), last.from_dir(), &plan);
  return plan;
}

std::string FormatPlan(const PromotePlan& plan) {
  const PromotionRecord& r = plan.record;
  std::string out =
      plan.undo ? absl::StrCat("undo the last move of ", r.id(), ": ", TierName(r.to_tier()), " -> ",
                               TierName(r.from_tier()), " (", r.to_dir(), " -> ", r.from_dir(), ")\n")
                : absl::StrCat(plan.promotion ? "promote " : "demote ", r.id(), ": ", TierName(r.from_tier()), " -> ",
                               TierName(r.to_tier()), " (", r.from_dir(), " -> ", r.to_dir(), ")\n");
  const std::string& source_dir = plan.undo ? r.to_dir() : r.from_dir();
  for (const std::string& p : plan.passed) absl::StrAppend(&out, "  ok      ", p, "\n");
  for (const std::string& f : plan.failures) absl::StrAppend(&out, "  FAILED  ", f, "\n");
  for (const auto& [from, to] : plan.moves) absl::StrAppend(&out, "  move    ", from, " -> ", to, "\n");
  for (const std::string& f : plan.rewrites) absl::StrAppend(&out, "  rewrite ", f, " (references to ", source_dir, "/)\n");
  absl::StrAppend(&out, "  record  ", kPromotionsPath, plan.undo ? " (drop the last record)" : "", ", regenerate ",
                  kModuleIndexPath, "\n");
  return out;
}

namespace {

// Every change of the plan, journalled in `tx`.
absl::Status StageMove(const PromoteOptions& o, const PromotePlan& plan, TreeTransaction* tx) {
  const PromotionRecord& r = plan.record;
  const std::string& src_dir = plan.undo ? r.to_dir() : r.from_dir();
  const std::string& dst_dir = plan.undo ? r.from_dir() : r.to_dir();
  const Tier src_tier = plan.undo ? r.to_tier() : r.from_tier(), dst_tier = plan.undo ? r.from_tier() : r.to_tier();
  const std::string from_prefix = src_dir + "/", to_prefix = dst_dir + "/";
  // Rewrite first (the files are still where the plan found them), then move.
  for (const std::string& file : plan.rewrites) {
    absl::StatusOr<std::string> text = ReadTextFile(o.root + "/" + file);
    if (!text.ok()) return text.status();
    if (absl::Status s = tx->Write(file, RewriteReferences(file, *text, from_prefix, to_prefix)); !s.ok()) return s;
  }
  // The manifest: tier and every path (headers, docs) that pointed into the old directory.
  const std::string manifest_path = from_prefix + kManifestFileName;
  absl::StatusOr<std::string> manifest = ReadTextFile(o.root + "/" + manifest_path);
  if (!manifest.ok()) return manifest.status();
  std::string updated = absl::StrReplaceAll(*manifest, {{"\"" + from_prefix, "\"" + to_prefix}});
  const std::string old_tier = "tier: " + Tier_Name(src_tier), new_tier = "tier: " + Tier_Name(dst_tier);
  const size_t at = updated.find(old_tier);
  if (at == std::string::npos) return absl::InternalError(manifest_path + ": no `" + old_tier + "` line to update");
  updated.replace(at, old_tier.size(), new_tier);
  if (absl::Status s = tx->Write(manifest_path, updated); !s.ok()) return s;
  for (const auto& [from, to] : plan.moves) {
    if (absl::Status s = tx->Move(from, to); !s.ok()) return s;
  }
  if (!plan.moves.empty()) tx->RemoveEmptyDirectories(src_dir);
  Promotions promotions;
  const std::string promotions_path = o.root + "/" + kPromotionsPath;
  if (fs::exists(promotions_path)) {
    if (absl::Status s = ReadTextProto(promotions_path, &promotions); !s.ok()) return s;
  }
  if (plan.undo) {
    promotions.mutable_records()->RemoveLast();
  } else {
    *promotions.add_records() = r;
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(promotions, &text);
  const std::string header =
      "# Every move of a module between tiers, appended by `ttt-gov promote` (`--undo` drops the last one); never\n"
      "# edit by hand. Schema: ttt.gov.Promotions in core/governance/proto/records.proto.\n";
  if (promotions.records().empty()) {
    tx->Remove(kPromotionsPath);  // undoing the only move: the tree as it was, without the file
  } else if (absl::Status s = tx->Write(kPromotionsPath, header + text); !s.ok()) {
    return s;
  }
  tx->Snapshot(kModuleIndexPath);
  return WriteModuleIndex(LoadRepository(o.root));
}

}  // namespace

absl::StatusOr<std::string> ApplyPromotion(const PromoteOptions& o, const PromotePlan& plan) {
  if (!plan.failures.empty()) return absl::FailedPreconditionError("the plan has unmet criteria");
  const PromotionRecord& r = plan.record;
  const std::string from_prefix = (plan.undo ? r.to_dir() : r.from_dir()) + "/";
  const std::string to_prefix = (plan.undo ? r.from_dir() : r.to_dir()) + "/";
  // Problems the tree already had are not the move's doing: only new ones fail it.
  std::set<std::string> already;
  for (const Problem& p : RunChecks({.root = o.root}).problems) {
    already.insert(absl::StrReplaceAll(FormatProblem(p), {{from_prefix, to_prefix}}));
  }
  TreeTransaction tx(o.root);
  std::string verified;
  absl::Status status = StageMove(o, plan, &tx);
  if (status.ok()) {
    std::string all;
    for (const Problem& p : RunChecks({.root = o.root}).problems) {
      if (!already.count(FormatProblem(p))) absl::StrAppend(&all, "\n  ", FormatProblem(p));
    }
    if (!all.empty()) status = absl::FailedPreconditionError("`ttt-gov check` finds new problems:" + all);
    verified = "ttt-gov check: no new problem";
  }
  if (status.ok() && !o.build_dir.empty()) {
    std::vector<std::string> touched;
    for (const auto& [from, to] : plan.moves) touched.push_back(to);
    for (const std::string& f : plan.rewrites) {
      if (!absl::StartsWith(f, from_prefix)) touched.push_back(f);
    }
    absl::StatusOr<BuildVerification> built = VerifyBuild(o.root, o.build_dir, touched, o.jobs);
    if (!built.ok()) {
      status = built.status();
    } else {
      absl::StrAppend(&verified, "; ", o.build_dir, " configures; compiled ", built->compiled.size(),
                      " touched translation unit(s): ", absl::StrJoin(built->compiled, ", "));
      if (!built->not_configured.empty()) {
        absl::StrAppend(&verified, "; not built by that configuration (a gated tier or a zoo project): ",
                        absl::StrJoin(built->not_configured, ", "));
      }
    }
  }
  if (status.ok()) return verified;
  const absl::Status rolled_back = tx.Rollback();
  if (!o.build_dir.empty()) {
    // The build directory was configured for the moved tree: configure it again for the restored one.
    RunCommand(absl::StrCat("cmake -S ", ShellQuote(o.root), " -B ", ShellQuote(o.build_dir)));
  }
  if (!rolled_back.ok()) {
    return absl::InternalError(absl::StrCat("the move failed (", status.message(), ") and rolling it back failed too: ",
                                            rolled_back.message(), ": restore the tree with git"));
  }
  return absl::FailedPreconditionError(absl::StrCat("the move was rolled back, nothing changed: ", status.message()));
}

}  // namespace ttt::gov
