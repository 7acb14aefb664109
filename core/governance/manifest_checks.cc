// The checks of a manifest's own fields and of the policy file.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/governance/checker.h"
#include "core/governance/spec_lookup.h"
#include "core/governance/tiers.h"
#include "core/governance/version.h"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

// The devices of hwconfig/README.md: cpu runs for real, the Tenstorrent devices are emulated on it.
const std::set<std::string>& KnownDevices() {
  static const std::set<std::string> devices = {"cpu", "n150", "n300", "t3k", "tg", "p150"};
  return devices;
}

// "namespace/.../name": lower-case segments of letters, digits, '_' and '-', at least two of them.
bool IsNamespacedId(const std::string& id) {
  int segments = 0;
  for (absl::string_view segment : absl::StrSplit(id, '/')) {
    if (segment.empty() || !absl::ascii_isalnum(static_cast<unsigned char>(segment[0]))) return false;
    for (char c : segment) {
      if (!(absl::ascii_islower(static_cast<unsigned char>(c)) || absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
            c == '_' || c == '-')) {
        return false;
      }
    }
    ++segments;
  }
  return segments >= 2;
}

bool IsLowerWord(const std::string& word) {
  if (word.empty()) return false;
  for (char c : word) {
    if (!(absl::ascii_islower(static_cast<unsigned char>(c)) || absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

bool Exists(const Repository& repo, const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(repo.root) / path, ec);
}

void CheckVersion(const std::string& file, const std::string& field, const std::string& value,
                  Problems* problems) {
  if (!ParseVersion(value)) {
    problems->push_back({file, 0, absl::StrCat(field, " \"", value,
                                               "\" is not a MAJOR.MINOR.PATCH version: write e.g. \"2.0.0\"")});
  }
}

void CheckStatus(const Repository& repo, const Module& module, const CheckOptions& options,
                 Problems* problems) {
  const ModuleManifest& m = module.manifest;
  const std::string& file = module.manifest_path;
  if (m.status() == STATUS_UNSPECIFIED) {
    problems->push_back({file, 0, "status is missing: add `status: ACTIVE` (or DEPRECATED with a deprecation)"});
    return;
  }
  if (m.status() == ACTIVE) {
    if (m.has_deprecation()) {
      problems->push_back({file, 0, "an ACTIVE module has a deprecation block: remove it, or set status: DEPRECATED"});
    }
    return;
  }
  const Deprecation& d = m.deprecation();
  if (d.replacement().empty()) {
    problems->push_back({file, 0, "a DEPRECATED module names no replacement: set deprecation.replacement to the "
                                  "id of the module users should move to"});
  } else if (d.replacement() == m.id()) {
    problems->push_back({file, 0, "deprecation.replacement is the module itself: name the module that replaces it"});
  } else if (repo.FindById(d.replacement()) == nullptr) {
    problems->push_back({file, 0, absl::StrCat("deprecation.replacement \"", d.replacement(),
                                               "\" is not the id of any module: fix the id (see `ttt-gov modules list`)")});
  }
  if (d.removal_version().empty()) {
    problems->push_back({file, 0, "a DEPRECATED module has no deprecation.removal_version: set the release that "
                                  "deletes it"});
    return;
  }
  CheckVersion(file, "deprecation.removal_version", d.removal_version(), problems);
  const std::optional<Version> removal = ParseVersion(d.removal_version());
  const std::optional<Version> library = ParseVersion(options.library_version);
  if (removal && library && *library >= *removal) {
    problems->push_back(
        {file, 0, absl::StrCat("deprecated module ", m.id(), " is past its removal version ", d.removal_version(),
                               " (the library is ", options.library_version, "): delete ", module.dir,
                               " and move its users to ", d.replacement().empty() ? "the replacement" : d.replacement(),
                               ", or postpone removal_version with the owners' agreement")});
  }
}

void CheckHeaders(const Repository& repo, const Module& module, Problems* problems) {
  const std::string& file = module.manifest_path;
  if (module.manifest.public_headers().empty()) {
    problems->push_back({file, 0, absl::StrCat("no public_headers: list the header(s) under ", module.dir,
                                               " that are the module's API")});
  }
  for (const std::string& header : module.manifest.public_headers()) {
    if (!Exists(repo, header)) {
      problems->push_back({file, 0, absl::StrCat("public header ", header,
                                                 " does not exist: fix the path (relative to the repository "
                                                 "root) or remove the entry")});
      continue;
    }
    if (repo.ModuleForPath(header) != &module) {
      problems->push_back({file, 0, absl::StrCat("public header ", header, " is not in the module's directory ",
                                                 module.dir, ": a module exports only its own headers")});
    }
    if (absl::StrContains(header, "/internal/") || absl::StrContains(header, "/detail/")) {
      problems->push_back({file, 0, absl::StrCat("public header ", header,
                                                 " is under internal/ or detail/, which is not API and is not "
                                                 "installed: export another header or move it")});
    }
  }
}

void CheckDevices(const Module& module, Problems* problems) {
  std::set<std::string> seen;
  for (const DeviceSupport& device : module.manifest.devices()) {
    if (!KnownDevices().count(device.device())) {
      problems->push_back({module.manifest_path, 0,
                           absl::StrCat("unknown device \"", device.device(), "\": use one of ",
                                        absl::StrJoin(KnownDevices(), ", "))});
    }
    if (!seen.insert(device.device()).second) {
      problems->push_back({module.manifest_path, 0,
                           absl::StrCat("device \"", device.device(), "\" is listed twice: keep one entry")});
    }
    if (device.certification() == CERTIFICATION_UNSPECIFIED) {
      problems->push_back({module.manifest_path, 0,
                           absl::StrCat("device \"", device.device(),
                                        "\" has no certification: set FUNCTIONAL, PERFORMANCE_VERIFIED, "
                                        "HARDWARE_VALIDATED or PRODUCTION")});
    }
  }
}

}  // namespace

void CheckPolicy(const Repository& repo, Problems* problems) {
  if (!repo.policy_loaded) return;  // the load problem already says why
  std::map<int, const TierPolicy*> by_rank;
  for (const TierPolicy& tier : repo.policy.tiers()) {
    const std::string name = TierName(tier.tier());
    if (tier.tier() == TIER_UNSPECIFIED) {
      problems->push_back({kPolicyPath, 0, "a tiers entry has no tier: set tier: CORE, CONTRIB, COMMUNITY or EXPERIMENTAL"});
      continue;
    }
    if (!by_rank.emplace(TierRank(tier.tier()), &tier).second) {
      problems->push_back({kPolicyPath, 0, absl::StrCat("tier ", name, " is defined twice: keep one entry")});
    }
    if (tier.min_owners() < 0 || tier.min_days_in_tier() < 0) {
      problems->push_back({kPolicyPath, 0, absl::StrCat("tier ", name, ": min_owners and min_days_in_tier must be >= 0")});
    }
    if (tier.min_test_coverage() < 0 || tier.min_test_coverage() > 1) {
      problems->push_back({kPolicyPath, 0, absl::StrCat("tier ", name, ": min_test_coverage ", tier.min_test_coverage(),
                                                        " is not a fraction in [0, 1]")});
    }
  }
  for (Tier tier : {CORE, CONTRIB, COMMUNITY, EXPERIMENTAL}) {
    if (!by_rank.count(TierRank(tier))) {
      problems->push_back({kPolicyPath, 0, absl::StrCat("tier ", TierName(tier), " has no policy: add a tiers { tier: ",
                                                        absl::AsciiStrToUpper(TierName(tier)), " ... } entry")});
    }
  }
  // A stronger tier must demand at least what a weaker one does, or promotion would lower the bar.
  const TierPolicy* weaker = nullptr;
  for (auto it = by_rank.rbegin(); it != by_rank.rend(); ++it) {
    const TierPolicy* stronger = it->second;
    if (weaker != nullptr) {
      const std::string pair = absl::StrCat("tier ", TierName(stronger->tier()), " demands less than the weaker tier ",
                                            TierName(weaker->tier()), " in ");
      if (stronger->min_owners() < weaker->min_owners()) problems->push_back({kPolicyPath, 0, pair + "min_owners"});
      if (stronger->min_test_coverage() < weaker->min_test_coverage()) {
        problems->push_back({kPolicyPath, 0, pair + "min_test_coverage"});
      }
      if (weaker->requires_tests() && !stronger->requires_tests()) problems->push_back({kPolicyPath, 0, pair + "requires_tests"});
      if (weaker->requires_docs() && !stronger->requires_docs()) problems->push_back({kPolicyPath, 0, pair + "requires_docs"});
      if (weaker->requires_perf_baseline() && !stronger->requires_perf_baseline()) {
        problems->push_back({kPolicyPath, 0, pair + "requires_perf_baseline"});
      }
    }
    weaker = stronger;
  }
}

void CheckManifestFields(const Repository& repo, const Module& module, const CheckOptions& options,
                         CheckReport* report) {
  const ModuleManifest& m = module.manifest;
  const std::string& file = module.manifest_path;
  Problems* problems = &report->problems;
  if (m.id().empty()) {
    problems->push_back({file, 0, "id is missing: add a namespaced id such as \"ttt/attention/gqa\""});
  } else if (!IsNamespacedId(m.id())) {
    problems->push_back({file, 0, absl::StrCat("id \"", m.id(), "\" is not namespaced: use lower-case segments "
                                               "separated by '/', at least \"namespace/name\" (\"ttt/norm/rms\")")});
  }
  if (!IsLowerWord(m.category())) {
    problems->push_back({file, 0, absl::StrCat("category \"", m.category(), "\" must be one lower-case word "
                                               "(attention, mlp, norm, formats, ...)")});
  }
  if (m.summary().empty()) {
    problems->push_back({file, 0, "summary is missing: say in one sentence what the module computes or reads"});
  }
  const std::vector<Tier> allowed = TiersForDirectory(file);
  if (m.tier() == TIER_UNSPECIFIED) {
    problems->push_back({file, 0, "tier is missing: set tier to CORE, CONTRIB, COMMUNITY or EXPERIMENTAL"});
  } else if (std::find(allowed.begin(), allowed.end(), m.tier()) == allowed.end()) {
    std::vector<std::string> names;
    for (Tier t : allowed) names.push_back(absl::AsciiStrToUpper(TierName(t)));
    problems->push_back({file, 0, absl::StrCat("tier ", absl::AsciiStrToUpper(TierName(m.tier())), " does not match the directory ",
                                               module.dir, ", which holds ", absl::StrJoin(names, " or "),
                                               " modules: fix the tier, or move the module with `ttt-gov promote`")});
  }
  std::set<std::string> owners;
  for (const std::string& owner : m.owners()) {
    if (!absl::StripAsciiWhitespace(owner).empty()) owners.insert(owner);
  }
  const TierPolicy* policy = repo.PolicyFor(m.tier());
  const int min_owners = std::max(1, policy ? policy->min_owners() : 1);
  if (static_cast<int>(owners.size()) < min_owners) {
    problems->push_back({file, 0, absl::StrCat(owners.empty() ? "no owners" : absl::StrCat("only ", owners.size(), " owner(s)"),
                                               ": tier ", TierName(m.tier()), " requires at least ", min_owners,
                                               " (governance/policy.textproto): add owners: \"<team or user>\"")});
  }
  if (m.since_version().empty()) {
    problems->push_back({file, 0, absl::StrCat("since_version is missing: set the library version that first shipped it (\"",
                                               options.library_version, "\" for a new module)")});
  } else {
    CheckVersion(file, "since_version", m.since_version(), problems);
  }
  CheckStatus(repo, module, options, problems);
  CheckHeaders(repo, module, problems);
  CheckDevices(module, problems);
  if (policy != nullptr && policy->requires_docs() && m.docs().empty()) {
    problems->push_back({file, 0, absl::StrCat("tier ", TierName(m.tier()), " requires docs: set docs to the page "
                                               "(or header) documenting the module")});
  }
  if (!m.docs().empty() && !Exists(repo, m.docs())) {
    problems->push_back({file, 0, absl::StrCat("docs ", m.docs(), " does not exist: fix the path (relative to the "
                                               "repository root)")});
  }
  if (!m.spec_message().empty() && FindSpecMessage(m.spec_message()) == nullptr) {
    problems->push_back({file, 0, absl::StrCat("spec_message \"", m.spec_message(), "\" is not a message of the "
                                               "library's protos: use a full name such as \"ttt.spec.AttentionSpec\"")});
  }
}

void CheckUniqueIds(const Repository& repo, Problems* problems) {
  std::map<std::string, const Module*> first;
  for (const Module& module : repo.modules) {
    if (module.manifest.id().empty()) continue;
    auto [it, inserted] = first.emplace(module.manifest.id(), &module);
    if (!inserted) {
      problems->push_back({module.manifest_path, 0,
                           absl::StrCat("id \"", module.manifest.id(), "\" is already claimed by ",
                                        it->second->manifest_path, ": give one of them another id")});
    }
  }
}

}  // namespace ttt::gov
