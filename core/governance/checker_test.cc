// Each refusal of `ttt-gov check`, on a small temporary tree that passes until one thing is broken.
#include "core/governance/checker.h"

#include <string>

#include "absl/strings/str_replace.h"
#include "core/governance/testing/governed_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::GovernedTree;

CheckReport Check(const GovernedTree& tree, const std::string& version = "2.0.0") {
  return RunChecks({.root = tree.root(), .library_version = version});
}

std::string Dump(const CheckReport& report) {
  std::string out;
  for (const Problem& p : report.problems) out += FormatProblem(p) + "\n";
  return out;
}

auto ProblemAt(const std::string& file, const std::string& text) {
  return AllOf(Field(&Problem::file, file), Field(&Problem::message, HasSubstr(text)));
}

constexpr char kAlpha[] = "core/blocks/alpha/module.textproto";
constexpr char kBeta[] = "contrib/beta/module.textproto";
constexpr char kGamma[] = "experimental/gamma/module.textproto";

TEST(CheckerTest, TheGoodTreePasses) {
  GovernedTree tree;
  const CheckReport report = Check(tree);
  EXPECT_TRUE(report.ok()) << Dump(report);
  EXPECT_EQ(report.modules_checked, 3);
  EXPECT_THAT(report.warnings, IsEmpty());
}

TEST(CheckerTest, RefusesMissingOwnersAndTooFewForTheTier) {
  GovernedTree tree;
  tree.Write(kGamma, absl::StrReplaceAll(testing::kGammaManifest, {{"owners: \"dee\"\n", ""}}));
  tree.Write(kAlpha, absl::StrReplaceAll(testing::kAlphaManifest, {{"owners: \"bob\"\n", ""}}));
  tree.Reindex();
  const CheckReport report = Check(tree);
  EXPECT_THAT(report.problems, Contains(ProblemAt(kGamma, "no owners")));
  EXPECT_THAT(report.problems, Contains(ProblemAt(kAlpha, "only 1 owner(s): tier core requires at least 2")));
}

TEST(CheckerTest, RefusesADuplicateIdNamingBothManifests) {
  GovernedTree tree;
  tree.Write("contrib/delta/module.textproto",
             absl::StrReplaceAll(testing::kBetaManifest, {{"contrib/beta/beta.h", "contrib/delta/delta.h"},
                                                          {"BetaTest", "DeltaTest"}}));
  tree.Write("contrib/delta/delta.h", "#include \"core/blocks/alpha/alpha.h\"\n");
  tree.Write("contrib/delta/delta_test.cc", "TEST(DeltaTest, Works) {}\n");
  tree.Reindex();
  const CheckReport report = Check(tree);
  EXPECT_THAT(report.problems, Contains(ProblemAt("contrib/delta/module.textproto",
                                                  "id \"ttt/beta/beta\" is already claimed by " + std::string(kBeta))));
  EXPECT_EQ(report.problems.size(), 1u) << Dump(report);
}

TEST(CheckerTest, RefusesATierThatDoesNotMatchItsDirectory) {
  GovernedTree tree;
  tree.Write(kGamma, absl::StrReplaceAll(testing::kGammaManifest, {{"tier: EXPERIMENTAL", "tier: CONTRIB"}}));
  tree.Reindex();
  EXPECT_THAT(Check(tree).problems,
              Contains(ProblemAt(kGamma, "tier CONTRIB does not match the directory experimental/gamma")));
}

TEST(CheckerTest, RefusesACoreSourceIncludingAnExperimentalHeaderNamingBothFiles) {
  GovernedTree tree;
  tree.Write("core/blocks/alpha/alpha.cc",
             "#include \"core/blocks/alpha/alpha.h\"\n\n  #  include \"experimental/gamma/gamma.h\"\n");
  const CheckReport report = Check(tree);
  ASSERT_THAT(report.problems, Contains(ProblemAt("core/blocks/alpha/alpha.cc", "experimental/gamma/gamma.h")))
      << Dump(report);
  for (const Problem& p : report.problems) {
    if (p.file != "core/blocks/alpha/alpha.cc") continue;
    EXPECT_EQ(p.line, 3);
    EXPECT_THAT(p.message, HasSubstr("which is tier EXPERIMENTAL (module ttt/gamma/gamma)"));
  }
}

