// Source scanning, the module index and discovery (`ttt-gov modules list/search/show`).
#include <string>

#include "core/governance/module_index.h"
#include "core/governance/module_query.h"
#include "core/governance/source_scan.h"
#include "core/governance/spec_lookup.h"
#include "core/governance/testing/governed_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::GovernedTree;

std::vector<std::string> Ids(const std::vector<const Module*>& modules) {
  std::vector<std::string> ids;
  for (const Module* m : modules) ids.push_back(m->manifest.id());
  return ids;
}

TEST(SourceScanTest, FindsQuotedIncludesWithTheirLines) {
  const auto includes = ScanIncludes(
      "// #include \"commented/out.h\"\n#include <vector>\n#include \"core/a.h\"\n  #  include   \"b.h\" // x\n"
      "#include \"\"\n#include \"unterminated.h\n#define X \"core/c.h\"\n");
  ASSERT_EQ(includes.size(), 2u);
  EXPECT_EQ(includes[0].line, 3);
  EXPECT_EQ(includes[0].path, "core/a.h");
  EXPECT_EQ(includes[1].line, 4);
  EXPECT_EQ(includes[1].path, "b.h");
}

TEST(SourceScanTest, FindsEveryKindOfTestSuite) {
  EXPECT_THAT(ScanTestSuites("TEST(A, x) {}\n  TEST_F( B , y)\nTEST_P(C, z)\nTYPED_TEST(D, w)\nTYPED_TEST_P(E, v)\n"
                             "INSTANTIATE_TEST_SUITE_P(P, C, v);\nTESTING(F, u)\nTEST(, none)\n"),
              ElementsAre("A", "B", "C", "D", "E"));
}

TEST(SourceScanTest, ResolvesIncludesAgainstTheRootOrTheIncluder) {
  GovernedTree tree;
  EXPECT_EQ(ResolveInclude(tree.root(), "contrib/beta/beta.h", "core/x/../blocks/alpha/alpha.h"),
            "core/blocks/alpha/alpha.h");
  EXPECT_EQ(ResolveInclude(tree.root(), "contrib/beta/beta_test.cc", "beta.h"), "contrib/beta/beta.h");
  EXPECT_EQ(ResolveInclude(tree.root(), "contrib/beta/beta.h", "absl/status/status.h"), "");
}

TEST(SourceScanTest, ANestedModuleOwnsItsOwnFiles) {
  GovernedTree tree;
  tree.Write("core/blocks/alpha/inner/module.textproto",
             "id: \"ttt/alpha/inner\"\npublic_headers: \"core/blocks/alpha/inner/inner.h\"\n");
  tree.Write("core/blocks/alpha/inner/inner.h", "");
  const Repository repo = LoadRepository(tree.root());
  ASSERT_EQ(repo.modules.size(), 4u);
  const Module* alpha = repo.FindById("ttt/alpha/alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_THAT(ModuleSourceFiles(repo, *alpha),
              ElementsAre("core/blocks/alpha/alpha.cc", "core/blocks/alpha/alpha.h", "core/blocks/alpha/alpha_test.cc"));
  EXPECT_EQ(repo.ModuleForPath("core/blocks/alpha/inner/inner.h")->manifest.id(), "ttt/alpha/inner");
  EXPECT_EQ(repo.ModuleForPath("core/blocks/alphabet.h"), nullptr);
}

TEST(ModuleIndexTest, ListsEveryModuleInIdOrderAndIsWrittenWhole) {
  GovernedTree tree;
  const std::string index = tree.Read(kModuleIndexPath);
  const size_t alpha = index.find("[`ttt/alpha/alpha`](../core/blocks/alpha/module.textproto) | core | alpha | active | ann, bob");
  const size_t beta = index.find("| [`ttt/beta/beta`](../contrib/beta/module.textproto) | contrib | beta | active | cid |");
  const size_t gamma = index.find("| [`ttt/gamma/gamma`]");
  ASSERT_NE(alpha, std::string::npos) << index;
  EXPECT_LT(alpha, beta);
  EXPECT_LT(beta, gamma);
  EXPECT_THAT(index, HasSubstr("The alpha block, a normalisation. | cpu (functional) |"));
  EXPECT_THAT(index, HasSubstr("3 modules."));
  EXPECT_EQ(index, RenderModuleIndex(LoadRepository(tree.root())));
}

