#include "core/governance/promote.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/governance/checker.h"
#include "core/governance/gov_io.h"
#include "core/governance/module_index.h"
#include "core/governance/releases.h"
#include "core/governance/repository.h"
#include "core/governance/source_scan.h"
#include "core/governance/tiers.h"
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

// Every file of the tree the rewrite may touch: C++ sources and CMake files outside build and VCS directories.
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
    if (ext == ".h" || ext == ".cc" || ext == ".cpp" || ext == ".proto" || ext == ".cmake" || name == "CMakeLists.txt") {
      files.push_back(it->path().lexically_relative(root).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
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
    if (o.coverage < 0) {
      plan->failures.push_back(absl::StrCat(
          "coverage: tier ", to, " needs line coverage >= ", policy->min_test_coverage(),
          " and none was given: build with --coverage, run its tests (ctest -R '^(", absl::StrJoin(m.test_labels(), "|"),
          ")\\.'), measure ", module.dir, " (gcovr --filter ", module.dir, ") and pass --coverage FRACTION"));
    } else if (o.coverage < policy->min_test_coverage()) {
      plan->failures.push_back(absl::StrCat("coverage: ", o.coverage, " < ", policy->min_test_coverage(), " for tier ",
                                            to, ": add tests for the uncovered lines"));
    } else {
      plan->passed.push_back(absl::StrCat("coverage: ", o.coverage, " >= ", policy->min_test_coverage()));
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
  if (to_dir != module->dir && fs::exists(fs::path(o.root) / to_dir)) {
    plan.failures.push_back(absl::StrCat("destination: ", to_dir, " already exists: move it away or pass --to-dir"));
  }
  if (plan.promotion) {
    CheckPrerequisites(repo, *module, opts, &plan);
    CheckOwnDependencies(repo, *module, o.to, &plan);
  } else {
    CheckDependents(repo, *module, o.to, &plan);
  }
  if (to_dir != module->dir) {
    std::error_code ec;
    const fs::path base = fs::path(o.root) / module->dir;
    for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
      if (!it->is_regular_file()) continue;
      const std::string rel = it->path().lexically_relative(o.root).generic_string();
      plan.moves.emplace_back(rel, to_dir + rel.substr(module->dir.size()));
    }
    for (const std::string& file : TreeFiles(o.root)) {
      absl::StatusOr<std::string> text = ReadTextFile(o.root + "/" + file);
      if (text.ok() && absl::StrContains(*text, module->dir + "/")) plan.rewrites.push_back(file);
    }
  }
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

std::string FormatPlan(const PromotePlan& plan) {
  const PromotionRecord& r = plan.record;
  std::string out = absl::StrCat(plan.promotion ? "promote " : "demote ", r.id(), ": ", TierName(r.from_tier()),
                                 " -> ", TierName(r.to_tier()), " (", r.from_dir(), " -> ", r.to_dir(), ")\n");
  for (const std::string& p : plan.passed) absl::StrAppend(&out, "  ok      ", p, "\n");
  for (const std::string& f : plan.failures) absl::StrAppend(&out, "  FAILED  ", f, "\n");
  for (const auto& [from, to] : plan.moves) absl::StrAppend(&out, "  move    ", from, " -> ", to, "\n");
  for (const std::string& f : plan.rewrites) absl::StrAppend(&out, "  rewrite ", f, " (paths under ", r.from_dir(), "/)\n");
  absl::StrAppend(&out, "  record  ", kPromotionsPath, ", regenerate ", kModuleIndexPath, "\n");
  return out;
}

absl::Status ApplyPromotion(const PromoteOptions& o, const PromotePlan& plan) {
  if (!plan.failures.empty()) return absl::FailedPreconditionError("the plan has unmet criteria");
  const PromotionRecord& r = plan.record;
  const std::string from_prefix = r.from_dir() + "/", to_prefix = r.to_dir() + "/";
  // Problems the tree already had are not the move's doing: only new ones are reported afterwards.
  std::set<std::string> already;
  for (const Problem& p : RunChecks({.root = o.root}).problems) {
    already.insert(absl::StrReplaceAll(FormatProblem(p), {{from_prefix, to_prefix}}));
  }
  // Rewrite first (the files are still where the plan found them), then move.
  for (const std::string& file : plan.rewrites) {
    absl::StatusOr<std::string> text = ReadTextFile(o.root + "/" + file);
    if (!text.ok()) return text.status();
    if (absl::Status s = WriteTextFile(o.root + "/" + file, absl::StrReplaceAll(*text, {{from_prefix, to_prefix}}));
        !s.ok()) {
      return s;
    }
  }
  // The manifest: tier and every path (headers, docs) that pointed into the old directory.
  const std::string manifest_path = o.root + "/" + from_prefix + kManifestFileName;
  absl::StatusOr<std::string> manifest = ReadTextFile(manifest_path);
  if (!manifest.ok()) return manifest.status();
  std::string updated = absl::StrReplaceAll(*manifest, {{"\"" + from_prefix, "\"" + to_prefix}});
  const std::string old_tier = "tier: " + Tier_Name(r.from_tier()), new_tier = "tier: " + Tier_Name(r.to_tier());
  const size_t at = updated.find(old_tier);
  if (at == std::string::npos) return absl::InternalError(manifest_path + ": no `" + old_tier + "` line to update");
  updated.replace(at, old_tier.size(), new_tier);
  if (absl::Status s = WriteTextFile(manifest_path, updated); !s.ok()) return s;
  std::error_code ec;
  for (const auto& [from, to] : plan.moves) {
    fs::create_directories((fs::path(o.root) / to).parent_path(), ec);
    fs::rename(fs::path(o.root) / from, fs::path(o.root) / to, ec);
    if (ec) return absl::InternalError(absl::StrCat("moving ", from, " to ", to, ": ", ec.message()));
  }
  if (!plan.moves.empty()) {
    // Remove the emptied directories, up to the tier directory.
    for (fs::path dir = fs::path(o.root) / r.from_dir(); dir.has_relative_path() && fs::is_empty(dir, ec) && !ec;
         dir = dir.parent_path()) {
      if (dir.parent_path() == fs::path(o.root)) break;
      fs::remove_all(dir, ec);
    }
  }
  Promotions promotions;
  const std::string promotions_path = o.root + "/" + kPromotionsPath;
  if (fs::exists(promotions_path)) {
    if (absl::Status s = ReadTextProto(promotions_path, &promotions); !s.ok()) return s;
  }
  *promotions.add_records() = r;
  std::string text;
  google::protobuf::TextFormat::PrintToString(promotions, &text);
  const std::string header =
      "# Every move of a module between tiers, appended by `ttt-gov promote`; never edit by hand.\n"
      "# Schema: ttt.gov.Promotions in core/governance/proto/records.proto.\n";
  if (absl::Status s = WriteTextFile(promotions_path, header + text); !s.ok()) return s;
  const Repository repo = LoadRepository(o.root);
  if (absl::Status s = WriteModuleIndex(repo); !s.ok()) return s;
  const CheckReport report = RunChecks({.root = o.root});
  std::string all;
  for (const Problem& p : report.problems) {
    if (!already.count(FormatProblem(p))) absl::StrAppend(&all, "\n  ", FormatProblem(p));
  }
  if (!all.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("moved, but `ttt-gov check` now finds problems (fix them, or move back with `ttt-gov promote ",
                     r.id(), " --to ", TierName(r.from_tier()), "`):", all));
  }
  return absl::OkStatus();
}

}  // namespace ttt::gov
