// The zoo's t5 on the device the compatibility matrix selects (TTT_DEVICE / TTT_MODE; the exact f32 cpu model when
// unset): decoder logits of the HF checkpoint and of its GGUF against llama.cpp's (reference.json, logits-N.f32),
// and the speed of one-token decoder steps, reported for `ttt-gov matrix` as TTT_METRIC lines. Only the exact
// model asserts a tolerance here: an emulated device's block floats move the logits by design, and how far they
// may move is the target's business (model.textproto).
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/factory/seq2seq_loader.h"
#include "core/testing/device_env.h"
#include "gtest/gtest.h"
#include "t5_cases.h"

namespace {

absl::StatusOr<ttt::LoadedSeq2Seq> LoadForEnvironment(const std::string& path, ttt::BuildOptions& build) {
  auto options = ttt::testing::BuildOptionsFromEnvironment();
  if (!options.ok()) return options.status();
  build = *options;
  ttt::Seq2SeqLoadOptions load;
  load.require_tokenizer = false;
  load.run_as.device = build.device;
  load.run_as.mode = build.mode;
  return ttt::LoadSeq2Seq(path, load);
}

TEST(ZooLogitsTest, MatchesLlamaCpp) {
  const std::vector<t5_zoo::Case> cases = t5_zoo::Cases();
  ASSERT_FALSE(cases.empty()) << MODEL_DATA "/reference.json has no cases";
  ttt::BuildOptions build;
  std::vector<float> all, expected_all;
  int64_t vocab = 0;
  for (const char* path : {MODEL_DATA "/hf", MODEL_DATA "/model-f32.gguf"}) {
    auto loaded = LoadForEnvironment(path, build);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    vocab = loaded->model->vocab_size();
    for (const t5_zoo::Case& c : cases) {
      const std::vector<float> logits = t5_zoo::DecoderLogits(*loaded->model, c);
      const std::vector<float> expected = t5_zoo::ReadF32(MODEL_DATA "/" + c.logits_file);
      ASSERT_EQ(logits.size(), expected.size()) << path << ": " << c.text;
      if (ttt::testing::IsExactReference(build)) {
        const ttt::testing::LogitsAgreement a = ttt::testing::CompareLogits(logits, expected, vocab);
        EXPECT_LE(a.relative_error(), 1e-3) << path << ": " << c.text;  // llama.cpp's GELU is an fp16 table
        EXPECT_EQ(a.first_argmax_mismatch, -1) << path << ": " << c.text;
      }
      all.insert(all.end(), logits.begin(), logits.end());
      expected_all.insert(expected_all.end(), expected.begin(), expected.end());
    }
  }
  std::printf("%s\n", ttt::testing::AccuracyMetricLine(build, ttt::testing::CompareLogits(all, expected_all, vocab)).c_str());
}

// Decoder steps of one token each (greedy: the argmax feeds the next step, whatever the random weights make of
// it, EOS included), against the encoder output and cross-attention keys and values computed once; the fastest
// of 5 runs, on one thread. No threshold here: the matrix compares the figure with min_tokens_per_s.
TEST(ZooSpeedTest, GreedyDecode) {
  ttt::BuildOptions build;
  auto loaded = LoadForEnvironment(MODEL_DATA "/hf", build);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const ttt::Seq2SeqLm& model = *loaded->model;
  const std::vector<t5_zoo::Case> cases = t5_zoo::Cases();
  ASSERT_FALSE(cases.empty());
  auto memory = model.Encode(cases[0].source);
  ASSERT_TRUE(memory.ok()) << memory.status();
  constexpr int kSteps = 64;
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    auto state = model.StartDecoding(*memory);
    ASSERT_TRUE(state.ok()) << state.status();
    int32_t token = model.decoder_start_token_id();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kSteps; ++i) {
      auto logits = model.Decode(*state, {token});
      ASSERT_TRUE(logits.ok()) << logits.status();
      token = static_cast<int32_t>(std::max_element(logits->begin(), logits->end()) - logits->begin());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, kSteps / seconds);
  }
  std::printf("%s\n", ttt::testing::SpeedMetricLine(build, best).c_str());
}

}  // namespace