TEST(ModuleIndexTest, EscapesTableCellsAndShowsDeprecation) {
  ModuleManifest m;
  m.set_status(DEPRECATED);
  m.mutable_deprecation()->set_replacement("ttt/x/new");
  m.mutable_deprecation()->set_removal_version("2.3.0");
  EXPECT_EQ(StatusCell(m), "deprecated: use `ttt/x/new`, removed in 2.3.0");
  Repository repo;
  repo.modules.push_back({"core/x/module.textproto", "core/x", m});
  repo.modules[0].manifest.set_summary("a | b\nc");
  EXPECT_THAT(RenderModuleIndex(repo), HasSubstr("a \\| b c"));
}

TEST(ModuleQueryTest, ListsByCategoryAndTier) {
  GovernedTree tree;
  const Repository repo = LoadRepository(tree.root());
  EXPECT_THAT(Ids(ListModules(repo, "", std::nullopt)), ElementsAre("ttt/alpha/alpha", "ttt/beta/beta", "ttt/gamma/gamma"));
  EXPECT_THAT(Ids(ListModules(repo, "BETA", std::nullopt)), ElementsAre("ttt/beta/beta"));
  EXPECT_THAT(Ids(ListModules(repo, "", EXPERIMENTAL)), ElementsAre("ttt/gamma/gamma"));
  EXPECT_THAT(Ids(ListModules(repo, "alpha", CONTRIB)), IsEmpty());
}

TEST(ModuleQueryTest, SearchNeedsEveryWordInIdCategoryOrSummary) {
  GovernedTree tree;
  const Repository repo = LoadRepository(tree.root());
  EXPECT_THAT(Ids(SearchModules(repo, "Sliding window")), ElementsAre("ttt/beta/beta"));
  EXPECT_THAT(Ids(SearchModules(repo, "window alpha")), IsEmpty());
  EXPECT_THAT(Ids(SearchModules(repo, "ttt/gamma")), ElementsAre("ttt/gamma/gamma"));
}

TEST(ModuleQueryTest, ShowListsTheSpecFieldsFromTheDescriptor) {
  GovernedTree tree;
  const Repository repo = LoadRepository(tree.root());
  const std::string details = FormatModuleDetails(*repo.FindById("ttt/alpha/alpha"));
  EXPECT_THAT(details, HasSubstr("spec:           ttt.spec.NormSpec (core/specs/proto/norm.proto)"));
  const google::protobuf::Descriptor* norm = FindSpecMessage("ttt.spec.NormSpec");
  ASSERT_NE(norm, nullptr);
  ASSERT_GT(norm->field_count(), 0);
  EXPECT_THAT(details, HasSubstr("  " + DescribeFields(*norm)[0] + "\n"));
  EXPECT_THAT(details, HasSubstr("ctest -R '(^|/)(AlphaTest)\\.'"));
  EXPECT_THAT(details, HasSubstr("owners:         ann, bob"));
  EXPECT_EQ(FindSpecMessage("ttt.spec.NoSuchSpec"), nullptr);
}

TEST(RepositoryTest, FindsTheRootFromASubdirectory) {
  GovernedTree tree;
  absl::StatusOr<std::string> root = FindRepositoryRoot(tree.root() + "/contrib/beta");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(*root, tree.root());
  tree.Remove(kPolicyPath);
  EXPECT_THAT(std::string(FindRepositoryRoot(tree.root() + "/contrib").status().message()), HasSubstr("--root"));
}

}  // namespace
}  // namespace ttt::gov
