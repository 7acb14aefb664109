// The compatibility matrix's judgement (baseline: known-fail, unexpected-pass), discovery of its axes, the
// rendered COMPATIBILITY.md and `matrix --check` on a synthetic repository. Running real cells is the
// on-demand `ttt-gov matrix` (and CTest governance.matrix runs --check against this build's zoo tests).
#include "core/governance/matrix.h"

#include <string>

#include "core/governance/gov_io.h"
#include "core/governance/testing/governed_tree.h"
#include "google/protobuf/text_format.h"
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

TEST(MatrixMetricsTest, ParsesTheWorstValueOfEveryMetricLine) {
  MatrixCell cell;
  ParseMetrics("[ RUN ] X\nTTT_METRIC device=n150 pcc=0.99 top1=0.75 logit_error=0.02\nnoise pcc=0.1\n"
               "  TTT_METRIC device=n150 pcc=0.995 top1=0.5 max_logit_error=0.01\nTTT_METRIC tokens_per_s=850.5\n",
               &cell);
  ASSERT_TRUE(cell.has_pcc() && cell.has_top1());
  EXPECT_DOUBLE_EQ(cell.pcc(), 0.99);
  EXPECT_DOUBLE_EQ(cell.top1(), 0.5);
  EXPECT_DOUBLE_EQ(cell.logit_error(), 0.02);
  EXPECT_DOUBLE_EQ(cell.tokens_per_s(), 850.5);
  MatrixCell none;
  ParseMetrics("no metrics here\n", &none);
  EXPECT_FALSE(none.has_pcc());
}

// The targets as a model owner writes them in zoo/<model>/model.textproto.
ZooModel ModelWithTargets() {
  ZooModel model;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"(name: "m" targets { device: "cpu" max_logit_error: 0.001 min_tokens_per_s: 100 }
         targets { device: "n150" mode: "performance" min_pcc: 0.98 min_top1: 0.6 })",
      &model));
  return model;
}

MatrixCell Passed(const std::string& metrics) {
  MatrixCell cell;
  cell.set_status("pass");
  ParseMetrics(metrics, &cell);
  return cell;
}

TEST(MatrixMetricsTest, DecodeBelowTheModelsSpeedTargetIsAPerfRegression) {
  const ZooModel model = ModelWithTargets();
  MatrixCell slow = Passed("TTT_METRIC logit_error=0.0001 tokens_per_s=50");
  JudgeMetrics(&model.targets(0), &slow);
  EXPECT_EQ(slow.status(), "perf-regression");
  EXPECT_THAT(slow.reason(), HasSubstr("50 tokens/s < target 100"));
  EXPECT_TRUE(IsFailingStatus(slow.status()));
  MatrixCell fast = Passed("TTT_METRIC logit_error=0.0001 tokens_per_s=150");
  JudgeMetrics(&model.targets(0), &fast);
  EXPECT_EQ(fast.status(), "pass");
  MatrixCell unjudged = Passed("TTT_METRIC pcc=0.99 top1=0.7 tokens_per_s=1");  // n150 sets no speed target
  JudgeMetrics(&model.targets(1), &unjudged);
  EXPECT_EQ(unjudged.status(), "pass");
}

TEST(MatrixMetricsTest, AccuracyBelowTheDeviceTargetFailsBeforeSpeedIsJudged) {
  const ZooModel model = ModelWithTargets();
  MatrixCell off = Passed("TTT_METRIC pcc=0.97 top1=0.7\n");
  JudgeMetrics(&model.targets(1), &off);
  EXPECT_EQ(off.status(), "fail");
  EXPECT_THAT(off.reason(), HasSubstr("pcc 0.97 < target 0.98"));
  MatrixCell both = Passed("TTT_METRIC logit_error=0.01 tokens_per_s=1");
  JudgeMetrics(&model.targets(0), &both);
  EXPECT_EQ(both.status(), "fail");
  EXPECT_THAT(both.reason(), HasSubstr("logit error 0.01 > target 0.001"));
  MatrixCell silent = Passed("tests printed nothing\n");
  JudgeMetrics(&model.targets(1), &silent);
  EXPECT_EQ(silent.status(), "fail");
  EXPECT_THAT(silent.reason(), HasSubstr("no pcc reported"));
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
  tree_.Write("governance/matrix.baseline", "m1 2.0.0 *: needs an API newer than 2.0.0\n");
  baseline = LoadMatrixBaseline(tree_.root());
  ASSERT_TRUE(baseline.ok());
  ASSERT_NE(BaselineReason(*baseline, "m1", "2.0.0", "n150"), nullptr);
  EXPECT_EQ(*BaselineReason(*baseline, "m1", "2.0.0", "n150"), "needs an API newer than 2.0.0");
  EXPECT_EQ(BaselineReason(*baseline, "m1", "HEAD", "n150"), nullptr);
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

TEST_F(MatrixTest, RendersMeasurementsAndWhyCellsDidNotPass) {
  Matrix m = Sample();
  MatrixCell* head = m.mutable_cells(4);  // m1 HEAD cpu
  head->set_mode("accuracy");
  head->set_pcc(0.999991);
  head->set_top1(1);
  head->set_logit_error(2.5e-5);
  head->set_tokens_per_s(812);
  head->set_test_seconds(3);
  m.mutable_cells(0)->set_reason("zoo/m1/m1_device_test.cc:9:10: fatal error: core/testing/device_env.h: No such file");
  const std::string md = RenderCompatibility(m);
  EXPECT_THAT(md, HasSubstr("| m1 | HEAD | cpu | accuracy | pass | 0.99999 | 100.0% | 2.50e-05 | 812 | 3.0 |"));
  EXPECT_THAT(md, HasSubstr("- m1 1.10.0 cpu: known-fail: `zoo/m1/m1_device_test.cc:9:10: fatal error"));
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

// The API row: one verdict per release column under the version columns; an unaccepted break fails --check
// like a failing cell, a break accepted in governance/api.baseline does not.
TEST_F(MatrixTest, RendersTheApiRowAndCheckFailsAnUnacceptedBreak) {
  Matrix m = Sample();
  ApiVerdict* v = m.add_api();
  v->set_version("2.0.0");
  v->set_against("HEAD");
  v->set_against_version("2.1.0");
  v->set_against_commit(std::string(40, 'c'));
  v->set_step("minor");
  v->set_status("accepted");
  v->set_accepted(3);
  v->set_declarations(120);
  v->set_added(7);
  v->add_first_breaks("removed function ttt::Old () (core/old.h:3) [accepted: replaced by ttt::New]");
  ASSERT_TRUE(WriteMatrix(tree_.root(), m).ok());
  const std::string md = tree_.Read("COMPATIBILITY.md");
  EXPECT_THAT(md, HasSubstr("## Public API vs HEAD"));
  EXPECT_THAT(md, HasSubstr("| API vs HEAD | · not run | ⚠️ 3 accepted break(s) | (reference) |"));
  EXPECT_THAT(md, HasSubstr("- 2.0.0 -> HEAD (2.1.0, `cccccccccccc`, ): minor step, accepted: 3 of 120 declarations"));
  EXPECT_THAT(md, HasSubstr("  - `removed function ttt::Old () (core/old.h:3) [accepted: replaced by ttt::New]`"));
  EXPECT_TRUE(CheckMatrix(tree_.root(), "").empty());

  v->set_status("breaks");
  v->set_breaks(1);
  ASSERT_TRUE(WriteMatrix(tree_.root(), m).ok());
  EXPECT_THAT(tree_.Read("COMPATIBILITY.md"), HasSubstr("| ❌ 1 break(s) |"));
  const Problems problems = CheckMatrix(tree_.root(), "");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("the public API of 2.0.0 has 1 break(s) against HEAD on a minor step"));
  EXPECT_THAT(problems[0].message, HasSubstr("accept each in governance/api.baseline"));
}

TEST_F(MatrixTest, CheckWithoutMatrixSaysHowToMakeIt) {
  const Problems problems = CheckMatrix(tree_.root(), "");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("run `ttt-gov matrix`"));
}