TEST(CheckerTest, RefusesAnIncludeFromALowerLayerIntoAHigherOne) {
  GovernedTree tree;
  tree.Write("governance/policy.textproto",
             std::string(testing::kTestPolicy) + "core_layers: [\"runtime\", \"blocks\"]\n");
  tree.Write("core/runtime/clock.h", "#include \"core/runtime/other.h\"\n#include \"core/blocks/proto/x.pb.h\"\n");
  ASSERT_TRUE(Check(tree).ok()) << Dump(Check(tree));  // downward, within a layer and schema headers pass

  tree.Write("core/runtime/clock.h", "#include \"core/blocks/proto/x.pb.h\"\n#include \"core/blocks/alpha/alpha.h\"\n");
  tree.Write("core/runtime/clock_test.cc", "#include \"core/blocks/alpha/alpha.h\"\n");  // tests may
  tree.Write("core/extra/extra.h", "");
  const CheckReport report = Check(tree);
  EXPECT_THAT(report.problems,
              Contains(AllOf(ProblemAt("core/runtime/clock.h",
                                       "includes core/blocks/alpha/alpha.h of the higher layer blocks"),
                             Field(&Problem::line, 2))))
      << Dump(report);
  EXPECT_THAT(report.problems, Contains(ProblemAt("core/extra", "core/extra is not a layer: add it to core_layers")));
  EXPECT_EQ(report.problems.size(), 2u) << Dump(report);
}

TEST(CheckerTest, RefusesAnIncludeOfCodeNoModuleClaimsInAWeakerTier) {
  GovernedTree tree;
  tree.Write("contrib/beta/beta_impl.cc", "#include \"experimental/loose/loose.h\"\n");
  EXPECT_THAT(Check(tree).problems,
              Contains(ProblemAt("contrib/beta/beta_impl.cc", "which is tier EXPERIMENTAL: a tier may depend only")));
}

TEST(CheckerTest, RefusesAContribManifestDependingOnAnExperimentalModule) {
  GovernedTree tree;
  tree.Write(kBeta, std::string(testing::kBetaManifest) + "dependencies: \"ttt/gamma/gamma\"\n");
  tree.Reindex();
  EXPECT_THAT(Check(tree).problems,
              Contains(ProblemAt(kBeta, "CONTRIB module ttt/beta/beta depends on EXPERIMENTAL module ttt/gamma/gamma")));
}

TEST(CheckerTest, RefusesUnknownAndUndeclaredDependencies) {
  GovernedTree tree;
  tree.Write(kBeta, absl::StrReplaceAll(testing::kBetaManifest, {{"ttt/alpha/alpha", "ttt/alpha/alfa"}}));
  tree.Reindex();
  const CheckReport report = Check(tree);
  EXPECT_THAT(report.problems, Contains(ProblemAt(kBeta, "dependency \"ttt/alpha/alfa\" is not the id of any module")));
  // beta.h still includes alpha's header, which the manifest no longer declares.
  EXPECT_THAT(report.problems,
              Contains(ProblemAt("contrib/beta/beta.h", "add dependencies: \"ttt/alpha/alpha\"")));
}

TEST(CheckerTest, RefusesAMissingPublicHeader) {
  GovernedTree tree;
  tree.Remove("contrib/beta/beta.h");
  EXPECT_THAT(Check(tree).problems, Contains(ProblemAt(kBeta, "public header contrib/beta/beta.h does not exist")));
}

TEST(CheckerTest, RefusesMissingTests) {
  GovernedTree tree;
  tree.Remove("core/blocks/alpha/alpha_test.cc");
  EXPECT_THAT(Check(tree).problems,
              Contains(ProblemAt(kAlpha, "test label \"AlphaTest\" names no GoogleTest suite")));

  tree.Write(kBeta, absl::StrReplaceAll(testing::kBetaManifest,
                                        {{"test_labels: \"BetaTest\"\n", ""}, {"test_labels: \"EndToEndTest\"\n", ""}}));
  tree.Reindex();
  EXPECT_THAT(Check(tree).problems, Contains(ProblemAt(kBeta, "tier contrib requires tests")));
}

TEST(CheckerTest, WarnsWhenOnlyEndToEndTestsCoverAModule) {
  GovernedTree tree;
  tree.Write(kBeta, absl::StrReplaceAll(testing::kBetaManifest, {{"test_labels: \"BetaTest\"\n", ""}}));
  tree.Remove("contrib/beta/beta_test.cc");
  tree.Reindex();
  const CheckReport report = Check(tree);
  EXPECT_TRUE(report.ok()) << Dump(report);
  EXPECT_THAT(report.warnings, Contains(ProblemAt(kBeta, "no unit tests in contrib/beta")));
}

TEST(CheckerTest, RefusesADeprecatedModulePastItsRemovalVersion) {
  GovernedTree tree;
  const std::string deprecated = absl::StrReplaceAll(
      testing::kGammaManifest,
      {{"status: ACTIVE", "status: DEPRECATED deprecation { replacement: \"ttt/beta/beta\" removal_version: \"2.0.0\" }"}});
  tree.Write(kGamma, deprecated);
  tree.Reindex();
  EXPECT_THAT(Check(tree, "2.0.0").problems,
              Contains(ProblemAt(kGamma, "deprecated module ttt/gamma/gamma is past its removal version 2.0.0")));
  const CheckReport earlier = Check(tree, "1.9.3");
  EXPECT_TRUE(earlier.ok()) << Dump(earlier);

  tree.Write(kGamma, absl::StrReplaceAll(deprecated, {{"replacement: \"ttt/beta/beta\" ", ""}}));
  tree.Reindex();
  EXPECT_THAT(Check(tree, "1.9.3").problems, Contains(ProblemAt(kGamma, "names no replacement")));
}

