// ttt-gov pin and new-model on a synthetic repository (a top-level CMakeLists.txt with the version, two zoo
// models and a releases file), including every refusal. The real build of a scaffolded model is the CTest
// zoo.scaffold (zoo/CMakeLists.txt).
#include "core/governance/zoo.h"

#include <filesystem>
#include <string>

#include "core/governance/testing/governed_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::GovernedTree;

class ZooTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.Write("CMakeLists.txt", "cmake_minimum_required(VERSION 3.25)\nproject(ttt VERSION 2.1.0 LANGUAGES CXX)\n");
    tree_.Write("governance/releases.textproto",
                "releases { version: \"2.0.0\" commit: \"4d3077b0000000000000000000000000000000aa\" date: \"2026-11-01\" }\n");
    tree_.Write("zoo/stories260K/model.textproto",
                "# the pin\nname: \"stories260K\"\nowners: \"ann\"\ntier: \"core\"\nlibrary_version: \"2.0.0\"\n"
                "targets { device: \"cpu\" max_logit_error: 0.001 }\n# trailing comment\n");
    tree_.Write("zoo/stories260K/CMakeLists.txt",
                "project(ttt_zoo_stories260K LANGUAGES CXX)\nadd_executable(stories260k_demo demo.cc)\n"
                "add_executable(stories260k_test stories260k_test.cc stories260k_testsuite_test.cc)\n"
                "set(STORIES260K_DATA ${CMAKE_CURRENT_SOURCE_DIR}/../../tests/fixtures/stories260K)\n");
    tree_.Write("zoo/stories260K/demo.cc", "int main() {}\n");
    tree_.Write("zoo/stories260K/stories260k_test.cc", "TEST(Stories, Runs) {}\n");
    tree_.Write("zoo/stories260K/stories260k_testsuite_test.cc", "TEST(StoriesSuite, Runs) {}\n");
    tree_.Write("zoo/llama/model.textproto", "name: \"llama\"\nlibrary_version: \"2.1.0\"\n");
    tree_.Write("zoo/llama/CMakeLists.txt", "project(ttt_zoo_llama LANGUAGES CXX)\n");
    tree_.Write("zoo/_templates/README.md", "not a model\n");
  }
  GovernedTree tree_;
};

TEST_F(ZooTest, ListsModelsSorted) {
  absl::StatusOr<std::vector<ZooEntry>> models = LoadZooModels(tree_.root());
  ASSERT_TRUE(models.ok()) << models.status();
  ASSERT_EQ(models->size(), 2u);
  EXPECT_EQ((*models)[0].dir, "zoo/llama");
  EXPECT_EQ((*models)[1].model.targets(0).device(), "cpu");
  EXPECT_THAT(PinnableVersions(tree_.root()), ElementsAre("2.0.0", "2.1.0"));
}

TEST_F(ZooTest, PinRewritesOnlyTheVersionLine) {
  absl::StatusOr<std::string> previous = PinModel(tree_.root(), "stories260K", "2.1.0");
  ASSERT_TRUE(previous.ok()) << previous.status();
  EXPECT_EQ(*previous, "2.0.0");
  const std::string text = tree_.Read("zoo/stories260K/model.textproto");
  EXPECT_THAT(text, HasSubstr("library_version: \"2.1.0\"\n"));
  EXPECT_THAT(text, HasSubstr("# the pin\n"));
  EXPECT_THAT(text, HasSubstr("# trailing comment\n"));
  ASSERT_TRUE(PinModel(tree_.root(), "stories260K", "2.0.0").ok());  // a recorded release
}

