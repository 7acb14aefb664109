// Reference tracking finds a bad layer without reading code: one weight of one layer of the built model is
// corrupted (the source checkpoint stays intact), the suite runs over every module against the source
// checkpoint's float64 forward pass, and exactly that module fails.
#include <cstdlib>
#include <iostream>
#include <set>

#include "core/testing/test_suite.h"
#include "testsuite_util.h"

namespace ttt::testing {
namespace {

// Leaf modules (not a layer, not the model) that failed.
std::set<std::string> FailingLeaves(const Report& report) {
  std::set<std::string> out;
  for (const auto& c : report.cases) {
    if (!c.composite && !c.passed()) out.insert(c.module_path);
  }
  return out;
}

struct PinpointCase {
  std::string fixture;
  std::string weight;    // canonical name of the weight to corrupt
  std::string culprit;   // module expected to be pinpointed
  std::string source;    // its path in the checkpoint
};

// Names the case in test output and CTest names (instead of gtest's byte dump).
void PrintTo(const PinpointCase& c, std::ostream* os) { *os << c.fixture << " " << c.weight; }

class PinpointTest : public ::testing::TestWithParam<PinpointCase> {};

TEST_P(PinpointTest, CorruptedWeightIsPinpointedToItsModule) {
  const PinpointCase& pc = GetParam();
  auto source = LoadFixture(pc.fixture);
  ASSERT_NE(source, nullptr);
  // The model is built from a copy whose one tensor has one row scaled: a plausible conversion bug.
  WeightMap broken = source->weights;
  ASSERT_TRUE(broken.contains(pc.weight)) << pc.weight;
  Tensor t = broken.at(pc.weight).To(DType::kF32).Contiguous();
  Tensor copy = Tensor::FromF32(t.shape(), t.ToF32());
  // Row 3 of a matrix; the first quarter of a vector (norm weights).
  const int64_t begin = copy.rank() == 2 ? 3 * copy.dim(1) : 0;
  const int64_t count = copy.rank() == 2 ? copy.dim(1) : copy.dim(0) / 4;
  for (int64_t i = 0; i < count; ++i) copy.data<float>()[begin + i] *= 8.0f;
  broken[pc.weight] = copy;
  auto model = BuildFixture(*source, DType::kF32, &broken);
  ASSERT_NE(model, nullptr);

  TestSuite suite(*model);
  suite.TestEveryModule();
  auto report = suite.CompareWithReference(*source);
  ASSERT_TRUE(report.ok()) << report.status();
  if (std::getenv("TTT_TESTSUITE_PRINT")) std::cout << report->Text();
  EXPECT_EQ(FailingLeaves(*report), std::set<std::string>{pc.culprit}) << report->Text();
  EXPECT_EQ(report->Culprits(), std::vector<std::string>{pc.culprit}) << report->Text();
  const CaseResult* c = report->Find(pc.culprit + "/prefill");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->source_path, pc.source);
  EXPECT_LT(c->metrics.pcc, 0.99);
  EXPECT_NE(c->FailureText().find(pc.culprit), std::string::npos) << c->FailureText();
  EXPECT_NE(c->FailureText().find("pcc"), std::string::npos) << c->FailureText();
  // Every other leaf passes (checked above); the intact model's own-weights run does not blame anything.
  TestSuite intact(*model);
  intact.TestEveryModule();
  EXPECT_TRUE(intact.Run().passed()) << "own-weights runs judge the module's math, not its weights";
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, PinpointTest,
    ::testing::Values(
        PinpointCase{"stories260K/stories260K.bin", "layers.1.mlp.w_down", "layers.1.mlp", "layers.1.feed_forward"},
        PinpointCase{"llama-gqa-tiny/hf", "layers.1.attn.wk", "layers.1.attn", "model.layers.1.self_attn"},
        PinpointCase{"llama-gqa-tiny/model-f32.gguf", "layers.0.mlp.w_gate", "layers.0.mlp",
                     "blk.0.{ffn_down,ffn_gate,ffn_up}"},
        PinpointCase{"gpt2-tiny/hf", "layers.1.attn_norm.weight", "layers.1.attn_norm", "h.1.ln_1"}),
    [](const auto& info) { return std::to_string(info.index); });

}  // namespace
}  // namespace ttt::testing
