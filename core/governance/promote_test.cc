// ttt-gov promote on a fresh synthetic tree (testing/governed_tree.h): every refusal criterion on its own, then a
// promotion and a demotion carried out, with the tree passing `ttt-gov check` afterwards.
#include "core/governance/promote.h"

#include <filesystem>
#include <string>

#include "absl/strings/str_join.h"
#include "core/governance/checker.h"
#include "core/governance/testing/governed_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::HasSubstr;
using testing::GovernedTree;

std::string Failures(const PromotePlan& plan) { return absl::StrJoin(plan.failures, "\n"); }

// Beta (contrib) made ready for core: a second owner, a perf baseline, 100 days in contrib.
void MakeBetaReady(const GovernedTree& tree) {
  std::string manifest = tree.Read("contrib/beta/module.textproto");
  manifest.replace(manifest.find("owners: \"cid\""), 13, "owners: \"cid\"\nowners: \"eve\"");
  tree.Write("contrib/beta/module.textproto", manifest);
  tree.Write("contrib/beta/perf_baseline.json", "{\"tokens_per_s\": 1}\n");
  tree.Write("governance/promotions.textproto",
             "records { id: \"ttt/beta/beta\" from_tier: EXPERIMENTAL to_tier: CONTRIB date: \"2026-01-01\" }\n");
}

PromoteOptions ToCore(const GovernedTree& tree) {
  return {.root = tree.root(), .id = "ttt/beta/beta", .to = CORE, .coverage = 0.9, .today = "2026-06-01"};
}

TEST(PromoteTest, RefusesEachUnmetCriterionOfTheTargetTier) {
  GovernedTree tree;
  PromoteOptions options{.root = tree.root(), .id = "ttt/beta/beta", .to = CORE, .today = "2026-06-01"};
  absl::StatusOr<PromotePlan> plan = PlanPromotion(options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->promotion);
  const std::string failures = Failures(*plan);
  EXPECT_THAT(failures, HasSubstr("owners: ttt/beta/beta has 1 owner(s), tier core needs 2"));
  EXPECT_THAT(failures, HasSubstr("perf baseline: tier core requires one"));
  EXPECT_THAT(failures, HasSubstr("coverage: tier core needs line coverage >= 0.8 and none was measured"));
  EXPECT_THAT(failures, HasSubstr("time in tier: tier core needs 90 days in contrib and there is no record"));
  EXPECT_EQ(plan->failures.size(), 4u) << failures;
}

TEST(PromoteTest, RefusesLowCoverageAndTooFewDays) {
  GovernedTree tree;
  MakeBetaReady(tree);
  PromoteOptions options = ToCore(tree);
  options.coverage = 0.5;
  options.today = "2026-02-01";
  absl::StatusOr<PromotePlan> plan = PlanPromotion(options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Failures(*plan), HasSubstr("coverage: 0.5 < 0.8"));
  EXPECT_THAT(Failures(*plan), HasSubstr("time in tier: 31 day(s) in contrib since 2026-01-01"));
  EXPECT_EQ(plan->failures.size(), 2u) << Failures(*plan);
}

TEST(PromoteTest, RefusesMissingTestsAndDocs) {
  GovernedTree tree;
  MakeBetaReady(tree);
  tree.Remove("contrib/beta/beta_test.cc");
  std::string manifest = tree.Read("contrib/beta/module.textproto");
  manifest.replace(manifest.find("docs: \"contrib/beta/beta.h\""), 27, "docs: \"contrib/beta/README.md\"");
  tree.Write("contrib/beta/module.textproto", manifest);
  absl::StatusOr<PromotePlan> plan = PlanPromotion(ToCore(tree));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Failures(*plan), HasSubstr("tests: "));
  EXPECT_THAT(Failures(*plan), HasSubstr("BetaTest"));
  EXPECT_THAT(Failures(*plan), HasSubstr("docs: tier core requires a docs page"));
}