TEST_F(ZooTest, PinRefusesUnknownModelAndVersion) {
  absl::Status model = PinModel(tree_.root(), "gpt9", "2.1.0").status();
  EXPECT_THAT(std::string(model.message()), HasSubstr("no zoo model 'gpt9'"));
  EXPECT_THAT(std::string(model.message()), HasSubstr("llama, stories260K"));
  absl::Status version = PinModel(tree_.root(), "llama", "1.9.0").status();
  EXPECT_THAT(std::string(version.message()), HasSubstr("ttt 1.9.0 is neither a recorded release"));
  EXPECT_THAT(std::string(version.message()), HasSubstr("pin one of 2.0.0, 2.1.0"));
  EXPECT_THAT(tree_.Read("zoo/llama/model.textproto"), HasSubstr("2.1.0"));
}

TEST_F(ZooTest, NewModelCopiesAndRenamesTheTemplate) {
  absl::StatusOr<std::vector<std::string>> files = NewModel(tree_.root(), "tiny_stories", "llama2c", "");
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->size(), 6u);  // the template's 5 files and the matrix baseline
  // Release 2.0.0 predates the model: its matrix cells are expected failures from the start.
  EXPECT_EQ(tree_.Read("governance/matrix.baseline"),
            "tiny_stories 2.0.0 *: scaffolded at ttt 2.1.0 by `ttt-gov new-model`; release 2.0.0 predates the model\n");
  const std::string cmake = tree_.Read("zoo/tiny_stories/CMakeLists.txt");
  EXPECT_THAT(cmake, HasSubstr("project(ttt_zoo_tiny_stories LANGUAGES CXX)"));
  EXPECT_THAT(cmake, HasSubstr("add_executable(tiny_stories_demo demo.cc)"));
  EXPECT_THAT(cmake, HasSubstr("add_executable(tiny_stories_test tiny_stories_test.cc tiny_stories_testsuite_test.cc)"));
  EXPECT_THAT(cmake, HasSubstr("STORIES260K_DATA"));  // data paths unchanged
  EXPECT_THAT(cmake, Not(HasSubstr("stories260k_")));
  EXPECT_TRUE(std::filesystem::exists(tree_.root() + "/zoo/tiny_stories/tiny_stories_testsuite_test.cc"));
  const std::string manifest = tree_.Read("zoo/tiny_stories/model.textproto");
  EXPECT_THAT(manifest, HasSubstr("name: \"tiny_stories\""));
  EXPECT_THAT(manifest, HasSubstr("library_version: \"2.1.0\""));  // HEAD's version: builds out of the box
  EXPECT_THAT(manifest, HasSubstr("targets { device: \"cpu\""));
  absl::StatusOr<std::vector<ZooEntry>> models = LoadZooModels(tree_.root());
  ASSERT_TRUE(models.ok()) << models.status();  // the new manifest parses
  EXPECT_EQ(models->size(), 3u);
}

TEST_F(ZooTest, NewModelIntoAnotherZooDirectory) {
  const std::string dir = tree_.root() + "/elsewhere";
  ASSERT_TRUE(NewModel(tree_.root(), "m2", "llama2c", dir).ok());
  EXPECT_TRUE(std::filesystem::exists(dir + "/m2/CMakeLists.txt"));
  // Outside the repository's zoo it is no row of the matrix: no baseline line.
  EXPECT_FALSE(std::filesystem::exists(tree_.root() + "/governance/matrix.baseline"));
}

TEST_F(ZooTest, NewModelRefusesExistingBadNameAndUnknownTemplate) {
  EXPECT_THAT(std::string(NewModel(tree_.root(), "llama", "llama2c", "").status().message()),
              HasSubstr("already exists"));
  for (const char* bad : {"", "9lives", "my-model", "a/b", "../x"}) {
    EXPECT_THAT(std::string(NewModel(tree_.root(), bad, "llama2c", "").status().message()),
                HasSubstr("is not a zoo model name"))
        << bad;
  }
  const std::string unknown(NewModel(tree_.root(), "m", "mistral", "").status().message());
  EXPECT_THAT(unknown, HasSubstr("unknown template 'mistral': use one of gpt2, llama, llama2c"));
}

}  // namespace
}  // namespace ttt::gov
