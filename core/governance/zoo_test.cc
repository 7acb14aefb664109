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
                "ttt_zoo_data(STORIES260K_DATA ${CMAKE_CURRENT_SOURCE_DIR}/../../tests/fixtures/stories260K \"s\")\n");
    tree_.Write("zoo/stories260K/demo.cc", "int main() {}\n");
    tree_.Write("zoo/stories260K/stories260k_test.cc", "TEST(Stories, Runs) {}\n");
    tree_.Write("zoo/stories260K/stories260k_testsuite_test.cc", "TEST(StoriesSuite, Runs) {}\n");
    tree_.Write("zoo/llama/model.textproto", "name: \"llama\"\nlibrary_version: \"2.1.0\"\n");
    tree_.Write("zoo/llama/CMakeLists.txt", "project(ttt_zoo_llama LANGUAGES CXX)\n");
    tree_.Write("zoo/_templates/README.md", "not a model\n");
  }
  GovernedTree tree_;
  GovernedTree outside_;  // another directory, outside the repository
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
  // In the repository's zoo the data default is the template's, relative to the model's directory.
  EXPECT_THAT(cmake,
              HasSubstr("ttt_zoo_data(STORIES260K_DATA ${CMAKE_CURRENT_SOURCE_DIR}/../../tests/fixtures/stories260K "));
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
  // Its data default reaches the repository's fixtures from there: relative inside the repository, absolute
  // outside it (a model there may move alone).
  EXPECT_THAT(tree_.Read("elsewhere/m2/CMakeLists.txt"),
              HasSubstr("ttt_zoo_data(STORIES260K_DATA ${CMAKE_CURRENT_SOURCE_DIR}/../../tests/fixtures/stories260K "));
  ASSERT_TRUE(NewModel(tree_.root(), "m3", "llama2c", outside_.root() + "/zoo").ok());
  const std::string fixtures = std::filesystem::weakly_canonical(tree_.root() + "/tests/fixtures").string();
  EXPECT_THAT(outside_.Read("zoo/m3/CMakeLists.txt"),
              HasSubstr("ttt_zoo_data(STORIES260K_DATA " + fixtures + "/stories260K "));
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

// new-model --hf: a Hugging Face folder (config.json, safetensors) with its references, and the template.
class ZooHfTest : public ZooTest {
 protected:
  void SetUp() override {
    ZooTest::SetUp();
    tree_.Write("zoo/_templates/hf/CMakeLists.txt.in",
                "project(ttt_zoo_@NAME@)\n# @COMMAND@\nttt_zoo_data(MODEL_HF @HF_DIR@ \"hf\")\n"
                "ttt_zoo_data(MODEL_REFERENCE @REFERENCE_DIR@ \"ref\" HINT \"@REFERENCE_TOOL@\")\n"
                "add_executable(@LOWER@_test @LOWER@_testsuite_test.cc)\n");
    tree_.Write("zoo/_templates/hf/model.textproto.in",
                "name: \"@NAME@\"\nlibrary_version: \"@VERSION@\"\nsummary: \"@ARCHITECTURE@ @MODEL_TYPE@\"\n");
    tree_.Write("zoo/_templates/hf/testsuite_test.cc.in", "RegisterCheckpointSuites(\"@SUITE@\", MODEL_HF);\n");
    tree_.Write("zoo/_templates/hf/device_test.cc.in", "// @NAME@\n");
    tree_.Write("zoo/_templates/hf/README.md", "not copied\n");
    WriteHf("data/tiny/hf", R"({"model_type": "qwen2_moe", "architectures": ["Qwen2MoeForCausalLM"]})");
    tree_.Write("data/tiny/reference.json", R"({"cases": [{"tokens": [1], "logits_file": "logits-0.f32"}]})");
    tree_.Write("data/tiny/logits-0.f32", "0000");
  }
  void WriteHf(const std::string& dir, const std::string& config) {
    tree_.Write(dir + "/config.json", config);
    tree_.Write(dir + "/model.safetensors", "x");
  }
  std::string Refusal(const std::string& hf, const std::string& reference = "") {
    return std::string(NewModelFromHf(tree_.root(), "m", tree_.root() + "/" + hf,
                                      reference.empty() ? "" : tree_.root() + "/" + reference, "")
                           .status()
                           .message());
  }
};

