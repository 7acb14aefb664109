// The header-level API diff (api_diff.h) on small include trees written here (an "old" and a "new" release),
// read with universal-ctags as `ttt-gov api-diff` reads installed headers; and its verdict by version step and
// governance/api.baseline (api_verdict.h).
#include "core/governance/api_diff.h"
#include "core/governance/api_verdict.h"

#include <string>

#include "absl/strings/str_join.h"
#include "core/governance/gov_io.h"
#include "core/governance/testing/governed_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::GovernedTree;

constexpr char kOldHeader[] = R"(#pragma once
#include <string>
#define TTT_CHECK(cond, msg) (cond)
namespace ttt {
namespace internal { int Hidden(int); }
namespace { int Anonymous(); }
class Tensor {
 public:
  explicit Tensor(const std::string& name, int rank = 2);
  int rank() const;
  float Sum(float scale) const;
  int size = 0;
 private:
  int secret_;
  void Helper();
};
struct Gone { int a; float b; };
enum class Phase { kPrefill, kDecode };
template <typename T>
T Twice(T value);
int Renamed(int count);
void Resize(int n);
void Fill(float value);
}  // namespace ttt
)";

// Old -> new: Tensor::Sum takes a double (changed), Gone is removed (its members not listed again), Phase loses
// kDecode, TTT_CHECK loses a parameter; only names and default values change elsewhere, private and internal
// code changes freely, and additions (a method, an overload, a header, a defaulted parameter) are allowed.
constexpr char kNewHeader[] = R"(#pragma once
#include <string>
#define TTT_CHECK(cond) (cond)
namespace ttt {
namespace internal { double Hidden(double, double); }
namespace { void Anonymous(int); }
class Tensor {
 public:
  explicit Tensor(const std::string& label, int rank = 3);
  int rank() const;
  float Sum(double scale) const;
  int dim(int axis) const;
  int size = 0;
 private:
  double secret_;
};
enum class Phase { kPrefill };
template <typename U>
U Twice(U v);
int Renamed(int n);
int Renamed(int n, int m);
void Resize(int n, bool zero = true);
void Fill(float value = 0.0f);
}  // namespace ttt
)";

constexpr char kOldProto[] = R"(syntax = "proto3";
package ttt.spec;
message NormSpec { int32 hidden_dim = 1; float epsilon = 2; string kind = 3; }
)";
constexpr char kNewProto[] = R"(syntax = "proto3";
package ttt.spec;
message NormSpec { int32 hidden_dim = 1; double epsilon = 2; bool bias = 4; }
)";

class ApiDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    has_ctags_ = RunCommand("ctags --version").exit_code == 0;
    tree_.Write("old/include/ttt/core/runtime/tensor.h", kOldHeader);
    tree_.Write("old/include/ttt/core/runtime/removed.h", "#pragma once\nnamespace ttt { int Old(); }\n");
    tree_.Write("old/include/ttt/core/specs/proto/norm.proto", kOldProto);
    tree_.Write("old/include/ttt/core/specs/proto/norm.pb.h", "namespace ttt::spec { class Generated {}; }\n");
    tree_.Write("old/include/ttt/experimental/x/x.h", "namespace ttt { int Experiment(); }\n");
    tree_.Write("new/include/ttt/core/runtime/tensor.h", kNewHeader);
    tree_.Write("new/include/ttt/core/runtime/added.h", "#pragma once\nnamespace ttt { int New(); }\n");
    tree_.Write("new/include/ttt/core/specs/proto/norm.proto", kNewProto);
  }
  std::vector<ApiDecl> Read(const std::string& side) {
    absl::StatusOr<std::vector<ApiDecl>> api = ReadPublicApi(tree_.root() + "/" + side + "/include/ttt");
    EXPECT_TRUE(api.ok()) << api.status();
    return api.ok() ? *api : std::vector<ApiDecl>{};
  }
  static std::vector<std::string> Names(const ApiDiffResult& diff) {
    std::vector<std::string> names;
    for (const ApiBreak& b : diff.breaks) names.push_back(b.name);
    return names;
  }
  GovernedTree tree_;
  bool has_ctags_ = false;
};