// A release whose own ttt_zoo_find_pinned predates TTT_ZOO_PIN_OVERRIDE (as 2.0.0's does) refuses a model pinned
// to another version at configure; through the matrix's shim the model configures against the release, so its
// code is compiled against that release's API and a failure is a compiler error, not the pin.
TEST(MatrixReleaseShimTest, AnOldReleasesPinMacroGivesWayToTheOverride) {
  GovernedTree tree;  // scratch space
  const std::string prefix = tree.root() + "/release";
  tree.Write("release/lib/cmake/ttt/tttConfig.cmake",
             "macro(ttt_zoo_find_pinned manifest)\n"
             "  message(FATAL_ERROR \"zoo model is pinned to ttt 2.1.0 but found 2.0.0 (the release's own macro)\")\n"
             "endmacro()\n");
  tree.Write("release/lib/cmake/ttt/tttConfigVersion.cmake",
             "set(PACKAGE_VERSION 2.0.0)\n"
             "if(PACKAGE_FIND_VERSION AND NOT PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)\n"
             "  set(PACKAGE_VERSION_COMPATIBLE FALSE)\n"
             "else()\n"
             "  set(PACKAGE_VERSION_COMPATIBLE TRUE)\n"
             "  set(PACKAGE_VERSION_EXACT TRUE)\n"
             "endif()\n");
  tree.Write("model/model.textproto", "name: \"m\"\nlibrary_version: \"2.1.0\"\n");
  tree.Write("model/CMakeLists.txt",
             "cmake_minimum_required(VERSION 3.25)\nproject(m LANGUAGES NONE)\nfind_package(ttt CONFIG REQUIRED)\n"
             "ttt_zoo_find_pinned(${CMAKE_CURRENT_SOURCE_DIR}/model.textproto)\n"
             "message(STATUS \"configured against ttt ${ttt_VERSION}\")\n");
  auto configure = [&](const std::string& build, const std::string& package) {
    return RunCommand("cmake -S " + ShellQuote(tree.root() + "/model") + " -B " + ShellQuote(tree.root() + "/" + build) +
                      package + " -DTTT_ZOO_PIN_OVERRIDE=2.0.0");
  };
  const CommandResult plain = configure("plain", " -DCMAKE_PREFIX_PATH=" + ShellQuote(prefix));
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_THAT(plain.output, HasSubstr("the release's own macro"));

  const std::string root = std::string(TTT_FIXTURES_DIR) + "/../..";  // this tree's cmake/TttZoo.cmake
  ASSERT_TRUE(WriteReleaseShim(root, prefix, tree.root() + "/shim").ok());
  const CommandResult shimmed = configure("shimmed", " -Dttt_DIR=" + ShellQuote(tree.root() + "/shim"));
  EXPECT_EQ(shimmed.exit_code, 0) << shimmed.output;
  EXPECT_THAT(shimmed.output, HasSubstr("configured against ttt 2.0.0"));
  EXPECT_THAT(shimmed.output, HasSubstr("built against 2.0.0 (TTT_ZOO_PIN_OVERRIDE)"));

  EXPECT_THAT(WriteReleaseShim(root, tree.root() + "/nothing", tree.root() + "/shim2").message(),
              HasSubstr("no ttt package installed"));
}

}  // namespace
}  // namespace ttt::gov