TEST_F(ZooHfTest, ScaffoldsFromTheFolderWithRelativeDefaultsInTheRepository) {
  absl::StatusOr<std::vector<std::string>> files =
      NewModelFromHf(tree_.root(), "my_moe", tree_.root() + "/data/tiny/hf", tree_.root() + "/data/tiny", "");
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->size(), 5u);  // 4 templates (not the README) and the matrix baseline
  const std::string cmake = tree_.Read("zoo/my_moe/CMakeLists.txt");
  EXPECT_THAT(cmake, HasSubstr("project(ttt_zoo_my_moe)"));
  EXPECT_THAT(cmake, HasSubstr("ttt_zoo_data(MODEL_HF \"${CMAKE_CURRENT_SOURCE_DIR}/../../data/tiny/hf\" \"hf\")"));
  EXPECT_THAT(cmake, HasSubstr("ttt_zoo_data(MODEL_REFERENCE \"${CMAKE_CURRENT_SOURCE_DIR}/../../data/tiny\""));
  EXPECT_THAT(cmake, HasSubstr("HINT \"tools/zoo-reference.sh\""));
  EXPECT_THAT(cmake, HasSubstr("add_executable(my_moe_test my_moe_testsuite_test.cc)"));
  EXPECT_THAT(cmake, HasSubstr("# ttt-gov new-model my_moe --hf " + tree_.root() + "/data/tiny/hf --reference"));
  EXPECT_EQ(tree_.Read("zoo/my_moe/my_moe_testsuite_test.cc"), "RegisterCheckpointSuites(\"Qwen2Moe\", MODEL_HF);\n");
  EXPECT_EQ(tree_.Read("zoo/my_moe/my_moe_device_test.cc"), "// my_moe\n");
  EXPECT_THAT(tree_.Read("zoo/my_moe/model.textproto"), HasSubstr("summary: \"Qwen2MoeForCausalLM qwen2_moe\""));
  EXPECT_FALSE(std::filesystem::exists(tree_.root() + "/zoo/my_moe/README.md"));
  absl::StatusOr<std::vector<ZooEntry>> models = LoadZooModels(tree_.root());
  ASSERT_TRUE(models.ok()) << models.status();  // the new manifest parses; _templates is no model
  EXPECT_EQ(models->size(), 3u);
}

TEST_F(ZooHfTest, ReferencesDefaultToTheFolderAndPathsOutsideAreAbsolute) {
  tree_.Write("data/tiny/hf/reference.json", R"({"cases": [{"logits_file": "logits-0.f32"}]})");
  tree_.Write("data/tiny/hf/logits-0.f32", "0000");
  absl::StatusOr<std::vector<std::string>> files =
      NewModelFromHf(tree_.root(), "m3", tree_.root() + "/data/tiny/hf", "", outside_.root() + "/zoo");
  ASSERT_TRUE(files.ok()) << files.status();
  const std::string hf = std::filesystem::weakly_canonical(tree_.root() + "/data/tiny/hf").string();
  const std::string cmake = outside_.Read("zoo/m3/CMakeLists.txt");
  EXPECT_THAT(cmake, HasSubstr("ttt_zoo_data(MODEL_HF \"" + hf + "\""));
  EXPECT_THAT(cmake, HasSubstr("ttt_zoo_data(MODEL_REFERENCE \"" + hf + "\""));
  EXPECT_THAT(cmake, HasSubstr("HINT \"" + tree_.root() + "/tools/zoo-reference.sh\""));
  EXPECT_FALSE(std::filesystem::exists(tree_.root() + "/governance/matrix.baseline"));
}

TEST_F(ZooHfTest, RefusesWhatItCannotScaffold) {
  tree_.Write("data/empty/README.md", "no config\n");
  EXPECT_THAT(Refusal("data/empty"), HasSubstr("has no config.json: --hf takes a Hugging Face model folder"));
  EXPECT_THAT(Refusal("data/none"), HasSubstr("is not a directory"));
  tree_.Write("data/bin/config.json", R"({"model_type": "llama"})");
  EXPECT_THAT(Refusal("data/bin"), HasSubstr("has no *.safetensors file"));
  WriteHf("data/t5", R"({"model_type": "t5"})");
  const std::string t5 = Refusal("data/t5");
  EXPECT_THAT(t5, HasSubstr("model_type \"t5\" is not one `new-model --hf` scaffolds"));
  EXPECT_THAT(t5, HasSubstr("gemma2, gpt2, llama, mistral, mixtral, phi3, qwen2, qwen2_moe"));
  WriteHf("data/mpt", R"({"model_type": "mpt"})");
  EXPECT_THAT(Refusal("data/mpt"), HasSubstr("ALiBi attention is in the contrib tier"));
  WriteHf("data/untyped", R"({"architectures": ["LlamaForCausalLM"]})");
  EXPECT_THAT(Refusal("data/untyped"), HasSubstr("has no model_type, which is not one `new-model --hf` scaffolds"));
  WriteHf("data/broken", "{not json");
  EXPECT_THAT(Refusal("data/broken"), HasSubstr("not a JSON object"));
  const std::string missing = Refusal("data/tiny/hf");  // references default to the folder: none there
  EXPECT_THAT(missing, HasSubstr("no reference logits for"));
  EXPECT_THAT(missing, HasSubstr("make them with llama.cpp (built outside the tree): " + tree_.root() +
                                 "/tools/zoo-reference.sh"));
  tree_.Write("data/bad-ref/reference.json", R"({"cases": [{"logits_file": "logits-9.f32"}]})");
  EXPECT_THAT(Refusal("data/tiny/hf", "data/bad-ref"), HasSubstr("names logits file 'logits-9.f32', which is not in"));
  EXPECT_THAT(std::string(NewModelFromHf(tree_.root(), "llama", tree_.root() + "/data/tiny/hf",
                                         tree_.root() + "/data/tiny", "")
                              .status()
                              .message()),
              HasSubstr("already exists"));
  EXPECT_FALSE(std::filesystem::exists(tree_.root() + "/zoo/m"));  // nothing written by a refusal
}

}  // namespace
}  // namespace ttt::gov