TEST(CheckerTest, RefusesAStaleOrMissingModuleIndex) {
  GovernedTree tree;
  tree.Write(kBeta, absl::StrReplaceAll(testing::kBetaManifest, {{"with a sliding window", "with a wider window"}}));
  EXPECT_THAT(Check(tree).problems, Contains(ProblemAt(kModuleIndexPath, "out of date")));
  tree.Reindex();
  EXPECT_TRUE(Check(tree).ok());
  tree.Remove(kModuleIndexPath);
  EXPECT_THAT(Check(tree).problems, Contains(ProblemAt(kModuleIndexPath, "run `ttt-gov index`")));
}

TEST(CheckerTest, RefusesBadTextFormatWithTheLine) {
  GovernedTree tree;
  tree.Write(kGamma, absl::StrReplaceAll(testing::kGammaManifest, {{"status: ACTIVE", "status: RETIRED"}}));
  const CheckReport report = Check(tree);
  ASSERT_THAT(report.problems, Contains(ProblemAt(kGamma, "RETIRED"))) << Dump(report);
  for (const Problem& p : report.problems) {
    if (p.file == kGamma) EXPECT_EQ(p.line, 6) << p.message;
  }
  tree.Write(kGamma, std::string(testing::kGammaManifest) + "owner: \"eve\"\n");
  EXPECT_THAT(Check(tree).problems, Contains(AllOf(ProblemAt(kGamma, "owner"), Field(&Problem::line, 10))));
}

TEST(CheckerTest, RefusesEmptyOrMalformedFields) {
  GovernedTree tree;
  tree.Write(kGamma, "id: \"gamma\"\ncategory: \"Gamma Ray\"\ntier: EXPERIMENTAL\nowners: \"dee\"\n"
                     "since_version: \"2.0\"\nstatus: ACTIVE\npublic_headers: \"experimental/gamma/gamma.h\"\n"
                     "devices { device: \"gpu\" }\nspec_message: \"ttt.spec.NoSuchSpec\"\n"
                     "dependencies: \"ttt/beta/beta\"\n");
  tree.Reindex();
  const CheckReport report = Check(tree);
  for (const char* text : {"is not namespaced", "must be one lower-case word", "summary is missing",
                           "since_version \"2.0\" is not a MAJOR.MINOR.PATCH", "unknown device \"gpu\"",
                           "has no certification", "spec_message \"ttt.spec.NoSuchSpec\""}) {
    EXPECT_THAT(report.problems, Contains(ProblemAt(kGamma, text))) << text;
  }
}

TEST(CheckerTest, RefusesAPolicyWhereAStrongerTierDemandsLess) {
  GovernedTree tree;
  tree.Write(kPolicyPath, absl::StrReplaceAll(testing::kTestPolicy, {{"min_owners: 2", "min_owners: 0"},
                                                                     {"tiers { tier: COMMUNITY min_owners: 1 requires_tests: true }\n", ""}}));
  const CheckReport report = Check(tree);
  EXPECT_THAT(report.problems, Contains(ProblemAt(kPolicyPath, "tier core demands less than the weaker tier contrib in min_owners")));
  EXPECT_THAT(report.problems, Contains(ProblemAt(kPolicyPath, "tier community has no policy")));
}

TEST(CheckerTest, ReportsEveryProblemInOneRun) {
  GovernedTree tree;
  tree.Remove("contrib/beta/beta.h");
  tree.Write("core/blocks/alpha/alpha.cc", "#include \"contrib/beta/beta.h\"\n");
  tree.Write(kGamma, "id: \"ttt/gamma/gamma\"\nnot_a_field: 1\n");
  const CheckReport report = Check(tree);
  EXPECT_THAT(report.problems, Contains(ProblemAt(kBeta, "public header")));
  EXPECT_THAT(report.problems, Contains(ProblemAt("core/blocks/alpha/alpha.cc", "tier CONTRIB")));
  EXPECT_THAT(report.problems, Contains(AllOf(ProblemAt(kGamma, "not_a_field"), Field(&Problem::line, 2))));
}

TEST(CheckerTest, TheRepositoryItselfPasses) {
  const std::string root = TTT_FIXTURES_DIR "/../..";
  const CheckReport report = RunChecks({.root = root});
  EXPECT_TRUE(report.ok()) << Dump(report);
  EXPECT_GE(report.modules_checked, 17);
}

}  // namespace
}  // namespace ttt::gov