TEST(PromoteTest, RefusesPromotionAboveItsDependencies) {
  GovernedTree tree;
  // gamma (experimental) uses beta (contrib): it cannot become core while beta is contrib.
  absl::StatusOr<PromotePlan> plan =
      PlanPromotion({.root = tree.root(), .id = "ttt/gamma/gamma", .to = CORE, .today = "2026-06-01"});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Failures(*plan), HasSubstr("dependencies: ttt/gamma/gamma depends on ttt/beta/beta (tier contrib)"));
  EXPECT_THAT(Failures(*plan), HasSubstr("experimental/gamma/gamma.h:2 includes contrib/beta/beta.h (tier contrib)"));
}

TEST(PromoteTest, RefusesDemotionBelowItsDependents) {
  GovernedTree tree;
  absl::StatusOr<PromotePlan> plan =
      PlanPromotion({.root = tree.root(), .id = "ttt/alpha/alpha", .to = EXPERIMENTAL});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_FALSE(plan->promotion);
  EXPECT_THAT(Failures(*plan), HasSubstr("dependents: ttt/beta/beta (tier contrib) depends on ttt/alpha/alpha"));
  EXPECT_THAT(Failures(*plan), HasSubstr("dependents: contrib/beta/beta.h:2 (tier contrib) includes core/blocks/alpha/alpha.h"));
}

TEST(PromoteTest, RefusesUnknownIdSameTierAndTakenDestination) {
  GovernedTree tree;
  EXPECT_THAT(std::string(PlanPromotion({.root = tree.root(), .id = "ttt/nope", .to = CORE}).status().message()),
              HasSubstr("no module with id 'ttt/nope'"));
  EXPECT_THAT(std::string(PlanPromotion({.root = tree.root(), .id = "ttt/beta/beta", .to = CONTRIB}).status().message()),
              HasSubstr("already in tier contrib"));
  MakeBetaReady(tree);
  tree.Write("core/beta/other.h", "#pragma once\n");
  absl::StatusOr<PromotePlan> plan = PlanPromotion(ToCore(tree));
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(Failures(*plan), HasSubstr("destination: core/beta already exists"));
  PromoteOptions wrong_dir = ToCore(tree);
  wrong_dir.to_dir = "contrib/elsewhere";
  EXPECT_THAT(std::string(PlanPromotion(wrong_dir).status().message()), HasSubstr("is not where tier core lives"));
}

TEST(PromoteTest, PromotesMovingFilesRewritingIncludesAndRecording) {
  GovernedTree tree;
  MakeBetaReady(tree);
  const PromoteOptions options = ToCore(tree);
  absl::StatusOr<PromotePlan> plan = PlanPromotion(options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(plan->failures.empty()) << Failures(*plan);
  EXPECT_THAT(FormatPlan(*plan), HasSubstr("move    contrib/beta/beta.h -> core/beta/beta.h"));
  ASSERT_TRUE(ApplyPromotion(options, *plan).ok());
  namespace fs = std::filesystem;
  EXPECT_FALSE(fs::exists(tree.root() + "/contrib/beta"));
  EXPECT_TRUE(fs::exists(tree.root() + "/core/beta/beta.h"));
  EXPECT_TRUE(fs::exists(tree.root() + "/core/beta/perf_baseline.json"));
  EXPECT_THAT(tree.Read("experimental/gamma/gamma.h"), HasSubstr("#include \"core/beta/beta.h\""));
  EXPECT_THAT(tree.Read("core/beta/beta_test.cc"), HasSubstr("#include \"core/beta/beta.h\""));
  const std::string manifest = tree.Read("core/beta/module.textproto");
  EXPECT_THAT(manifest, HasSubstr("tier: CORE"));
  EXPECT_THAT(manifest, HasSubstr("public_headers: \"core/beta/beta.h\""));
  EXPECT_THAT(tree.Read("governance/promotions.textproto"), HasSubstr("to_dir: \"core/beta\""));
  EXPECT_THAT(tree.Read("governance/MODULES.md"), HasSubstr("ttt/beta/beta"));
  const CheckReport report = RunChecks({.root = tree.root()});
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : FormatProblem(report.problems[0]));
}

