// The review rule on a small governed tree made a git repository: changes to a core and a contrib module,
// counted against the Approved-by: trailers of the commits after the base.
#include "core/governance/review.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/governance/checker.h"
#include "core/governance/gov_io.h"
#include "core/governance/testing/governed_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::GovernedTree;

constexpr char kPolicy[] = R"(
tiers { tier: CORE min_owners: 2 requires_tests: true min_test_coverage: 0.8 requires_docs: true
        requires_perf_baseline: true min_days_in_tier: 90 merge_rule: "two approvals, one an owner"
        review { min_approvals: 2 owner_approval: true } }
tiers { tier: CONTRIB min_owners: 1 requires_tests: true min_test_coverage: 0.5 requires_docs: true
        review { min_approvals: 1 owner_approval: true maintainer_may_stand_in: true } }
tiers { tier: COMMUNITY min_owners: 1 requires_tests: true }
tiers { tier: EXPERIMENTAL min_owners: 1 review { min_approvals: 1 } }
maintainers: "Max <max@example.org>"
teams { name: "beta-team" members: "tia@example.org" }
)";

class ReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.Write("governance/policy.textproto", kPolicy);
    // contrib/beta is owned by the person cid and by a team.
    tree_.Write("contrib/beta/module.textproto",
                absl::StrCat(testing::kBetaManifest, "owners: \"beta-team\"\n"));
    tree_.Reindex();
    Git("init -q -b main");
    Git("config user.name 'Ann Author'");
    Git("config user.email ann@example.org");
    Git("add -A");
    Git("commit -q -m base");
    Git("tag base");
  }

  void Git(const std::string& args) {
    const CommandResult r = RunCommand(absl::StrCat("git -C ", ShellQuote(tree_.root()), " ", args));
    ASSERT_EQ(r.exit_code, 0) << args << ": " << r.output;
  }

  // Changes one file of each given module directory and commits with `trailers` ("Approved-by: ...").
  void Commit(const std::vector<std::string>& files, const std::vector<std::string>& trailers) {
    for (const std::string& f : files) tree_.Write(f, tree_.Read(f) + "// changed\n");
    std::string message = "-m change";
    if (!trailers.empty()) {
      message += " -m " + ShellQuote(absl::StrJoin(trailers, "\n"));
    }
    Git("add -A");
    Git("commit -q " + message);
  }

  Problems Reviews(const std::string& since = "base") {
    Problems problems;
    CheckReviews(LoadRepository(tree_.root()), since, &problems);
    return problems;
  }

  GovernedTree tree_;
};

auto On(const std::string& file, const std::string& text) {
  return AllOf(Field(&Problem::file, file), Field(&Problem::message, HasSubstr(text)));
}

constexpr char kAlphaFile[] = "core/blocks/alpha/alpha.cc";
constexpr char kBetaFile[] = "contrib/beta/beta.h";
constexpr char kAlpha[] = "core/blocks/alpha/module.textproto";
constexpr char kBeta[] = "contrib/beta/module.textproto";

TEST_F(ReviewTest, UnapprovedChangesAreRefusedPerModuleWithTheRule) {
  Commit({kAlphaFile, kBetaFile}, {});
  const Problems problems = Reviews();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems, Contains(On(kAlpha, "tier core needs 2 approval(s), one from an owner (ann, bob)")));
  EXPECT_THAT(problems, Contains(On(kBeta, "one from an owner (cid, beta-team or a maintainer)")));
  EXPECT_THAT(problems[0].message, HasSubstr("Approved-by:"));
  // Nothing changed after HEAD: nothing to review. Files outside any module need no module's rule.
  EXPECT_THAT(Reviews("HEAD"), IsEmpty());
  Commit({"governance/policy.textproto"}, {});
  EXPECT_THAT(Reviews("HEAD~1"), IsEmpty());
}

TEST_F(ReviewTest, OwnersByNameAddressOrTeamAndMaintainersStandingIn) {
  Commit({kAlphaFile}, {"Approved-by: Bob <bob@example.org>", "Approved-by: Eve <eve@example.org>"});
  EXPECT_THAT(Reviews(), IsEmpty());  // two people, bob an owner by name
  Commit({kBetaFile}, {"Approved-by: Tia <tia@example.org>"});  // a member of beta-team
  EXPECT_THAT(Reviews("HEAD~1"), IsEmpty());
  Commit({kBetaFile}, {"Approved-by: Max <max@example.org>"});  // a maintainer, allowed for contrib
  EXPECT_THAT(Reviews("HEAD~1"), IsEmpty());
  // ... but not for core, where two approvals are not enough without an owner.
  Commit({kAlphaFile}, {"Approved-by: Max <max@example.org>", "Approved-by: Eve <eve@example.org>"});
  EXPECT_THAT(Reviews("HEAD~1"), ElementsAre(On(kAlpha, "2 counted of Max <max@example.org>")));
  EXPECT_THAT(Reviews("HEAD~1")[0].message, HasSubstr("none from an owner"));
}

TEST_F(ReviewTest, TheAuthorsOwnApprovalAndRepeatsDoNotCount) {
  // ann owns alpha and wrote the change: her approval and a second one from Bob's other address count once.
  Commit({kAlphaFile}, {"Approved-by: Ann Author <ann@example.org>", "Approved-by: Bob <bob@example.org>",
                        "Approved-by: Bob B. <bob@example.org>"});
  EXPECT_THAT(Reviews(), ElementsAre(On(kAlpha, ": 1 counted")));
}

TEST_F(ReviewTest, AnUnknownRevisionIsOneClearProblem) {
  EXPECT_THAT(Reviews("no-such-branch"), ElementsAre(Field(&Problem::message, HasSubstr("git knows no such revision"))));
}

TEST_F(ReviewTest, CheckRunsTheRuleWhenGivenARevision) {
  Commit({kAlphaFile}, {});
  EXPECT_THAT(RunChecks({.root = tree_.root(), .library_version = "2.0.0"}).problems, Not(Contains(On(kAlpha, "approval"))));
  EXPECT_THAT(RunChecks({.root = tree_.root(), .library_version = "2.0.0", .since = "base"}).problems,
              Contains(On(kAlpha, "needs 2 approval(s)")));
}

}  // namespace
}  // namespace ttt::gov
