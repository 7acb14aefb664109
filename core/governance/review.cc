#include "core/governance/review.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/governance/gov_io.h"
#include "core/governance/tiers.h"

namespace ttt::gov {
namespace {

// "Name <email>" -> {"Name <email>", "Name", "email"}, lower-cased: what an owner or team entry may say.
std::set<std::string> Identities(const std::string& who) {
  std::set<std::string> ids = {absl::AsciiStrToLower(absl::StripAsciiWhitespace(who))};
  const size_t open = who.find('<'), close = who.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    ids.insert(absl::AsciiStrToLower(absl::StripAsciiWhitespace(who.substr(0, open))));
    ids.insert(absl::AsciiStrToLower(absl::StripAsciiWhitespace(who.substr(open + 1, close - open - 1))));
  }
  ids.erase("");
  return ids;
}

// One key per person: the e-mail address when the trailer has one, else the whole value.
std::string PersonKey(const std::string& who) {
  const size_t open = who.find('<'), close = who.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open + 1) {
    return absl::AsciiStrToLower(who.substr(open + 1, close - open - 1));
  }
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(who));
}

bool Names(const std::set<std::string>& ids, const std::string& entry) {
  return ids.count(absl::AsciiStrToLower(absl::StripAsciiWhitespace(entry))) > 0;
}

std::string Git(const Repository& repo, const std::string& args, int* exit_code) {
  const CommandResult r = RunCommand(absl::StrCat("git -C ", ShellQuote(repo.root), " ", args));
  *exit_code = r.exit_code;
  return r.output;
}

}  // namespace

bool ApproverOwns(const Policy& policy, const std::string& approver, const std::vector<std::string>& owners) {
  const std::set<std::string> ids = Identities(approver);
  for (const std::string& owner : owners) {
    if (Names(ids, owner)) return true;
    for (const Team& team : policy.teams()) {
      if (team.name() != owner) continue;
      for (const std::string& member : team.members()) {
        if (Names(ids, member)) return true;
      }
    }
  }
  return false;
}

void CheckReviews(const Repository& repo, const std::string& since, Problems* problems) {
  int rc = 0;
  const std::string quoted = ShellQuote(since + "..HEAD");
  Git(repo, absl::StrCat("rev-parse --verify --quiet ", ShellQuote(since + "^{commit}")), &rc);
  if (rc != 0) {
    problems->push_back({"", 0, absl::StrCat("--since ", since, ": git knows no such revision in ", repo.root,
                                             " (give a branch, tag or commit, e.g. origin/main)")});
    return;
  }
  // Files changed by the commits after `since` (not by `since`'s own branch since they forked).
  const std::string changed = Git(repo, absl::StrCat("diff --name-only ", ShellQuote(since + "...HEAD")), &rc);
  std::map<const Module*, std::vector<std::string>> touched;
  for (absl::string_view file : absl::StrSplit(changed, '\n', absl::SkipEmpty())) {
    if (const Module* m = repo.ModuleForPath(std::string(file))) touched[m].emplace_back(file);
  }
  if (touched.empty()) return;
  // Each commit's author and its Approved-by: trailers, a record per commit (\x1e), fields split by \x1f.
  const std::string format = "--format=%H%x1f%an <%ae>%x1f%(trailers:key=Approved-by,valueonly,separator=%x1d)%x1e";
  const std::string log = Git(repo, absl::StrCat("log ", ShellQuote(format), " ", quoted), &rc);
  std::vector<Approval> approvals;
  std::set<std::string> authors;
  for (absl::string_view record : absl::StrSplit(log, '\x1e', absl::SkipWhitespace())) {
    const std::vector<std::string> fields = absl::StrSplit(absl::StripAsciiWhitespace(record), '\x1f');
    if (fields.size() < 3) continue;
    authors.insert(fields[1]);
    for (absl::string_view who : absl::StrSplit(fields[2], absl::ByAnyChar("\x1d\n"), absl::SkipWhitespace())) {
      approvals.push_back({std::string(absl::StripAsciiWhitespace(who)), fields[0].substr(0, 12)});
    }
  }
  for (const auto& [module, files] : touched) {
    const TierPolicy* tier = repo.PolicyFor(module->manifest.tier());
    if (tier == nullptr || !tier->has_review()) continue;
    const ReviewRule& rule = tier->review();
    const std::vector<std::string> owners(module->manifest.owners().begin(), module->manifest.owners().end());
    std::set<std::string> approvers;  // distinct people, self-approvals left out
    bool owner = false;
    for (const Approval& a : approvals) {
      const std::set<std::string> ids = Identities(a.who);
      const bool author = std::any_of(authors.begin(), authors.end(), [&](const std::string& au) {
        const std::set<std::string> author_ids = Identities(au);
        return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return author_ids.count(id) > 0; });
      });
      if (author) continue;
      approvers.insert(PersonKey(a.who));
      const bool maintainer = rule.maintainer_may_stand_in() &&
                              std::any_of(repo.policy.maintainers().begin(), repo.policy.maintainers().end(),
                                          [&](const std::string& m) { return Names(ids, m); });
      owner = owner || maintainer || ApproverOwns(repo.policy, a.who, owners);
    }
    const bool enough = static_cast<int>(approvers.size()) >= rule.min_approvals();
    if (enough && (owner || !rule.owner_approval())) continue;
    std::vector<std::string> found;
    for (const Approval& a : approvals) found.push_back(absl::StrCat(a.who, " in ", a.commit));
    problems->push_back(
        {module->manifest_path, 0,
         absl::StrCat(files.size(), " file(s) changed since ", since, " (", files.front(),
                      files.size() > 1 ? ", ..." : "", ") and tier ", TierName(module->manifest.tier()),
                      " needs ", rule.min_approvals(), " approval(s)",
                      rule.owner_approval() ? absl::StrCat(", one from an owner (", absl::StrJoin(owners, ", "),
                                                           rule.maintainer_may_stand_in() ? " or a maintainer" : "",
                                                           ")")
                                            : "",
                      ": ", approvers.size(), " counted", found.empty() ? "" : absl::StrCat(" of ", absl::StrJoin(found, "; ")),
                      enough ? ", none from an owner" : "",
                      " (the commits' authors do not count). Add \"Approved-by: Name <email>\" trailers "
                      "(git commit --amend --trailer) from who the rule names")});
  }
}

}  // namespace ttt::gov
