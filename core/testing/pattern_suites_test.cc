// The module-by-module suites of the encoder and encoder-decoder patterns on the repository's bert-tiny and
// t5-tiny: every case named before running, the f32 models passing at the f32 tolerance, and the n150 models
// (block-float weights, Tenstorrent numerics) judged against the float64 math of what they store, where a module
// that strays is named and the modules before it are not blamed.
#include "core/testing/pattern_suites.h"

#include <iostream>

#include "core/factory/encoder_loader.h"
#include "core/factory/seq2seq_loader.h"
#include "gtest/gtest.h"

namespace ttt::testing {
namespace {

const std::string kFixtures = TTT_FIXTURES_DIR;

// "[ figures  ] <what> on <device>: worst module pcc P (<module>)".
void PrintWorst(const std::string& what, const std::string& device, const Report& report) {
  const CaseResult* worst = nullptr;
  for (const CaseResult& c : report.cases) {
    if (worst == nullptr || c.metrics.pcc < worst->metrics.pcc) worst = &c;
  }
  if (worst != nullptr) {
    std::cout << "[ figures  ] " << what << " on " << device << ": worst module pcc " << worst->metrics.pcc << " ("
              << worst->name << ")\n";
  }
}

std::vector<std::string> Names(const Report& report) {
  std::vector<std::string> names;
  for (const CaseResult& c : report.cases) names.push_back(c.name);
  return names;
}

TEST(PatternSuitesTest, EncoderModulesPassOnCpuAndOnADevice) {
  for (const char* device : {"cpu", "n150"}) {
    EncoderLoadOptions options;
    options.require_tokenizer = false;
    options.run_as.device = device;
    options.run_as.mode = hw::PERFORMANCE;
    auto loaded = LoadEncoder(kFixtures + "/bert-tiny/hf", options);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    const Report report = TestEncoderModules(*loaded->encoder, {.device = device});
    EXPECT_EQ(Names(report), EncoderCaseNames(*loaded->encoder));
    EXPECT_EQ(report.cases.size(), 2 + 4 * static_cast<size_t>(loaded->encoder->num_layers()));
    for (const CaseResult& c : report.cases) {
      EXPECT_TRUE(c.passed()) << device << ": " << c.FailureText();
      EXPECT_EQ(c.device, device);
    }
    // cpu performance mode stores the MLP in block floats, so its tolerance is the low-bit one.
    EXPECT_EQ(report.Find("layers.0.mlp")->dtype, "bfp8") << device;
    EXPECT_TRUE(report.Culprits().empty()) << report.Text();
    PrintWorst("bert-tiny", device, report);
  }
}

TEST(PatternSuitesTest, Seq2SeqModulesPassOnCpuAndOnADevice) {
  for (const char* device : {"cpu", "n150"}) {
    Seq2SeqLoadOptions options;
    options.require_tokenizer = false;
    options.run_as.device = device;
    options.run_as.mode = device == std::string("cpu") ? hw::ACCURACY : hw::PERFORMANCE;
    auto loaded = LoadSeq2Seq(kFixtures + "/t5-tiny/hf", options);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    const Report report = TestSeq2SeqModules(*loaded->model, {.device = device});
    EXPECT_EQ(Names(report), Seq2SeqCaseNames(*loaded->model));
    for (const CaseResult& c : report.cases) {
      EXPECT_TRUE(c.passed()) << device << ": " << c.FailureText();
      if (device == std::string("cpu")) EXPECT_GE(c.metrics.pcc, 0.99999) << c.name;
    }
    EXPECT_EQ(report.Find("seq2seq")->composite, true);
    EXPECT_GE(report.Find("lm_head")->metrics.top1, 0.0);  // judged as logits
    PrintWorst("t5-tiny", device, report);
  }
}

}  // namespace
}  // namespace ttt::testing
