// The compatibility matrix's judgement (baseline: known-fail, unexpected-pass), discovery of its axes, the
// rendered COMPATIBILITY.md and `matrix --check` on a synthetic repository. Running real cells is the
// on-demand `ttt-gov matrix` (and CTest governance.matrix runs --check against this build's zoo tests).
#include "core/governance/matrix.h"

#include <string>

#include "core/governance/testing/governed_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::GovernedTree;

TEST(MatrixJudgeTest, BaselineTurnsFailuresKnownAndPassesUnexpected) {
  EXPECT_EQ(JudgeCell("pass", false), "pass");
  EXPECT_EQ(JudgeCell("fail", false), "fail");
  EXPECT_EQ(JudgeCell("fail", true), "known-fail");
  EXPECT_EQ(JudgeCell("build-fail", true), "known-fail");
  EXPECT_EQ(JudgeCell("pass", true), "unexpected-pass");
  EXPECT_EQ(JudgeCell("skip", true), "skip");
  for (const char* s : {"fail", "build-fail", "unexpected-pass", "perf-regression"}) EXPECT_TRUE(IsFailingStatus(s));
  for (const char* s : {"pass", "skip", "known-fail"}) EXPECT_FALSE(IsFailingStatus(s));
}

class MatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.Write("CMakeLists.txt", "project(ttt VERSION 2.1.0 LANGUAGES CXX)\n");
    tree_.Write("governance/releases.textproto",
                "releases { version: \"2.0.0\" commit: \"aaaa\" }\nreleases { version: \"1.10.0\" commit: \"bbbb\" }\n");
    tree_.Write("zoo/m1/model.textproto", "name: \"m1\"\nlibrary_version: \"2.1.0\"\ntargets { device: \"cpu\" }\n");
    tree_.Write("hwconfig/devices/cpu.textproto", "");
    tree_.Write("hwconfig/devices/n150.textproto", "");
    tree_.Write("governance/matrix.baseline", "# expected failures\nm1 1.10.0 cpu: predates the m1 format\n");
  }
  Matrix Sample() {
    Matrix m;
    for (const char* v : {"1.10.0", "2.0.0", "HEAD"}) m.add_versions(v);
    m.add_models("m1");
    m.add_devices("cpu");
    m.add_devices("n150");
    for (const char* v : {"1.10.0", "2.0.0", "HEAD"}) {
      MatrixCell* c = m.add_cells();
      c->set_model("m1");
      c->set_version(v);
      c->set_device("cpu");
      c->set_status(std::string(v) == "1.10.0" ? "known-fail" : "pass");
      MatrixCell* s = m.add_cells();
      *s = *c;
      s->set_device("n150");
      s->set_status("skip");
    }
    return m;
  }
  GovernedTree tree_;
};

TEST_F(MatrixTest, DiscoversVersionsInOrderModelsAndDevices) {
  absl::StatusOr<MatrixAxes> axes = DiscoverAxes({.root = tree_.root()});
  ASSERT_TRUE(axes.ok()) << axes.status();
  EXPECT_THAT(axes->versions, ElementsAre("1.10.0", "2.0.0", "HEAD"));
  EXPECT_THAT(axes->models, ElementsAre("m1"));
  EXPECT_THAT(axes->devices, ElementsAre("cpu", "n150"));
  EXPECT_THAT(std::string(DiscoverAxes({.root = tree_.root(), .devices = {"h100"}}).status().message()),
              HasSubstr("unknown device 'h100'"));
}

TEST_F(MatrixTest, BaselineParsesAndRejectsMalformedLines) {
  auto baseline = LoadMatrixBaseline(tree_.root());
  ASSERT_TRUE(baseline.ok());
  EXPECT_EQ(baseline->at(CellKey("m1", "1.10.0", "cpu")), "predates the m1 format");
  tree_.Write("governance/matrix.baseline", "m1 cpu: no version\n");
  EXPECT_THAT(std::string(LoadMatrixBaseline(tree_.root()).status().message()),
              HasSubstr("matrix.baseline:1: write `MODEL VERSION DEVICE: reason`"));
}

TEST_F(MatrixTest, RendersBothViewsAndCheckAcceptsTheWrittenMatrix) {
  ASSERT_TRUE(WriteMatrix(tree_.root(), Sample()).ok());
  const std::string md = tree_.Read("COMPATIBILITY.md");
  EXPECT_THAT(md, HasSubstr("## Latest version (HEAD): model × device"));
  EXPECT_THAT(md, HasSubstr("| m1 | ✅ pass | ➖ skip |"));
  EXPECT_THAT(md, HasSubstr("## cpu: model × library version"));
  EXPECT_THAT(md, HasSubstr("| m1 | ⚠️ known-fail | ✅ pass | ✅ pass |"));
  EXPECT_TRUE(CheckMatrix(tree_.root(), "").empty());
}

TEST_F(MatrixTest, CheckCatchesHandEditsNewModelsAndFailingCells) {
  Matrix m = Sample();
  m.mutable_cells(2)->set_status("unexpected-pass");
  ASSERT_TRUE(WriteMatrix(tree_.root(), m).ok());
  tree_.Write("COMPATIBILITY.md", tree_.Read("COMPATIBILITY.md") + "edited\n");
  tree_.Write("zoo/m2/model.textproto", "name: \"m2\"\nlibrary_version: \"2.1.0\"\n");
  std::string all;
  for (const Problem& p : CheckMatrix(tree_.root(), "")) all += FormatProblem(p) + "\n";
  EXPECT_THAT(all, HasSubstr("records models [m1] but the tree has [m1, m2]"));
  EXPECT_THAT(all, HasSubstr("COMPATIBILITY.md: is not what governance/compat/matrix.json renders to"));
  EXPECT_THAT(all, HasSubstr("m1 2.0.0 cpu is unexpected-pass"));
}

TEST_F(MatrixTest, CheckWithoutMatrixSaysHowToMakeIt) {
  const Problems problems = CheckMatrix(tree_.root(), "");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("run `ttt-gov matrix`"));
}

}  // namespace
}  // namespace ttt::gov
