// Coverage records: spec flattening, the per-process JSON-lines file, merging synthetic records into tested
// and untested values, and the zoo's models' spec values.
#include <filesystem>
#include <fstream>

#include "core/testing/coverage.h"
#include "core/testing/test_suite.h"
#include "gtest/gtest.h"
#include "testsuite_util.h"

namespace ttt::testing {
namespace {

std::string TempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(CoverageTest, SpecValuesFlattenNestedFieldsAndDefaults) {
  spec::AttentionSpec a;
  a.set_num_heads(4);
  a.set_use_rope(true);
  a.mutable_rope()->set_convention(spec::RopeSpec::INTERLEAVED);
  const auto v = SpecValues(a, true);
  EXPECT_EQ(v.at("num_heads"), "4");
  EXPECT_EQ(v.at("qkv_bias"), "false");  // defaults count
  EXPECT_EQ(v.at("rope.convention"), "INTERLEAVED");
  EXPECT_EQ(SpecValues(a, false).count("rope.convention"), 0u);
}

TEST(CoverageTest, MergeListsTestedAndUntestedValuesPerKind) {
  std::vector<CoverageRecord> tested = {
      {"attention", "prefill", "cpu", "f32", "m", {{"sliding_window", "0"}, {"qkv_bias", "false"}}},
      {"attention", "decode", "cpu", "bfp8", "m", {{"sliding_window", "0"}, {"qkv_bias", "true"}}},
      {"mlp", "prefill", "cpu", "f32", "m", {{"activation", "SILU"}}}};
  std::vector<CoverageRecord> used = {
      {"attention", "prefill", "cpu", "", "mistral", {{"sliding_window", "4096"}, {"qkv_bias", "false"}}},
      {"mlp", "prefill", "cpu", "", "gpt2", {{"activation", "GELU_TANH"}}},
      {"mlp", "prefill", "cpu", "", "llama", {{"activation", "SILU"}}},
      {"norm", "prefill", "cpu", "", "gpt2", {{"kind", "LAYER_NORM"}}}};
  const CoverageReport r = MergeCoverage(tested, used);
  const KindCoverage& a = r.kinds.at("attention");
  EXPECT_EQ(a.records, 2);
  EXPECT_EQ(a.tested.at("qkv_bias"), (std::set<std::string>{"false", "true"}));
  EXPECT_EQ(a.tested.at("dtype"), (std::set<std::string>{"bfp8", "f32"}));
  EXPECT_EQ(a.tested.at("mode"), (std::set<std::string>{"decode", "prefill"}));
  EXPECT_EQ(a.untested.at("sliding_window"), std::set<std::string>{"4096"});
  EXPECT_EQ(a.untested_by.at("sliding_window=4096"), std::set<std::string>{"mistral"});
  EXPECT_EQ(a.untested.count("qkv_bias"), 0u);
  EXPECT_EQ(r.kinds.at("mlp").untested.at("activation"), std::set<std::string>{"GELU_TANH"});
  EXPECT_EQ(r.kinds.at("norm").records, 0);  // a kind no test touched: everything the zoo uses is untested
  EXPECT_EQ(r.kinds.at("norm").untested.at("kind"), std::set<std::string>{"LAYER_NORM"});
  const std::string text = r.Text();
  EXPECT_NE(text.find("sliding_window: tested {0}; UNTESTED, used by zoo: {4096 (mistral)}"), std::string::npos)
      << text;
}

TEST(CoverageTest, AppendAndReadBackOneFilePerProcess) {
  const std::string dir = TempDir("ttt-coverage");
  std::vector<CoverageRecord> recs = {{"norm", "prefill", "cpu", "f32", "x", {{"kind", "RMS_NORM"}}}};
  ASSERT_TRUE(AppendCoverage(recs, dir).ok());
  ASSERT_TRUE(AppendCoverage(recs, dir).ok());
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.path().extension() == ".jsonl";
  EXPECT_EQ(files, 1);
  auto back = ReadCoverageDir(dir);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].values.at("kind"), "RMS_NORM");
  std::ofstream(dir + "/bad.jsonl") << "{not json\n";
  auto bad = ReadCoverageDir(dir);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("bad.jsonl line 1"), std::string::npos) << bad.status();
}

TEST(CoverageTest, SuiteRunRecordsWhatItTested) {
  const std::string dir = TempDir("ttt-coverage-suite");
  auto ckpt = LoadFixture("gpt2-tiny/hf");
  ASSERT_NE(ckpt, nullptr);
  auto model = BuildFixture(*ckpt, DType::kF32);
  ASSERT_NE(model, nullptr);
  TestSuite suite(*model, SuiteOptions{.coverage_dir = dir});
  suite.Test(model->layer(0).attention()).Mode(RunMode::kDecode);
  suite.Test(*model->layer(0).mlp());
  ASSERT_TRUE(suite.Run().passed());
  auto recs = ReadCoverageDir(dir);
  ASSERT_TRUE(recs.ok()) << recs.status();
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_EQ((*recs)[0].kind, "attention");
  EXPECT_EQ((*recs)[0].mode, "decode");
  EXPECT_EQ((*recs)[0].values.at("qkv_bias"), "true");  // GPT-2
  EXPECT_EQ((*recs)[1].values.at("activation"), "GELU_TANH");
}

TEST(CoverageTest, ZooModelsContributeTheirSpecValues) {
  auto used = ZooCoverageRecords(TTT_ZOO_DIR);
  ASSERT_TRUE(used.ok()) << used.status();
  std::set<std::string> models, activations;
  for (const auto& r : *used) {
    models.insert(r.model);
    if (r.kind == "mlp") activations.insert(r.values.at("activation"));
  }
  EXPECT_EQ(models, (std::set<std::string>{"gemma2", "gpt2", "llama", "mistral", "mixtral", "mpt", "phi3", "qwen2",
                                           "qwen2moe", "stories260K"}));
  EXPECT_EQ(activations, (std::set<std::string>{"GELU", "GELU_TANH", "SILU"}));
  EXPECT_FALSE(ZooCoverageRecords("/nonexistent/zoo").ok());
}

}  // namespace
}  // namespace ttt::testing
