// The TestSuite API itself: fluent configuration, expectations reported (not timing thresholds), readable
// failures, JSON report written atomically, metrics, module paths in each checkpoint naming.
#include <filesystem>
#include <fstream>

#include "core/testing/test_suite.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testsuite_util.h"

namespace ttt::testing {
namespace {

TEST(TestSuiteApiTest, FluentCasesExpectationsAndJsonReport) {
  auto ckpt = LoadFixture("llama-gqa-tiny/hf");
  ASSERT_NE(ckpt, nullptr);
  auto model = BuildFixture(*ckpt, DType::kBF16);
  ASSERT_NE(model, nullptr);
  TestSuite suite(*model);
  suite.Test(model->layer(1).attention()).Tolerance({.pcc = 0.99}).Expect({.latency_ms = 1e6, .memory_mb = 1e6});
  suite.Test(model->layer(1).attention()).Mode(RunMode::kDecode).Tokens(20);
  // An unmeetable memory expectation is reported as missed; accuracy is unaffected.
  suite.Test(*model->layer(0).mlp()).Expect({.memory_mb = 1e-6});
  suite.Test(*model).Tolerance({.top1 = 0.9});
  EXPECT_EQ(suite.CaseNames(), (std::vector<std::string>{"layers.1.attn/prefill", "layers.1.attn/decode",
                                                         "layers.0.mlp/prefill", "model/prefill"}));
  const Report report = suite.Run();
  ASSERT_EQ(report.cases.size(), 4u);
  EXPECT_TRUE(report.cases[0].passed()) << report.cases[0].FailureText();
  EXPECT_EQ(report.cases[0].dtype, "bf16");
  EXPECT_GT(report.cases[0].memory_mb, 0);
  EXPECT_GT(report.cases[0].latency_ms, 0);
  EXPECT_EQ(report.cases[1].tokens, 20);
  EXPECT_TRUE(report.cases[1].passed()) << report.cases[1].FailureText();
  EXPECT_TRUE(report.cases[2].failures.empty());
  ASSERT_EQ(report.cases[2].expectations_missed.size(), 1u);
  EXPECT_NE(report.cases[2].FailureText().find("memory"), std::string::npos);
  EXPECT_GE(report.cases[3].metrics.top1, 0.9);
  EXPECT_TRUE(report.Culprits().empty());

  const auto path = (std::filesystem::temp_directory_path() / ("ttt-report-" + std::to_string(::getpid()) + ".json"));
  ASSERT_TRUE(report.WriteJson(path.string()).ok());
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["cases"].size(), 4u);
  EXPECT_EQ(j["cases"][0]["module_path"], "layers.1.attn");
  EXPECT_EQ(j["cases"][2]["passed"], false);
  EXPECT_TRUE(j["cases"][3]["metrics"].contains("top1"));
  std::filesystem::remove(path);
  EXPECT_FALSE(report.WriteJson("/nonexistent-dir/report.json").ok());
}

TEST(TestSuiteApiTest, ModuleOfAnotherModelIsAnErrorNotACrash) {
  auto ckpt = LoadFixture("gpt2-tiny/hf");
  ASSERT_NE(ckpt, nullptr);
  auto a = BuildFixture(*ckpt, DType::kF32), b = BuildFixture(*ckpt, DType::kF32);
  ASSERT_TRUE(a && b);
  TestSuite suite(*a);
  suite.Test(*b->layer(0).mlp());
  const Report r = suite.Run();
  ASSERT_EQ(r.cases.size(), 1u);
  ASSERT_FALSE(r.passed());
  EXPECT_NE(r.cases[0].failures[0].find("not part of the suite's model"), std::string::npos);
}

TEST(TestSuiteApiTest, SourceModulePathsPerFormat) {
  EXPECT_EQ(SourceModulePath("hf", "llama", "layers.15.attn"), "model.layers.15.self_attn");
  EXPECT_EQ(SourceModulePath("hf", "llama", "layers.2.mlp_norm"), "model.layers.2.post_attention_layernorm");
  EXPECT_EQ(SourceModulePath("hf", "llama", "embedding"), "model.embed_tokens");
  EXPECT_EQ(SourceModulePath("hf", "gpt2", "layers.0.mlp"), "h.0.mlp");
  EXPECT_EQ(SourceModulePath("hf", "gpt2", "final_norm"), "ln_f");
  EXPECT_EQ(SourceModulePath("gguf", "llama", "layers.3.attn"), "blk.3.{attn_k,attn_output,attn_q,attn_v}");
  EXPECT_EQ(SourceModulePath("gguf", "llama", "lm_head"), "output");
  EXPECT_EQ(SourceModulePath("llama2c", "llama", "layers.1.mlp"), "layers.1.feed_forward");
  EXPECT_EQ(SourceModulePath("hf", "llama", "layers.4"), "model.layers.4");
  // Each family's own names (after an optional "transformer." prefix), not Llama's.
  EXPECT_EQ(SourceModulePath("hf", "mpt", "layers.2.mlp"), "blocks.2.ffn");
  EXPECT_EQ(SourceModulePath("hf", "mpt", "layers.2.attn_norm"), "blocks.2.norm_1");
  EXPECT_EQ(SourceModulePath("gguf", "mpt", "lm_head"), "output");
}

}  // namespace
}  // namespace ttt::testing