TEST(ApiSignatureTest, DropsParameterNamesAndDefaultValuesNotTypes) {
  EXPECT_EQ(NormalizeSignature("(const std::string & name,int n=4) const"), "(const std::string&, int =) const");
  EXPECT_EQ(NormalizeSignature("(const std::string&, int = 7) const"), "(const std::string&, int =) const");
  EXPECT_EQ(NormalizeSignature("(unsigned int,std::function<void (int)> cb)"), "(unsigned int, std::function<void(int)>)");
  EXPECT_EQ(NormalizeSignature("(absl::Span<const float> xs, std::vector<int> shape)"),
            "(absl::Span<const float>, std::vector<int>)");
  EXPECT_EQ(NormalizeSignature("(void)"), "()");
  EXPECT_EQ(NormalizeSignature("<typename T,int N=3>"), "<typename, int =>");
  EXPECT_NE(NormalizeSignature("(float scale)"), NormalizeSignature("(double scale)"));
}

TEST_F(ApiDiffTest, ReadsPublicDeclarationsOnly) {
  if (!has_ctags_) GTEST_SKIP() << "universal-ctags is not installed (tools/setup.sh installs it)";
  std::vector<std::string> names;
  for (const ApiDecl& d : Read("old")) names.push_back(d.group + " " + d.name);
  const std::string all = absl::StrJoin(names, "\n");
  EXPECT_THAT(all, HasSubstr("type ttt::Tensor"));
  EXPECT_THAT(all, HasSubstr("function ttt::Tensor::Sum"));
  EXPECT_THAT(all, HasSubstr("variable ttt::Tensor::size"));
  EXPECT_THAT(all, HasSubstr("enumerator ttt::Phase::kDecode"));
  EXPECT_THAT(all, HasSubstr("macro TTT_CHECK"));
  EXPECT_THAT(all, HasSubstr("variable ttt.spec.NormSpec.epsilon"));
  EXPECT_THAT(all, HasSubstr("header core/runtime/removed.h"));
  for (const char* hidden : {"secret_", "Helper", "Hidden", "Anonymous", "Generated", "Experiment", "norm.pb.h"}) {
    EXPECT_THAT(all, ::testing::Not(HasSubstr(hidden))) << hidden;
  }
}

TEST_F(ApiDiffTest, ListsRemovedAndChangedDeclarationsNotRenamesOrAdditions) {
  if (!has_ctags_) GTEST_SKIP() << "universal-ctags is not installed (tools/setup.sh installs it)";
  const ApiDiffResult diff = DiffApi(Read("old"), Read("new"));
  EXPECT_THAT(Names(diff), ElementsAre("TTT_CHECK", "core/runtime/removed.h", "ttt.spec.NormSpec.epsilon",
                                       "ttt.spec.NormSpec.kind", "ttt::Gone", "ttt::Old", "ttt::Phase::kDecode",
                                       "ttt::Tensor::Sum"));
  std::string text;
  for (const ApiBreak& b : diff.breaks) text += b.description + "\n";
  EXPECT_THAT(text, HasSubstr("changed function ttt::Tensor::Sum float (float) const (core/runtime/tensor.h:11), "
                              "now float (double) const (core/runtime/tensor.h:11)"));
  EXPECT_THAT(text, HasSubstr("removed type ttt::Gone (core/runtime/tensor.h:17)"));
  EXPECT_THAT(text, HasSubstr("removed header core/runtime/removed.h"));
  EXPECT_GE(diff.added, 5);  // dim, the Renamed overload, added.h, New, bias
  EXPECT_THAT(DiffApi(Read("old"), Read("old")).breaks, IsEmpty());
}