TEST(PromoteTest, DemotesAndTheTreeStillChecks) {
  GovernedTree tree;
  const PromoteOptions options{.root = tree.root(), .id = "ttt/beta/beta", .to = EXPERIMENTAL};
  absl::StatusOr<PromotePlan> plan = PlanPromotion(options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(plan->failures.empty()) << Failures(*plan);
  ASSERT_TRUE(ApplyPromotion(options, *plan).ok());
  EXPECT_THAT(tree.Read("experimental/gamma/gamma.h"), HasSubstr("#include \"experimental/beta/beta.h\""));
  EXPECT_THAT(tree.Read("experimental/beta/module.textproto"), HasSubstr("tier: EXPERIMENTAL"));
  const CheckReport report = RunChecks({.root = tree.root()});
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : FormatProblem(report.problems[0]));
  // ...and back: the demotion record starts its time in experimental; contrib demands no days.
  const PromoteOptions back{.root = tree.root(), .id = "ttt/beta/beta", .to = CONTRIB, .coverage = 0.6};
  absl::StatusOr<PromotePlan> again = PlanPromotion(back);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->failures.empty()) << Failures(*again);
  ASSERT_TRUE(ApplyPromotion(back, *again).ok());
  EXPECT_THAT(tree.Read("experimental/gamma/gamma.h"), HasSubstr("#include \"contrib/beta/beta.h\""));
  EXPECT_TRUE(RunChecks({.root = tree.root()}).ok());
}

TEST(PromoteTest, UndoReversesTheLastMoveAndDropsItsRecord) {
  GovernedTree tree;
  const std::string gamma_before = tree.Read("experimental/gamma/gamma.h");
  const PromoteOptions options{.root = tree.root(), .id = "ttt/beta/beta", .to = EXPERIMENTAL};
  absl::StatusOr<PromotePlan> plan = PlanPromotion(options);
  ASSERT_TRUE(plan.ok() && plan->failures.empty());
  ASSERT_TRUE(ApplyPromotion(options, *plan).ok());
  // Back to contrib would need its criteria; the undo needs none.
  absl::StatusOr<PromotePlan> undo = PlanUndo({.root = tree.root()});
  ASSERT_TRUE(undo.ok()) << undo.status();
  EXPECT_TRUE(undo->undo);
  EXPECT_THAT(FormatPlan(*undo), HasSubstr("undo the last move of ttt/beta/beta: experimental -> contrib"));
  ASSERT_TRUE(ApplyPromotion({.root = tree.root()}, *undo).ok());
  EXPECT_EQ(tree.Read("experimental/gamma/gamma.h"), gamma_before);
  EXPECT_THAT(tree.Read("contrib/beta/module.textproto"), HasSubstr("tier: CONTRIB"));
  EXPECT_FALSE(std::filesystem::exists(tree.root() + "/governance/promotions.textproto"));
  EXPECT_THAT(std::string(PlanUndo({.root = tree.root()}).status().message()), HasSubstr("nothing to undo"));
}

TEST(PromoteTest, AMoveThatFailsItsBuildVerificationChangesNothing) {
  GovernedTree tree;
  const std::string gamma_before = tree.Read("experimental/gamma/gamma.h");
  // A build directory that cannot be configured: the verification fails after the files have moved.
  const PromoteOptions options{.root = tree.root(), .id = "ttt/beta/beta", .to = EXPERIMENTAL,
                               .build_dir = tree.root() + "/build-not-a-cmake-build"};
  absl::StatusOr<PromotePlan> plan = PlanPromotion(options);
  ASSERT_TRUE(plan.ok() && plan->failures.empty());
  absl::StatusOr<std::string> applied = ApplyPromotion(options, *plan);
  ASSERT_FALSE(applied.ok());
  EXPECT_THAT(std::string(applied.status().message()), HasSubstr("rolled back, nothing changed: configuring"));
  EXPECT_EQ(tree.Read("experimental/gamma/gamma.h"), gamma_before);
  EXPECT_TRUE(std::filesystem::exists(tree.root() + "/contrib/beta/beta.h"));
  EXPECT_FALSE(std::filesystem::exists(tree.root() + "/experimental/beta"));
  EXPECT_FALSE(std::filesystem::exists(tree.root() + "/governance/promotions.textproto"));
  EXPECT_TRUE(RunChecks({.root = tree.root()}).ok());
}

}  // namespace
}  // namespace ttt::gov
