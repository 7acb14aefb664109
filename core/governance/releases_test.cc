// ttt-gov release on a throwaway git repository (created in a temporary directory, never the project's),
// with each refusal; the cached release install returns at once when its stamp exists.
#include "core/governance/releases.h"

#include <filesystem>
#include <string>

#include "core/governance/gov_io.h"
#include "core/governance/testing/governed_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::HasSubstr;
using testing::GovernedTree;

class ReleasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.Write("CMakeLists.txt", "project(ttt VERSION 2.0.0 LANGUAGES CXX)\n");
    const std::string git = "git -C " + ShellQuote(tree_.root()) +
                            " -c user.name=t -c user.email=t@t -c commit.gpgsign=false ";
    has_git_ = RunCommand("git -C " + ShellQuote(tree_.root()) + " init -q").exit_code == 0 &&
               RunCommand(git + "add CMakeLists.txt").exit_code == 0 &&
               RunCommand(git + "commit -q -m v2").exit_code == 0;
  }
  GovernedTree tree_;
  bool has_git_ = false;
};

TEST_F(ReleasesTest, RecordsHeadAndRefusesDuplicatesBadVersionsAndUnknownCommits) {
  if (!has_git_) GTEST_SKIP() << "git is not available";
  EXPECT_EQ(HeadVersion(tree_.root()), "2.0.0");
  absl::StatusOr<Release> r = RecordRelease(tree_.root(), "2.0.0", "");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->commit().size(), 40u);
  EXPECT_THAT(tree_.Read(kReleasesPath), HasSubstr("version: \"2.0.0\""));
  absl::StatusOr<Releases> loaded = LoadReleases(tree_.root());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->releases(0).commit(), r->commit());

  EXPECT_THAT(std::string(RecordRelease(tree_.root(), "2.0.0", "").status().message()),
              HasSubstr("release 2.0.0 is already recorded"));
  EXPECT_THAT(std::string(RecordRelease(tree_.root(), "v2.1", "").status().message()),
              HasSubstr("'v2.1' is not a release version"));
  EXPECT_THAT(std::string(RecordRelease(tree_.root(), "2.1.0", "").status().message()),
              HasSubstr("builds ttt 2.0.0 (project(VERSION) in its CMakeLists.txt), not 2.1.0"));
  EXPECT_THAT(std::string(RecordRelease(tree_.root(), "2.1.0", "deadbeef").status().message()),
              HasSubstr("knows no commit 'deadbeef'"));
}

TEST_F(ReleasesTest, InstallRefusesUnknownVersionAndReusesTheCache) {
  EXPECT_THAT(std::string(InstallRelease(tree_.root(), "1.0.0", tree_.root() + "/cache", 1).status().message()),
              HasSubstr("no release 1.0.0"));
  const std::string commit(40, 'a');
  tree_.Write(kReleasesPath, "releases { version: \"1.0.0\" commit: \"" + commit + "\" }\n");
  tree_.Write("cache/1.0.0/prefix/.ttt-release-" + commit, commit);
  absl::StatusOr<std::string> prefix = InstallRelease(tree_.root(), "1.0.0", tree_.root() + "/cache", 1);
  ASSERT_TRUE(prefix.ok()) << prefix.status();
  EXPECT_EQ(*prefix, tree_.root() + "/cache/1.0.0/prefix");
}

}  // namespace
}  // namespace ttt::gov