TEST_F(ApiDiffTest, BaselineAcceptsBreaksOfItsVersionAndTheVerdictFollowsTheStep) {
  if (!has_ctags_) GTEST_SKIP() << "universal-ctags is not installed (tools/setup.sh installs it)";
  const ApiDiffResult diff = DiffApi(Read("old"), Read("new"));
  ASSERT_EQ(diff.breaks.size(), 8u);
  tree_.Write(kApiBaselinePath,
              "# accepted\n2.1.0 ttt::Tensor::Sum: double precision for long sums\n"
              "2.1.0 ttt.spec.NormSpec.*: the norm spec was redone\n2.2.0 ttt::Gone: removed in 2.2.0\n");
  absl::StatusOr<std::vector<AcceptedBreak>> accepted = LoadApiBaseline(tree_.root());
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  ASSERT_NE(FindAccepted(*accepted, "2.0.0", "2.1.0", "ttt.spec.NormSpec.kind"), nullptr);
  EXPECT_EQ(FindAccepted(*accepted, "2.0.0", "2.1.0", "ttt::Gone"), nullptr);  // a later version's line
  EXPECT_EQ(FindAccepted(*accepted, "2.1.0", "2.1.1", "ttt::Tensor::Sum"), nullptr);  // an earlier step's line

  const ApiVerdict minor = JudgeApi("2.0.0", "2.1.0", diff, *accepted, 2);
  EXPECT_EQ(minor.step(), "minor");
  EXPECT_EQ(minor.status(), "breaks");
  EXPECT_EQ(minor.accepted(), 3);
  EXPECT_EQ(minor.breaks(), 5);
  EXPECT_EQ(minor.first_breaks_size(), 2);
  EXPECT_THAT(minor.first_breaks(0), HasSubstr("changed macro TTT_CHECK (2 parameter(s)) (core/runtime/tensor.h:3), now (1 parameter(s))"));
  EXPECT_EQ(JudgeApi("2.0.0", "3.0.0", diff, *accepted, 2).status(), "major");
  EXPECT_EQ(JudgeApi("2.0.0", "2.0.1", diff, *accepted, 2).step(), "patch");
  EXPECT_EQ(JudgeApi("2.0.0", "2.1.0", ApiDiffResult{}, *accepted, 2).status(), "compatible");
  ApiDiffResult only_accepted;
  only_accepted.breaks = {diff.breaks[2], diff.breaks[7]};  // NormSpec.epsilon, Tensor::Sum
  const ApiVerdict all_accepted = JudgeApi("2.0.0", "2.1.0", only_accepted, *accepted, 5);
  EXPECT_EQ(all_accepted.status(), "accepted");
  EXPECT_EQ(all_accepted.accepted(), 2);
  // One example per accepting line, lines naming one declaration before prefix lines.
  EXPECT_THAT(all_accepted.first_breaks(0), HasSubstr("ttt::Tensor::Sum float (float) const (core/runtime/tensor.h:11)"));
  EXPECT_THAT(all_accepted.first_breaks(0), HasSubstr("[accepted: double precision for long sums]"));
  EXPECT_THAT(all_accepted.first_breaks(1), HasSubstr("[accepted: the norm spec was redone]"));

  tree_.Write(kApiBaselinePath, "2.1.0 ttt::Gone no colon\n");
  EXPECT_THAT(std::string(LoadApiBaseline(tree_.root()).status().message()),
              HasSubstr("api.baseline:1: write `VERSION NAME: reason`"));
}

TEST_F(ApiDiffTest, DirectoriesAreDiffedAsTheyAreAndUnknownSidesRefused) {
  if (!has_ctags_) GTEST_SKIP() << "universal-ctags is not installed (tools/setup.sh installs it)";
  std::string report;
  absl::StatusOr<ApiVerdict> v =
      RunApiDiff(tree_.root(), tree_.root() + "/build", tree_.root() + "/old", tree_.root() + "/new", 1, &report);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->status(), "breaks");
  EXPECT_EQ(v->step(), "unknown");
  EXPECT_THAT(report, HasSubstr("changed function ttt::Tensor::Sum"));
  EXPECT_THAT(std::string(RunApiDiff(tree_.root(), tree_.root() + "/build", "HEAD", tree_.root() + "/new", 1,
                                     &report).status().message()),
              HasSubstr("no configured build in"));
  EXPECT_THAT(std::string(RunApiDiff(tree_.root(), tree_.root() + "/build", "nowhere", "HEAD", 1, &report)
                              .status().message()),
              HasSubstr("'nowhere' is neither HEAD, a MAJOR.MINOR.PATCH release nor a directory"));
}

}  // namespace
}  // namespace ttt::gov
